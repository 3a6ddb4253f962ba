"""The data migration that turns minutes sent to whole agencies into minutes sent to people
(strategy 0005, issue 10): each agency-wide distribution goes to the agency's people who were
invited (by name, or who answered its invitation) and to its designated safeguarding leads, in
their roles there; nobody else in the agency keeps it. Reversed, each recipient's agency gets
its agency-wide distribution back, once."""

from typing import Any

import pytest

from hsb_portal.accounts.models import AgencyKind, Membership, Role
from strategy.meetings import services
from strategy.models import Distribution, MinutesVersion
from tests.factories import MembershipFactory
from tests.strategy.meetings.conftest import approved_meeting, place_of

AGENCY_WIDE = ("strategy", "0003_refuse_changes_to_approved_minutes")
AFTER = ("strategy", "0006_distribution_recipient_required")


def agency_rows(apps: Any) -> set[tuple[int, int, int]]:
    old = apps.get_model("strategy", "Distribution")
    return set(old.objects.values_list("meeting_child_id", "minutes_id", "agency_id"))


@pytest.mark.django_db(transaction=True)
def test_minutes_sent_to_an_agency_go_to_its_invitees_and_safeguarding_leads_only(
    migrator, incident, manager, police, agencies
) -> None:
    force, school = agencies[AgencyKind.POLICE], agencies[AgencyKind.SCHOOL]
    meeting = approved_meeting(incident, manager, agencies=[force, school])
    minutes = MinutesVersion.objects.get(meeting=meeting)
    riley, sam = place_of(meeting, "Riley"), place_of(meeting, "Sam")
    invitation = meeting.invitations.get(agency=force)
    invitation.responded_by = police.user  # Pat answered for the police
    invitation.save(update_fields=["responded_by"])
    police_lead = MembershipFactory(role=Role.DSL, agency=force)
    police_colleague = MembershipFactory(role=Role.PRACTITIONER, agency=force)
    MembershipFactory(role=Role.AUDITOR, agency=force)
    MembershipFactory(role=Role.DSL, agency=force, is_active=False)
    # Who answered an invitation is a person, not a role: each of their roles there gets it.
    pats_other_role = MembershipFactory(user=police.user, role=Role.DSL, agency=force)
    class_teacher = MembershipFactory(role=Role.PRACTITIONER, agency=school)  # nobody answered
    services.distribute_minutes(
        minutes=minutes, choices={riley: [police]}, by=manager.user, membership=manager
    )

    # Back to minutes sent to agencies: the police has Riley's.
    old = migrator.apply_tested_migration(AGENCY_WIDE)
    assert agency_rows(old.apps) == {(riley.pk, minutes.pk, force.pk)}
    old.apps.get_model("strategy", "Distribution").objects.create(
        meeting_child_id=sam.pk,
        minutes_id=minutes.pk,
        agency_id=school.pk,
        distributed_by_id=manager.user_id,
    )
    new = migrator.apply_tested_migration(AFTER)

    rows = new.apps.get_model("strategy", "Distribution").objects.values_list(
        "meeting_child_id", "recipient_id"
    )
    assert set(rows) == {
        (riley.pk, police.pk),
        (riley.pk, police_lead.pk),
        (riley.pk, pats_other_role.pk),
    }
    assert police_colleague.pk not in {recipient for _, recipient in rows}
    assert class_teacher.pk not in {recipient for _, recipient in rows}


@pytest.mark.django_db(transaction=True)
def test_reversed_each_recipients_agency_gets_the_minutes_back_once(
    migrator, incident, manager, police, agencies
) -> None:
    force = agencies[AgencyKind.POLICE]
    meeting = approved_meeting(incident, manager, agencies=[force])
    minutes = MinutesVersion.objects.get(meeting=meeting)
    sam = place_of(meeting, "Sam")
    colleague: Membership = MembershipFactory(role=Role.DSL, agency=force)
    services.distribute_minutes(
        minutes=minutes, choices={sam: [police, colleague]}, by=manager.user, membership=manager
    )
    assert Distribution.objects.count() == 2

    old = migrator.apply_tested_migration(AGENCY_WIDE)

    assert agency_rows(old.apps) == {(sam.pk, minutes.pk, force.pk)}
