"""Legal holds, reviewed disposal and the scheduled job that erases (domain.md §9;
security.md: hard delete only in the retention job, after the retention date, never under a
legal hold; a retention override needs a second approver)."""

import io
import json
from collections.abc import Callable
from datetime import date

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse

from hsb_portal.accounts.models import Agency, LocalAuthority, Membership, Role
from hsb_portal.audit.log import verify_chain
from hsb_portal.audit.models import Action, AuditEvent, AuditEventChild, RecordVersion
from hsb_portal.retention import services
from hsb_portal.retention.disposal import dispose_records
from hsb_portal.retention.models import (
    ChangeStatus,
    DisposalReview,
    EntryOutcome,
    LegalHold,
    RecordClass,
    RetainedChild,
    RetentionRule,
    ReviewStatus,
)
from referrals.models import Referral
from strategy.models import (
    AgencyInformation,
    ChildRecord,
    MeetingAction,
    MeetingChild,
    MinutesVersion,
    StrategyMeeting,
)
from tests.conftest import signed_in
from tests.factories import ChildFactory
from tests.retention.conftest import approved_meeting_about, closed_case
from triage.models import Child, Concern, ConcernChild

pytestmark = pytest.mark.django_db

# Far enough ahead that records closed today are past every rule but the 75th birthday.
FAR_AHEAD = date(2080, 1, 1)


def old_case(authority: LocalAuthority, **names: str) -> Child:
    """Early Help closed in 2012: past retention since 2018."""
    return closed_case(
        authority, kind="early_help", born=date(2001, 4, 2), closed_on=date(2012, 5, 5), **names
    )


def propose(admin: Membership, *children: Child) -> DisposalReview:
    return services.propose_disposal(
        authority=children[0].authority,
        children=[RetainedChild.objects.get(pk=child.pk) for child in children],
        reason="Reviewed: no record of interest to survivors.",
        by=admin.user,
        membership=admin,
    )


def approve(review: DisposalReview, admin: Membership) -> DisposalReview:
    return services.decide_disposal(
        review=review,
        approve=True,
        reason="Checked against the schedule.",
        version=review.version,
        by=admin.user,
        membership=admin,
    )


def test_an_administrator_places_a_legal_hold_with_a_reason_audited_naming_the_child(
    authority: LocalAuthority,
    schedule: list[RetentionRule],
    administrators: tuple[Membership, Membership],
) -> None:
    child = old_case(authority)
    client = signed_in(Client(), administrators[0])

    response = client.post(
        reverse("retention:hold-place", args=[child.public_id]),
        {"reason": "Local inquiry into residential care, ref INQ-7."},
    )

    assert response.status_code == 302
    hold = LegalHold.objects.get(child=child)
    assert hold.is_active
    assert hold.placed_by == administrators[0].user
    event = AuditEvent.objects.get(action=Action.CHANGE, detail="legal hold placed")
    assert list(event.children.values_list("child_id", flat=True)) == [child.public_id]


def test_a_legal_hold_without_a_reason_shows_the_error_on_the_field(
    authority: LocalAuthority,
    schedule: list[RetentionRule],
    administrators: tuple[Membership, Membership],
) -> None:
    child = old_case(authority)
    client = signed_in(Client(), administrators[0])

    response = client.post(reverse("retention:hold-place", args=[child.public_id]), {"reason": ""})

    assert response.status_code == 200
    assert "Enter why the record is held" in response.content.decode()
    assert not LegalHold.objects.exists()


def test_an_auditor_reads_the_report_but_cannot_place_a_hold(
    authority: LocalAuthority, schedule: list[RetentionRule], client_as: Callable[..., Client]
) -> None:
    child = old_case(authority, given_name="Auditedchild")
    auditor = client_as(Role.AUDITOR)

    report = auditor.get(reverse("retention:report"))
    refused = auditor.post(
        reverse("retention:hold-place", args=[child.public_id]), {"reason": "Trying."}
    )

    assert "Auditedchild" in report.content.decode()
    assert refused.status_code == 403
    assert not LegalHold.objects.exists()


def test_a_held_child_is_never_disposed_of(
    authority: LocalAuthority,
    schedule: list[RetentionRule],
    administrators: tuple[Membership, Membership],
) -> None:
    proposer, approver = administrators
    held, free = old_case(authority), old_case(authority)
    review = approve(propose(proposer, held, free), approver)
    services.place_legal_hold(
        child=RetainedChild.objects.get(pk=held.pk),
        reason="Civil claim, ref CL-22.",
        by=approver.user,
        membership=approver,
    )

    run = dispose_records()

    assert Child.objects.filter(pk=held.pk).exists()
    assert not Child.objects.filter(pk=free.pk).exists()
    assert run.kept == [(held.public_id, EntryOutcome.KEPT_HELD)]
    review.refresh_from_db()
    assert review.status == ReviewStatus.EXECUTED


def test_a_lifted_hold_no_longer_keeps_the_record(
    authority: LocalAuthority,
    schedule: list[RetentionRule],
    administrators: tuple[Membership, Membership],
) -> None:
    proposer, approver = administrators
    child = old_case(authority)
    hold = services.place_legal_hold(
        child=RetainedChild.objects.get(pk=child.pk),
        reason="Inquiry.",
        by=proposer.user,
        membership=proposer,
    )
    client = signed_in(Client(), approver)
    client.post(
        reverse("retention:hold-lift", args=[hold.public_id]), {"reason": "Inquiry closed."}
    )
    approve(propose(proposer, child), approver)

    dispose_records()

    assert not Child.objects.filter(pk=child.pk).exists()
    assert not LegalHold.objects.exists()


def test_the_proposer_cannot_approve_their_own_disposal_review(
    authority: LocalAuthority,
    schedule: list[RetentionRule],
    administrators: tuple[Membership, Membership],
) -> None:
    proposer, _ = administrators
    review = propose(proposer, old_case(authority))
    client = signed_in(Client(), proposer)

    page = client.get(reverse("retention:review-decide", args=[review.public_id]))
    response = client.post(
        reverse("retention:review-decide", args=[review.public_id]),
        {"version": review.version, "decision": "approve", "reason": "Mine."},
    )

    assert "a different administrator must approve or reject it" in page.content.decode()
    assert response.status_code == 403
    review.refresh_from_db()
    assert review.status == ReviewStatus.PROPOSED
    with pytest.raises(services.RetentionRefused):
        approve(review, proposer)


def test_a_second_administrator_approves_through_the_page_and_nothing_is_deleted_yet(
    authority: LocalAuthority,
    schedule: list[RetentionRule],
    administrators: tuple[Membership, Membership],
) -> None:
    proposer, approver = administrators
    child = old_case(authority)
    review = propose(proposer, child)

    response = signed_in(Client(), approver).post(
        reverse("retention:review-decide", args=[review.public_id]),
        {"version": review.version, "decision": "approve", "reason": "Checked."},
    )

    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.APPROVED
    assert review.decided_by == approver.user
    assert Child.objects.filter(pk=child.pk).exists()
    assert ConcernChild.objects.filter(child=child).exists()


def test_proposing_disposal_through_the_page_lists_only_children_past_retention(
    authority: LocalAuthority,
    schedule: list[RetentionRule],
    administrators: tuple[Membership, Membership],
) -> None:
    due = old_case(authority, given_name="Duechild")
    recent = closed_case(
        authority,
        kind="early_help",
        born=date(2015, 1, 1),
        closed_on=date(2025, 1, 1),
        given_name="Recentchild",
    )
    client = signed_in(Client(), administrators[0])

    page = client.get(reverse("retention:review-propose"))
    refused = client.post(
        reverse("retention:review-propose"),
        {"children": [str(recent.public_id)], "reason": "Tidy up."},
    )
    made = client.post(
        reverse("retention:review-propose"),
        {"children": [str(due.public_id)], "reason": "Reviewed."},
    )

    assert "Duechild" in page.content.decode()
    assert "Recentchild" not in page.content.decode()
    assert "Select only children listed past their retention date" in refused.content.decode()
    assert made.status_code == 302
    review = DisposalReview.objects.get()
    assert list(review.entries.values_list("child_public_id", flat=True)) == [due.public_id]


def test_the_job_erases_exactly_the_approved_children_and_keeps_records_shared_with_others(
    authority: LocalAuthority,
    schedule: list[RetentionRule],
    administrators: tuple[Membership, Membership],
    agency_for: Callable[..., Agency],
) -> None:
    proposer, approver = administrators
    harmer = ChildFactory(authority=authority, given_name="Quillon", family_name="Marrowfeld")
    harmed = ChildFactory(authority=authority, given_name="Brisa", family_name="Tennaby")
    meeting = approved_meeting_about(authority, agency_for, harmer=harmer, harmed=harmed)
    bystander = old_case(authority)  # past retention, but nobody proposed it
    concern = Concern.objects.get(involvements__child=harmer)
    review = approve(propose(proposer, harmer), approver)
    events_before = AuditEvent.objects.count()

    run = dispose_records(today=FAR_AHEAD)

    assert run.erased == [harmer.public_id]
    assert not Child.objects.filter(pk=harmer.pk).exists()
    assert not Referral.objects.filter(child_id=harmer.pk).exists()
    assert not ConcernChild.objects.filter(child_id=harmer.pk).exists()
    # The concern and the meeting name another child, so they stay, without the harmer's rows.
    assert Concern.objects.filter(pk=concern.pk).exists()
    assert StrategyMeeting.objects.filter(pk=meeting.pk).exists()
    places = MeetingChild.objects.filter(meeting=meeting)
    assert [place.child_id for place in places] == [harmed.pk]
    assert ChildRecord.objects.filter(minutes__meeting=meeting).count() == 1
    assert AgencyInformation.objects.filter(minutes__meeting=meeting).count() == 1
    actions = MeetingAction.objects.filter(minutes__meeting=meeting)
    assert sorted(a.description for a in actions) == [
        "Agree a school safety plan for both.",
        "Offer Child B counselling.",
    ]
    assert MinutesVersion.objects.get(meeting=meeting).is_approved
    assert Child.objects.filter(pk__in=[harmed.pk, bystander.pk]).count() == 2
    # One metadata-only event per erasure, then one for the review; the chain still holds.
    erasures = AuditEvent.objects.filter(pk__gt=0).order_by("pk")[events_before:]
    erasure = erasures[0]
    assert erasure.actor is None
    assert erasure.detail.startswith("erased under the retention schedule")
    assert str(review.public_id) in erasure.detail
    assert RecordClass.CHILD_PROTECTION.value in erasure.detail
    assert list(erasure.children.values_list("child_id", flat=True)) == [harmer.public_id]
    assert len(erasures) == 2
    for event in AuditEvent.objects.all():
        text = " ".join([event.detail, event.object_id, event.path, event.object_kind])
        assert "Quillon" not in text and "Marrowfeld" not in text
    for version in RecordVersion.objects.all():
        assert "Quillon" not in json.dumps(version.snapshot)
        assert version.object_id != str(harmer.public_id)
    checked, broken = verify_chain()
    assert broken is None
    assert checked == AuditEvent.objects.count()
    entry = review.entries.get()
    assert entry.child is None
    assert entry.outcome == EntryOutcome.ERASED
    assert "Marrowfeld" not in entry.outcome_note


def test_the_last_child_of_a_shared_record_takes_it_with_them(
    authority: LocalAuthority,
    schedule: list[RetentionRule],
    administrators: tuple[Membership, Membership],
    agency_for: Callable[..., Agency],
) -> None:
    proposer, approver = administrators
    harmer, harmed = ChildFactory(authority=authority), ChildFactory(authority=authority)
    meeting = approved_meeting_about(authority, agency_for, harmer=harmer, harmed=harmed)
    concern = Concern.objects.get(involvements__child=harmer)
    approve(propose(proposer, harmer, harmed), approver)

    run = dispose_records(today=FAR_AHEAD)

    assert sorted(run.erased) == sorted([harmer.public_id, harmed.public_id])
    assert not StrategyMeeting.objects.filter(pk=meeting.pk).exists()
    assert not MinutesVersion.objects.filter(meeting_id=meeting.pk).exists()
    assert not Concern.objects.filter(pk=concern.pk).exists()
    assert AuditEventChild.objects.filter(child_id=harmer.public_id).exists()  # the log stays
    assert verify_chain()[1] is None


def test_a_child_no_longer_past_retention_when_the_job_runs_is_kept(
    authority: LocalAuthority,
    schedule: list[RetentionRule],
    administrators: tuple[Membership, Membership],
) -> None:
    proposer, approver = administrators
    child = old_case(authority)
    approve(propose(proposer, child), approver)
    RetentionRule.objects.filter(record_class=RecordClass.EARLY_HELP).update(years=40)

    run = dispose_records()

    assert Child.objects.filter(pk=child.pk).exists()
    assert run.kept == [(child.public_id, EntryOutcome.KEPT_NOT_DUE)]


def test_the_dispose_records_command_prints_opaque_ids_only(
    authority: LocalAuthority,
    schedule: list[RetentionRule],
    administrators: tuple[Membership, Membership],
) -> None:
    proposer, approver = administrators
    child = old_case(authority, given_name="Printlessname")
    approve(propose(proposer, child), approver)
    out = io.StringIO()

    call_command("dispose_records", stdout=out)

    assert f"erased {child.public_id}" in out.getvalue()
    assert "Printlessname" not in out.getvalue()
    assert "1 erased, 0 kept, 1 reviews done" in out.getvalue()


def test_shortening_a_rule_needs_a_second_administrator(
    authority: LocalAuthority,
    schedule: list[RetentionRule],
    administrators: tuple[Membership, Membership],
) -> None:
    proposer, approver = administrators
    rule = authority.retention_rules.get(record_class=RecordClass.CHILD_PROTECTION)
    first = signed_in(Client(), proposer)

    first.post(
        reverse("retention:rule-edit", args=[rule.public_id]),
        {"version": rule.version, "years": 25, "reason": "Board decision 12."},
    )
    rule.refresh_from_db()
    change = rule.changes.get()
    own = first.post(
        reverse("retention:rule-change-decide", args=[change.public_id]),
        {"version": 1, "decision": "approve", "reason": "Mine."},
    )
    still = rule.years
    signed_in(Client(), approver).post(
        reverse("retention:rule-change-decide", args=[change.public_id]),
        {"version": 1, "decision": "approve", "reason": "Agreed."},
    )
    rule.refresh_from_db()
    change.refresh_from_db()

    assert still == 35
    assert own.status_code == 403
    assert change.status == ChangeStatus.APPROVED
    assert change.decided_by == approver.user
    assert rule.years == 25
    details = list(
        AuditEvent.objects.filter(object_id=str(rule.public_id)).values_list("detail", flat=True)
    )
    assert any("waits for a second administrator" in d for d in details)
    assert any("second administrator approved 25 years" in d for d in details)


def test_lengthening_a_rule_applies_at_once(
    authority: LocalAuthority,
    schedule: list[RetentionRule],
    administrators: tuple[Membership, Membership],
) -> None:
    rule = authority.retention_rules.get(record_class=RecordClass.EARLY_HELP)

    response = signed_in(Client(), administrators[0]).post(
        reverse("retention:rule-edit", args=[rule.public_id]),
        {"version": rule.version, "years": 10, "reason": "Board decision 13."},
    )

    rule.refresh_from_db()
    assert response.status_code == 302
    assert rule.years == 10
    assert rule.changes.get().status == ChangeStatus.APPLIED


@pytest.mark.parametrize(
    ("years", "error"),
    [
        ("", "Enter the number of years"),
        ("0", "The number of years must be 1 or more"),
        ("ten", "The number of years must be a whole number, like 35"),
        ("151", "The number of years must be 150 or fewer"),
    ],
)
def test_a_period_that_is_not_a_number_of_years_shows_the_error_on_the_field(
    years: str,
    error: str,
    authority: LocalAuthority,
    schedule: list[RetentionRule],
    administrators: tuple[Membership, Membership],
) -> None:
    rule = authority.retention_rules.get(record_class=RecordClass.EARLY_HELP)

    response = signed_in(Client(), administrators[0]).post(
        reverse("retention:rule-edit", args=[rule.public_id]),
        {"version": rule.version, "years": years, "reason": "Typo."},
    )

    assert response.status_code == 200
    assert error in response.content.decode()


@pytest.mark.postgresql
def test_on_postgresql_the_job_erases_approved_minutes_and_nothing_else_can(
    authority: LocalAuthority,
    schedule: list[RetentionRule],
    administrators: tuple[Membership, Membership],
    agency_for: Callable[..., Agency],
) -> None:
    proposer, approver = administrators
    harmer, harmed = ChildFactory(authority=authority), ChildFactory(authority=authority)
    other = approved_meeting_about(
        authority,
        agency_for,
        harmer=ChildFactory(authority=authority),
        harmed=ChildFactory(authority=authority),
    )
    meeting = approved_meeting_about(authority, agency_for, harmer=harmer, harmed=harmed)
    approve(propose(proposer, harmer), approver)

    dispose_records(today=FAR_AHEAD)

    assert ChildRecord.objects.filter(minutes__meeting=meeting).count() == 1
    # Without the job's setting, the database still refuses to delete approved minutes.
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM strategy_childrecord WHERE minutes_id IN "
            "(SELECT id FROM strategy_minutesversion WHERE meeting_id = %s)",
            [other.pk],
        )
    # And with it, an UPDATE of approved minutes is still refused.
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL hsb.disposal = 'on'")
        cursor.execute(
            "UPDATE strategy_childrecord SET risks = 'changed' WHERE minutes_id IN "
            "(SELECT id FROM strategy_minutesversion WHERE meeting_id = %s)",
            [other.pk],
        )
    assert ChildRecord.objects.filter(minutes__meeting=other).count() == 2
