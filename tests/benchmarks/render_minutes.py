"""Benchmark: render a three-page, minute-like document 20 times and print the median seconds.

Run with ``.venv/bin/python -m tests.benchmarks.render_minutes`` (no database needed). Not a
test: timings depend on the machine. The target is a median under 1 second.
"""

import io
import os
import statistics
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from hsb_portal.accounts.models import User  # noqa: E402
from hsb_portal.documents import render_pdf  # noqa: E402

RUNS = 20
TEMPLATES = Path(__file__).parent / "templates"
DISCUSSION = (
    "The chair summarised what is known so far and asked each agency to add what it holds. "
    "The school described the child's attendance, friendships and the supervision in place "
    "at breaks. Police confirmed the enquiry is at an early stage and that no interviews will "
    "take place before the joint plan is agreed. Health reported no outstanding appointments."
)
AGENDA = [
    "Immediate protection of the children involved",
    "Other children who may be at risk",
    "Each agency's role and its risk management",
    "Assessment, investigation and support",
    "Whether an AIM assessment is needed",
    "Medical checks, and any links to exploitation",
]


def minutes_context() -> dict[str, Any]:
    held_on = datetime(2026, 3, 5, 10, 30, tzinfo=ZoneInfo("Europe/London"))
    return {
        "held_on": held_on,
        "chair": "Mo Testmanager",
        "attendees": [
            {"name": f"Attendee {n}", "role": role, "agency": f"Testshire {agency}"}
            for n, (role, agency) in enumerate(
                [
                    ("Chair", "Children's Social Care"),
                    ("Social worker", "Children's Social Care"),
                    ("Detective constable", "Police"),
                    ("School nurse", "Community Health"),
                    ("Designated safeguarding lead", "Academy"),
                    ("Youth justice worker", "Youth Justice Service"),
                    ("Clinician", "CAMHS"),
                ],
                start=1,
            )
        ],
        "agenda": [{"heading": heading, "discussion": [DISCUSSION] * 2} for heading in AGENDA],
        "decisions": [
            {"question": "Threshold", "answer": "Section 47 enquiry to start."},
            {"question": "AIM assessment", "answer": "Allocate an AIM3 assessment to YJS."},
            {"question": "Separate social workers", "answer": "Yes, one for each child."},
        ],
        "actions": [
            {
                "text": f"Action {n}: share the agreed plan with the agency named.",
                "owner": f"Attendee {n}",
                "due": date(2026, 3, 5) + timedelta(days=n),
            }
            for n in range(1, 13)
        ],
    }


def main() -> None:
    engine = dict(settings.TEMPLATES[0])
    engine["DIRS"] = [*engine["DIRS"], TEMPLATES]
    author = User(full_name="Benchmark Person", email="benchmark@agency.example")
    context = minutes_context()
    timings = []
    with override_settings(TEMPLATES=[engine]):
        for _ in range(RUNS):
            started = time.perf_counter()
            data = render_pdf(
                template_name="benchmarks/minutes.html",
                context=context,
                generated_by=author,
                title="Strategy meeting minutes for Robin Testcase",
            )
            timings.append(time.perf_counter() - started)
    pages = len(PdfReader(io.BytesIO(data)).pages)
    print(f"Rendered a {pages}-page minute-like document {RUNS} times ({len(data):,} bytes)")
    print(
        f"first run {timings[0]:.3f} s, fastest {min(timings):.3f} s, slowest {max(timings):.3f} s"
    )
    print(f"median {statistics.median(timings):.3f} s")


if __name__ == "__main__":
    main()
