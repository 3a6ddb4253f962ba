"""Concerns about a child's sexual behaviour, the children involved and what happened next.

A concern's life is small and explicit (domain.md §2, CONCERN_RAISED): a practitioner drafts
it, sends it to their agency's designated safeguarding lead, and the DSL decides the next step.
Once the DSL decides to refer, the DSL makes the referrals (``referrals``), and the concern
becomes "referred".
"""

import uuid
from datetime import date
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone

from hsb_portal.accounts.models import Agency, LocalAuthority, User
from triage.models.brook import Colour, offered_bands
from triage.models.children import Child, YesNoUnknown, age_on

if TYPE_CHECKING:
    from triage.models.ratings import BrookRating


class Location(models.TextChoices):
    HOME = "home", "Home"
    SCHOOL_OR_COLLEGE = "school_or_college", "School or college"
    ONLINE = "online", "Online"
    COMMUNITY = "community", "Community"
    PLACEMENT = "placement", "Placement (foster care or a children's home)"


class ConcernStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    AWAITING_REVIEW = "awaiting_review", "Awaiting review by the designated safeguarding lead"
    HANDLED_IN_SETTING = "handled_in_setting", "Handled in the setting"
    EARLY_HELP = "early_help", "Early Help"
    TO_BE_REFERRED = "to_be_referred", "To be referred"
    REFERRED = "referred", "Referred to the MASH"


class NextStep(models.TextChoices):
    """What happens after a concern (domain.md §2): the setting, Early Help, or a referral."""

    HANDLE_IN_SETTING = "handle_in_setting", "Respond within the setting and record it"
    EARLY_HELP = "early_help", "Early Help"
    REFER = "refer", "Refer to children's social care (MASH or Contact Service)"


DECIDED_STATUS = {
    NextStep.HANDLE_IN_SETTING: ConcernStatus.HANDLED_IN_SETTING,
    NextStep.EARLY_HELP: ConcernStatus.EARLY_HELP,
    NextStep.REFER: ConcernStatus.TO_BE_REFERRED,
}


class Part(models.TextChoices):
    """A person's part in what happened, in the seeds' words (ST asks for no labels)."""

    CHILD_WHO_HARMED = "child_who_harmed", "Child who has harmed (displayed the behaviour)"
    CHILD_HARMED = "child_harmed", "Child harmed"
    ADULT_HARMED = "adult_harmed", "Adult harmed (18 or over)"
    AT_RISK = "at_risk", "Other child who may be at risk"
    WITNESS = "witness", "Witness"


# The children a referral is made for: one referral each (CA 6.1, ST; domain.md §2).
REFERRED_PARTS = (Part.CHILD_WHO_HARMED, Part.CHILD_HARMED)
ADULT_AGE = 18


class InvalidTransition(Exception):
    """The concern is not at the step this change belongs to."""


class Concern(models.Model):
    """A concern raised by a practitioner about sexual behaviour involving children."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Every change bumps the version; a save carrying an older one is refused (security.md §5).
    version = models.PositiveIntegerField(default=1)
    status = models.CharField(
        max_length=20, choices=ConcernStatus.choices, default=ConcernStatus.DRAFT
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="concerns_reported"
    )
    reporting_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="concerns")
    occurred_on = models.DateField("date the behaviour happened")
    occurred_on_is_estimated = models.BooleanField("the date is an estimate", default=False)
    reported_on = models.DateField("date it was reported")
    location = models.CharField("where it happened", max_length=20, choices=Location.choices)
    location_detail = models.CharField(max_length=200, blank=True)
    authority = models.ForeignKey(
        LocalAuthority,
        on_delete=models.PROTECT,
        related_name="concerns",
        verbose_name="local authority where it happened",
    )
    what_happened = models.TextField()
    technology_assisted = models.CharField(
        max_length=10, choices=YesNoUnknown.choices, default=YesNoUnknown.UNKNOWN
    )
    crime_suspected = models.CharField(
        max_length=10, choices=YesNoUnknown.choices, default=YesNoUnknown.UNKNOWN
    )
    police_aware = models.CharField(
        "police know", max_length=10, choices=YesNoUnknown.choices, default=YesNoUnknown.UNKNOWN
    )
    # What the guidance advised when the concern was sent, and what the practitioner chose.
    advised_colour = models.CharField(max_length=5, choices=Colour.choices, blank=True)
    advised_next_step = models.CharField(max_length=20, choices=NextStep.choices, blank=True)
    advice_text = models.TextField(blank=True, help_text="The guidance as it was shown.")
    under_13_rule_applied = models.BooleanField(default=False)
    chosen_next_step = models.CharField(max_length=20, choices=NextStep.choices, blank=True)
    chosen_next_step_reason = models.TextField(blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # The designated safeguarding lead's decision.
    decision = models.CharField(max_length=20, choices=NextStep.choices, blank=True)
    decision_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["reporting_agency", "created_at"], name="concern_agency_idx"),
            models.Index(fields=["reported_by", "created_at"], name="concern_reporter_idx"),
            models.Index(fields=["status", "created_at"], name="concern_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(reported_on__gte=models.F("occurred_on")),
                name="concern_reported_after_it_happened",
            ),
            models.CheckConstraint(
                condition=models.Q(chosen_next_step="")
                | models.Q(chosen_next_step=models.F("advised_next_step"))
                | ~models.Q(chosen_next_step_reason=""),
                name="concern_other_next_step_needs_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        """A short reference people can read out; the URL uses the full opaque id."""
        return f"HSB-{self.public_id.hex[:8].upper()}"

    @property
    def is_draft(self) -> bool:
        return self.status == ConcernStatus.DRAFT

    @property
    def is_awaiting_review(self) -> bool:
        return self.status == ConcernStatus.AWAITING_REVIEW

    @property
    def is_decided(self) -> bool:
        return self.status in {*DECIDED_STATUS.values(), ConcernStatus.REFERRED}

    @property
    def is_to_be_referred(self) -> bool:
        return self.status == ConcernStatus.TO_BE_REFERRED

    def mark_referred(self) -> None:
        """The referrals the DSL decided on have been made (domain.md §2, REFERRAL_SUBMITTED)."""
        if not self.is_to_be_referred:
            raise InvalidTransition("Only a concern the DSL decided to refer can be referred")
        self.status = ConcernStatus.REFERRED

    def submit(
        self,
        *,
        advised_colour: str,
        advised_next_step: str,
        advice_text: str,
        under_13_rule_applied: bool,
        chosen_next_step: str,
        reason: str,
    ) -> None:
        """Send the draft to the DSL, keeping what was advised and what was chosen."""
        if not self.is_draft:
            raise InvalidTransition("Only a draft concern can be sent for review")
        self.advised_colour = advised_colour
        self.advised_next_step = advised_next_step
        self.advice_text = advice_text
        self.under_13_rule_applied = under_13_rule_applied
        self.chosen_next_step = chosen_next_step
        self.chosen_next_step_reason = reason
        self.status = ConcernStatus.AWAITING_REVIEW
        self.submitted_at = timezone.now()

    def decide(self, *, decision: str, reason: str, by: User) -> None:
        """Record the DSL's decision on the next step."""
        if not self.is_awaiting_review:
            raise InvalidTransition("Only a concern awaiting review can be decided")
        self.decision = decision
        self.decision_reason = reason
        self.decided_by = by
        self.decided_at = timezone.now()
        self.status = DECIDED_STATUS[NextStep(decision)]

    def involvements_in_order(self) -> list["ConcernChild"]:
        """The people involved, those who harmed first (reads the prefetched rows)."""
        order = list(Part.values)
        return sorted(self.involvements.all(), key=lambda i: (order.index(i.part), i.pk))

    def with_part(self, *parts: str) -> list["ConcernChild"]:
        return [i for i in self.involvements_in_order() if i.part in parts]

    def submission_problems(self) -> list[str]:
        """What must be put right before the concern can go to the DSL, in GOV.UK words.

        Reads prefetched involvements with their ratings; no queries of its own.
        """
        problems = []
        harmers = self.with_part(Part.CHILD_WHO_HARMED)
        if not harmers:
            problems.append("Add the child who has harmed (displayed the behaviour)")
        for involvement in harmers:
            rating = involvement.rating_or_none
            name = involvement.child.full_name
            if rating is None:
                problems.append(f"Rate the behaviour of {name} with the traffic light tool")
            elif rating.band.code not in involvement.offered_bands:
                problems.append(
                    f"Rate the behaviour of {name} again: the age band is not one offered "
                    "for their age or developmental age"
                )
            elif not rating.final_colour:
                problems.append(f"Choose the colour for the behaviour of {name}")
        return problems


class ConcernChild(models.Model):
    """A person involved in a concern, and their part in what happened."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="involvements")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="involvements")
    part = models.CharField(max_length=20, choices=Part.choices)
    developmental_age = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="The child's developmental age in years, if different from their age.",
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["concern", "pk"]
        verbose_name = "child involved in a concern"
        constraints = [
            models.UniqueConstraint(fields=["concern", "child"], name="child_once_per_concern"),
        ]

    def __str__(self) -> str:
        return f"{self.child} ({self.get_part_display()})"

    @property
    def age_on_date(self) -> int:
        """The child's age in whole years on the date of the behaviour."""
        return self.child.age_on(self.concern.occurred_on)

    @property
    def offered_bands(self) -> tuple[str, ...]:
        return offered_bands(self.age_on_date, self.developmental_age)

    @property
    def rating_or_none(self) -> "BrookRating | None":
        try:
            return self.rating
        except ConcernChild.rating.RelatedObjectDoesNotExist:
            return None

    @property
    def is_child_who_harmed(self) -> bool:
        return self.part == Part.CHILD_WHO_HARMED


def part_problem(part: str, born: date, on: date) -> str:
    """Why ``part`` does not fit someone born on ``born``, on the date of the behaviour."""
    age = age_on(born, on)
    if part == Part.ADULT_HARMED and age < ADULT_AGE:
        return f"The person harmed was {age} on the date of the behaviour: select child harmed"
    if part == Part.CHILD_HARMED and age >= ADULT_AGE:
        return f"The person harmed was {age} on the date of the behaviour: select adult harmed"
    return ""


class ConcernEventKind(models.TextChoices):
    CREATED = "created", "Concern started"
    SUBMITTED = "submitted", "Sent to the designated safeguarding lead"
    NOTE_ADDED = "note_added", "Information added"
    DECIDED = "decided", "Next step decided"
    REFERRED = "referred", "Referrals made to the MASH"


class ConcernEvent(models.Model):
    """A step in the concern's life: who, when, and why."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=ConcernEventKind.choices)
    from_status = models.CharField(max_length=20, choices=ConcernStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=ConcernStatus.choices, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    by_role = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(default=timezone.now)
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.at:%d %B %Y})"
