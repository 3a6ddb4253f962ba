"""People, agencies and local authorities, and each authority's procedure profile."""

import uuid
from datetime import date, datetime
from functools import cached_property
from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone

from hsb_portal import calendar


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: object) -> "User":
        if not email:
            raise ValueError("Every user needs an e-mail address")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, username: str | None) -> "User":
        # People type their address with capitals; it is stored in lower case.
        return self.get(email__iexact=username)

    def create_superuser(self, email: str, password: str | None = None, **fields: object) -> "User":
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with their work e-mail address."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=150)
    job_title = models.CharField(max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        default=False, help_text="May use the records administration site."
    )
    # AIM assessments are invalid unless the lead assessor is certified (domain.md §7).
    aim_certified_on = models.DateField(
        "AIM certified on", null=True, blank=True, help_text="Date of AIM Project certification."
    )
    date_joined = models.DateTimeField(default=timezone.now)
    # Made by seed_demo, with a password and authenticator key anyone can read in the source:
    # such a person never signs in to a server with DEBUG off (accounts/backends.py).
    is_demo = models.BooleanField(
        "demo person",
        default=False,
        editable=False,
        help_text="Made for a demo; cannot sign in unless DEBUG is on.",
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]

    if TYPE_CHECKING:
        # django-otp's OTPMiddleware sets this on each request's user; it ships no types.
        def is_verified(self) -> bool: ...

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name

    @property
    def is_aim_trained(self) -> bool:
        return self.aim_certified_on is not None


class CrossBorderConvenor(models.TextChoices):
    # Stoke/Staffordshire: where the behaviour occurred. Camden: where the child harmed lives.
    WHERE_BEHAVIOUR_OCCURRED = "where_behaviour_occurred", "Where the behaviour occurred"
    WHERE_CHILD_HARMED_LIVES = "where_child_harmed_lives", "Where the child harmed lives"


class SeparateSocialWorkers(models.TextChoices):
    ENFORCED = "enforced", "Always a different social worker for each child"
    OVERRIDE_WITH_REASON = (
        "override_with_reason",
        "A different social worker for each child, unless a reason is recorded",
    )


class LocalAuthority(models.Model):
    """A local authority and its procedure profile: the local choices and timescales."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=150, unique=True)
    code = models.SlugField(max_length=30, unique=True)
    procedure_name = models.CharField(
        max_length=200, blank=True, help_text="The local procedure this profile encodes."
    )
    cross_border_convenor = models.CharField(
        "who convenes a cross-border strategy meeting",
        max_length=30,
        choices=CrossBorderConvenor.choices,
        default=CrossBorderConvenor.WHERE_CHILD_HARMED_LIVES,
    )
    separate_social_workers = models.CharField(
        "separate social workers for the child harmed and the child who has harmed",
        max_length=30,
        choices=SeparateSocialWorkers.choices,
        default=SeparateSocialWorkers.OVERRIDE_WITH_REASON,
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "local authorities"

    def __str__(self) -> str:
        return self.name

    @property
    def allows_same_social_worker_with_reason(self) -> bool:
        return self.separate_social_workers == SeparateSocialWorkers.OVERRIDE_WITH_REASON

    def closure_days(self) -> frozenset[date]:
        return frozenset(
            ClosureDay.objects.filter(
                models.Q(authority=self) | models.Q(authority__isnull=True)
            ).values_list("day", flat=True)
        )

    def timescale(self, rule: "TimescaleRule") -> "Timescale | None":
        return self.timescales.filter(rule=rule).first()

    def due(self, rule: "TimescaleRule", start: datetime | date) -> datetime | date | None:
        """When ``rule`` falls due for a clock started at ``start``; None without a fixed time."""
        timescale = self.timescale(rule)
        if timescale is None:
            return None
        return timescale.apply(start, closures=self.closure_days())


class TimescaleRule(models.TextChoices):
    """Every timescale of domain.md §2; each authority sets its own values."""

    SCREENING_DECISION = "screening_decision", "Acknowledge a referral and decide next steps"
    WRITTEN_FOLLOW_UP = "written_follow_up", "Written follow-up of an urgent telephone referral"
    STRATEGY_MEETING = "strategy_meeting", "Hold the HSB strategy meeting"
    AIM_STRATEGY_DISCUSSION = "aim_strategy_discussion", "Hold an AIM strategy discussion"
    INITIAL_CP_CONFERENCE = "initial_cp_conference", "Hold the initial child protection conference"
    CHILD_AND_FAMILY_ASSESSMENT = (
        "child_and_family_assessment",
        "Complete the child and family assessment",
    )
    CIN_PLANNING_MEETING = "cin_planning_meeting", "Hold the professionals planning meeting (CIN)"
    FIRST_CIN_REVIEW = "first_cin_review", "First review of the child in need plan"
    LATER_CIN_REVIEW = "later_cin_review", "Later reviews of the child in need plan"
    FIRST_REVIEW_CONFERENCE = "first_review_conference", "First review child protection conference"
    LATER_REVIEW_CONFERENCE = "later_review_conference", "Later review child protection conferences"
    FIRST_CORE_GROUP = "first_core_group", "First core group after the initial conference"
    ADULT_SERVICES_REFERRAL = "adult_services_referral", "Refer to adult services"
    RESETTLEMENT_PANEL = "resettlement_panel", "Refer to the YJS resettlement panel"
    PRE_RELEASE_MEETING = "pre_release_meeting", "Hold the YJS pre-release meeting"
    REPORT_FURTHER_INCIDENT = (
        "report_further_incident",
        "Report a further incident or increased risk to the social worker",
    )
    PROTOCOL_REVIEW = "protocol_review", "Review the local protocol"


class TimescaleUnit(models.TextChoices):
    WORKING_DAYS = "working_days", "working days"
    CALENDAR_DAYS = "calendar_days", "calendar days"
    HOURS = "hours", "hours"
    MONTHS = "months", "months"
    AS_SOON_AS_POSSIBLE = "as_soon_as_possible", "as soon as possible"
    IMMEDIATELY = "immediately", "immediately"


UNITS_WITHOUT_VALUE = (TimescaleUnit.AS_SOON_AS_POSSIBLE, TimescaleUnit.IMMEDIATELY)


class Timescale(models.Model):
    """One rule of an authority's procedure, kept with the words and source it came from."""

    authority = models.ForeignKey(
        LocalAuthority, on_delete=models.CASCADE, related_name="timescales"
    )
    rule = models.CharField(max_length=40, choices=TimescaleRule.choices)
    value = models.PositiveIntegerField(null=True, blank=True)
    unit = models.CharField(max_length=30, choices=TimescaleUnit.choices)
    counts_back = models.BooleanField(
        default=False, help_text="The deadline falls before the event, e.g. before a release date."
    )
    clock_starts = models.CharField(max_length=200, help_text="The event that starts the clock.")
    source_text = models.TextField(help_text="The procedure's own words, and where they are.")

    class Meta:
        ordering = ["authority", "rule"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "rule"], name="one_timescale_per_rule"),
            models.CheckConstraint(
                condition=models.Q(unit__in=UNITS_WITHOUT_VALUE, value__isnull=True)
                | (~models.Q(unit__in=UNITS_WITHOUT_VALUE) & models.Q(value__isnull=False)),
                name="timescale_value_matches_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_rule_display()}: {self.describe()}"

    def describe(self) -> str:
        if self.value is None:
            return self.get_unit_display()
        direction = "before" if self.counts_back else "from"
        return f"{self.value} {self.get_unit_display()} {direction} {self.clock_starts}"

    def apply(
        self, start: datetime | date, *, closures: frozenset[date] = frozenset()
    ) -> datetime | date | None:
        if self.value is None:
            return None
        amount = -self.value if self.counts_back else self.value
        if self.unit == TimescaleUnit.WORKING_DAYS:
            return calendar.add_working_days(start, amount, closures=closures)
        if self.unit == TimescaleUnit.CALENDAR_DAYS:
            return calendar.add_calendar_days(start, amount)
        if self.unit == TimescaleUnit.MONTHS:
            return calendar.add_months(start, amount)
        if not isinstance(start, datetime):
            raise TypeError("A timescale in hours needs a moment, not a date")
        return calendar.add_hours(start, amount)


class ClosureDay(models.Model):
    """A day the authority's offices are shut, on top of England's bank holidays."""

    authority = models.ForeignKey(
        LocalAuthority,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="closure_days_set",
        help_text="Leave empty for a closure that applies to every authority.",
    )
    day = models.DateField()
    reason = models.CharField(max_length=200)

    class Meta:
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "day"], name="one_closure_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day:%d %B %Y}: {self.reason}"


class AgencyKind(models.TextChoices):
    CHILDRENS_SOCIAL_CARE = "childrens_social_care", "Children's social care"
    MASH = "mash", "MASH / Contact Service"
    POLICE = "police", "Police"
    HEALTH = "health", "Health"
    SCHOOL = "school", "School or college"
    EARLY_HELP = "early_help", "Early help"
    YOUTH_JUSTICE = "youth_justice", "Youth justice"
    CAMHS = "camhs", "CAMHS"
    VOLUNTARY = "voluntary", "NSPCC or voluntary sector"
    ADULT_SERVICES = "adult_services", "Adult services"
    FOSTERING = "fostering", "Fostering"


class Agency(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=AgencyKind.choices)
    authorities = models.ManyToManyField(
        LocalAuthority, related_name="agencies", help_text="The authorities this agency serves."
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    PRACTITIONER = "practitioner", "Practitioner"
    DSL = "dsl", "Designated safeguarding lead"
    MASH_SCREENER = "mash_screener", "MASH screener"
    SOCIAL_WORKER = "social_worker", "Social worker"
    SW_MANAGER = "sw_manager", "Social work manager"
    AUDITOR = "auditor", "Auditor"
    ADMINISTRATOR = "administrator", "Administrator"


class Membership(models.Model):
    """A person's role in an agency. A person may hold several; they act in one at a time."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["user", "agency", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "agency", "role"], name="one_role_per_agency"),
        ]

    def __str__(self) -> str:
        return self.described

    @property
    def described(self) -> str:
        """The role and its agency, as pages and records name them ("Social worker,
        Harbourside Children's Social Care")."""
        return f"{self.get_role_display()}, {self.agency.name}"

    @cached_property
    def authority_ids(self) -> frozenset[int]:
        return frozenset(authority.pk for authority in self.agency.authorities.all())

    @cached_property
    def first_authority(self) -> "LocalAuthority | None":
        """The first authority its agency serves, by name: where a record it starts belongs
        unless the person chooses another."""
        return self.agency.authorities.order_by("name").first()

    @cached_property
    def authority_names(self) -> str:
        return ", ".join(authority.name for authority in self.agency.authorities.all())


class GrantStatus(models.TextChoices):
    AWAITING_APPROVAL = "awaiting_approval", "Waiting for a second administrator"
    APPROVED = "approved", "Approved: the role is given"
    REFUSED = "refused", "Refused"


class MembershipGrant(models.Model):
    """A role request: an administrator, auditor or social work manager role proposed by one
    administrator for someone else, given only when a different administrator approves."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="membership_grants", verbose_name="person"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=20, choices=Role.choices)
    reason = models.TextField(help_text="Why this person needs the role.")
    status = models.CharField(
        max_length=20, choices=GrantStatus.choices, default=GrantStatus.AWAITING_APPROVAL
    )
    proposed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # The membership the approval gave (or made active again).
    membership = models.ForeignKey(
        Membership, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        verbose_name = "role request"
        constraints = [
            # The second approver is never the person who proposed it, nor the person given it.
            models.CheckConstraint(
                condition=models.Q(decided_by__isnull=True)
                | ~models.Q(decided_by=models.F("proposed_by")),
                name="membership_grant_second_approver",
            ),
            models.CheckConstraint(
                condition=models.Q(decided_by__isnull=True)
                | ~models.Q(decided_by=models.F("user")),
                name="membership_grant_not_decided_by_its_person",
            ),
            models.CheckConstraint(
                condition=~models.Q(proposed_by=models.F("user")),
                name="membership_grant_not_for_oneself",
            ),
            models.CheckConstraint(
                condition=models.Q(status="awaiting_approval")
                | models.Q(decided_by__isnull=False, decided_at__isnull=False),
                name="membership_grant_decided_by_someone",
            ),
            models.UniqueConstraint(
                fields=["user", "agency", "role"],
                condition=models.Q(status="awaiting_approval"),
                name="membership_grant_one_waiting",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}, {self.agency} for {self.user}"

    @property
    def is_awaiting_approval(self) -> bool:
        return self.status == GrantStatus.AWAITING_APPROVAL


class SessionEndReason(models.TextChoices):
    SIGNED_OUT = "signed_out", "Signed out"
    TIMED_OUT = "timed_out", "Reached the 12-hour limit"
    ENDED_BY_PERSON = "ended_by_person", "Ended from another session"
    ENDED_BY_ADMINISTRATOR = "ended_by_administrator", "Ended by an administrator"
    PASSWORD_CHANGED = "password_changed", "Password changed"
    SECOND_FACTOR_RESET = "second_factor_reset", "Two-factor sign-in reset"
    DEACTIVATED = "deactivated", "Account deactivated"


class SignedInSession(models.Model):
    """One browser signed in as a person: the register behind "Your sessions" (V7.5.2).

    Django's session row is the session itself; this row says where and when it started, and
    stays as a record once the session has ended.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="signed_in_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    started_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    # "Chrome on Windows": never the raw User-Agent, which can single out a machine.
    browser = models.CharField(max_length=60, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    end_reason = models.CharField(max_length=30, choices=SessionEndReason.choices, blank=True)

    class Meta:
        ordering = ["-last_seen_at"]
        indexes = [models.Index(fields=["user", "ended_at"], name="signed_in_session_live")]

    def __str__(self) -> str:
        return f"{self.browser or 'Unknown browser'}, signed in {self.started_at:%d %b %Y %H:%M}"
