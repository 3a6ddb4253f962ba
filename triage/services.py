"""The triage use-cases, one per step of the procedure.

Each runs in one transaction, takes the concern's next version before it writes (so of two
people saving from the same version only one succeeds, and the other is told), and writes its
audit event in the same transaction as the change.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from hsb_portal.accounts.models import Membership, User
from hsb_portal.audit import log as audit
from hsb_portal.audit.models import Action
from hsb_portal.conflicts import claim_version
from hsb_portal.submissions.tokens import once
from triage.guidance import Guidance
from triage.models import (
    BrookBand,
    BrookBehaviour,
    BrookRating,
    Child,
    Concern,
    ConcernChild,
    ConcernEvent,
    ConcernEventKind,
    ConcernStatus,
    ContextAnswer,
    HarmfulSign,
    Part,
    most_serious,
)


class ConcernIncomplete(Exception):
    """The concern cannot be sent yet; ``problems`` says what to put right."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


class ChildAlreadyInvolved(Exception):
    """The child is already on this concern."""


@dataclass(frozen=True)
class Answer:
    """One answer to an assessment consideration (domain.md §4)."""

    value: str = ""
    evidence: str = ""
    source: str = ""

    @property
    def is_blank(self) -> bool:
        return not (self.value or self.evidence.strip() or self.source.strip())


def _claim(concern: Concern, version: int) -> None:
    """Take the concern's next version, or refuse with ``StaleRecord``."""
    claim_version(concern, version, what="this concern")


def _children_of(concern: Concern) -> list[Any]:
    return list(
        Child.objects.filter(involvements__concern=concern).values_list("public_id", flat=True)
    )


def _event(
    concern: Concern, kind: ConcernEventKind, *, by: User, membership: Membership, **fields: Any
) -> ConcernEvent:
    return ConcernEvent.objects.create(
        concern=concern,
        kind=kind,
        by=by,
        by_role=membership.described,
        **fields,
    )


@transaction.atomic(durable=True)
def raise_concern(*, submission: UUID, by: User, membership: Membership, **details: Any) -> Concern:
    """Start a concern, filed by ``by`` for their agency. It stays a draft until sent."""
    with once(submission, form="concern", by=by) as sent:
        concern = Concern.objects.create(
            reported_by=by, reporting_agency=membership.agency, **details
        )
        _event(
            concern,
            ConcernEventKind.CREATED,
            by=by,
            membership=membership,
            to_status=ConcernStatus.DRAFT,
        )
        audit.record(by, Action.CREATE, concern, membership=membership)
        sent.created(concern)
    return concern


@transaction.atomic(durable=True)
def update_concern(
    *, concern: Concern, version: int, by: User, membership: Membership, **details: Any
) -> Concern:
    """Change what was recorded about the behaviour: when, where and what happened."""
    _claim(concern, version)
    for name, value in details.items():
        setattr(concern, name, value)
    concern.save(update_fields=[*details, "version"])
    audit.record(by, Action.CHANGE, concern, membership=membership, children=_children_of(concern))
    return concern


@transaction.atomic(durable=True)
def add_child_to_concern(
    *,
    concern: Concern,
    child: Child,
    part: str,
    developmental_age: int | None,
    version: int,
    by: User,
    membership: Membership,
) -> ConcernChild:
    """Name a child already on record as involved in the concern, with their part."""
    _claim(concern, version)
    if concern.involvements.filter(child=child).exists():
        raise ChildAlreadyInvolved
    involvement = ConcernChild.objects.create(
        concern=concern, child=child, part=part, developmental_age=developmental_age, added_by=by
    )
    audit.record(by, Action.CHANGE, concern, membership=membership, children=[child.public_id])
    return involvement


@transaction.atomic(durable=True)
def record_new_child(
    *,
    concern: Concern,
    part: str,
    developmental_age: int | None,
    household: Iterable[Child],
    version: int,
    submission: UUID,
    by: User,
    membership: Membership,
    **details: Any,
) -> ConcernChild:
    """Make a record for a child not yet known here, and name them on the concern."""
    # The token is checked before the version, so a second click leads to the child added
    # by the first rather than to a conflict that invites adding them again.
    with once(submission, form="new child", by=by) as sent:
        _claim(concern, version)
        child = Child.objects.create(created_by=by, **details)
        child.household.add(*household)
        involvement = ConcernChild.objects.create(
            concern=concern,
            child=child,
            part=part,
            developmental_age=developmental_age,
            added_by=by,
        )
        audit.record(by, Action.CREATE, child, membership=membership, children=[child.public_id])
        audit.record(by, Action.CHANGE, concern, membership=membership, children=[child.public_id])
        sent.created(child)
    return involvement


@transaction.atomic(durable=True)
def change_involvement(
    *,
    involvement: ConcernChild,
    part: str,
    developmental_age: int | None,
    version: int,
    by: User,
    membership: Membership,
) -> ConcernChild:
    """Change a child's part or developmental age. A rating belongs to a child who has
    harmed, so it goes when the part changes to another."""
    concern = involvement.concern
    _claim(concern, version)
    if part != Part.CHILD_WHO_HARMED:
        BrookRating.objects.filter(involvement=involvement).delete()
    involvement.part = part
    involvement.developmental_age = developmental_age
    involvement.save(update_fields=["part", "developmental_age"])
    audit.record(
        by, Action.CHANGE, concern, membership=membership, children=[involvement.child.public_id]
    )
    return involvement


@transaction.atomic(durable=True)
def remove_child_from_concern(
    *, involvement: ConcernChild, version: int, by: User, membership: Membership
) -> None:
    """Take a child named by mistake off the concern. Their own record stays."""
    concern = involvement.concern
    _claim(concern, version)
    child_id = involvement.child.public_id
    involvement.delete()
    audit.record(by, Action.CHANGE, concern, membership=membership, children=[child_id])


def _save_answers(rating: BrookRating, answers: Mapping[str, Answer]) -> None:
    ContextAnswer.objects.filter(rating=rating, code__in=list(answers)).delete()
    ContextAnswer.objects.bulk_create(
        ContextAnswer(
            rating=rating,
            code=code,
            value=answer.value,
            evidence=answer.evidence.strip(),
            source=answer.source.strip(),
        )
        for code, answer in answers.items()
        if not answer.is_blank
    )


@transaction.atomic(durable=True)
def rate_behaviour(
    *,
    involvement: ConcernChild,
    band: BrookBand,
    behaviours: Iterable[BrookBehaviour],
    behaviour_not_listed: str,
    signs: Iterable[str],
    answers: Mapping[str, Answer],
    version: int,
    by: User,
    membership: Membership,
) -> BrookRating:
    """Record the traffic light rating of a child who has harmed.

    The suggested colour is the most serious behaviour ticked. When it changes, the final
    colour is cleared, so the practitioner confirms a colour for what is now ticked.
    """
    concern = involvement.concern
    _claim(concern, version)
    behaviours = list(behaviours)
    suggested = most_serious(behaviour.colour for behaviour in behaviours)
    rating = involvement.rating_or_none or BrookRating(involvement=involvement)
    if rating.pk is not None and (suggested or "") != rating.suggested_colour:
        rating.final_colour = ""
        rating.colour_reason = ""
    age = involvement.age_on_date
    rating.band = band
    rating.age_on_date = age
    rating.developmental_age = involvement.developmental_age
    rating.offered_band_codes = ",".join(involvement.offered_bands)
    rating.behaviour_not_listed = behaviour_not_listed.strip()
    rating.suggested_colour = suggested or ""
    chosen_signs = set(signs)
    for sign in HarmfulSign:
        setattr(rating, sign.value, sign.value in chosen_signs)
    rating.rated_by = by
    rating.rated_at = timezone.now()
    rating.clean()
    rating.save()
    rating.behaviours.set(behaviours)
    _save_answers(rating, answers)
    audit.record(
        by,
        Action.CHANGE,
        concern,
        membership=membership,
        children=[involvement.child.public_id],
        detail="traffic light rating",
        also_changed=[rating],
    )
    return rating


@transaction.atomic(durable=True)
def choose_colour(
    *,
    rating: BrookRating,
    final_colour: str,
    colour_reason: str,
    version: int,
    by: User,
    membership: Membership,
) -> BrookRating:
    """Record the practitioner's colour; a colour other than the suggested one needs a reason."""
    involvement = rating.involvement
    _claim(involvement.concern, version)
    rating.final_colour = final_colour
    rating.colour_reason = colour_reason.strip() if rating.colour_differs else ""
    rating.clean()
    rating.save(update_fields=["final_colour", "colour_reason"])
    audit.record(
        by,
        Action.CHANGE,
        involvement.concern,
        membership=membership,
        children=[involvement.child.public_id],
        detail="traffic light colour",
        also_changed=[rating],
    )
    return rating


@transaction.atomic(durable=True)
def record_context(
    *,
    rating: BrookRating,
    answers: Mapping[str, Answer],
    version: int,
    by: User,
    membership: Membership,
) -> BrookRating:
    """Record the answers to the assessment considerations (domain.md §4)."""
    involvement = rating.involvement
    _claim(involvement.concern, version)
    _save_answers(rating, answers)
    audit.record(
        by,
        Action.CHANGE,
        involvement.concern,
        membership=membership,
        children=[involvement.child.public_id],
        detail="context considerations",
    )
    return rating


@transaction.atomic(durable=True)
def submit_concern(
    *,
    concern: Concern,
    guidance: Guidance,
    chosen_next_step: str,
    reason: str,
    version: int,
    by: User,
    membership: Membership,
) -> Concern:
    """Send the concern to the agency's DSL with the guidance as shown and the practitioner's
    own choice of next step. The guidance advises; it never blocks (issue 3, item 5)."""
    if guidance.problems:
        raise ConcernIncomplete(guidance.problems)
    _claim(concern, version)
    advised = guidance.recommended_next_step or ""
    concern.submit(
        advised_colour=guidance.colour or "",
        advised_next_step=advised,
        advice_text=guidance.as_text(),
        under_13_rule_applied=bool(guidance.under_13),
        chosen_next_step=chosen_next_step,
        reason=reason.strip() if chosen_next_step != advised else "",
    )
    concern.save(
        update_fields=[
            "advised_colour",
            "advised_next_step",
            "advice_text",
            "under_13_rule_applied",
            "chosen_next_step",
            "chosen_next_step_reason",
            "status",
            "submitted_at",
            "version",
        ]
    )
    _event(
        concern,
        ConcernEventKind.SUBMITTED,
        by=by,
        membership=membership,
        from_status=ConcernStatus.DRAFT,
        to_status=concern.status,
        text=concern.chosen_next_step_reason,
    )
    audit.record(by, Action.CHANGE, concern, membership=membership, children=_children_of(concern))
    return concern


@transaction.atomic(durable=True)
def review_concern(
    *,
    concern: Concern,
    decision: str,
    reason: str,
    note: str,
    version: int,
    by: User,
    membership: Membership,
) -> Concern:
    """The DSL adds what they know and decides the next step: handle in the setting, Early
    Help, or refer (referral itself is issue 4)."""
    _claim(concern, version)
    if note.strip():
        _event(
            concern, ConcernEventKind.NOTE_ADDED, by=by, membership=membership, text=note.strip()
        )
    from_status = concern.status
    concern.decide(decision=decision, reason=reason.strip(), by=by)
    concern.save(
        update_fields=[
            "decision",
            "decision_reason",
            "decided_by",
            "decided_at",
            "status",
            "version",
        ]
    )
    _event(
        concern,
        ConcernEventKind.DECIDED,
        by=by,
        membership=membership,
        from_status=from_status,
        to_status=concern.status,
        text=concern.decision_reason,
    )
    audit.record(by, Action.CHANGE, concern, membership=membership, children=_children_of(concern))
    return concern
