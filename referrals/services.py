"""The referral use-cases, one per step of the procedure.

Each runs in one transaction and writes its audit event in the same transaction as the change.
A change to a referral takes the referral's next version first (a conditional UPDATE), so of
two screeners saving from the same version only one succeeds and the other is told
(security.md §5). Taking a referral is a conditional UPDATE too: only one screener wins.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from hsb_portal import calendar, sharing
from hsb_portal.accounts.models import (
    Agency,
    AgencyKind,
    LocalAuthority,
    Membership,
    Role,
    SeparateSocialWorkers,
    TimescaleRule,
    User,
)
from hsb_portal.audit import log as audit
from hsb_portal.audit.models import Action
from hsb_portal.conflicts import claim_version
from hsb_portal.submissions.tokens import once
from referrals.models import (
    NEEDS_SOCIAL_WORKER,
    Allocation,
    InvalidTransition,
    NoNamesConsultation,
    Referral,
    ReferralEvent,
    ReferralEventKind,
    ReferralGroup,
    ReferralSource,
    ReferralStatus,
    ScreeningDecision,
)
from triage.models import (
    BrookRating,
    Child,
    Concern,
    ConcernChild,
    ConcernEvent,
    ConcernEventKind,
    ConcernStatus,
    Part,
    YesNoUnknown,
    most_serious,
)

UNPAIRED_MESSAGE = "You are not referring both a child harmed and a child who has harmed: say why"
# Used when an authority's profile has no fixed time for the rule: the national default.
SCREENING_DEFAULT_WORKING_DAYS = 1  # Working Together 2023
FOLLOW_UP_DEFAULT_HOURS = 48  # Camden 2023, 6.1


class AlreadyTaken(Exception):
    """Another screener took the referral first."""

    def __init__(self, claimant: User | None) -> None:
        self.claimant = claimant
        super().__init__(f"Already taken by {claimant}")


class UnpairedReferral(Exception):
    """Only one of the children is referred, and no reason is given."""


class SameSocialWorker(Exception):
    """The social worker already has the other child, and the profile does not allow it here."""


class NotASocialWorker(Exception):
    """The person chosen is not a social worker of the authority's children's social care."""


@dataclass(frozen=True)
class Contents:
    """The mandatory contents of a referral (CA 6.1; domain.md §5)."""

    incident_details: str
    victim_vulnerability: str
    coercion_or_duress: str
    referrer_risk_level: str
    other_children_at_risk: str
    referrer_risk_details: str = ""
    other_children_details: str = ""

    def as_fields(self) -> dict[str, str]:
        return {name: value.strip() for name, value in self.__dict__.items()}


@dataclass(frozen=True)
class Consent:
    """Were the parents told, and who agreed to sharing (CA 13; domain.md §8)."""

    parents_informed: bool
    sharing_agreed_by: str
    parents_not_told_because: str = ""
    sharing_note: str = ""

    def as_fields(self) -> dict[str, Any]:
        return {
            "parents_informed": self.parents_informed,
            "parents_not_told_because": (
                "" if self.parents_informed else self.parents_not_told_because
            ),
            "sharing_agreed_by": self.sharing_agreed_by,
            "sharing_note": self.sharing_note.strip(),
        }


@dataclass(frozen=True)
class Referrer:
    """Who referred, and what the MASH may tell them of the outcome (ST)."""

    name: str
    role: str = ""
    agency: Agency | None = None
    is_professional: bool = True


@dataclass(frozen=True)
class ChildToRefer:
    """A child named on a telephone referral or police notification: one already on record,
    or the details of a new record."""

    part: str
    consent: Consent
    child: Child | None = None
    new_child: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Rating:
    """The traffic light rating a referral carries, copied as it was when it was made."""

    colour: str = ""
    band: str = ""
    behaviours: tuple[str, ...] = ()
    rating: BrookRating | None = None

    @classmethod
    def of(cls, rating: BrookRating | None) -> "Rating":
        if rating is None:
            return cls()
        return cls(
            colour=rating.final_colour,
            band=rating.band.code,
            behaviours=tuple(b.text for b in rating.behaviours.all()),
            rating=rating,
        )

    def as_fields(self) -> dict[str, Any]:
        return {
            "brook_rating": self.rating,
            "brook_colour": self.colour,
            "brook_band": self.band,
            "brook_behaviours": "\n".join(self.behaviours),
        }


# Clocks


def screening_due(authority: LocalAuthority, received_at: datetime) -> datetime:
    """When the screening decision is due: the authority's rule, 1 working day (WT2023)."""
    due = authority.due(TimescaleRule.SCREENING_DECISION, received_at)
    if isinstance(due, datetime):
        return due
    return calendar.add_working_days(
        received_at, SCREENING_DEFAULT_WORKING_DAYS, closures=authority.closure_days()
    )


def written_follow_up_due(authority: LocalAuthority, phoned_at: datetime) -> datetime:
    """When the written follow-up of an urgent telephone referral is due (CA 6.1: 48 hours)."""
    due = authority.due(TimescaleRule.WRITTEN_FOLLOW_UP, phoned_at)
    if isinstance(due, datetime):
        return due
    return calendar.add_hours(phoned_at, FOLLOW_UP_DEFAULT_HOURS)


# Helpers shared by the services (plain functions: a durable service never calls another).


def _claim(referral: Referral, version: int) -> None:
    """Take the referral's next version, or refuse with ``StaleRecord``."""
    claim_version(referral, version, what="this referral")


def _claim_concern(concern: Concern, version: int) -> None:
    claim_version(concern, version, what="this concern")


def _record(
    by: User,
    action: Action,
    referral: Referral,
    membership: Membership,
    detail: str = "",
    also_changed: Sequence[Any] = (),
) -> None:
    audit.record(
        by,
        action,
        referral,
        membership=membership,
        children=[referral.child.public_id],
        detail=detail,
        also_changed=also_changed,
    )


def is_paired(parts: Iterable[str]) -> bool:
    """Both a child harmed and a child who has harmed are referred (CA 6.1, ST)."""
    return {Part.CHILD_WHO_HARMED, Part.CHILD_HARMED} <= set(parts)


def mash_agencies(authority: LocalAuthority) -> list[Agency]:
    return list(Agency.objects.filter(kind=AgencyKind.MASH, authorities=authority).order_by("pk"))


@dataclass
class _Referring:
    """What every referral made together shares."""

    source: str
    referrer: Referrer
    contents: Contents
    happened_in: LocalAuthority
    incident_on: Any
    received_at: datetime
    dsl_consulted: str
    dsl_name: str
    by: User
    membership: Membership
    concern: Concern | None = None
    police_reference: str = ""
    phoned_at: datetime | None = None
    due: dict[int, datetime] = field(default_factory=dict)

    def screening_due(self, authority: LocalAuthority) -> datetime:
        if authority.pk not in self.due:
            self.due[authority.pk] = screening_due(authority, self.received_at)
        return self.due[authority.pk]


def _make_referral(
    common: _Referring,
    group: ReferralGroup,
    *,
    child: Child,
    part: str,
    consent: Consent,
    rating: Rating,
) -> Referral:
    authority = child.authority  # routed to the authority where the child lives (CA 6.1, ST)
    referral = Referral(
        group=group,
        concern=common.concern,
        child=child,
        part=part,
        source=common.source,
        authority=authority,
        happened_in=common.happened_in,
        incident_on=common.incident_on,
        referring_agency=common.referrer.agency,
        recorded_by=common.by,
        referrer_name=common.referrer.name,
        referrer_role=common.referrer.role,
        referrer_is_professional=common.referrer.is_professional,
        police_reference=common.police_reference.strip(),
        received_at=common.received_at,
        decision_due_at=common.screening_due(authority),
        phoned_at=common.phoned_at,
        written_follow_up_due_at=(
            written_follow_up_due(authority, common.phoned_at) if common.phoned_at else None
        ),
        dsl_consulted=common.dsl_consulted,
        dsl_name=common.dsl_name.strip(),
        **common.contents.as_fields(),
        **consent.as_fields(),
        **rating.as_fields(),
    )
    referral.save()
    ReferralEvent.received(referral, by=common.by, membership=common.membership).save()
    _record(common.by, Action.CREATE, referral, common.membership)
    _send_copies(referral, common)
    return referral


def _send_copies(referral: Referral, common: _Referring) -> None:
    """Where the behaviour happened in another authority, its MASH sees a read-only copy
    (CA 6.1); so does a MASH that took a call about a child living elsewhere."""
    agencies = mash_agencies(common.happened_in) if referral.is_cross_border else []
    recorder = common.membership
    if recorder.role == Role.MASH_SCREENER and referral.authority_id not in recorder.authority_ids:
        agencies.append(recorder.agency)
    for agency in dict.fromkeys(agencies):
        sharing.share_with_agency(
            obj=referral,
            agency=agency,
            by=common.by,
            membership=common.membership,
            children=[referral.child.public_id],
        )
        ReferralEvent.of(
            referral,
            ReferralEventKind.COPY_SENT,
            by=common.by,
            membership=common.membership,
            why=f"A read-only copy was sent to {agency.name}.",
        ).save()


# Making referrals


@transaction.atomic(durable=True)
def make_referrals_from_concern(
    *,
    concern: Concern,
    involvements: Sequence[ConcernChild],
    contents: Contents,
    consents: dict[int, Consent],
    unpaired_reason: str,
    version: int,
    by: User,
    membership: Membership,
) -> list[Referral]:
    """The DSL refers each child the concern names: one referral each, made together and
    linked, to the MASH of the authority where each child lives (CA 6.1, ST)."""
    if not is_paired(i.part for i in involvements) and not unpaired_reason.strip():
        raise UnpairedReferral
    _claim_concern(concern, version)
    from_status = concern.status
    concern.mark_referred()
    concern.save(update_fields=["status", "version"])
    common = _Referring(
        source=ReferralSource.CONCERN,
        referrer=Referrer(
            name=by.full_name,
            role=by.job_title or membership.get_role_display(),
            agency=membership.agency,
        ),
        contents=contents,
        happened_in=concern.authority,
        incident_on=concern.occurred_on,
        received_at=timezone.now(),
        # The decision to refer is the DSL's, so the DSL was consulted (CA 6.1).
        dsl_consulted=YesNoUnknown.YES,
        dsl_name=(concern.decided_by or by).full_name,
        by=by,
        membership=membership,
        concern=concern,
    )
    group = ReferralGroup.objects.create(unpaired_reason=unpaired_reason.strip())
    ratings = _ratings_for(concern)
    referrals = [
        _make_referral(
            common,
            group,
            child=involvement.child,
            part=involvement.part,
            consent=consents[involvement.pk],
            rating=ratings.get(involvement.pk, ratings.get(None, Rating())),
        )
        for involvement in involvements
    ]
    ConcernEvent.objects.create(
        concern=concern,
        kind=ConcernEventKind.REFERRED,
        from_status=from_status,
        to_status=ConcernStatus.REFERRED,
        by=by,
        by_role=membership.described,
        text="Referred: " + "; ".join(f"{r.child.full_name} ({r.reference})" for r in referrals),
    )
    audit.record(
        by,
        Action.CHANGE,
        concern,
        membership=membership,
        children=[r.child.public_id for r in referrals],
        detail="referred",
    )
    return referrals


def _ratings_for(concern: Concern) -> dict[int | None, Rating]:
    """Each child who has harmed carries their own rating; everyone else the most serious
    (key None). Reads the concern's prefetched involvements."""
    rated = [
        (i.pk, rating)
        for i in concern.with_part(Part.CHILD_WHO_HARMED)
        if (rating := i.rating_or_none) is not None and rating.final_colour
    ]
    ratings: dict[int | None, Rating] = {pk: Rating.of(rating) for pk, rating in rated}
    worst = most_serious(rating.final_colour for _, rating in rated)
    ratings[None] = next(
        (Rating.of(rating) for _, rating in rated if rating.final_colour == worst), Rating()
    )
    return ratings


def _children_on_record(
    children: Sequence[ChildToRefer], *, by: User, membership: Membership
) -> list[Child]:
    found = []
    for entry in children:
        if entry.child is not None:
            found.append(entry.child)
            continue
        child = Child.objects.create(created_by=by, **entry.new_child)
        audit.record(by, Action.CREATE, child, membership=membership, children=[child.public_id])
        found.append(child)
    return found


def _refer_children(
    common: _Referring, children: Sequence[ChildToRefer], unpaired_reason: str, colour: str
) -> list[Referral]:
    if not is_paired(entry.part for entry in children) and not unpaired_reason.strip():
        raise UnpairedReferral
    records = _children_on_record(children, by=common.by, membership=common.membership)
    group = ReferralGroup.objects.create(unpaired_reason=unpaired_reason.strip())
    return [
        _make_referral(
            common,
            group,
            child=child,
            part=entry.part,
            consent=entry.consent,
            rating=Rating(colour=colour),
        )
        for child, entry in zip(records, children, strict=True)
    ]


@transaction.atomic(durable=True)
def record_telephone_referral(
    *,
    children: Sequence[ChildToRefer],
    referrer: Referrer,
    contents: Contents,
    phoned_at: datetime,
    happened_in: LocalAuthority,
    incident_on: Any,
    brook_colour: str,
    dsl_consulted: str,
    dsl_name: str,
    unpaired_reason: str,
    submission: UUID,
    by: User,
    membership: Membership,
) -> list[Referral]:
    """The screener records an urgent child protection referral made by phone, at once; the
    written follow-up is due within 48 hours of the call (CA 6.1)."""
    common = _Referring(
        source=ReferralSource.TELEPHONE,
        referrer=referrer,
        contents=contents,
        happened_in=happened_in,
        incident_on=incident_on,
        received_at=phoned_at,
        dsl_consulted=dsl_consulted,
        dsl_name=dsl_name,
        by=by,
        membership=membership,
        phoned_at=phoned_at,
    )
    with once(submission, form="telephone referral", by=by) as sent:
        referrals = _refer_children(common, children, unpaired_reason, brook_colour)
        sent.created(referrals[0])
    return referrals


@transaction.atomic(durable=True)
def record_police_notification(
    *,
    children: Sequence[ChildToRefer],
    police_reference: str,
    contents: Contents,
    happened_in: LocalAuthority,
    incident_on: Any,
    brook_colour: str,
    dsl_consulted: str,
    dsl_name: str,
    unpaired_reason: str,
    submission: UUID,
    by: User,
    membership: Membership,
) -> list[Referral]:
    """A police officer notifies the MASH of children who came to police notice (a MERLIN,
    CA 6.2); the screener RAG-rates it like any referral."""
    common = _Referring(
        source=ReferralSource.POLICE,
        referrer=Referrer(
            name=by.full_name,
            role=by.job_title or membership.get_role_display(),
            agency=membership.agency,
        ),
        contents=contents,
        happened_in=happened_in,
        incident_on=incident_on,
        received_at=timezone.now(),
        dsl_consulted=dsl_consulted,
        dsl_name=dsl_name,
        by=by,
        membership=membership,
        police_reference=police_reference,
    )
    with once(submission, form="police notification", by=by) as sent:
        referrals = _refer_children(common, children, unpaired_reason, brook_colour)
        sent.created(referrals[0])
    return referrals


# Screening


@transaction.atomic(durable=True)
def take_referral(*, referral: Referral, by: User, membership: Membership) -> Referral:
    """A screener takes a waiting referral to work on. Only one screener wins: the UPDATE
    succeeds only while nobody has taken it (security.md §5)."""
    event = ReferralEvent.of(
        referral,
        ReferralEventKind.TAKEN,
        by=by,
        membership=membership,
        to_status=ReferralStatus.IN_SCREENING,
    )
    event.from_status = ReferralStatus.RECEIVED
    now = timezone.now()
    updated = Referral.objects.filter(
        pk=referral.pk, status=ReferralStatus.RECEIVED, claimed_by__isnull=True
    ).update(
        status=ReferralStatus.IN_SCREENING,
        claimed_by=by,
        claimed_at=now,
        version=F("version") + 1,
    )
    if updated != 1:
        claimant = Referral.objects.filter(pk=referral.pk).values_list("claimed_by", flat=True)
        raise AlreadyTaken(User.objects.filter(pk__in=claimant).first())
    referral.refresh_from_db(fields=["status", "claimed_by", "claimed_at", "version"])
    event.save()
    _record(by, Action.CHANGE, referral, membership, detail="taken for screening")
    return referral


@transaction.atomic(durable=True)
def hand_back_referral(
    *, referral: Referral, why: str, version: int, by: User, membership: Membership
) -> Referral:
    """Put a referral being screened back in the queue for someone else to take."""
    _claim(referral, version)
    event = referral.move_to(
        ReferralStatus.RECEIVED,
        kind=ReferralEventKind.HANDED_BACK,
        by=by,
        membership=membership,
        why=why.strip(),
    )
    referral.claimed_by = None
    referral.claimed_at = None
    referral.save(update_fields=["status", "claimed_by", "claimed_at", "version"])
    event.save()
    _record(by, Action.CHANGE, referral, membership, detail="handed back")
    return referral


@transaction.atomic(durable=True)
def record_screening_decision(
    *,
    referral: Referral,
    rag: str,
    decision: str,
    rationale: str,
    nfa_reasons: Sequence[str] = (),
    support_needed: str = "",
    support_details: str = "",
    signposted_to: str = "",
    version: int,
    by: User,
    membership: Membership,
) -> ScreeningDecision:
    """Record the RAG rating and the decision. A child harmed under 13 cannot be closed with
    no further action or Early Help alone (``ScreeningDecision.clean``)."""
    _claim(referral, version)
    if not referral.is_in_screening:
        raise InvalidTransition("Only a referral being screened can be decided")
    screening = ScreeningDecision(
        referral=referral,
        rag=rag,
        decision=decision,
        rationale=rationale.strip(),
        nfa_reasons=list(nfa_reasons) if decision == ReferralStatus.NO_FURTHER_ACTION else [],
        support_needed=support_needed,
        support_details=support_details.strip() if support_needed == YesNoUnknown.YES else "",
        signposted_to=signposted_to.strip(),
        decided_by=by,
        decided_by_role=membership.described,
        decided_at=timezone.now(),
    )
    screening.clean()
    event = referral.move_to(
        decision,
        kind=ReferralEventKind.DECIDED,
        by=by,
        membership=membership,
        why=screening.rationale,
    )
    screening.save()
    referral.save(update_fields=["status", "version"])
    event.save()
    _record(
        by,
        Action.CHANGE,
        referral,
        membership,
        detail=f"screening decision: {decision}",
        also_changed=[screening],
    )
    return screening


# Allocation


def social_workers_for(authority: LocalAuthority) -> "Any":
    """The social workers a child living in ``authority`` may be allocated: people acting as
    social workers in a children's social care agency serving it."""
    return (
        Membership.objects.filter(
            role=Role.SOCIAL_WORKER,
            is_active=True,
            user__is_active=True,
            agency__kind=AgencyKind.CHILDRENS_SOCIAL_CARE,
            agency__authorities=authority,
        )
        .select_related("user", "agency")
        .order_by("user__full_name", "pk")
        .distinct()
    )


def other_childs_allocations(referral: Referral, social_worker: Membership) -> list[Allocation]:
    """The linked referrals' current allocations to the same person for a child of the other
    part: the child harmed's if this child has harmed, and the other way round."""
    other = Part.CHILD_HARMED if referral.part == Part.CHILD_WHO_HARMED else Part.CHILD_WHO_HARMED
    return list(
        Allocation.objects.filter(
            referral__group=referral.group_id,
            referral__part=other,
            ended_at__isnull=True,
            social_worker__user=social_worker.user_id,
        ).select_related("referral__child")
    )


def same_worker_problem(referral: Referral, social_worker: Membership, reason: str) -> str:
    """Why this allocation breaks the separate-social-worker rule, in GOV.UK words; or ''."""
    clashes = other_childs_allocations(referral, social_worker)
    if not clashes:
        return ""
    others = ", ".join(f"{a.referral.child.full_name} ({a.referral.part_words})" for a in clashes)
    worker = social_worker.user.full_name
    authority = referral.authority
    if authority.separate_social_workers == SeparateSocialWorkers.ENFORCED:
        return (
            f"{worker} is already allocated to {others}. {authority.name} always allocates a "
            "different social worker to the child harmed and the child who has harmed: "
            "choose another social worker"
        )
    if not reason.strip():
        return (
            f"{worker} is already allocated to {others}. The child harmed and the child who has "
            "harmed should have different social workers: choose another social worker, or "
            "say why the same social worker should have both children"
        )
    return ""


@transaction.atomic(durable=True)
def allocate_social_worker(
    *,
    referral: Referral,
    social_worker: Membership,
    same_worker_reason: str,
    version: int,
    by: User,
    membership: Membership,
) -> Allocation:
    """Allocate a social worker to the referral's child, ending any earlier allocation."""
    _claim(referral, version)
    if referral.status not in NEEDS_SOCIAL_WORKER:
        raise InvalidTransition("A social worker is allocated after a decision that needs one")
    if not social_workers_for(referral.authority).filter(pk=social_worker.pk).exists():
        raise NotASocialWorker
    if problem := same_worker_problem(referral, social_worker, same_worker_reason):
        raise SameSocialWorker(problem)
    clashes = other_childs_allocations(referral, social_worker)
    now = timezone.now()
    ended = list(Allocation.objects.filter(referral=referral, ended_at__isnull=True))
    Allocation.objects.filter(pk__in=[a.pk for a in ended]).update(ended_at=now)
    allocation = Allocation.objects.create(
        referral=referral,
        social_worker=social_worker,
        allocated_by=by,
        allocated_by_role=membership.described,
        allocated_at=now,
        same_worker_reason=same_worker_reason.strip() if clashes else "",
    )
    ReferralEvent.of(
        referral,
        ReferralEventKind.ALLOCATED,
        by=by,
        membership=membership,
        why=f"Allocated to {social_worker.user.full_name}"
        + (
            f". Same social worker as the other child: {allocation.same_worker_reason}"
            if clashes
            else ""
        ),
    ).save()
    # The allocation it ended is versioned too, so its end shows in the history.
    _record(
        by,
        Action.CHANGE,
        referral,
        membership,
        detail="social worker allocated",
        also_changed=[*ended, allocation],
    )
    return allocation


# The written follow-up of a telephone referral


@transaction.atomic(durable=True)
def record_written_follow_up(
    *, referral: Referral, note: str, version: int, by: User, membership: Membership
) -> Referral:
    """The written confirmation of an urgent telephone referral has arrived (CA 6.1)."""
    _claim(referral, version)
    if not referral.is_awaiting_follow_up:
        raise InvalidTransition("Only a telephone referral waiting for its follow-up")
    referral.follow_up_received_at = timezone.now()
    referral.follow_up_note = note.strip()
    referral.save(update_fields=["follow_up_received_at", "follow_up_note", "version"])
    ReferralEvent.of(
        referral,
        ReferralEventKind.FOLLOW_UP_RECEIVED,
        by=by,
        membership=membership,
        why=referral.follow_up_note,
    ).save()
    _record(by, Action.CHANGE, referral, membership, detail="written follow-up received")
    return referral


# 'No names' consultations


@transaction.atomic(durable=True)
def record_no_names_consultation(
    *,
    authority: LocalAuthority,
    asked_by_agency: Agency | None,
    asked_by: str,
    asked_at: datetime,
    question: str,
    advice: str,
    submission: UUID,
    by: User,
    membership: Membership,
) -> NoNamesConsultation:
    """Record advice the MASH gave without names (CA 6.1, 15): it names no child."""
    with once(submission, form="no names advice", by=by) as sent:
        consultation = NoNamesConsultation.objects.create(
            authority=authority,
            asked_by_agency=asked_by_agency,
            asked_by=asked_by.strip(),
            asked_at=asked_at,
            question=question.strip(),
            advice=advice.strip(),
            advised_by=by,
            advised_by_role=membership.described,
        )
        audit.record(by, Action.CREATE, consultation, membership=membership, detail="no names")
        sent.created(consultation)
    return consultation
