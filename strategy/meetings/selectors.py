"""The reads the strategy meeting pages render: each goes through the access policy and fetches,
in a fixed number of queries, everything its template touches."""

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import TYPE_CHECKING, TypedDict, TypeVar

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.utils import timezone

from hsb_portal import access
from hsb_portal.accounts.models import ClosureDay, Membership, Timescale, TimescaleRule
from hsb_portal.audit.models import Action
from referrals.models import Allocation, Referral, ReferralStatus
from strategy.meetings import services
from strategy.meetings.minutes import AttendanceLine, later_approved_exists
from strategy.meetings.redaction import OtherChild, Redactor
from strategy.models import (
    ActionCompletion,
    ChildRecord,
    Distribution,
    Invitation,
    MeetingAction,
    MeetingChild,
    MeetingStatus,
    MinutesStatus,
    MinutesVersion,
    StrategyMeeting,
    ThresholdDecision,
)
from strategy.models.meetings import Attendance

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

# How many rows each My work section shows.
MY_WORK_ROWS = 10
T = TypeVar("T")


def meeting_for_page() -> QuerySet[StrategyMeeting]:
    """A meeting with its children, invitations and minutes versions."""
    return StrategyMeeting.objects.select_related(
        "authority", "chair__user", "chair__agency", "convened_by"
    ).prefetch_related(
        Prefetch(
            "meeting_children",
            queryset=MeetingChild.objects.select_related("child", "referral").order_by("position"),
        ),
        Prefetch(
            "invitations",
            queryset=Invitation.objects.select_related("agency", "person").order_by("pk"),
        ),
        Prefetch(
            "minutes",
            queryset=MinutesVersion.objects.select_related("approved_by")
            .annotate(is_superseded=later_approved_exists())
            .order_by("number"),
        ),
    )


def meetings_for(membership: Membership | None) -> QuerySet[StrategyMeeting]:
    """The meetings this membership may see, soonest first, with how many children each
    covers (the list names no child)."""
    return (
        access.visible(
            membership,
            StrategyMeeting.objects.select_related("authority", "chair__user"),
        )
        .annotate(children_count=Count("meeting_children"))
        .order_by("-scheduled_for", "-pk")
    )


# What one reader may know of a meeting (issue 10, item 2)


@dataclass(frozen=True)
class Reader:
    """One person, in one role, reading a meeting: the children they may know, and the
    redaction every word typed into the meeting goes through before they read it. A child
    they may not know is only their letter ("Child B"), with their name, date of birth,
    address, postcode and school redacted, exactly as in the per-child minutes they read."""

    known: frozenset[int]  # meeting children (MeetingChild pks)
    redactor: Redactor

    def knows(self, place: MeetingChild) -> bool:
        return place.pk in self.known

    def name(self, place: MeetingChild) -> str:
        return place.child.full_name if place.pk in self.known else place.pseudonym

    def __call__(self, text: str) -> str:
        return self.redactor(text)

    def scrub(self, value: T) -> T:
        return self.redactor.scrub(value)


def reader_of(meeting: StrategyMeeting, membership: Membership | None) -> Reader:
    """How ``membership`` reads ``meeting`` (the meeting comes with its children and their
    records, as ``meeting_for_page`` and ``invitation_for_page`` fetch it): the children the
    access policy lets them know (``access.known_meeting_children``), and a redactor of the
    others. Every page that shows a meeting's words uses it. One query, whatever the number
    of children."""
    places = list(meeting.meeting_children.all())
    known: frozenset[int] = frozenset()
    if membership is not None:
        known = frozenset(
            MeetingChild.objects.filter(meeting=meeting)
            .filter(access.known_meeting_children(membership))
            .values_list("pk", flat=True)
        )
    others = [OtherChild(place.child, place.pseudonym) for place in places if place.pk not in known]
    keep = [place.child for place in places if place.pk in known]
    return Reader(known=known, redactor=Redactor(keep=keep, others=others))


@dataclass(frozen=True)
class InvitationRow:
    invitation: Invitation
    invitee: str


@dataclass(frozen=True)
class VersionRow:
    version: MinutesVersion
    amendment_reason: str


@dataclass(frozen=True)
class ActionRow:
    action: MeetingAction
    description: str
    concerns: str  # the children it concerns, each as this reader may know them


@dataclass(frozen=True)
class MeetingWords:
    """Every word typed into a meeting that its page shows, as one reader may read them."""

    location: str
    late_reason: str
    convening_reason: str
    cancelled_reason: str
    due_rule: str
    invitations: list[InvitationRow]
    versions: list[VersionRow]
    attendance: list[AttendanceLine]
    actions: list[ActionRow]


def meeting_words(
    meeting: StrategyMeeting,
    reader: Reader,
    *,
    attendance: Sequence[Attendance],
    actions: Sequence[MeetingAction],
) -> MeetingWords:
    """The meeting page's words for ``reader``: nothing the template reads of the meeting's
    typed text comes any other way. No query: everything comes fetched."""
    return reader.scrub(
        MeetingWords(
            location=meeting.location,
            late_reason=meeting.late_reason,
            convening_reason=meeting.convening_reason,
            cancelled_reason=meeting.cancelled_reason,
            due_rule=meeting.due_rule,
            invitations=[InvitationRow(i, i.invitee) for i in meeting.invitations.all()],
            versions=[VersionRow(v, v.amendment_reason) for v in meeting.minutes.all()],
            attendance=[
                AttendanceLine(row.name, row.agency_name, row.role, row.get_status_display())
                for row in attendance
            ],
            actions=[
                ActionRow(
                    action,
                    action.description,
                    " and ".join(reader.name(place) for place in action.children.all()),
                )
                for action in actions
            ],
        )
    )


@dataclass(frozen=True)
class InvitationWords:
    """An invitation's page, as its invitee may read it."""

    invitee: str
    location: str
    children: list[str]  # "Riley Ashcombe (Child A, child who has harmed)" or "Child B, ..."
    contribution: str
    risk_view: str
    # The contribution or view of the risk names a child the reader may not know.
    is_redacted: bool = False


def invitation_words(invitation: Invitation, reader: Reader) -> InvitationWords:
    """The invitation's words for ``reader``, its written contribution and view of the risk
    included: an agency invited as a whole may answer through another person than the one
    who wrote them. No query."""
    meeting = invitation.meeting
    words = reader.scrub(
        InvitationWords(
            invitee=invitation.invitee,
            location=meeting.location,
            children=[
                f"{place.child.full_name} ({place.pseudonym}, {place.part_words})"
                if reader.knows(place)
                else f"{place.pseudonym}, {place.part_words}"
                for place in meeting.meeting_children.all()
            ],
            contribution=invitation.contribution,
            risk_view=invitation.risk_view,
        )
    )
    written = (invitation.contribution, invitation.risk_view)
    return replace(words, is_redacted=(words.contribution, words.risk_view) != written)


# The meeting page


@dataclass
class ChildLinks:
    """One child of a meeting, and the versions of their minutes this person may read."""

    place: MeetingChild
    sees_everything: bool
    versions: list[MinutesVersion] = field(default_factory=list)
    record: ChildRecord | None = None
    name: str = ""  # as this person may know them


def children_for(
    meeting: StrategyMeeting, membership: Membership | None, reader: Reader | None = None
) -> list[ChildLinks]:
    """For each child of the meeting: whether this person sees everything about them, the
    versions of their minutes they may read (anyone else: those sent to them), the child's
    record in the newest version they may read, and the child's name as ``reader`` may know
    it (without one, the full name: only for the chair's pages). Four queries."""
    places = list(meeting.meeting_children.all())
    versions = list(meeting.minutes.all())
    whole: set[int] = set()
    if membership is not None:
        whole = set(
            MeetingChild.objects.filter(meeting=meeting)
            .filter(access.whole_meeting_children(membership))
            .values_list("pk", flat=True)
        )
    shared: dict[int, set[int]] = {}
    if membership is not None:
        for place_id, minutes_id in Distribution.objects.filter(
            meeting_child__meeting=meeting, recipient=membership.pk
        ).values_list("meeting_child_id", "minutes_id"):
            shared.setdefault(place_id, set()).add(minutes_id)
    records = {
        (r.meeting_child_id, r.minutes_id): r
        for r in ChildRecord.objects.filter(minutes__meeting=meeting).select_related(
            "meeting_child", "aim_lead_person", "aim_lead_agency"
        )
    }
    links = []
    for place in places:
        everything = place.pk in whole
        readable = [v for v in versions if everything or v.pk in shared.get(place.pk, set())]
        newest = readable[-1] if readable else None
        links.append(
            ChildLinks(
                place=place,
                sees_everything=everything,
                versions=readable,
                record=records.get((place.pk, newest.pk)) if everything and newest else None,
                name=reader.name(place) if reader is not None else place.child.full_name,
            )
        )
    return links


def draft_of(meeting: StrategyMeeting) -> MinutesVersion | None:
    return next((v for v in meeting.minutes.all() if v.is_draft), None)


def latest_approved_of(meeting: StrategyMeeting) -> MinutesVersion | None:
    approved = [v for v in meeting.minutes.all() if v.is_approved]
    return approved[-1] if approved else None


def actions_of(minutes: MinutesVersion, membership: Membership | None) -> list[MeetingAction]:
    """The actions of one version this membership may see, with their owners and children,
    soonest due first."""
    return list(
        access.visible(membership, MeetingAction.objects.filter(minutes=minutes))
        .select_related("owner", "owner_agency", "minutes__meeting")
        .prefetch_related(
            Prefetch("children", queryset=MeetingChild.objects.select_related("child"))
        )
        .annotate(
            is_done=Exists(ActionCompletion.objects.filter(key=OuterRef("key"))),
        )
        .order_by("due_on", "pk")
    )


def attendance_of(minutes: MinutesVersion) -> list[Attendance]:
    return list(minutes.attendance.order_by("position"))


def invitation_for_page() -> QuerySet[Invitation]:
    return Invitation.objects.select_related(
        "agency", "person", "meeting", "meeting__chair__user", "meeting__authority"
    ).prefetch_related(
        Prefetch(
            "meeting__meeting_children",
            queryset=MeetingChild.objects.select_related("child").order_by("position"),
        )
    )


def own_invitations(meeting: StrategyMeeting, membership: Membership | None) -> list[Invitation]:
    """The invitations of this meeting this membership answers."""
    if membership is None:
        return []
    return [
        invitation
        for invitation in meeting.invitations.all()
        if access.allows(membership, Action.CHANGE, invitation)
    ]


# Convening


class Convened(TypedDict):
    is_convened: bool  # a live meeting already covers the referral


def referrals_to_cover(
    referral: Referral, membership: Membership | None
) -> list["WithAnnotations[Referral, Convened]"]:
    """The referrals made with this one (this one first), each with whether it is already
    covered by a meeting, for the manager to choose from. Cross-border, the other child's
    referral is routed to another authority: it is listed so the convening authority can
    cover that child, as CA 8.3 and ST expect."""
    return list(
        Referral.objects.filter(group=referral.group_id)
        .select_related("child", "authority", "happened_in", "screening")
        .prefetch_related(
            Prefetch(
                "allocations",
                queryset=Allocation.objects.filter(ended_at__isnull=True).select_related(
                    "social_worker__user"
                ),
            )
        )
        .annotate(
            is_convened=Exists(services.live_meeting_children().filter(referral=OuterRef("pk")))
        )
        .order_by("part", "pk")
    )


# My work


@dataclass(frozen=True)
class ToConvene:
    referral: Referral
    due_by: datetime | None
    is_overdue: bool


def referrals_to_convene(membership: Membership, *, now: datetime | None = None) -> list[ToConvene]:
    """Referrals of the manager's authorities screened for a strategy meeting and not yet
    convened, with when the meeting is due (the authority's profile; CA 8.3, DD 4), soonest
    received first. Three queries: the referrals, their authorities' timescales, and closure
    days."""
    now = now or timezone.now()
    rows = list(
        access.visible(
            membership,
            Referral.objects.filter(
                authority__in=sorted(membership.authority_ids),
                status=ReferralStatus.STRATEGY_MEETING,
            ).exclude(pk__in=services.live_meeting_children().values("referral_id")),
        ).order_by("received_at", "pk")[:MY_WORK_ROWS]
    )
    timescales = {
        t.authority_id: t
        for t in Timescale.objects.filter(
            authority__in={r.authority_id for r in rows}, rule=TimescaleRule.STRATEGY_MEETING
        )
    }
    closures = _closures_for({r.authority_id for r in rows}) if rows else {}
    found = []
    for row in rows:
        timescale = timescales.get(row.authority_id)
        due = (
            timescale.apply(row.received_at, closures=closures.get(row.authority_id, frozenset()))
            if timescale is not None
            else None
        )
        due_by = due if isinstance(due, datetime) else None
        found.append(ToConvene(row, due_by, due_by is not None and due_by < now))
    return found


def _closures_for(authority_ids: set[int]) -> dict[int, frozenset[date]]:
    days = list(
        ClosureDay.objects.filter(
            Q(authority__in=authority_ids) | Q(authority__isnull=True)
        ).values_list("authority_id", "day")
    )
    national = frozenset(day for authority, day in days if authority is None)
    return {
        pk: national | frozenset(day for authority, day in days if authority == pk)
        for pk in authority_ids
    }


def meetings_chaired_by(membership: Membership) -> QuerySet[StrategyMeeting]:
    """Meetings this manager chairs that are not finished: to hold, to record, to approve,
    or with an amendment being drafted. Soonest first."""
    draft = MinutesVersion.objects.filter(meeting=OuterRef("pk"), status=MinutesStatus.DRAFT)
    return (
        StrategyMeeting.objects.filter(chair=membership.pk)
        .exclude(status=MeetingStatus.CANCELLED)
        .annotate(has_draft=Exists(draft), children_count=Count("meeting_children"))
        .filter(Q(status__in=[MeetingStatus.CONVENED, MeetingStatus.HELD]) | Q(has_draft=True))
        .order_by("scheduled_for", "pk")
    )


def meetings_invited_to(membership: Membership) -> QuerySet[StrategyMeeting]:
    """Meetings not yet held that this person, or their agency as a whole, is invited to."""
    invited = access.invitations_of(membership).values("meeting_id")
    return (
        StrategyMeeting.objects.filter(pk__in=invited, status=MeetingStatus.CONVENED)
        .select_related("authority")
        .annotate(children_count=Count("meeting_children"))
        .order_by("scheduled_for", "pk")
    )


def _current_actions() -> QuerySet[MeetingAction]:
    """Actions of the latest approved minutes of each meeting, not yet done."""
    later = MinutesVersion.objects.filter(
        meeting=OuterRef("minutes__meeting"),
        status=MinutesStatus.APPROVED,
        number__gt=OuterRef("minutes__number"),
    )
    done = ActionCompletion.objects.filter(key=OuterRef("key"))
    return (
        MeetingAction.objects.filter(minutes__status=MinutesStatus.APPROVED)
        .exclude(Exists(later))
        .exclude(Exists(done))
        .exclude(minutes__meeting__status=MeetingStatus.CANCELLED)
    )


def _with_overdue(rows: QuerySet[MeetingAction], today: date) -> QuerySet[MeetingAction]:
    return rows.annotate(
        is_overdue=ExpressionWrapper(Q(due_on__lt=today), output_field=BooleanField())
    )


def actions_owned_by(membership: Membership) -> QuerySet[MeetingAction]:
    """This person's open actions, soonest due first, overdue marked."""
    today = timezone.localdate()
    rows = _current_actions().filter(owner=membership.user_id)
    return (
        _with_overdue(rows, today)
        .select_related("minutes__meeting", "owner_agency")
        .order_by("due_on", "pk")
    )


def overdue_actions_for_chair(membership: Membership) -> QuerySet[MeetingAction]:
    """Overdue actions of the meetings this manager chairs, soonest due first."""
    today = timezone.localdate()
    rows = _current_actions().filter(minutes__meeting__chair=membership.pk, due_on__lt=today)
    return (
        _with_overdue(rows, today)
        .select_related("minutes__meeting", "owner", "owner_agency")
        .order_by("due_on", "pk")
    )


def _outcomes() -> QuerySet[ChildRecord]:
    """Children's conference and plan review dates from each meeting's latest approved
    minutes, soonest due first."""
    today = timezone.localdate()
    return (
        ChildRecord.objects.filter(
            services.is_not_superseded(),
            decision__in=[ThresholdDecision.S47_THRESHOLD_MET, ThresholdDecision.CIN_PLAN],
        )
        .exclude(minutes__meeting__status=MeetingStatus.CANCELLED)
        .annotate(
            is_overdue=ExpressionWrapper(
                Q(icpc_due_on__lt=today, conference_on__isnull=True)
                | Q(cin_review_due_on__lt=today),
                output_field=BooleanField(),
            )
        )
        .select_related("meeting_child__referral", "minutes__meeting")
        .order_by("icpc_due_on", "cin_review_due_on", "pk")
    )


def outcomes_for_chair(membership: Membership) -> QuerySet[ChildRecord]:
    """The conference and plan review dates of the children of meetings this manager chairs."""
    return _outcomes().filter(minutes__meeting__chair=membership.pk)


def minutes_sent_to(membership: Membership) -> QuerySet[Distribution]:
    """The children's minutes the chair sent to this person, in this role, newest first."""
    return (
        Distribution.objects.filter(recipient=membership.pk)
        .select_related("meeting_child__meeting", "minutes")
        .order_by("-distributed_at", "-pk")
    )


def outcomes_for_social_worker(membership: Membership) -> QuerySet[ChildRecord]:
    """The conference and plan review dates of the children allocated to this social worker,
    from each meeting's latest approved minutes; soonest due first."""
    allocated = Allocation.objects.filter(
        social_worker=membership.pk, ended_at__isnull=True
    ).values("referral_id")
    return _outcomes().filter(meeting_child__referral__in=allocated)


def people_for(meeting: StrategyMeeting, places: Sequence[MeetingChild]) -> QuerySet[Membership]:
    """People who may own an action or lead an AIM assessment: anyone acting for an agency
    serving the meeting's or the children's authorities."""
    authorities = [meeting.authority, *(place.referral.authority for place in places)]
    return services.invitable_people(authorities)
