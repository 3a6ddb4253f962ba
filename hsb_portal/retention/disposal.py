"""The scheduled disposal job: erase exactly the children of approved disposal reviews who
are still past retention and not held, each in its own transaction, logging each erasure as
metadata only (security.md, "History and soft delete").

The unit of disposal is a child's record: the child and everything only about that child.
A record shared with other children (a concern naming two children, a strategy meeting) is
kept until the last of them is disposed of; the disposed child's own rows in it are removed.
On PostgreSQL the transaction sets ``hsb.disposal`` so the triggers that keep approved minutes
final let this job, and nothing else, delete them (migration retention 0003).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.utils import timezone
from guardian.models import GroupObjectPermission, UserObjectPermission

from hsb_portal.audit import partitions
from hsb_portal.audit.log import record
from hsb_portal.audit.models import Action, RecordVersion
from hsb_portal.retention.models import (
    DisposalReview,
    DisposalReviewChild,
    EntryOutcome,
    LegalHold,
    RetainedChild,
    ReviewStatus,
)
from hsb_portal.retention.selectors import children_past_retention, retention_of, rules_by_authority
from referrals.models import Allocation, Referral, ReferralGroup
from strategy.models import (
    ActionChild,
    ActionCompletion,
    AgencyInformation,
    AimAssessment,
    Attendance,
    ChildRecord,
    Distribution,
    Invitation,
    MeetingAction,
    MeetingChild,
    MinutesVersion,
    RedactionDecision,
    StrategyMeeting,
)
from triage.models import Child, Concern, ConcernChild

# Who the audit log names for an erasure: the job, run by the scheduler, not a person.
JOB = "dispose_records (scheduled job)"


@dataclass
class Erasure:
    """Deletes in an order no PROTECT foreign key refuses, and notes what it deleted."""

    pks: dict[type[models.Model], list[Any]] = field(default_factory=lambda: defaultdict(list))
    public_ids: list[UUID] = field(default_factory=list)

    def delete(self, queryset: "models.QuerySet[Any]") -> None:
        model = queryset.model
        if any(f.name == "public_id" for f in model._meta.fields):
            for pk, public_id in queryset.values_list("pk", "public_id"):
                self.pks[model].append(pk)
                self.public_ids.append(public_id)
        else:
            self.pks[model] += list(queryset.values_list("pk", flat=True))
        queryset.delete()

    def forget_grants(self) -> None:
        """Remove django-guardian grants on the deleted records (they hold only their pks)."""
        for model, pks in self.pks.items():
            if not pks:
                continue
            kind = ContentType.objects.get_for_model(model, for_concrete_model=True)
            object_pks = [str(pk) for pk in pks]
            for grants in (GroupObjectPermission, UserObjectPermission):
                grants.objects.filter(content_type=kind, object_pk__in=object_pks).delete()

    def forget_versions(self) -> None:
        """Delete the field snapshots of every erased record (keyed by its public_id, or by
        that of the record it belongs to one-to-one, which is erased with it)."""
        ids = [str(public_id) for public_id in self.public_ids]
        RecordVersion.objects.filter(object_id__in=ids).delete()


def erase_child(child: Child, erasure: Erasure) -> None:
    """Delete the child and everything only about them; shared records lose only this child's
    own rows. Call inside the disposal transaction."""
    for place in MeetingChild.objects.filter(child=child).select_related("meeting"):
        if MeetingChild.objects.filter(meeting=place.meeting_id).exclude(pk=place.pk).exists():
            _remove_from_meeting(place, erasure)
        else:
            _delete_meeting(place.meeting, erasure)
    # A review links to the assessment it reviews, which is always older: newest first.
    for assessment in AimAssessment.objects.filter(child=child).order_by("-pk"):
        erasure.delete(AimAssessment.objects.filter(pk=assessment.pk))
    referrals = Referral.objects.filter(child=child)
    group_ids = list(referrals.values_list("group_id", flat=True))
    erasure.delete(Allocation.objects.filter(referral__child=child))
    erasure.delete(referrals)
    erasure.delete(ReferralGroup.objects.filter(pk__in=group_ids, referrals__isnull=True))
    concern_ids = list(
        ConcernChild.objects.filter(child=child).values_list("concern_id", flat=True)
    )
    erasure.delete(ConcernChild.objects.filter(child=child))
    erasure.delete(
        Concern.objects.filter(
            pk__in=concern_ids, involvements__isnull=True, referrals__isnull=True
        )
    )
    # Only lifted holds are left: the job never reaches a held child.
    erasure.delete(LegalHold.objects.filter(child=child))
    erasure.delete(Child.objects.filter(pk=child.pk))
    erasure.forget_grants()
    erasure.forget_versions()


def _remove_from_meeting(place: MeetingChild, erasure: Erasure) -> None:
    own_links = ActionChild.objects.filter(meeting_child=place)
    action_ids = list(own_links.values_list("action_id", flat=True))
    erasure.delete(own_links)
    # Actions that concerned only this child go; actions shared with another child stay.
    only_theirs = MeetingAction.objects.filter(pk__in=action_ids).exclude(
        pk__in=ActionChild.objects.values("action_id")
    )
    keys = list(only_theirs.values_list("key", flat=True))
    erasure.delete(only_theirs)
    erasure.delete(
        ActionCompletion.objects.filter(key__in=keys).exclude(
            key__in=MeetingAction.objects.values("key")
        )
    )
    erasure.delete(RedactionDecision.objects.filter(meeting_child=place))
    erasure.delete(ChildRecord.objects.filter(meeting_child=place))
    erasure.delete(AgencyInformation.objects.filter(meeting_child=place))
    erasure.delete(Distribution.objects.filter(meeting_child=place))
    erasure.delete(MeetingChild.objects.filter(pk=place.pk))


def _delete_meeting(meeting: StrategyMeeting, erasure: Erasure) -> None:
    erasure.delete(ActionChild.objects.filter(action__minutes__meeting=meeting))
    erasure.delete(MeetingAction.objects.filter(minutes__meeting=meeting))
    erasure.delete(RedactionDecision.objects.filter(minutes__meeting=meeting))
    erasure.delete(ChildRecord.objects.filter(minutes__meeting=meeting))
    erasure.delete(AgencyInformation.objects.filter(minutes__meeting=meeting))
    erasure.delete(Attendance.objects.filter(minutes__meeting=meeting))
    erasure.delete(Distribution.objects.filter(meeting_child__meeting=meeting))
    erasure.delete(MinutesVersion.objects.filter(meeting=meeting))
    erasure.delete(MeetingChild.objects.filter(meeting=meeting))
    erasure.delete(Invitation.objects.filter(meeting=meeting))
    erasure.delete(ActionCompletion.objects.filter(meeting=meeting))
    erasure.delete(StrategyMeeting.objects.filter(pk=meeting.pk))


@dataclass
class DisposalRun:
    erased: list[UUID] = field(default_factory=list)
    kept: list[tuple[UUID, str]] = field(default_factory=list)
    reviews: list[UUID] = field(default_factory=list)
    # Months of the audit log dropped (PostgreSQL): the month's first day and its events.
    audit_months: list[tuple[date, int]] = field(default_factory=list)


def dispose_records(*, today: date | None = None) -> DisposalRun:
    """Carry out every approved disposal review: erase each child still past retention and not
    held, one transaction per child, then mark the review carried out. Safe to run again: a
    child already dealt with is skipped."""
    today = today or timezone.localdate()
    run = DisposalRun()
    for review in DisposalReview.objects.filter(status=ReviewStatus.APPROVED).order_by("pk"):
        entries = review.entries.filter(outcome=EntryOutcome.WAITING).order_by("pk")
        for entry_pk in entries.values_list("pk", flat=True):
            _dispose_of_entry(entry_pk, review, today, run)
        with transaction.atomic(durable=True):
            DisposalReview.objects.filter(pk=review.pk).update(
                status=ReviewStatus.EXECUTED, executed_at=timezone.now()
            )
            record(None, Action.CHANGE, review, detail="disposal carried out", actor_email=JOB)
        run.reviews.append(review.public_id)
    # Then the audit log: next months' partitions made ahead, and the oldest months dropped
    # only while nothing in them must be kept (hsb_portal/audit/partitions.py).
    partitions.create_ahead(today=today)
    run.audit_months = [
        (month.first_day, events) for month, events in partitions.dispose_expired(today=today)
    ]
    return run


def _set_disposal(value: str) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('hsb.disposal', %s, true)", [value])


def _dispose_of_entry(entry_pk: int, review: DisposalReview, today: date, run: DisposalRun) -> None:
    with transaction.atomic(durable=True):
        entry = DisposalReviewChild.objects.select_for_update().get(pk=entry_pk)
        if entry.outcome != EntryOutcome.WAITING:
            return
        # Locked, so a legal hold placed meanwhile waits for this transaction, or wins. An erased
        # child's entry has no child_id, so the look-up finds nothing (mypy wants a key).
        child = RetainedChild.objects.select_for_update().filter(pk=entry.child_id).first()  # type: ignore[misc]
        note = ""
        if child is None:
            outcome = EntryOutcome.ALREADY_ERASED
        elif LegalHold.objects.filter(child=child, lifted_at__isnull=True).exists():
            outcome = EntryOutcome.KEPT_HELD
        else:
            due = children_past_retention([child.authority_id], today=today).filter(pk=child.pk)
            row = due.first()
            retention = (
                retention_of(row, rules_by_authority([child.authority_id])[child.authority_id])
                if row is not None
                else None
            )
            if row is None or retention is None:
                outcome = EntryOutcome.KEPT_NOT_DUE
            else:
                outcome = EntryOutcome.ERASED
                classes = ", ".join(record_class.value for record_class in retention.classes)
                note = (
                    f"record classes {classes}; rule {retention.rule.public_id} "
                    f"({retention.rule.get_record_class_display()}, {retention.rule.describe()}); "
                    f"retained until {retention.retained_until:%Y-%m-%d}"
                )
                # Local to this transaction, and turned off again at once, so that it never
                # outlives the erasure even inside an outer transaction.
                _set_disposal("on")
                erase_child(child, Erasure())
                _set_disposal("off")
                # Metadata only: the opaque id, class, rule and review; never the child's
                # details. Written after the erasure, so no snapshot of the child is kept.
                record(
                    None,
                    Action.CHANGE,
                    child,
                    children=[child.public_id],
                    detail=f"erased under the retention schedule: {note}; "
                    f"review {review.public_id}",
                    actor_email=JOB,
                )
        if outcome == EntryOutcome.ERASED:
            run.erased.append(entry.child_public_id)
        else:
            run.kept.append((entry.child_public_id, outcome))
        DisposalReviewChild.objects.filter(pk=entry.pk).update(
            outcome=outcome, outcome_note=note[:300], done_at=timezone.now()
        )
