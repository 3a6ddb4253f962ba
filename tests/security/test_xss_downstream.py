"""Issue 10, point 4: nothing a person typed is ever markup, on any page that shows it.

test_hostile_input.py checks the page a form posts to. This walk goes downstream. A whole case
is built through the real services with markup in what people type (the children's family
names, the authority's, agencies' and people's names, reasons, contributions, the meeting's
place, its attendance and actions, a police reference, no-names advice, retention reasons...);
then markup is written into every other stored text field too, so that none is missed (the
audit log's own fields get theirs from the services, as it refuses changes). Each piece of
markup carries a marker naming its field.

Then each person of the case, in their role, GETs every page of the URL conf with the ids of
these records (as the canary walk does), and the administrator every page of records
administration about them; each HTML page is parsed, and no element or attribute from the
markup may exist on it. Markup written as a template (``{{ 7|add:8 }}``) must stay text too.
"""

import ast
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import connection, models
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from hsb_portal.accounts.models import (
    Agency,
    AgencyKind,
    ClosureDay,
    LocalAuthority,
    Membership,
    MembershipGrant,
    Role,
    SignedInSession,
)
from hsb_portal.accounts.procedure_profiles import CAMDEN_LIKE, apply_profile
from hsb_portal.retention import services as retention
from hsb_portal.retention.models import RetainedChild, RetentionRule
from hsb_portal.retention.schedule import seed_default_schedule
from referrals import services as referrals
from referrals.models import NoNamesConsultation, Referral
from strategy import services as aim
from strategy.meetings import services as meetings
from strategy.models import (
    AimAssessment,
    AttendanceStatus,
    MeetingAction,
    StrategyMeeting,
    ThresholdDecision,
)
from tests import cases
from tests.conftest import signed_in
from tests.factories import (
    GuidanceRuleFactory,
    LocalAuthorityFactory,
    MembershipFactory,
)
from tests.retention.conftest import closed_case
from tests.security.routes import post_forms, urls_taking
from triage.models import Child, Colour, Concern, NextStep, Part

pytestmark = pytest.mark.django_db

MARKER = "data-x"
# Markup of every kind a stored value could carry into a page: an element, an attribute
# breaking out of a double- or single-quoted attribute, and the redirect the issue reported
# (a <meta> refresh works despite the CSP). Each names its field in the marker attribute.
SHAPES = [
    '<meta {marker}="{n}" http-equiv="refresh" content="0;url=https://example.invalid/">',
    '"><img {marker}="{n}" src=x onerror=alert(1)>',
    "'><svg {marker}='{n}' onload=alert(1)>",
    "<b {marker}={n}>bold</b>",
]
SHORTEST = "<i {marker}>"  # 10 characters, for a postcode
# A value rendered as a template would show 15.
TEMPLATE = " Tpl{{ 7|add:8 }}x"
EVALUATED = "Tpl15x"


class Planted:
    """Every field given markup, by the number its marker carries."""

    def __init__(self) -> None:
        self.fields: list[str] = []
        self._shapes = itertools.cycle(SHAPES)

    def markup(self, where: str, room: int | None = None) -> str:
        """Markup that fits in ``room`` characters, naming ``where`` by its number."""
        self.fields.append(where)
        number = len(self.fields) - 1
        for _ in SHAPES:
            shape = next(self._shapes).format(marker=MARKER, n=number)
            if room is None or len(shape) <= room:
                if room is None or len(shape) + len(TEMPLATE) <= room:
                    shape += TEMPLATE
                return shape
        return SHORTEST.format(marker=MARKER)

    def typed(self, where: str) -> str:
        """What a person types into a form field, for the services."""
        return f"{where}: {self.markup(where)}"


# Text that is not typed by a person: keys, codes looked up in catalogues, the Brook tool and
# other data shipped with the product.
NOT_TYPED = {
    "accounts.user.password",
    "accounts.localauthority.code",
    "accounts.signedinsession.session_key",
    "triage.brookrating.offered_band_codes",
    "referrals.referral.brook_band",
    "strategy.meetingchild.letter",
    "strategy.aimfactorrating.factor",
}
SHIPPED_MODELS = {"triage.brookedition", "triage.brookband", "triage.brookbehaviour"}
PLANTED_APPS = {"accounts", "triage", "referrals", "strategy", "retention"}

# The people of the case, by what they are to it (as in the canary walk), and an administrator.
PRACTITIONER = "practitioner of the referring school"
DSL = "DSL of the referring school"
POLICE = "police practitioner (invited; sent a police notification)"
HEALTH = "health practitioner (invited)"
SCREENER = "MASH screener of the children's authority"
SW_HARMER = "social worker of the child who has harmed"
SW_VICTIM = "social worker of the child harmed"
OTHER_SCREENER = "MASH screener of another authority"
MANAGER = "social work manager (chair)"
AUDITOR = "auditor of the authority"
ADMINISTRATOR = "administrator of the authority (records administration too)"
PEOPLE = [
    PRACTITIONER,
    DSL,
    POLICE,
    HEALTH,
    SCREENER,
    SW_HARMER,
    SW_VICTIM,
    OTHER_SCREENER,
    MANAGER,
    AUDITOR,
    ADMINISTRATOR,
]


@dataclass
class World:
    harmer: Child
    victim: Child
    old_child: Child
    concern: Concern
    referrals: list[Referral]
    meeting: StrategyMeeting
    action: MeetingAction
    assessment: AimAssessment
    consultation: NoNamesConsultation
    rule: RetentionRule
    extra_ids: list[dict[str, Any]]
    people: dict[str, Membership]


@pytest.fixture
def planted() -> Planted:
    return Planted()


@pytest.fixture
def authority(db: None, planted: Planted) -> LocalAuthority:
    # The authority's name is typed in records administration, and agencies are named after it.
    return LocalAuthorityFactory(name=planted.typed("authority name"), code="home")


@pytest.fixture
def world(
    authority: LocalAuthority,
    other_authority: LocalAuthority,
    agency_for: Callable[..., Agency],
    planted: Planted,
) -> World:
    typed = planted.typed
    call_command("loaddata", "brook_traffic_light", verbosity=0)
    apply_profile(authority, CAMDEN_LIKE)
    GuidanceRuleFactory(
        authority=authority,
        colour=Colour.RED,
        advice_text=typed("guidance advice"),
        recommended_next_step=NextStep.REFER,
    )
    ClosureDay.objects.create(authority=authority, day=date(2026, 12, 24), reason=typed("closure"))

    def person(role: Role, kind: AgencyKind, where: LocalAuthority = authority) -> Membership:
        return MembershipFactory(
            role=role,
            agency=agency_for(kind, where),
            user__full_name=typed("person's name"),
            user__job_title=typed("job title"),
        )

    people = {
        PRACTITIONER: person(Role.PRACTITIONER, AgencyKind.SCHOOL),
        DSL: person(Role.DSL, AgencyKind.SCHOOL),
        POLICE: person(Role.PRACTITIONER, AgencyKind.POLICE),
        HEALTH: person(Role.PRACTITIONER, AgencyKind.HEALTH),
        SCREENER: person(Role.MASH_SCREENER, AgencyKind.MASH),
        SW_HARMER: person(Role.SOCIAL_WORKER, AgencyKind.CHILDRENS_SOCIAL_CARE),
        SW_VICTIM: person(Role.SOCIAL_WORKER, AgencyKind.CHILDRENS_SOCIAL_CARE),
        OTHER_SCREENER: person(Role.MASH_SCREENER, AgencyKind.MASH, other_authority),
        MANAGER: person(Role.SW_MANAGER, AgencyKind.CHILDRENS_SOCIAL_CARE),
        AUDITOR: person(Role.AUDITOR, AgencyKind.CHILDRENS_SOCIAL_CARE),
        ADMINISTRATOR: person(Role.ADMINISTRATOR, AgencyKind.CHILDRENS_SOCIAL_CARE),
    }
    concern = cases.raise_and_rate(
        authority,
        people[PRACTITIONER],
        people[DSL],
        harmer_family_name=typed("family name"),
        harmed_family_name=typed("family name"),
    )
    workers = {Part.CHILD_WHO_HARMED: people[SW_HARMER], Part.CHILD_HARMED: people[SW_VICTIM]}
    made = cases.refer_screen_allocate(
        concern,
        people[DSL],
        people[SCREENER],
        workers,
        screening_notes={
            Part.CHILD_WHO_HARMED: typed("screening reasons"),
            Part.CHILD_HARMED: typed("screening reasons"),
        },
    )
    harmer, victim = made[Part.CHILD_WHO_HARMED].child, made[Part.CHILD_HARMED].child
    # The details a practitioner adds to a child's record later (the sweep plants them).
    Child.objects.filter(pk__in=[harmer.pk, victim.pk]).update(
        known_as="Ri",
        gender="Boy",
        ethnicity="White British",
        address="4 Quay Street, Harbourside",
        postcode="HB1 4QS",
        school_or_setting="Harbour Primary",
        send_details="Speech and language support",
    )
    meeting, action = _meeting(made, people, typed)
    assessment = _assessment(harmer, people[SW_HARMER], typed)
    by_phone = _telephone_and_police(authority, harmer, victim, people, planted)
    consultation = referrals.record_no_names_consultation(
        authority=authority,
        asked_by_agency=people[PRACTITIONER].agency,
        asked_by=typed("asked by"),
        asked_at=timezone.now(),
        question=typed("no-names question"),
        advice=typed("no-names advice"),
        submission=uuid4(),
        by=people[SCREENER].user,
        membership=people[SCREENER],
    )
    old_child, rule, extra = _retention(authority, harmer, people[ADMINISTRATOR], typed)
    MembershipGrant.objects.create(
        user=people[HEALTH].user,
        agency=people[ADMINISTRATOR].agency,
        role=Role.AUDITOR,
        reason=typed("role request reason"),
        proposed_by=people[ADMINISTRATOR].user,
    )
    _records_administration(people[ADMINISTRATOR])
    return World(
        harmer=harmer,
        victim=victim,
        old_child=old_child,
        concern=concern,
        referrals=[*made.values(), *by_phone],
        meeting=meeting,
        action=action,
        assessment=assessment,
        consultation=consultation,
        rule=rule,
        extra_ids=extra,
        people=people,
    )


def _meeting(
    made: dict[str, Referral], people: dict[str, Membership], typed: Callable[[str], str]
) -> tuple[StrategyMeeting, MeetingAction]:
    """Convened, answered, held, minuted, approved, distributed, then amended: the minutes'
    forms are open again, with everything recorded so far in them."""
    manager, police, health = people[MANAGER], people[POLICE], people[HEALTH]
    acting = {"by": manager.user, "membership": manager}
    meeting = meetings.convene_strategy_meeting(
        starting=made[Part.CHILD_WHO_HARMED],
        referrals=list(made.values()),
        chair=manager,
        scheduled_for=timezone.now() + timedelta(hours=2),
        meeting_format="in_person",
        location=typed("meeting location"),
        late_reason=typed("late reason"),
        agencies=[police.agency, health.agency],
        **acting,
    )
    invitation = meeting.invitations.get(agency=health.agency, person__isnull=True)
    meetings.answer_invitation(
        invitation=invitation,
        response="apologies",
        contribution=typed("written contribution"),
        risk_view=typed("view of risk"),
        version=invitation.version,
        by=health.user,
        membership=health,
    )
    meeting.refresh_from_db()
    minutes = meetings.record_meeting_held(
        meeting=meeting, held_on=timezone.localdate(), version=meeting.version, **acting
    )
    meetings.record_attendance(
        minutes=minutes,
        answers={
            row.pk: meetings.AttendanceAnswer(typed("attendee"), AttendanceStatus.PRESENT)
            for row in minutes.attendance.all()
        },
        others=[(typed("other attendee"), typed("their agency"), typed("their role"))],
        version=minutes.version,
        **acting,
    )
    places = list(meeting.meeting_children.select_related("child", "referral__authority"))
    for place in places:
        minutes.refresh_from_db()
        meetings.record_child_minutes(
            minutes=minutes,
            place=place,
            answers=meetings.ChildMinutesInput(
                risks=typed("risks"),
                other_children_in_household=typed("other children"),
                decision=ThresholdDecision.CIN_PLAN,
                decision_reasons=typed("decision reasons"),
                aim_needed="no",
            ),
            agency_information={
                police.agency: typed("police information"),
                health.agency: typed("health information"),
            },
            version=minutes.version,
            **acting,
        )
    minutes.refresh_from_db()
    action = meetings.add_action(
        minutes=minutes,
        action=meetings.ActionInput(
            description=typed("action"),
            owner=people[SW_HARMER],
            due_on=timezone.localdate() + timedelta(days=7),
            children=places,
        ),
        version=minutes.version,
        **acting,
    )
    minutes.refresh_from_db()
    meetings.approve_minutes(minutes=minutes, version=minutes.version, **acting)
    minutes.refresh_from_db()
    by_part = {place.part: place for place in places}
    meetings.distribute_minutes(
        minutes=minutes,
        choices={
            by_part[Part.CHILD_WHO_HARMED]: [police],
            by_part[Part.CHILD_HARMED]: [health],
        },
        **acting,
    )
    approved_action = MeetingAction.objects.get(key=action.key, minutes=minutes)
    meetings.complete_action(
        meeting_action=approved_action,
        completed_on=timezone.localdate(),
        by=people[SW_HARMER].user,
        membership=people[SW_HARMER],
    )
    meeting.refresh_from_db()
    meetings.amend_minutes(
        meeting=meeting, reason=typed("amendment reason"), version=meeting.version, **acting
    )
    return meeting, approved_action


def _assessment(harmer: Child, lead: Membership, typed: Callable[[str], str]) -> AimAssessment:
    lead.user.aim_certified_on = date(2024, 9, 12)
    lead.user.save(update_fields=["aim_certified_on"])
    assessment = aim.start_aim_assessment(
        child=harmer,
        model_version="AIM2",
        started_on=timezone.localdate(),
        co_workers=[],
        submission=uuid4(),
        by=lead.user,
        membership=lead,
    )
    domain = assessment.model.domains[0]
    return aim.rate_aim_domain(
        assessment=assessment,
        domain_code=domain.code,
        answers={domain.factors[0].code: aim.FactorAnswer(1, typed("evidence"))},
        version=assessment.version,
        by=lead.user,
        membership=lead,
    )


def _telephone_and_police(
    authority: LocalAuthority,
    harmer: Child,
    victim: Child,
    people: dict[str, Membership],
    planted: Planted,
) -> list[Referral]:
    typed = planted.typed
    consent = referrals.Consent(parents_informed=True, sharing_agreed_by="parent")
    children = [
        referrals.ChildToRefer(part=Part.CHILD_WHO_HARMED, consent=consent, child=harmer),
        referrals.ChildToRefer(part=Part.CHILD_HARMED, consent=consent, child=victim),
    ]
    contents = referrals.Contents(
        incident_details=typed("incident details"),
        victim_vulnerability=typed("vulnerability"),
        coercion_or_duress=typed("coercion"),
        referrer_risk_level="high",
        other_children_at_risk="no",
    )
    common = {
        "children": children,
        "contents": contents,
        "happened_in": authority,
        "incident_on": timezone.localdate(),
        "brook_colour": Colour.RED,
        "dsl_consulted": "yes",
        "dsl_name": typed("DSL's name"),
        "unpaired_reason": "",
    }
    phoned = referrals.record_telephone_referral(
        referrer=referrals.Referrer(name=typed("caller"), role=typed("caller's role")),
        phoned_at=timezone.now(),
        submission=uuid4(),
        by=people[SCREENER].user,
        membership=people[SCREENER],
        **common,
    )
    notified = referrals.record_police_notification(
        police_reference=planted.markup("police reference", 50),
        submission=uuid4(),
        by=people[POLICE].user,
        membership=people[POLICE],
        **common,
    )
    return [*phoned, *notified]


def _retention(
    authority: LocalAuthority,
    harmer: Child,
    administrator: Membership,
    typed: Callable[[str], str],
) -> tuple[Child, RetentionRule, list[dict[str, Any]]]:
    """A child past retention proposed for disposal, a legal hold on the child who has harmed,
    and a shorter period waiting for a second administrator."""
    seed_default_schedule(authority)
    old = closed_case(
        authority, kind="early_help", born=date(2001, 4, 2), closed_on=date(2012, 5, 5)
    )
    acting = {"by": administrator.user, "membership": administrator}
    review = retention.propose_disposal(
        authority=authority,
        children=[RetainedChild.objects.get(pk=old.pk)],
        reason=typed("disposal reason"),
        **acting,
    )
    hold = retention.place_legal_hold(
        child=RetainedChild.objects.get(pk=harmer.pk), reason=typed("legal hold"), **acting
    )
    rule = authority.retention_rules.order_by("pk").first()
    assert rule is not None
    change = retention.change_retention_rule(
        rule=rule,
        years=rule.years - 1,
        reason=typed("shorter period"),
        version=rule.version,
        **acting,
    )
    extra = [
        {"review": review.public_id},
        {"hold": hold.public_id},
        {"change": change.public_id},
        {"rule": rule.public_id},
        {"child": old.public_id},
    ]
    return old, rule, extra


def _records_administration(administrator: Membership) -> None:
    administrator.user.is_staff = True
    administrator.user.save(update_fields=["is_staff"])
    administrator.user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label__in=["accounts", "audit", "triage"])
    )


def plant_every_other_field(planted: Planted) -> None:
    """Markup in every stored text field people typed, in every row, one UPDATE a field.

    On PostgreSQL the rows that never change (approved minutes) refuse an UPDATE, so their
    triggers are off while the markup goes in, as a database owner could switch them off."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        _plant(planted)
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")


def _plant(planted: Planted) -> None:
    for model in apps.get_models():
        meta = model._meta
        if meta.app_label not in PLANTED_APPS or meta.proxy or meta.label_lower in SHIPPED_MODELS:
            continue
        for model_field in meta.concrete_fields:
            where = f"{meta.label_lower}.{model_field.name}"
            if (
                not isinstance(model_field, models.CharField | models.TextField)
                or isinstance(model_field, models.EmailField)
                or model_field.choices
                or where in NOT_TYPED
            ):
                continue
            # An empty field says something (a hold not lifted, a meeting not cancelled):
            # only text someone wrote is replaced.
            rows = model._base_manager.exclude(**{model_field.name: ""})
            if not _is_unique(model, model_field.name):
                if rows.exists():
                    value = planted.markup(where, model_field.max_length)
                    rows.update(**{model_field.name: value})
                continue
            for pk in rows.values_list("pk", flat=True):
                value = planted.markup(where, model_field.max_length)
                model._base_manager.filter(pk=pk).update(**{model_field.name: value})


def _is_unique(model: type[models.Model], name: str) -> bool:
    if model._meta.get_field(name).unique:  # type: ignore[union-attr]
        return True
    return any(
        name in getattr(constraint, "fields", ())
        for constraint in model._meta.constraints
        if isinstance(constraint, models.UniqueConstraint)
    )


def urls_about(world: World) -> Iterator[tuple[str, str]]:
    meeting = world.meeting
    minutes = list(meeting.minutes.order_by("number"))
    places = list(meeting.meeting_children.all())
    argument_sets: list[dict[str, Any]] = [{}]
    argument_sets += [{"child": c.public_id} for c in (world.harmer, world.victim)]
    argument_sets += [{"concern": world.concern.public_id}]
    argument_sets += [
        {"concern": world.concern.public_id, "involvement": i.public_id}
        for i in world.concern.involvements.all()
    ]
    argument_sets += [{"referral": r.public_id} for r in world.referrals]
    argument_sets += [{"meeting": meeting.public_id}]
    argument_sets += [
        {"meeting": meeting.public_id, "invitation": i.public_id} for i in meeting.invitations.all()
    ]
    argument_sets += [
        {"meeting": meeting.public_id, "action": a.public_id}
        for a in MeetingAction.objects.filter(minutes__meeting=meeting)
    ]
    argument_sets += [
        {"meeting": meeting.public_id, "meeting_child": p.public_id, **extra}
        for p in places
        for extra in ({}, *({"minutes": m.public_id} for m in minutes))
    ]
    argument_sets += [{"assessment": world.assessment.public_id}]
    argument_sets += [
        {"assessment": world.assessment.public_id, "domain": d.code}
        for d in world.assessment.model.domains[:1]
    ]
    argument_sets += [{"consultation": world.consultation.public_id}]
    argument_sets += world.extra_ids
    yield from urls_taking(argument_sets)


def records_administration_urls() -> Iterator[tuple[str, str]]:
    """Records administration: its index, and each model's list and the page of a row."""
    yield "admin:index", reverse("admin:index")
    for model in admin.site._registry:
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        yield f"{info}_changelist", reverse(f"{info}_changelist")
        row = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
        if row is None:
            continue
        try:
            yield f"{info}_change", reverse(f"{info}_change", args=[row])
        except NoReverseMatch:
            continue


class MarkupFinder(HTMLParser):
    """Elements and attributes that came from the planted markup."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == MARKER:
                self.found.append(f"<{tag} {MARKER}={value}>")
            elif name == "http-equiv":
                self.found.append(f"<{tag} http-equiv={value}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)


def unescaped(html: str) -> list[str]:
    finder = MarkupFinder()
    finder.feed(html)
    finder.close()
    found = finder.found
    if EVALUATED in html:
        found.append("a value rendered as a template")
    return found


def field_of(finding: str, planted: Planted) -> str:
    """The planted field a finding's marker names."""
    for number, where in enumerate(planted.fields):
        if f"{MARKER}={number}>" in finding:
            return where
    return finding


@pytest.mark.parametrize("person", PEOPLE)
def test_no_markup_anyone_typed_appears_on_any_page_of_any_role(
    person: str,
    world: World,
    planted: Planted,
    record_property: Callable[[str, object], None],
) -> None:
    client = signed_in(Client(), world.people[person])
    plant_every_other_field(planted)
    urls = list(urls_about(world))
    if person == ADMINISTRATOR:
        urls += list(records_administration_urls())
    findings: dict[str, list[str]] = {}
    pages = 0
    shown = []  # pages that show planted markup, as text

    for name, url in urls:
        response = client.get(url)
        assert response.status_code != 500, f"{person}: {name} {url} gave a server error"
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        pages += 1
        html = response.content.decode()
        if MARKER in html:  # as text, unless it is a finding below
            shown.append(name)
        for finding in unescaped(html):
            findings.setdefault(f"{name} {url}", []).append(field_of(finding, planted))

    record_property("xss_downstream_payloads", len(planted.fields))
    record_property("xss_downstream_pages", pages)
    record_property("xss_downstream_unescaped", sum(len(found) for found in findings.values()))
    assert findings == {}, f"{person} saw markup as markup: {findings}"
    # The walk reaches pages that show what was planted, so a pass is not an empty walk.
    assert len(shown) > 20, f"{person}: planted text shown on only {shown}"
    if person == ADMINISTRATOR:
        assert sum(name.startswith("admin:") for name in shown) > 10


# What keeps the walk's result true for pages it does not reach yet.

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ["hsb_portal", "triage", "referrals", "strategy"]
# Markup the templates themselves build, never a stored value: a fieldset's rendered fields
# and its attributes (set in code), and the password reset e-mail, which is plain text.
SAFE_ON_PURPOSE = {
    "templates/gds/layout/fieldset.html": ["{{ fieldset.flat_attrs|safe }}", "{{ fields|safe }}"],
    "templates/registration/password_reset_email.html": ["{% autoescape off %}"],
}


def our_templates() -> Iterator[Path]:
    yield from (ROOT / "templates").rglob("*.html")
    for package in PACKAGES:
        yield from (ROOT / package).rglob("templates/**/*.html")


def test_no_template_of_ours_marks_a_value_safe() -> None:
    marked = []
    for path in our_templates():
        text = path.read_text()
        for allowed in SAFE_ON_PURPOSE.get(str(path.relative_to(ROOT)), []):
            text = text.replace(allowed, "")
        if "|safe" in text or "autoescape off" in text:
            marked.append(str(path.relative_to(ROOT)))

    assert marked == []


def python_modules() -> Iterator[Path]:
    for package in PACKAGES:
        yield from (p for p in (ROOT / package).rglob("*.py") if "migrations" not in p.parts)


def test_no_code_of_ours_marks_text_safe_or_renders_it_as_a_template() -> None:
    """``mark_safe`` would pass a stored value through as markup; crispy's ``HTML`` and a
    button of crispy's with words made at run time would run it as template code."""
    found = []
    for path in python_modules():
        tree = ast.parse(path.read_text())
        crispy_names = {
            alias.asname or alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("crispy_forms")
            for alias in node.names
        }
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            if name in ("mark_safe", "SafeString"):
                found.append(f"{where} {name}")
            elif name == "HTML" and name in crispy_names:
                found.append(f"{where} crispy's HTML (use hsb_portal.layout.Paragraph)")
            elif name in ("Submit", "Button") and name in crispy_names:
                made = [arg for arg in node.args[1:2] if not isinstance(arg, ast.Constant)]
                if made:
                    found.append(f"{where} crispy's {name} with words made at run time")

    assert found == []


def test_messages_and_errors_naming_planted_text_keep_it_text(
    world: World, planted: Planted
) -> None:
    manager = world.people[MANAGER]
    client = signed_in(Client(), manager)
    signed_in(Client(), manager)  # another browser of theirs, named in the list of sessions
    plant_every_other_field(planted)
    attendance = reverse("meetings:minutes-attendance", args=[world.meeting.public_id])
    (form,) = post_forms(attendance, client.get(attendance).content.decode())
    # Nobody said whether the invitees attended: each error names the invitee.
    data = {
        name: (item.rendered or [""])[0]
        for name, item in form.fields.items()
        if not name.startswith("status-")
    }
    other_session = SignedInSession.objects.filter(user=manager.user).order_by("-pk").first()
    assert other_session is not None

    refused = client.post(form.action, data)
    ended = client.post(reverse("session-end", args=[other_session.public_id]), follow=True)

    assert refused.status_code == 200
    assert "Select whether" in refused.text and MARKER in refused.text
    assert unescaped(refused.text) == []
    assert "You have signed out of" in ended.text and MARKER in ended.text
    assert unescaped(ended.text) == []
