"""Benchmark: render one child's real strategy meeting minutes to PDF 20 times; print the median.

Unlike ``render_minutes`` (a minute-like sample template), this goes the whole way a download
does: the meeting is made with the strategy meeting services in a throwaway in-memory database,
and each run builds the child's minutes (eight queries), redacts the other child from them and
renders ``documents/minutes_child.html``. The minutes are sized to three A4 pages.

Run with ``.venv/bin/python -m tests.benchmarks.render_strategy_minutes``. Not a test: timings
depend on the machine. The target is a median under 1 second.
"""

import io
import os
import statistics
import time
from datetime import date

os.environ["DATABASE_URL"] = "sqlite://:memory:"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from hsb_portal.accounts.models import AgencyKind, LocalAuthority, Role  # noqa: E402
from hsb_portal.accounts.procedure_profiles import CAMDEN_LIKE, apply_profile  # noqa: E402
from hsb_portal.documents import render_pdf  # noqa: E402
from strategy.meetings import services  # noqa: E402
from strategy.meetings.documents import TEMPLATE  # noqa: E402
from strategy.meetings.minutes import minutes_for_child  # noqa: E402
from strategy.models import MeetingChild, ThresholdDecision  # noqa: E402
from tests.factories import AgencyFactory, MembershipFactory  # noqa: E402

RUNS = 20
PARAGRAPH = (
    "Sam Pellingford told her class teacher that Riley Ashcombe followed her to the toilets "
    "twice last week. The school has moved Riley's lunch sitting and a named adult now "
    "supervises the playground at break. Police confirmed the enquiry is at an early stage and "
    "that no interviews will take place before the joint plan is agreed. "
)


def make_minutes() -> tuple[MeetingChild, object]:
    from tests.strategy.meetings.conftest import (
        add_action,
        approve,
        convene,
        hold,
        make_incident,
        place_of,
        record,
    )

    call_command("migrate", verbosity=0)
    home = LocalAuthority.objects.create(name="Harbourside Borough Council", code="harbourside")
    apply_profile(home, CAMDEN_LIKE)
    made: dict[tuple[str, int], object] = {}

    def agency_for(kind: str, where: LocalAuthority | None = None) -> object:
        where = where or home
        if (kind, where.pk) not in made:
            made[(kind, where.pk)] = AgencyFactory(
                kind=kind, name=f"Harbourside {AgencyKind(kind).label}", authorities=[where]
            )
        return made[(kind, where.pk)]

    incident = make_incident(
        harmer_lives=home, harmed_lives=home, happened_in=home, agency_for=agency_for
    )
    manager = MembershipFactory(
        role=Role.SW_MANAGER,
        agency=agency_for(AgencyKind.CHILDRENS_SOCIAL_CARE),
        user__full_name="Mo Manager",
    )
    kinds = [
        AgencyKind.POLICE,
        AgencyKind.HEALTH,
        AgencyKind.SCHOOL,
        AgencyKind.YOUTH_JUSTICE,
        AgencyKind.CAMHS,
        AgencyKind.EARLY_HELP,
        AgencyKind.VOLUNTARY,
    ]
    agencies = [agency_for(kind) for kind in kinds]
    police = MembershipFactory(
        role=Role.PRACTITIONER, agency=agencies[0], user__full_name="Pat Constable"
    )
    meeting = convene(incident, manager, agencies=agencies)
    hold(meeting, manager)
    record(
        meeting,
        manager,
        "Riley",
        services.ChildMinutesInput(
            risks=PARAGRAPH,
            other_children_in_household="A younger sister, aged 8, who is supervised at home.",
            should_leave_home="no",
            leave_home_detail="Stays at home with a safety plan agreed with his parents.",
            school_safety_plan="yes",
            school_safety_plan_detail="Separate lunch sittings; a named adult at every break.",
            medical_checks="not_applicable",
            at_risk_of_significant_harm="no",
            decision=ThresholdDecision.CIN_PLAN,
            decision_reasons=PARAGRAPH,
            aim_needed="yes",
            aim_lead_agency=agencies[3],
            aim_due_on=date(2026, 12, 18),
        ),
        information=dict.fromkeys(agencies[:3], PARAGRAPH),
    )
    record(meeting, manager, "Sam")
    for n in range(4):
        add_action(
            meeting,
            manager,
            owner=police,
            description=f"Action {n + 1}: share the agreed plan with Sam Pellingford's school.",
            children=["Riley", "Sam"] if n % 2 else ["Riley"],
            due_on=date(2026, 11, 24 + n % 6),
        )
    minutes = approve(meeting, manager)
    return place_of(meeting, "Riley"), minutes


def main() -> None:
    place, minutes = make_minutes()
    place = MeetingChild.objects.select_related(
        "child", "referral", "meeting__authority", "meeting__chair__user", "meeting__chair__agency"
    ).get(pk=place.pk)
    author = minutes.approved_by
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        content = minutes_for_child(place, minutes)
        data = render_pdf(
            template_name=TEMPLATE,
            context={"minutes": content},
            generated_by=author,
            title=content.title,
        )
        timings.append(time.perf_counter() - started)
    pages = len(PdfReader(io.BytesIO(data)).pages)
    print(f"Rendered one child's {pages}-page minutes {RUNS} times ({len(data):,} bytes)")
    print(
        f"first run {timings[0]:.3f} s, fastest {min(timings):.3f} s, slowest {max(timings):.3f} s"
    )
    print(f"median {statistics.median(timings):.3f} s")


if __name__ == "__main__":
    main()
