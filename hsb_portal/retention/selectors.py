"""What the retention report, the disposal review and the job read: which classes each child's
case reached, its anchors, and whether it is past retention today.

The filter is one SQL condition built from the authority's rules (a record is past retention
under a rule of ``years`` when its anchor falls before ``earliest_retained_anchor``), so the
report pages in SQL and costs the same number of queries for any number of children. The page's
rows are then explained in Python (``Retention``), from the same annotations and rules.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, TypedDict

from django.db import models
from django.db.models.expressions import Combinable
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from hsb_portal.accounts.models import LocalAuthority
from hsb_portal.audit.models import Action, AuditEventChild
from hsb_portal.retention.models import (
    OPEN_REVIEW,
    Anchor,
    DisposalReviewChild,
    LegalHold,
    RecordClass,
    RetainedChild,
    RetentionRule,
)
from hsb_portal.retention.schedule import earliest_retained_anchor, retained_until
from referrals.models import Allocation, Referral, ReferralStatus, ScreeningDecision
from strategy.models import (
    AimAssessment,
    AssessmentStatus,
    ChildRecord,
    MeetingChild,
    MeetingStatus,
    MinutesVersion,
    StrategyMeeting,
    ThresholdDecision,
)
from triage.models import Concern, ConcernChild, ConcernStatus

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

# Stands in for "never" in GREATEST, which SQLite makes NULL when any argument is NULL.
NEVER = datetime(1900, 1, 1, tzinfo=UTC)

S = ReferralStatus
# Screening decisions that close the case at Early Help, advice or no further action.
EARLY_HELP_DECISIONS = (
    S.NO_FURTHER_ACTION,
    S.ADVICE_SIGNPOSTING,
    S.EARLY_HELP,
    S.POLICE,
    S.SPECIALIST_SERVICE,
)
CLASS_FLAG = {
    RecordClass.CHILD_PROTECTION: "reached_child_protection",
    RecordClass.CHILD_IN_NEED: "reached_child_in_need",
    RecordClass.LOOKED_AFTER: "reached_looked_after",
    RecordClass.EARLY_HELP: "reached_early_help",
    RecordClass.CONCERN_NOT_REFERRED: "reached_concern_not_referred",
}
ANCHOR_FIELD = {
    Anchor.DATE_OF_BIRTH: "date_of_birth",
    Anchor.CLOSURE: "closed_at",
    Anchor.LAST_CONTACT: "last_contact_at",
}


class RetentionAnnotations(TypedDict):
    """What ``annotate_retention`` adds to each child (for the type checker)."""

    reached_child_protection: bool
    reached_child_in_need: bool
    reached_looked_after: bool
    reached_early_help: bool
    reached_concern_not_referred: bool
    has_open_work: bool
    closed_at: datetime
    last_contact_at: datetime
    is_held: bool
    open_review: str | None


def _of_child(queryset: models.QuerySet, path: str = "child") -> models.QuerySet:  # type: ignore[type-arg]
    return queryset.filter(**{path: models.OuterRef("pk")})


def _latest(queryset: models.QuerySet, field: str) -> Coalesce:  # type: ignore[type-arg]
    latest = queryset.filter(**{f"{field}__isnull": False}).order_by(f"-{field}").values(field)
    return Coalesce(
        models.Subquery(latest[:1]), models.Value(NEVER), output_field=models.DateTimeField()
    )


def _flag(
    condition: models.Q | Combinable,
) -> "models.ExpressionWrapper[models.Q | Combinable]":
    return models.ExpressionWrapper(condition, output_field=models.BooleanField())


def annotate_retention(
    queryset: "models.QuerySet[RetainedChild]",
) -> "models.QuerySet[WithAnnotations[RetainedChild, RetentionAnnotations]]":
    """Annotate each child with the classes its case reached, its anchors, whether any work
    on it is still open, and whether a legal hold or an open disposal review applies."""
    referrals = Referral.objects.filter(child=models.OuterRef("pk"))
    places = MeetingChild.objects.filter(child=models.OuterRef("pk"))
    involvements = ConcernChild.objects.filter(child=models.OuterRef("pk"))
    aims = AimAssessment.objects.filter(child=models.OuterRef("pk"))
    records = ChildRecord.objects.filter(meeting_child__child=models.OuterRef("pk"))
    allocations = Allocation.objects.filter(referral__child=models.OuterRef("pk"))
    # A child named in a concern that was not referred for them (a witness too).
    own_referral = Referral.objects.filter(
        concern=models.OuterRef("concern_id"), child=models.OuterRef("child_id")
    )
    case_classes = (
        models.Q(reached_child_protection=True)
        | models.Q(reached_child_in_need=True)
        | models.Q(reached_early_help=True)
    )
    last_change = (
        AuditEventChild.objects.filter(
            child_id=models.OuterRef("public_id"),
            action__in=[Action.CREATE, Action.CHANGE],
        )
        # Records management's own events (a hold, a review) are not contact with the child.
        .exclude(object_kind__startswith="retention.")
    )
    return (
        queryset.annotate(
            reached_child_protection=_flag(
                models.Exists(referrals.filter(status=S.STRATEGY_MEETING))
                | models.Exists(places)
                | models.Exists(aims)
            ),
            reached_child_in_need=_flag(
                models.Exists(referrals.filter(status=S.CIN_ASSESSMENT))
                | models.Exists(records.filter(decision=ThresholdDecision.CIN_PLAN))
            ),
            reached_looked_after=_flag(models.Q(is_looked_after=True)),
            reached_early_help=_flag(
                models.Exists(referrals.filter(status__in=EARLY_HELP_DECISIONS))
                | models.Exists(involvements.filter(concern__status=ConcernStatus.EARLY_HELP))
            ),
        )
        .annotate(
            # A child with no other record is kept as a concern never referred.
            reached_concern_not_referred=_flag(
                models.Exists(involvements.exclude(models.Exists(own_referral))) | ~case_classes
            ),
            has_open_work=_flag(
                models.Exists(referrals.filter(status__in=[S.RECEIVED, S.IN_SCREENING]))
                | models.Exists(
                    involvements.filter(
                        concern__status__in=[
                            ConcernStatus.DRAFT,
                            ConcernStatus.AWAITING_REVIEW,
                            ConcernStatus.TO_BE_REFERRED,
                        ]
                    )
                )
                | models.Exists(
                    places.filter(meeting__status__in=[MeetingStatus.CONVENED, MeetingStatus.HELD])
                )
                | models.Exists(aims.filter(status=AssessmentStatus.DRAFT))
                | models.Exists(allocations.filter(ended_at__isnull=True))
            ),
            # Closure: the last decision or closing step on the child's case, or the record's
            # creation when nothing was ever decided.
            closed_at=Greatest(
                _latest(
                    _of_child(ScreeningDecision.objects.all(), "referral__child"), "decided_at"
                ),
                _latest(_of_child(Concern.objects.all(), "involvements__child"), "decided_at"),
                _latest(
                    _of_child(MinutesVersion.objects.all(), "meeting__meeting_children__child"),
                    "approved_at",
                ),
                _latest(
                    _of_child(StrategyMeeting.objects.all(), "meeting_children__child"),
                    "cancelled_at",
                ),
                _latest(aims, "completed_at"),
                _latest(allocations, "ended_at"),
                models.F("created_at"),
                output_field=models.DateTimeField(),
            ),
        )
        .annotate(
            last_contact_at=Greatest(
                models.F("closed_at"),
                # The child row's own copy of the time: audit_child_time_idx, newest first.
                _latest(last_change, "occurred_at"),
                _latest(involvements, "added_at"),
                _latest(referrals, "received_at"),
                output_field=models.DateTimeField(),
            ),
            is_held=models.Exists(
                LegalHold.objects.filter(child=models.OuterRef("pk"), lifted_at__isnull=True)
            ),
            open_review=models.Subquery(
                DisposalReviewChild.objects.filter(
                    child=models.OuterRef("pk"), review__status__in=OPEN_REVIEW
                )
                .order_by("-review__proposed_at")
                .values("review__status")[:1]
            ),
        )
    )


def rules_by_authority(
    authorities: Iterable[int],
) -> dict[int, list[RetentionRule]]:
    rules: dict[int, list[RetentionRule]] = defaultdict(list)
    for rule in RetentionRule.objects.filter(authority__in=list(authorities)).order_by("pk"):
        rules[rule.authority_id].append(rule)
    return rules


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _past_retention(rules: list[RetentionRule], today: date) -> models.Q:
    """Past retention under every rule of every class the child's case reached; a class with
    no rule keeps its children (fail closed)."""
    condition = models.Q()
    for record_class, flag in CLASS_FLAG.items():
        class_rules = [rule for rule in rules if rule.record_class == record_class]
        if not class_rules:
            condition &= models.Q(**{flag: False})
        for rule in class_rules:
            boundary = earliest_retained_anchor(today, rule.years)
            field = ANCHOR_FIELD[Anchor(rule.anchor)]
            value: date | datetime = (
                boundary if rule.anchor == Anchor.DATE_OF_BIRTH else _start_of(boundary)
            )
            condition &= models.Q(**{flag: False}) | models.Q(**{f"{field}__lt": value})
    return condition


def children_past_retention(
    authorities: Iterable[int],
    *,
    today: date | None = None,
    rules: dict[int, list[RetentionRule]] | None = None,
) -> "models.QuerySet[WithAnnotations[RetainedChild, RetentionAnnotations]]":
    """The children of ``authorities`` past their retention date on ``today`` with no open work,
    held ones included (the report shows the hold), in name order (``child_name_idx``)."""
    today = today or timezone.localdate()
    ids = list(authorities)
    rules = rules if rules is not None else rules_by_authority(ids)
    condition = models.Q(pk__in=[])
    for authority_id in ids:
        condition |= models.Q(authority=authority_id) & _past_retention(rules[authority_id], today)
    return (
        annotate_retention(RetainedChild.objects.filter(authority__in=ids))
        .filter(condition, has_open_work=False)
        .select_related("authority")
        .order_by("authority", "family_name", "given_name", "pk")
    )


@dataclass(frozen=True)
class Retention:
    """Why a child is kept until when: the rule giving the latest date wins."""

    retained_until: date
    rule: RetentionRule
    classes: tuple[RecordClass, ...]

    @property
    def class_labels(self) -> str:
        return "; ".join(record_class.label for record_class in self.classes)


def anchor_date(child: RetainedChild, anchor: str) -> date:
    value = getattr(child, ANCHOR_FIELD[Anchor(anchor)])
    return timezone.localdate(value) if isinstance(value, datetime) else value


def retention_of(child: RetainedChild, rules: list[RetentionRule]) -> Retention | None:
    """The child's retention date from an annotated row; None if a class it reached has no
    rule (it is then never past retention)."""
    classes = tuple(rc for rc, flag in CLASS_FLAG.items() if getattr(child, flag))
    best: tuple[date, RetentionRule] | None = None
    for record_class in classes:
        class_rules = [rule for rule in rules if rule.record_class == record_class]
        if not class_rules:
            return None
        for rule in class_rules:
            until = retained_until(anchor_date(child, rule.anchor), rule.years)
            if best is None or until > best[0]:
                best = (until, rule)
    if best is None:
        return None
    return Retention(retained_until=best[0], rule=best[1], classes=classes)


@dataclass(frozen=True)
class ReportRow:
    child: "WithAnnotations[RetainedChild, RetentionAnnotations]"
    retention: Retention


def report_rows(
    children: Iterable["WithAnnotations[RetainedChild, RetentionAnnotations]"],
    rules: dict[int, list[RetentionRule]],
) -> list[ReportRow]:
    rows = []
    for child in children:
        retention = retention_of(child, rules[child.authority_id])
        if retention is not None:
            rows.append(ReportRow(child, retention))
    return rows


def authority_named(code: str) -> LocalAuthority | None:
    return LocalAuthority.objects.filter(code=code).first()


def disposal_candidates(
    authorities: Iterable[int],
) -> "models.QuerySet[WithAnnotations[RetainedChild, RetentionAnnotations]]":
    """The children a disposal may be proposed for: past retention, not held, and in no
    disposal review still waiting to be carried out."""
    return children_past_retention(authorities).filter(is_held=False, open_review__isnull=True)
