"""Recording a concern: what happened, when and where; bad input, conflicts and the audit."""

from datetime import date, timedelta
from uuid import uuid4

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hsb_portal.accounts.models import AgencyKind, Membership, Role
from hsb_portal.audit.models import Action, AuditEvent
from hsb_portal.conflicts import StaleRecord
from tests.conftest import signed_in
from tests.factories import (
    AgencyFactory,
    ChildFactory,
    ConcernChildFactory,
    ConcernFactory,
    MembershipFactory,
)
from tests.triage.conftest import date_input
from triage import services
from triage.models import Concern, ConcernEventKind, ConcernStatus, Part

pytestmark = pytest.mark.django_db


def concern_form(authority, **overrides):
    data = {
        "submission": str(uuid4()),
        **date_input("occurred_on", date(2026, 3, 2)),
        **date_input("reported_on", date(2026, 3, 3)),
        "location": "online",
        "location_detail": "A group chat",
        "authority": authority.pk,
        "what_happened": "Images were shared in a class group chat.",
        "technology_assisted": "yes",
        "crime_suspected": "yes",
        "police_aware": "no",
    }
    data.update(overrides)
    return data


def own_concern(membership: Membership, **fields) -> Concern:
    return ConcernFactory(
        reported_by=membership.user,
        reporting_agency=membership.agency,
        authority=membership.agency.authorities.first(),
        **fields,
    )


def test_a_practitioner_starts_a_concern_for_their_agency(
    practitioner, practitioner_client: Client, authority
) -> None:
    response = practitioner_client.post(reverse("triage:concern-create"), concern_form(authority))

    concern = Concern.objects.get()
    assert response["Location"] == reverse("triage:concern-detail", args=[concern.public_id])
    assert concern.status == ConcernStatus.DRAFT
    assert concern.reported_by == practitioner.user
    assert concern.reporting_agency == practitioner.agency
    assert concern.occurred_on == date(2026, 3, 2)
    assert concern.location == "online"
    assert concern.technology_assisted == "yes"
    assert concern.events.get().kind == ConcernEventKind.CREATED
    event = AuditEvent.objects.get(action=Action.CREATE, object_kind="triage.concern")
    assert event.object_id == str(concern.public_id)
    assert event.role == Role.PRACTITIONER


def test_a_behaviour_date_in_the_future_is_refused_and_the_rest_is_kept(
    practitioner_client: Client, authority
) -> None:
    tomorrow = timezone.localdate() + timedelta(days=1)

    response = practitioner_client.post(
        reverse("triage:concern-create"),
        concern_form(
            authority, **date_input("occurred_on", tomorrow), **date_input("reported_on", tomorrow)
        ),
    )

    assert response.status_code == 200
    assert "The date the behaviour happened must be today or in the past" in response.text
    assert "The date it was reported must be today or in the past" in response.text
    assert "Images were shared in a class group chat." in response.text
    assert f'value="{tomorrow.year}"' in response.text
    assert not Concern.objects.exists()


@pytest.mark.parametrize(
    ("boxes", "message"),
    [
        (("31", "2", "2026"), "The date the behaviour happened must be a real date"),
        (("2", "", "2026"), "The date the behaviour happened must include a month"),
        (("2", "March", "2026"), "The date the behaviour happened must be a real date"),
        (("2", "3", "26"), "Year must include 4 numbers"),
        (("", "", ""), "Enter the date the behaviour happened"),
    ],
)
def test_an_impossible_or_incomplete_date_is_a_clear_field_error(
    boxes, message, practitioner_client: Client, authority
) -> None:
    response = practitioner_client.post(
        reverse("triage:concern-create"),
        concern_form(authority, **date_input("occurred_on", raw=boxes)),
    )

    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert message in response.text
    assert not Concern.objects.exists()


def test_a_concern_cannot_be_reported_before_it_happened(
    practitioner_client: Client, authority
) -> None:
    response = practitioner_client.post(
        reverse("triage:concern-create"),
        concern_form(authority, **date_input("reported_on", date(2026, 3, 1))),
    )

    assert (
        "The date it was reported must be the same as or after the date the behaviour happened"
        in response.text
    )
    assert not Concern.objects.exists()


def test_an_empty_post_shows_every_error_rather_than_nothing(practitioner_client: Client) -> None:
    response = practitioner_client.post(reverse("triage:concern-create"), {})

    assert response.status_code == 200
    assert "Enter what happened" in response.text
    assert "Select where it happened" in response.text


def test_the_behaviour_date_cannot_be_moved_before_a_childs_birth(
    practitioner, practitioner_client: Client
) -> None:
    concern = own_concern(practitioner)
    ConcernChildFactory(
        concern=concern,
        child=ChildFactory(
            given_name="Riley", family_name="Ashcombe", date_of_birth=date(2020, 5, 1)
        ),
    )

    response = practitioner_client.post(
        reverse("triage:concern-edit", args=[concern.public_id]),
        {
            "version": concern.version,
            **concern_form(concern.authority, **date_input("occurred_on", date(2020, 4, 30))),
        },
    )

    assert (
        "The date the behaviour happened must be after Riley Ashcombe&#x27;s date of birth "
        "(1 May 2020)" in response.text
    )
    concern.refresh_from_db()
    assert concern.occurred_on == date(2026, 3, 2)


def test_a_stale_edit_is_refused_with_the_input_kept_and_then_saves(
    practitioner, practitioner_client: Client
) -> None:
    concern = own_concern(practitioner)
    opened_at = concern.version
    services.update_concern(
        concern=Concern.objects.get(pk=concern.pk),
        version=opened_at,
        by=practitioner.user,
        membership=practitioner,
        what_happened="Changed by someone else first.",
    )
    edit = reverse("triage:concern-edit", args=[concern.public_id])
    mine = concern_form(concern.authority, what_happened="My account of what happened.")

    refused = practitioner_client.post(edit, {"version": opened_at, **mine})

    assert refused.status_code == 200
    assert "Someone else changed this concern after you opened this page" in refused.text
    assert "My account of what happened." in refused.text
    assert f'name="version" value="{opened_at + 1}"' in refused.text
    concern.refresh_from_db()
    assert concern.what_happened == "Changed by someone else first."

    saved = practitioner_client.post(edit, {"version": opened_at + 1, **mine})

    assert saved.status_code == 302
    concern.refresh_from_db()
    assert concern.what_happened == "My account of what happened."
    assert concern.version == opened_at + 2


def test_of_two_saves_from_the_same_version_only_one_succeeds(practitioner) -> None:
    concern = own_concern(practitioner)
    first = Concern.objects.get(pk=concern.pk)
    second = Concern.objects.get(pk=concern.pk)
    services.update_concern(
        concern=first, version=1, by=practitioner.user, membership=practitioner, location="home"
    )

    with pytest.raises(StaleRecord):
        services.update_concern(
            concern=second,
            version=1,
            by=practitioner.user,
            membership=practitioner,
            location="community",
        )

    concern.refresh_from_db()
    assert concern.location == "home"


def test_viewing_a_concern_writes_one_view_event_naming_its_children(
    practitioner, practitioner_client: Client
) -> None:
    concern = own_concern(practitioner)
    harmer = ConcernChildFactory(concern=concern)
    harmed = ConcernChildFactory(concern=concern, part=Part.CHILD_HARMED)
    before = AuditEvent.objects.count()

    response = practitioner_client.get(reverse("triage:concern-detail", args=[concern.public_id]))

    assert response.status_code == 200
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("pk")
    assert (event.action, event.object_kind) == (Action.VIEW, "triage.concern")
    assert set(event.children.values_list("child_id", flat=True)) == {
        harmer.child.public_id,
        harmed.child.public_id,
    }


def test_opening_a_form_page_about_a_concern_is_audited_as_a_view(
    practitioner, practitioner_client: Client
) -> None:
    concern = own_concern(practitioner)

    practitioner_client.get(reverse("triage:concern-edit", args=[concern.public_id]))

    event = AuditEvent.objects.latest("pk")
    assert (event.action, event.object_id) == (Action.VIEW, str(concern.public_id))


def test_a_change_is_audited_with_the_children_it_concerns(
    practitioner, practitioner_client: Client
) -> None:
    concern = own_concern(practitioner)
    harmer = ConcernChildFactory(concern=concern)

    practitioner_client.post(
        reverse("triage:concern-edit", args=[concern.public_id]),
        {"version": concern.version, **concern_form(concern.authority)},
    )

    event = AuditEvent.objects.filter(action=Action.CHANGE).get()
    assert event.object_id == str(concern.public_id)
    assert list(event.children.values_list("child_id", flat=True)) == [harmer.child.public_id]


def test_posted_status_or_reporter_fields_change_nothing(
    practitioner, practitioner_client: Client, authority
) -> None:
    other = MembershipFactory()

    practitioner_client.post(
        reverse("triage:concern-create"),
        concern_form(authority, status="to_be_referred", reported_by=other.user.pk),
    )

    concern = Concern.objects.get()
    assert concern.status == ConcernStatus.DRAFT
    assert concern.reported_by == practitioner.user


def test_a_practitioner_lists_only_the_concerns_they_filed(
    practitioner, practitioner_client: Client, member, agency_for
) -> None:
    mine = own_concern(practitioner)
    colleague = own_concern(member(Role.PRACTITIONER))

    response = practitioner_client.get(reverse("triage:concern-list"))

    assert mine.reference in response.text
    assert colleague.reference not in response.text


def test_a_dsl_lists_every_concern_of_their_agency_and_no_other(
    practitioner, dsl_client: Client, authority
) -> None:
    ours = own_concern(practitioner)
    other_school = AgencyFactory(kind=AgencyKind.SCHOOL, authorities=[authority])
    theirs = own_concern(MembershipFactory(agency=other_school))

    response = dsl_client.get(reverse("triage:concern-list"))

    assert ours.reference in response.text
    assert theirs.reference not in response.text


def test_an_auditor_reads_concerns_of_agencies_serving_their_authority_but_changes_nothing(
    practitioner, member, other_authority
) -> None:
    ours = own_concern(practitioner)
    elsewhere_school = AgencyFactory(kind=AgencyKind.SCHOOL, authorities=[other_authority])
    elsewhere = own_concern(MembershipFactory(agency=elsewhere_school))
    auditor = signed_in(Client(), member(Role.AUDITOR))

    listed = auditor.get(reverse("triage:concern-list"))
    change = auditor.post(
        reverse("triage:concern-edit", args=[ours.public_id]),
        {"version": ours.version, **concern_form(ours.authority)},
    )

    assert ours.reference in listed.text
    assert elsewhere.reference not in listed.text
    assert "Report a concern" not in listed.text
    assert change.status_code == 403


def test_the_concern_list_is_audited_as_a_view_of_every_child_named(
    practitioner, practitioner_client: Client
) -> None:
    involvements = [ConcernChildFactory(concern=own_concern(practitioner)) for _ in range(3)]

    practitioner_client.get(reverse("triage:concern-list"))

    event = AuditEvent.objects.filter(action=Action.VIEW).latest("pk")
    assert event.detail == "list of concerns"
    assert set(event.children.values_list("child_id", flat=True)) == {
        i.child.public_id for i in involvements
    }
