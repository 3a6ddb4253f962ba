"""One child's minutes, as plain values: what the per-child page and PDF show (minutes are
recorded separately for each child).

``minutes_for_child`` reads that child's record, what each agency shared about them, the actions
that concern them, and the meeting's logistics and attendance; every other child of the case
appears only by pseudonym (a child of the meeting: "Child B") or as "another child" (a child
named in the concerns behind the referrals, such as a witness, or living with a child of the
meeting, such as a sibling), and every string goes through the ``Redactor`` before it is
returned, with the redactions the chair chose when approving. Nothing here holds a database
record, so a template cannot reach another child's details.

``minutes_to_check`` is the same minutes as the chair sees them before approving: each piece of
free text that still resembles another child's details is marked and numbered, for the chair to
keep or redact.
"""

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString

from strategy.meetings.redaction import ANOTHER_CHILD, OtherChild, Redactor, Resemblance
from strategy.models import (
    ActionCompletion,
    AgencyInformation,
    AimNeeded,
    Attendance,
    ChildRecord,
    MeetingAction,
    MeetingChild,
    MinutesStatus,
    MinutesVersion,
    RedactionChoice,
    RedactionDecision,
    ThresholdDecision,
    YesNoNotApplicable,
)
from triage.models import Child, YesNoUnknown

# The fields of the minutes people type (or name people and agencies in): the chair is shown
# what in them still resembles another child. The others are the app's own words.
FREE_TEXT = frozenset(
    {
        "amendment_reason",
        "location",
        "name",
        "role",
        "agency",
        "information",
        "risks",
        "detail",
        "decision_reasons",
        "aim_lead",
        "description",
        "owner",
    }
)


@dataclass(frozen=True)
class AttendanceLine:
    name: str
    agency: str
    role: str
    status: str


@dataclass(frozen=True)
class AgencyLine:
    agency: str
    information: str


@dataclass(frozen=True)
class ProtectionLine:
    question: str
    answer: str
    detail: str


@dataclass(frozen=True)
class ActionLine:
    description: str
    owner: str
    agency: str
    due_on: date
    concerns: str
    status: str
    is_overdue: bool


@dataclass(frozen=True)
class ChildMinutes:
    """Everything one child's minutes show, already redacted."""

    meeting_reference: str
    authority: str
    version_number: int
    is_approved: bool
    is_superseded: bool
    approved_by: str
    approved_at: datetime | None
    amendment_reason: str
    meeting_day: date
    meeting_format: str
    location: str
    chair: str
    child_name: str
    child_born: date
    child_part: str
    pseudonym: str
    referral_reference: str
    others: list[str] = field(default_factory=list)
    attendance: list[AttendanceLine] = field(default_factory=list)
    agency_information: list[AgencyLine] = field(default_factory=list)
    risks: str = ""
    protection: list[ProtectionLine] = field(default_factory=list)
    at_risk_of_significant_harm: str = ""
    needs_separate_meeting: bool = False
    decision: str = ""
    decision_reasons: str = ""
    icpc_due_on: date | None = None
    icpc_rule: str = ""
    conference_on: date | None = None
    cin_review_due_on: date | None = None
    cin_review_rule: str = ""
    aim_needed: str = ""
    aim_lead: str = ""
    aim_due_on: date | None = None
    actions: list[ActionLine] = field(default_factory=list)
    # The names of the meeting's people and agencies from their records, not typed.
    known: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        return f"Strategy meeting minutes: {self.child_name}"


def _answer(value: str, choices: type[YesNoNotApplicable] | type[YesNoUnknown]) -> str:
    return str(choices(value).label) if value else "Not recorded"


def _protection(record: ChildRecord, *, harmer: bool) -> list[ProtectionLine]:
    lines = [
        ProtectionLine(
            "Other children in the household",
            "",
            record.other_children_in_household or "Not recorded",
        )
    ]
    if harmer:
        lines.append(
            ProtectionLine(
                "Should the child who has harmed leave the home, at least for now?",
                _answer(record.should_leave_home, YesNoNotApplicable),
                record.leave_home_detail,
            )
        )
    lines += [
        ProtectionLine(
            "School safety plan",
            _answer(record.school_safety_plan, YesNoNotApplicable),
            record.school_safety_plan_detail,
        ),
        ProtectionLine(
            "Medical checks",
            _answer(record.medical_checks, YesNoNotApplicable),
            record.medical_checks_detail,
        ),
    ]
    return lines


def _aim_lead(record: ChildRecord) -> str:
    people = [p for p in (record.aim_lead_person, record.aim_lead_agency) if p is not None]
    return ", ".join(str(p) for p in people)


def case_children(meeting: Any, places: list[MeetingChild]) -> list[Child]:
    """Every other child named in the case: the children of the concerns behind the meeting's
    referrals (a witness, another child at risk) and those living with a child of the meeting
    (a sibling). One query."""
    mine = [place.child_id for place in places]
    return list(
        Child.objects.filter(
            Q(involvements__concern__referrals__meeting_children__meeting=meeting)
            | Q(household__in=mine)
        )
        .exclude(pk__in=mine)
        .distinct()
        .order_by("pk")
    )


def _redactor(
    place: MeetingChild,
    minutes: MinutesVersion,
    places: list[MeetingChild],
    content: "ChildMinutes",
) -> Redactor:
    """The redactor for ``place``'s minutes: every other child of the meeting by their
    pseudonym, every other child of the case as "another child", the names of the meeting's
    people and agencies known, and the chair's own redactions. Two queries."""
    others = [OtherChild(p.child, p.pseudonym) for p in places if p.pk != place.pk]
    others += [OtherChild(child, ANOTHER_CHILD) for child in case_children(place.meeting, places)]
    chair = place.meeting.chair
    known = {chair.user.full_name, chair.agency.name, *content.known}
    known |= {line.agency for line in content.agency_information}
    known |= {a.owner for a in content.actions} | {a.agency for a in content.actions}
    chosen = RedactionDecision.objects.filter(
        minutes=minutes, meeting_child=place, decision=RedactionChoice.REDACT
    ).values_list("text", "replacement")
    place_child = next(p.child for p in places if p.pk == place.pk)
    return Redactor(keep=[place_child], others=others, known=known, chosen=list(chosen))


def _unredacted(
    place: MeetingChild, minutes: MinutesVersion, today: date
) -> tuple["ChildMinutes", list[MeetingChild]]:
    meeting = place.meeting
    places = list(meeting.meeting_children.select_related("child").order_by("position"))
    attendance = list(Attendance.objects.filter(minutes=minutes).order_by("position"))
    others = [p for p in places if p.pk != place.pk]
    child = next(p.child for p in places if p.pk == place.pk)
    record = ChildRecord.objects.select_related("aim_lead_person", "aim_lead_agency").get(
        minutes=minutes, meeting_child=place
    )
    later = MinutesVersion.objects.filter(
        meeting=meeting, status=MinutesStatus.APPROVED, number__gt=minutes.number
    )
    is_superseded = minutes.is_approved and later.exists()
    actions = list(
        MeetingAction.objects.filter(minutes=minutes, children=place)
        .select_related("owner", "owner_agency")
        .prefetch_related("children")
        .order_by("due_on", "pk")
    )
    done = {c.key: c for c in ActionCompletion.objects.filter(key__in=[a.key for a in actions])}
    names = {p.pk: (child.full_name if p.pk == place.pk else p.pseudonym) for p in places}
    harmer = place.is_child_who_harmed
    decision = ThresholdDecision(record.decision).label if record.decision else "Not recorded"
    content = ChildMinutes(
        meeting_reference=meeting.reference,
        authority=meeting.authority.name,
        version_number=minutes.number,
        is_approved=minutes.is_approved,
        is_superseded=is_superseded,
        approved_by=minutes.approved_by.full_name if minutes.approved_by else "",
        approved_at=minutes.approved_at,
        amendment_reason=minutes.amendment_reason,
        meeting_day=meeting.meeting_day,
        meeting_format=meeting.get_meeting_format_display(),
        location=meeting.location,
        chair=f"{meeting.chair.user.full_name}, {meeting.chair.agency.name}",
        child_name=child.full_name,
        child_born=child.date_of_birth,
        child_part=place.part_words,
        pseudonym=place.pseudonym,
        referral_reference=place.referral.reference,
        others=[f"{p.pseudonym}, {p.part_words}" for p in others],
        attendance=[
            AttendanceLine(row.name, row.agency_name, row.role, row.get_status_display())
            for row in attendance
        ],
        # Invitees' names and agencies come from their accounts; others attending are typed.
        known=[
            text for row in attendance if row.invitation_id for text in (row.name, row.agency_name)
        ],
        agency_information=[
            AgencyLine(row.agency_name, row.information)
            for row in AgencyInformation.objects.filter(
                minutes=minutes, meeting_child=place
            ).order_by("agency_name", "pk")
        ],
        risks=record.risks,
        protection=_protection(record, harmer=harmer),
        at_risk_of_significant_harm=(
            _answer(record.at_risk_of_significant_harm, YesNoUnknown) if harmer else ""
        ),
        needs_separate_meeting=harmer and record.at_risk_of_significant_harm == YesNoUnknown.YES,
        decision=decision,
        decision_reasons=record.decision_reasons,
        icpc_due_on=record.icpc_due_on,
        icpc_rule=record.icpc_rule,
        conference_on=record.conference_on,
        cin_review_due_on=record.cin_review_due_on,
        cin_review_rule=record.cin_review_rule,
        aim_needed=AimNeeded(record.aim_needed).label if record.aim_needed else "",
        aim_lead=_aim_lead(record),
        aim_due_on=record.aim_due_on,
        actions=[
            ActionLine(
                description=action.description,
                owner=action.owner.full_name,
                agency=action.owner_agency.name,
                due_on=action.due_on,
                concerns=" and ".join(names[p.pk] for p in action.children.all()),
                status=(
                    f"Done on {done[action.key].completed_on:%-d %B %Y}"
                    if action.key in done
                    else "Open"
                ),
                is_overdue=(
                    minutes.is_approved and action.key not in done and action.due_on < today
                ),
            )
            for action in actions
        ],
    )
    return content, places


def minutes_for_child(
    place: MeetingChild, minutes: MinutesVersion, *, today: date | None = None
) -> ChildMinutes:
    """The minutes of ``place``'s child in ``minutes``, with every other child as a pseudonym.

    ``place`` comes with its child, referral and meeting (authority and chair) joined, as
    ``access.get_child_minutes_or_deny`` fetches it. Ten queries, whatever the number of
    agencies, actions, attendees or children.
    """
    content, places = _unredacted(place, minutes, today or timezone.localdate())
    return _redactor(place, minutes, places, content).scrub(content)


@dataclass(frozen=True)
class CheckItem:
    """Text in one child's minutes that resembles another child's details: the chair keeps it
    or redacts it (with ``replacement``) before approving."""

    number: int
    key: str
    text: str
    reason: str
    replacement: str
    decision: str = ""
    where: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class MinutesCheck:
    """One child's minutes as their readers will see them, with each resemblance marked."""

    place: MeetingChild
    minutes: ChildMinutes
    items: list[CheckItem]

    @property
    def undecided(self) -> list[CheckItem]:
        return [item for item in self.items if not item.decision]


# Where each free-text field is, in the chair's words.
WHERE = {
    "amendment_reason": "why the minutes are amended",
    "location": "where the meeting was",
    "name": "attendance",
    "role": "attendance",
    "agency": "attendance or information shared",
    "information": "information shared",
    "risks": "risks",
    "detail": "immediate protection",
    "decision_reasons": "reasons for the decision",
    "aim_lead": "who leads the AIM assessment",
    "description": "actions",
    "owner": "actions",
}


def minutes_to_check(
    place: MeetingChild, minutes: MinutesVersion, *, today: date | None = None
) -> MinutesCheck:
    """``place``'s minutes in ``minutes`` as their readers will see them, with every piece of
    free text that still resembles another child's details marked (``<mark>``) and numbered,
    and the chair's decisions so far. Eleven queries."""
    content, places = _unredacted(place, minutes, today or timezone.localdate())
    redactor = _redactor(place, minutes, places, content)
    decided = dict(
        RedactionDecision.objects.filter(minutes=minutes, meeting_child=place).values_list(
            "key", "decision"
        )
    )
    items: dict[str, CheckItem] = {}

    def mark(name: str, text: str) -> str:
        found = [r for r in redactor.resemblances(text) if 0 < len(r.key) <= 200]
        if not found:
            return text
        out, position = [], 0
        for resemblance in found:
            item = items.get(resemblance.key) or _item(resemblance, len(items) + 1, decided)
            items[resemblance.key] = item
            if WHERE[name] not in item.where:
                item.where.append(WHERE[name])
            out += [
                conditional_escape(text[position : resemblance.start]),
                format_html(
                    '<mark>{} <span class="govuk-!-font-weight-bold">(check {})</span></mark>',
                    resemblance.text,
                    item.number,
                ),
            ]
            position = resemblance.end
        out.append(conditional_escape(text[position:]))
        # Every piece is already escaped, so joining them through format_html changes nothing.
        return format_html("{}" * len(out), *out)

    marked = _mark_fields(redactor.scrub(content), mark)
    return MinutesCheck(place, marked, list(items.values()))


def _item(resemblance: Resemblance, number: int, decided: dict[str, str]) -> CheckItem:
    return CheckItem(
        number=number,
        key=resemblance.key,
        text=resemblance.text,
        reason=resemblance.reason,
        replacement=resemblance.replacement,
        decision=decided.get(resemblance.key, ""),
    )


def _mark_fields(value: Any, mark: Any, name: str = "") -> Any:
    if isinstance(value, str) and not isinstance(value, SafeString):
        return mark(name, value) if name in FREE_TEXT else value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(
            value,
            **{
                f.name: _mark_fields(getattr(value, f.name), mark, f.name)
                for f in dataclasses.fields(value)
                if f.init
            },
        )
    if isinstance(value, list):
        return [_mark_fields(item, mark, name) for item in value]
    return value


def later_approved_exists() -> Exists:
    """For MinutesVersion rows: a later approved version supersedes this one."""
    return Exists(
        MinutesVersion.objects.filter(
            meeting=OuterRef("meeting"),
            status=MinutesStatus.APPROVED,
            number__gt=OuterRef("number"),
        )
    )
