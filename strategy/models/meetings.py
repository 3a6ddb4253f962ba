"""Strategy meetings (domain.md §6): convened from a screening decision, held, recorded separately
for each child, approved, and amended only by a new version.

A meeting's life:

    convened ──hold──▶ held ──approve minutes──▶ minutes approved ──amend──▶ (a new draft)
       └──cancel──▶ cancelled

What was said is kept in **minutes versions**. Every row of the minutes (attendance, each
child's record, what each agency shared about the child, the actions and which children they
concern) belongs to one version. The first version is a draft until the chair approves it; an
approved version never changes (the services refuse, and on PostgreSQL the database refuses
too: migration 0003). An amendment copies the approved version into a new draft, with the
reason for it, and approving that draft supersedes the earlier version, which stays readable.

Whether an action is done is not part of the minutes (the minutes record what was agreed), so it
is kept apart, in ``ActionCompletion``, by the action's ``key``, which every version's copy of the
action shares.
"""

import uuid
from datetime import date, datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

from hsb_portal.accounts.models import Agency, LocalAuthority, Membership
from referrals.models import Referral
from triage.models import Child, Part, YesNoUnknown

__all__ = [
    "ActionChild",
    "ActionCompletion",
    "AgencyInformation",
    "AimNeeded",
    "Attendance",
    "AttendanceStatus",
    "ChildRecord",
    "Distribution",
    "Invitation",
    "InvitationResponse",
    "InviteeRole",
    "MeetingAction",
    "MeetingChild",
    "MeetingFormat",
    "MeetingStatus",
    "MinutesStatus",
    "MinutesVersion",
    "StrategyMeeting",
    "ThresholdDecision",
    "YesNoNotApplicable",
    "is_later_than_due",
]


class MeetingStatus(models.TextChoices):
    CONVENED = "convened", "Convened"
    HELD = "held", "Held: minutes being recorded"
    MINUTES_APPROVED = "minutes_approved", "Minutes approved"
    CANCELLED = "cancelled", "Cancelled"


class MeetingFormat(models.TextChoices):
    # DD 4: for harmful sexual behaviour, a meeting, not a telephone discussion.
    IN_PERSON = "in_person", "In person"
    VIDEO = "video", "Video call"
    HYBRID = "hybrid", "In person and by video call"


class InviteeRole(models.TextChoices):
    """Why someone is invited (ST, DD 4, CA 8.3: the agencies that must attend)."""

    POLICE = "police", "Police"
    HEALTH = "health", "Health"
    EDUCATION = "education", "Education"
    SOCIAL_WORKER = "social_worker", "Allocated social worker"
    YOUTH_JUSTICE = "youth_justice", "Youth justice"
    CAMHS = "camhs", "CAMHS"
    OTHER_AUTHORITY = "other_authority", "The child's other local authority"
    OTHER = "other", "Other"


class InvitationResponse(models.TextChoices):
    ATTENDING = "attending", "Attending"
    APOLOGIES = "apologies", "Cannot attend: sending apologies"


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", "Attended"
    APOLOGIES = "apologies", "Sent apologies"
    ABSENT = "absent", "Did not attend"


class YesNoNotApplicable(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


class ThresholdDecision(models.TextChoices):
    """The decision for each child (DD 4, ST Outcomes; domain.md §6)."""

    S47_THRESHOLD_MET = (
        "s47_threshold_met",
        "Threshold for a section 47 enquiry met: initial child protection conference",
    )
    CIN_PLAN = "cin_plan", "Child in need plan (section 17)"
    NO_FURTHER_ACTION = "no_further_action", "No further action"


class AimNeeded(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"


class MinutesStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"


def is_later_than_due(scheduled_for: datetime | None, due_by: datetime | None) -> bool:
    """A meeting set after the time the procedure gives (the profile's clock, DD 4): it needs
    a reason, shown wherever the meeting is."""
    return due_by is not None and scheduled_for is not None and scheduled_for > due_by


class StrategyMeeting(models.Model):
    """A multi-agency strategy meeting about the children of one incident, convened and
    chaired by children's social care (ST; DD 4)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Every change bumps the version; a save carrying an older one is refused (security.md §5).
    version = models.PositiveIntegerField(default=1)
    authority = models.ForeignKey(
        LocalAuthority,
        on_delete=models.PROTECT,
        related_name="strategy_meetings",
        verbose_name="convening local authority",
    )
    convening_reason = models.CharField("why this authority convenes", max_length=300, blank=True)
    chair = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="meetings_chaired")
    convened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    convened_by_role = models.CharField(max_length=300, blank=True)
    convened_at = models.DateTimeField(default=timezone.now)
    # The clock: the earliest referral received (CA 8.3; DD 4), the due time the authority's
    # profile gives, and the profile's words, kept so a manager can see why.
    clock_started_at = models.DateTimeField("clock started")
    due_by = models.DateTimeField(null=True, blank=True)
    due_rule = models.TextField("the rule that sets when it is due", blank=True)
    scheduled_for = models.DateTimeField()
    meeting_format = models.CharField("format", max_length=20, choices=MeetingFormat.choices)
    location = models.CharField("where, or how to join", max_length=300)
    late_reason = models.TextField("why it is later than the date it is due by", blank=True)
    status = models.CharField(
        max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.CONVENED
    )
    held_on = models.DateField(null=True, blank=True)
    cancelled_reason = models.TextField(blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["scheduled_for", "pk"]
        indexes = [
            models.Index(
                fields=["authority", "status", "scheduled_for"], name="meeting_authority_idx"
            ),
            models.Index(fields=["chair", "status"], name="meeting_chair_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status=MeetingStatus.CANCELLED)
                | ~models.Q(cancelled_reason=""),
                name="meeting_cancelled_says_why",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=[MeetingStatus.HELD, MeetingStatus.MINUTES_APPROVED])
                | models.Q(held_on__isnull=False),
                name="meeting_held_has_date",
            ),
            models.CheckConstraint(
                condition=models.Q(due_by__isnull=True)
                | models.Q(scheduled_for__lte=models.F("due_by"))
                | ~models.Q(late_reason=""),
                name="meeting_late_says_why",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"SM-{self.public_id.hex[:8].upper()}"

    @property
    def is_convened(self) -> bool:
        return self.status == MeetingStatus.CONVENED

    @property
    def is_held(self) -> bool:
        return self.status == MeetingStatus.HELD

    @property
    def is_cancelled(self) -> bool:
        return self.status == MeetingStatus.CANCELLED

    @property
    def has_approved_minutes(self) -> bool:
        return self.status == MeetingStatus.MINUTES_APPROVED

    @property
    def is_open(self) -> bool:
        """Before its minutes are approved: invitations and contributions are still taken."""
        return self.status in (MeetingStatus.CONVENED, MeetingStatus.HELD)

    @property
    def meeting_day(self) -> date:
        """The day the meeting took place (or is to): the clock start of the ICPC (WT2023)."""
        return self.held_on or timezone.localdate(self.scheduled_for)

    @property
    def is_late(self) -> bool:
        return is_later_than_due(self.scheduled_for, self.due_by)

    def is_overdue(self, now: datetime | None = None) -> bool:
        """Not yet held, and past the time the profile gives."""
        return (
            self.is_convened and self.due_by is not None and self.due_by < (now or timezone.now())
        )


class MeetingChild(models.Model):
    """A child the meeting is about, from the referral that led to it. The child's letter
    ("Child A") is fixed at convening and names the child in every other child's minutes."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    meeting = models.ForeignKey(
        StrategyMeeting, on_delete=models.CASCADE, related_name="meeting_children"
    )
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="meeting_places")
    referral = models.ForeignKey(
        Referral, on_delete=models.PROTECT, related_name="meeting_children"
    )
    part = models.CharField(max_length=20, choices=Part.choices)
    letter = models.CharField(max_length=2)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["meeting", "position"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "child"], name="meeting_child_once"),
            models.UniqueConstraint(fields=["meeting", "referral"], name="meeting_referral_once"),
            models.UniqueConstraint(fields=["meeting", "letter"], name="meeting_letter_once"),
            models.UniqueConstraint(fields=["meeting", "position"], name="meeting_position_once"),
        ]

    def __str__(self) -> str:
        return self.pseudonym

    @property
    def pseudonym(self) -> str:
        return f"Child {self.letter}"

    @property
    def is_child_who_harmed(self) -> bool:
        return self.part == Part.CHILD_WHO_HARMED

    @property
    def part_words(self) -> str:
        return Part(self.part).label.split(" (")[0].lower()


class Invitation(models.Model):
    """An agency, or a named person acting for one, invited to the meeting; their reply, and
    what they send in writing (CA 14: a written report if they cannot attend; DD 4: concerns
    and risk assessment in writing where possible)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    version = models.PositiveIntegerField(default=1)
    meeting = models.ForeignKey(
        StrategyMeeting, on_delete=models.CASCADE, related_name="invitations"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meeting_invitations",
        help_text="Empty when the agency is invited, not a named person.",
    )
    role_in_meeting = models.CharField(max_length=20, choices=InviteeRole.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    invited_at = models.DateTimeField(default=timezone.now)
    response = models.CharField(max_length=20, choices=InvitationResponse.choices, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    contribution = models.TextField("written contribution", blank=True)
    risk_view = models.TextField("the agency's view of the risk", blank=True)
    contributed_at = models.DateTimeField(null=True, blank=True)
    contributed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["meeting", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "agency"],
                condition=models.Q(person__isnull=True),
                name="invitation_agency_once",
            ),
            models.UniqueConstraint(
                fields=["meeting", "person"],
                condition=models.Q(person__isnull=False),
                name="invitation_person_once",
            ),
        ]
        indexes = [
            models.Index(fields=["person"], name="invitation_person_idx"),
            models.Index(fields=["agency"], name="invitation_agency_idx"),
        ]

    def __str__(self) -> str:
        return self.invitee

    @property
    def invitee(self) -> str:
        # No query when there is no person: Django returns None for an empty foreign key.
        if self.person is not None:
            return f"{self.person.full_name}, {self.agency.name}"
        return self.agency.name

    @property
    def has_contribution(self) -> bool:
        return bool(self.contribution or self.risk_view)


class MinutesVersion(models.Model):
    """One version of the meeting's minutes: a draft, then approved by the chair, and never
    changed after that. Version 1 is the record of the meeting; each later version is an
    amendment, with its reason."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    meeting = models.ForeignKey(StrategyMeeting, on_delete=models.CASCADE, related_name="minutes")
    number = models.PositiveSmallIntegerField()
    status = models.CharField(
        max_length=10, choices=MinutesStatus.choices, default=MinutesStatus.DRAFT
    )
    # Every change to the draft bumps it: the chair approves exactly the draft they read.
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    amendment_reason = models.TextField("why the minutes are amended", blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_by_role = models.CharField(max_length=300, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["meeting", "number"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="minutes_number_once"),
            models.UniqueConstraint(
                fields=["meeting"],
                condition=models.Q(status=MinutesStatus.DRAFT),
                name="minutes_one_draft",
            ),
            models.CheckConstraint(
                condition=models.Q(number=1) | ~models.Q(amendment_reason=""),
                name="minutes_amendment_says_why",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=MinutesStatus.APPROVED)
                | models.Q(approved_by__isnull=False, approved_at__isnull=False),
                name="minutes_approved_says_by_whom",
            ),
        ]

    def __str__(self) -> str:
        return f"Version {self.number} ({self.get_status_display().lower()})"

    @property
    def is_draft(self) -> bool:
        return self.status == MinutesStatus.DRAFT

    @property
    def is_approved(self) -> bool:
        return self.status == MinutesStatus.APPROVED

    @property
    def is_amendment(self) -> bool:
        return self.number > 1


class Attendance(models.Model):
    """Who attended, and who sent apologies (one row per invitee, the chair, and anyone else)."""

    minutes = models.ForeignKey(MinutesVersion, on_delete=models.CASCADE, related_name="attendance")
    invitation = models.ForeignKey(
        Invitation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(max_length=150, blank=True)
    agency_name = models.CharField(max_length=200)
    role = models.CharField(max_length=150)
    status = models.CharField(max_length=10, choices=AttendanceStatus.choices)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["minutes", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["minutes", "position"], name="attendance_position_once"
            ),
            models.CheckConstraint(
                condition=~models.Q(status=AttendanceStatus.PRESENT) | ~models.Q(name=""),
                name="attendance_present_is_named",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name or self.agency_name}: {self.get_status_display()}"


class ChildRecord(models.Model):
    """What the meeting recorded about one child, in one version of the minutes (DD 4: minutes
    are recorded separately for each child)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    minutes = models.ForeignKey(
        MinutesVersion, on_delete=models.CASCADE, related_name="child_records"
    )
    meeting_child = models.ForeignKey(
        MeetingChild, on_delete=models.PROTECT, related_name="records"
    )
    risks = models.TextField(blank=True)
    # Immediate protection (ST; CA 8.3, 10).
    other_children_in_household = models.TextField(blank=True)
    should_leave_home = models.CharField(
        max_length=20, choices=YesNoNotApplicable.choices, blank=True
    )
    leave_home_detail = models.TextField(blank=True)
    school_safety_plan = models.CharField(
        max_length=20, choices=YesNoNotApplicable.choices, blank=True
    )
    school_safety_plan_detail = models.TextField(blank=True)
    medical_checks = models.CharField(max_length=20, choices=YesNoNotApplicable.choices, blank=True)
    medical_checks_detail = models.TextField(blank=True)
    # DD 4, ST Outcomes: a conference for the child who has harmed only if they themselves are
    # suffering, or likely to suffer, significant harm; CA 8.3 then asks for a separate meeting.
    at_risk_of_significant_harm = models.CharField(
        max_length=10, choices=YesNoUnknown.choices, blank=True
    )
    decision = models.CharField(max_length=30, choices=ThresholdDecision.choices, blank=True)
    decision_reasons = models.TextField(blank=True)
    icpc_due_on = models.DateField(
        "initial child protection conference due by", null=True, blank=True
    )
    icpc_rule = models.TextField(blank=True)
    conference_on = models.DateField("conference date", null=True, blank=True)
    cin_review_due_on = models.DateField(
        "first review of the child in need plan due by", null=True, blank=True
    )
    cin_review_rule = models.TextField(blank=True)
    # CA 8.2, 8.3: whether an AIM assessment is needed, who leads it and by when.
    aim_needed = models.CharField(max_length=5, choices=AimNeeded.choices, blank=True)
    aim_lead_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    aim_lead_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    aim_due_on = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["minutes", "meeting_child__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["minutes", "meeting_child"], name="child_record_once_per_version"
            ),
            models.CheckConstraint(
                condition=~models.Q(decision=ThresholdDecision.NO_FURTHER_ACTION)
                | ~models.Q(decision_reasons=""),
                name="child_record_nfa_says_why",
            ),
            models.CheckConstraint(
                condition=~models.Q(aim_needed=AimNeeded.YES)
                | (
                    models.Q(aim_due_on__isnull=False)
                    & (
                        models.Q(aim_lead_person__isnull=False)
                        | models.Q(aim_lead_agency__isnull=False)
                    )
                ),
                name="child_record_aim_has_lead_and_date",
            ),
        ]
        indexes = [
            models.Index(fields=["meeting_child", "minutes"], name="child_record_child_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_child} in {self.minutes}"

    @property
    def is_decided(self) -> bool:
        return bool(self.decision)

    @property
    def is_s47(self) -> bool:
        return self.decision == ThresholdDecision.S47_THRESHOLD_MET

    @property
    def is_cin_plan(self) -> bool:
        return self.decision == ThresholdDecision.CIN_PLAN

    @property
    def needs_separate_meeting(self) -> bool:
        """CA 8.3: the child who has harmed is also at risk of significant harm."""
        return (
            self.meeting_child.part == Part.CHILD_WHO_HARMED
            and self.at_risk_of_significant_harm == YesNoUnknown.YES
        )


class AgencyInformation(models.Model):
    """What one agency shared about one child at the meeting."""

    minutes = models.ForeignKey(
        MinutesVersion, on_delete=models.CASCADE, related_name="agency_information"
    )
    meeting_child = models.ForeignKey(
        MeetingChild, on_delete=models.PROTECT, related_name="agency_information"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    # Copied, so the minutes read the same after an agency is renamed.
    agency_name = models.CharField(max_length=200)
    information = models.TextField()

    class Meta:
        ordering = ["minutes", "meeting_child", "agency_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["minutes", "meeting_child", "agency"], name="agency_information_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency_name} on {self.meeting_child}"


class MeetingAction(models.Model):
    """An action agreed at the meeting: who, for which agency, by when, and the children it
    concerns. It appears only in the minutes of those children (domain.md §6)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The same action in every version of the minutes.
    key = models.UUIDField(default=uuid.uuid4, db_index=True)
    minutes = models.ForeignKey(MinutesVersion, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="meeting_actions"
    )
    owner_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    children = models.ManyToManyField(MeetingChild, through="ActionChild", related_name="actions")

    class Meta:
        ordering = ["minutes", "due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["minutes", "key"], name="action_once_per_version"),
        ]
        indexes = [
            models.Index(fields=["owner", "due_on"], name="action_owner_idx"),
        ]

    def __str__(self) -> str:
        return f"Action due {self.due_on:%d %B %Y}"


class ActionChild(models.Model):
    """A child an action concerns."""

    action = models.ForeignKey(MeetingAction, on_delete=models.CASCADE, related_name="+")
    meeting_child = models.ForeignKey(MeetingChild, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["action", "meeting_child"], name="action_child_once"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_child} in {self.action}"


class ActionCompletion(models.Model):
    """An action marked done. Kept apart from the minutes, which record what was agreed."""

    key = models.UUIDField(unique=True)
    meeting = models.ForeignKey(
        StrategyMeeting, on_delete=models.CASCADE, related_name="completions"
    )
    completed_on = models.DateField()
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    completed_by_role = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return f"Done on {self.completed_on:%d %B %Y}"


class Distribution(models.Model):
    """The chair sent one child's approved minutes to a named person, in one of their roles
    (CA 14): from then on that person, acting in that role, may read that version of that
    child's minutes. Nobody else in their agency may, nor they in another role (issue 10)."""

    meeting_child = models.ForeignKey(
        MeetingChild, on_delete=models.CASCADE, related_name="distributions"
    )
    minutes = models.ForeignKey(
        MinutesVersion, on_delete=models.PROTECT, related_name="distributions"
    )
    recipient = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="minutes_received"
    )
    distributed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    distributed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["meeting_child", "minutes", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting_child", "minutes", "recipient"], name="distribution_once"
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "meeting_child"], name="distribution_recipient_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_child} to {self.recipient.user}"
