"""Referrals to the MASH / Contact Service: one for each child, linked by incident, with the
contents the procedures require (domain.md §5), consent (§8) and an explicit life (§2).

A referral's life (domain.md §2, REFERRAL_SUBMITTED → SCREENING → decision):

    received ──take──▶ in screening ──decide──▶ no further action | advice or signposting |
        ▲                   │                   Early Help | child in need assessment (s17) |
        └───hand back───────┘                   strategy meeting (s47) | police | specialist

``TRANSITIONS`` is the only list of legal moves: the model refuses any other, and the database
refuses a history row for any other (``ReferralEvent``'s check constraint).
"""

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone

from hsb_portal.accounts.models import Agency, LocalAuthority, Membership, User
from triage.models import REFERRED_PARTS, BrookRating, Child, Colour, Concern, Part, YesNoUnknown

if TYPE_CHECKING:
    from referrals.models.screening import Allocation, ScreeningDecision


class ReferralSource(models.TextChoices):
    CONCERN = "concern", "Referral from a concern (e-CAF)"
    TELEPHONE = "telephone", "Urgent telephone referral"
    POLICE = "police", "Police notification (for example a MERLIN)"


class ReferralStatus(models.TextChoices):
    RECEIVED = "received", "Waiting to be screened"
    IN_SCREENING = "in_screening", "Being screened"
    NO_FURTHER_ACTION = "no_further_action", "No further action"
    ADVICE_SIGNPOSTING = "advice_signposting", "Advice or signposting"
    EARLY_HELP = "early_help", "Early Help"
    CIN_ASSESSMENT = "cin_assessment", "Child in need assessment (section 17)"
    STRATEGY_MEETING = "strategy_meeting", "Strategy meeting (section 47)"
    POLICE = "police", "Referred to the police"
    SPECIALIST_SERVICE = "specialist_service", "Referred to a specialist HSB service or CAMHS"


S = ReferralStatus
# Not yet decided: the screening queue and its one-working-day clock (WT2023).
WAITING = (S.RECEIVED, S.IN_SCREENING)
# The screening decisions of domain.md §2 and issue 4, each the status it leads to.
DECISIONS = (
    S.NO_FURTHER_ACTION,
    S.ADVICE_SIGNPOSTING,
    S.EARLY_HELP,
    S.CIN_ASSESSMENT,
    S.STRATEGY_MEETING,
    S.POLICE,
    S.SPECIALIST_SERVICE,
)
# A child under 13 harmed is always a child protection matter (domain.md §2).
NOT_FOR_A_CHILD_HARMED_UNDER_13 = (S.NO_FURTHER_ACTION, S.EARLY_HELP)
# The decisions that lead to a social worker for the child (CA 8.2, 8.3; DD 4).
NEEDS_SOCIAL_WORKER = (S.CIN_ASSESSMENT, S.STRATEGY_MEETING)

TRANSITIONS: dict[str, frozenset[str]] = {
    "": frozenset({S.RECEIVED}),
    S.RECEIVED: frozenset({S.IN_SCREENING}),
    S.IN_SCREENING: frozenset({S.RECEIVED, *DECISIONS}),
    **{decided: frozenset() for decided in DECISIONS},
}


class InvalidTransition(Exception):
    """The referral is not at the step this change belongs to."""


class RiskLevel(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class ParentsNotTold(models.TextChoices):
    """Why the parents were not told of the referral (CA 13; domain.md §8)."""

    INCREASE_RISK = "increase_risk", "Telling them would increase the risk of harm to the child"
    CRIMINAL_INVESTIGATION = (
        "criminal_investigation",
        "Telling them would interfere with a criminal investigation",
    )
    UNDUE_DELAY = "undue_delay", "Telling them would cause undue delay"


class SharingAgreedBy(models.TextChoices):
    YOUNG_PERSON = "young_person", "The child or young person"
    PARENT = "parent", "A parent or carer"
    NOBODY = "nobody", "Nobody: shared without agreement to protect the child"


def sharing_rule_for_age(age: int) -> str:
    """Who can agree to information being shared, for a child of ``age`` (CA 13; §8)."""
    if age < 12:
        return "Under 12: generally the parents are approached."
    if age < 16:
        return (
            "12 to 15: the young person, if they understand the issues and can make an "
            "informed decision; otherwise the parents."
        )
    return "16 or over: the young person, if they have mental capacity."


def part_words(part: str) -> str:
    """A part in running text: 'child who has harmed', 'child harmed'."""
    return Part(part).label.split(" (")[0].lower()


class ReferralGroup(models.Model):
    """The referrals made together about one incident: one for each child (CA 6.1, ST).

    A group without both a child harmed and a child who has harmed must say why.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    unpaired_reason = models.TextField(
        "why only one of the children is referred",
        blank=True,
        help_text="Needed unless a child harmed and a child who has harmed are both referred.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Referrals made together on {self.created_at:%d %B %Y}"


class Referral(models.Model):
    """A referral of one child to the MASH of the authority where the child lives."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Every change bumps the version; a save carrying an older one is refused (security.md §5).
    version = models.PositiveIntegerField(default=1)
    group = models.ForeignKey(ReferralGroup, on_delete=models.PROTECT, related_name="referrals")
    concern = models.ForeignKey(
        Concern, on_delete=models.PROTECT, null=True, blank=True, related_name="referrals"
    )
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="referrals")
    part = models.CharField(max_length=20, choices=Part.choices)
    source = models.CharField(max_length=20, choices=ReferralSource.choices)
    # Routing: the authority where the child lives screens it; where the behaviour happened in
    # another authority, that authority's MASH is sent a read-only copy (CA 6.1, ST).
    authority = models.ForeignKey(
        LocalAuthority,
        on_delete=models.PROTECT,
        related_name="referrals",
        verbose_name="local authority it is referred to",
    )
    happened_in = models.ForeignKey(
        LocalAuthority,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="local authority where it happened",
    )
    incident_on = models.DateField("date the behaviour happened")
    # Who referred.
    referring_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="referrals"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referrals_recorded"
    )
    referrer_name = models.CharField("who referred", max_length=150)
    referrer_role = models.CharField(
        "their job or relationship to the child", max_length=150, blank=True
    )
    referrer_is_professional = models.BooleanField(default=True)
    police_reference = models.CharField(
        "police reference (for example the MERLIN number)", max_length=50, blank=True
    )
    # Clocks.
    received_at = models.DateTimeField()
    decision_due_at = models.DateTimeField("screening decision due")
    phoned_at = models.DateTimeField(null=True, blank=True)
    written_follow_up_due_at = models.DateTimeField(null=True, blank=True)
    follow_up_received_at = models.DateTimeField(null=True, blank=True)
    follow_up_note = models.TextField(blank=True)
    # The mandatory contents (CA 6.1; domain.md §5).
    incident_details = models.TextField()
    victim_vulnerability = models.TextField("what makes the child harmed particularly vulnerable")
    coercion_or_duress = models.TextField("evidence of coercion or duress")
    referrer_risk_level = models.CharField(
        "the referring agency's assessment of the risk", max_length=10, choices=RiskLevel.choices
    )
    referrer_risk_details = models.TextField(blank=True)
    other_children_at_risk = models.CharField(
        "other children who may be at risk", max_length=10, choices=YesNoUnknown.choices
    )
    other_children_details = models.TextField(blank=True)
    # The traffic light rating as it was when the referral was made (ST: "after consulting the
    # traffic light tool"); the link is kept too, but the copy is what was sent.
    brook_rating = models.ForeignKey(
        BrookRating, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    brook_band = models.CharField("traffic light age band", max_length=10, blank=True)
    brook_colour = models.CharField(
        "traffic light colour", max_length=5, choices=Colour.choices, blank=True
    )
    brook_behaviours = models.TextField("behaviours ticked", blank=True)
    dsl_consulted = models.CharField(
        "designated safeguarding lead consulted", max_length=10, choices=YesNoUnknown.choices
    )
    dsl_name = models.CharField(max_length=150, blank=True)
    # Consent and information sharing (CA 13; domain.md §8).
    parents_informed = models.BooleanField("parents or carers told of the referral")
    parents_not_told_because = models.CharField(
        max_length=30, choices=ParentsNotTold.choices, blank=True
    )
    sharing_agreed_by = models.CharField(
        "who agreed to information being shared", max_length=20, choices=SharingAgreedBy.choices
    )
    sharing_note = models.TextField(blank=True)
    # Screening.
    status = models.CharField(
        max_length=30, choices=ReferralStatus.choices, default=ReferralStatus.RECEIVED
    )
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="screener working on it",
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["decision_due_at", "pk"]
        indexes = [
            # The screening queue: one authority, filtered by status, soonest due first.
            models.Index(
                fields=["authority", "status", "decision_due_at", "id"], name="referral_queue_idx"
            ),
            # Its default view, the referrals still waiting for a decision.
            models.Index(
                fields=["authority", "decision_due_at", "id"],
                condition=models.Q(status__in=WAITING),
                name="referral_waiting_idx",
            ),
            # Telephone referrals whose written follow-up has not arrived.
            models.Index(
                fields=["authority", "written_follow_up_due_at"],
                condition=models.Q(
                    source=ReferralSource.TELEPHONE, follow_up_received_at__isnull=True
                ),
                name="referral_follow_up_idx",
            ),
            models.Index(fields=["referring_agency", "received_at"], name="referral_agency_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(part__in=REFERRED_PARTS), name="referral_part_is_referred"
            ),
            models.UniqueConstraint(
                fields=["concern", "child"],
                condition=models.Q(concern__isnull=False),
                name="referral_child_once_per_concern",
            ),
            models.CheckConstraint(
                condition=models.Q(source=ReferralSource.CONCERN, concern__isnull=False)
                | (~models.Q(source=ReferralSource.CONCERN) & models.Q(concern__isnull=True)),
                name="referral_from_concern_names_it",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(
                        source=ReferralSource.TELEPHONE,
                        phoned_at__isnull=False,
                        written_follow_up_due_at__isnull=False,
                    )
                    | (
                        ~models.Q(source=ReferralSource.TELEPHONE)
                        & models.Q(phoned_at__isnull=True)
                    )
                ),
                name="referral_telephone_has_follow_up_due",
            ),
            models.CheckConstraint(
                condition=~models.Q(source=ReferralSource.POLICE) | ~models.Q(police_reference=""),
                name="referral_police_has_reference",
            ),
            models.CheckConstraint(
                condition=models.Q(parents_informed=True, parents_not_told_because="")
                | (models.Q(parents_informed=False) & ~models.Q(parents_not_told_because="")),
                name="referral_parents_not_told_says_why",
            ),
            models.CheckConstraint(
                condition=~models.Q(other_children_at_risk=YesNoUnknown.YES)
                | ~models.Q(other_children_details=""),
                name="referral_other_children_described",
            ),
            models.CheckConstraint(
                condition=models.Q(status=ReferralStatus.RECEIVED, claimed_by__isnull=True)
                | (~models.Q(status=ReferralStatus.RECEIVED) & models.Q(claimed_by__isnull=False)),
                name="referral_claimed_once_taken",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        """A short reference people can read out; the URL uses the full opaque id."""
        return f"REF-{self.public_id.hex[:8].upper()}"

    # State questions.

    @property
    def is_waiting(self) -> bool:
        return self.status in WAITING

    @property
    def is_received(self) -> bool:
        return self.status == ReferralStatus.RECEIVED

    @property
    def is_in_screening(self) -> bool:
        return self.status == ReferralStatus.IN_SCREENING

    @property
    def is_decided(self) -> bool:
        return self.status in DECISIONS

    @property
    def needs_social_worker(self) -> bool:
        return self.status in NEEDS_SOCIAL_WORKER

    @property
    def is_telephone(self) -> bool:
        return self.source == ReferralSource.TELEPHONE

    @property
    def is_cross_border(self) -> bool:
        return self.happened_in_id != self.authority_id

    def is_overdue(self, now: datetime | None = None) -> bool:
        """Still waiting for a decision after the one working day (WT2023)."""
        return self.is_waiting and self.decision_due_at < (now or timezone.now())

    def is_follow_up_overdue(self, now: datetime | None = None) -> bool:
        """An urgent telephone referral not confirmed in writing within 48 hours (CA 6.1)."""
        due = self.written_follow_up_due_at
        return (
            self.is_telephone
            and self.follow_up_received_at is None
            and due is not None
            and due < (now or timezone.now())
        )

    @property
    def is_awaiting_follow_up(self) -> bool:
        return self.is_telephone and self.follow_up_received_at is None

    @property
    def age_at_incident(self) -> int:
        return self.child.age_on(self.incident_on)

    @property
    def age_when_received(self) -> int:
        return self.child.age_on(timezone.localdate(self.received_at))

    @property
    def is_child_harmed_under_13(self) -> bool:
        """The child harmed was under 13 on the date of the behaviour (domain.md §2)."""
        return self.part == Part.CHILD_HARMED and self.child.is_under_13(on=self.incident_on)

    @property
    def part_words(self) -> str:
        return part_words(self.part)

    @property
    def sharing_rule(self) -> str:
        return sharing_rule_for_age(self.age_when_received)

    @property
    def behaviours_ticked(self) -> list[str]:
        return [line for line in self.brook_behaviours.splitlines() if line.strip()]

    @property
    def screening_or_none(self) -> "ScreeningDecision | None":
        try:
            return self.screening
        except Referral.screening.RelatedObjectDoesNotExist:
            return None

    def current_allocation(self) -> "Allocation | None":
        """The social worker now allocated (reads prefetched allocations when present)."""
        return next((a for a in self.allocations.all() if a.ended_at is None), None)

    def can_move_to(self, status: str) -> bool:
        return status in TRANSITIONS.get(self.status, frozenset())

    def move_to(
        self, status: str, *, kind: "ReferralEventKind", by: User, membership: Membership, why: str
    ) -> "ReferralEvent":
        """Change the status along a legal transition; return the history row to save."""
        if not self.can_move_to(status):
            raise InvalidTransition(
                f"A referral that is {self.get_status_display().lower()} cannot become "
                f"{ReferralStatus(status).label.lower()}"
            )
        event = ReferralEvent.of(
            self, kind, by=by, membership=membership, why=why, to_status=status
        )
        self.status = status
        return event


class ReferralEventKind(models.TextChoices):
    RECEIVED = "received", "Referral received"
    TAKEN = "taken", "Taken for screening"
    HANDED_BACK = "handed_back", "Handed back to the queue"
    DECIDED = "decided", "Screening decision recorded"
    ALLOCATED = "allocated", "Social worker allocated"
    FOLLOW_UP_RECEIVED = "follow_up_received", "Written follow-up received"
    COPY_SENT = "copy_sent", "Copy sent to the authority where it happened"


def _legal_moves() -> models.Q:
    """Every (from, to) pair TRANSITIONS allows, and events that change no status."""
    legal = models.Q(from_status="", to_status="")
    for from_status, targets in TRANSITIONS.items():
        if targets:
            legal |= models.Q(from_status=from_status, to_status__in=sorted(targets))
    return legal


class ReferralEvent(models.Model):
    """A step in the referral's life: who, acting in which role, when, and why.

    A status change stores where it came from and went to; the database refuses any pair that
    ``TRANSITIONS`` does not allow. Allocations and follow-ups are steps without a status change.
    """

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30, choices=ReferralEventKind.choices)
    from_status = models.CharField(max_length=30, choices=ReferralStatus.choices, blank=True)
    to_status = models.CharField(max_length=30, choices=ReferralStatus.choices, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    by_role = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(default=timezone.now)
    text = models.TextField("why", blank=True)

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(condition=_legal_moves(), name="referral_event_legal_move"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.at:%d %B %Y})"

    @classmethod
    def of(
        cls,
        referral: Referral,
        kind: ReferralEventKind,
        *,
        by: User,
        membership: Membership,
        why: str = "",
        to_status: str = "",
    ) -> "ReferralEvent":
        return cls(
            referral=referral,
            kind=kind,
            from_status=referral.status if to_status else "",
            to_status=to_status,
            by=by,
            by_role=membership.described,
            text=why,
        )

    @classmethod
    def received(cls, referral: Referral, *, by: User, membership: Membership) -> "ReferralEvent":
        """The first step: the referral arrives at the MASH."""
        event = cls.of(referral, ReferralEventKind.RECEIVED, by=by, membership=membership)
        event.to_status = ReferralStatus.RECEIVED
        return event

    @property
    def is_transition(self) -> bool:
        return bool(self.to_status)
