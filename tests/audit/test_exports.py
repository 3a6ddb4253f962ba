"""The case history as CSV and PDF: the same entries as the page, each export audited once,
naming only the child; formulas in CSV cells are defused (security.md V1.2.10)."""

import csv
import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from hsb_portal.accounts.models import Membership, Role
from hsb_portal.audit import log as audit
from hsb_portal.audit.exports import csv_cell
from hsb_portal.audit.models import Action, AuditEvent, AuditEventChild
from tests.audit.conftest import Case
from tests.factories import ChildFactory
from triage import services as triage
from triage.models import Child

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("https://attacker.invalid","Open")'


def export_url(name: str, child: Child) -> str:
    return reverse(f"audit:child-history-{name}", args=[child.public_id])


def read_csv(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+44 20 7946 0000", "'+44 20 7946 0000"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTabbed", "'\tTabbed"),
        ("\rReturn", "'\rReturn"),
        ("Red", "Red"),
        ("", ""),
    ],
)
def test_a_csv_cell_a_spreadsheet_would_run_as_a_formula_is_quoted(value, written) -> None:
    assert csv_cell(value) == written


def test_the_csv_has_a_row_for_each_change_with_who_did_it(
    case: Case, auditor_client: Client
) -> None:
    response = auditor_client.get(export_url("csv", case.riley))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(
        r'attachment; filename="case-history-[0-9a-f-]{36}\.csv"', response["Content-Disposition"]
    )
    assert "Riley" not in response["Content-Disposition"]
    rows = read_csv(response)
    taken = [r for r in rows if r["Field"] == "Status" and r["From"] == "Waiting to be screened"]
    assert [(r["Who"], r["Role"], r["Record"], r["To"]) for r in taken] == [
        (case.screener.user.email, "MASH screener", "Referral", "Being screened")
    ]
    assert {"Brook rating", "Screening decision", "Allocation", "AIM assessment"} <= {
        record for row in rows for record in row["Record"].split(", ")
    }


def test_free_text_starting_with_a_formula_is_quoted_in_the_csv(
    authority, member, auditor_client: Client
) -> None:
    child = ChildFactory(authority=authority, school_or_setting="Quayside Academy")
    screener = member(Role.MASH_SCREENER)
    Child.objects.filter(pk=child.pk).update(school_or_setting=FORMULA)
    audit.record(
        screener.user,
        Action.CHANGE,
        child,
        membership=screener,
        children=[child.public_id],
        detail="-changed by hand",
    )

    rows = read_csv(auditor_client.get(export_url("csv", child)))

    changed = next(r for r in rows if r["Field"] == "School or setting")
    assert changed["To"] == "'" + FORMULA
    assert changed["Detail"] == "'-changed by hand"
    cells = [cell for row in rows for cell in row.values()]
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)


def test_the_csv_of_a_concern_whose_text_is_a_formula_quotes_it(
    case: Case, auditor_client: Client
) -> None:
    concern = case.concern
    concern.refresh_from_db()
    triage.update_concern(
        concern=concern,
        version=concern.version,
        by=case.practitioner.user,
        membership=case.practitioner,
        what_happened=FORMULA,
    )

    rows = read_csv(auditor_client.get(export_url("csv", case.riley)))

    changed = next(r for r in rows if r["Field"] == "What happened" and r["To"].endswith(")"))
    assert changed["To"] == "'" + FORMULA


@pytest.mark.parametrize("kind", ["csv", "pdf"])
def test_each_export_is_audited_once_naming_only_the_child(
    kind, case: Case, auditor: Membership, auditor_client: Client
) -> None:
    before = AuditEvent.objects.filter(action=Action.EXPORT).count()

    response = auditor_client.get(export_url(kind, case.riley) + "?event_kinds=records")

    assert response.status_code == 200
    exports = AuditEvent.objects.filter(action=Action.EXPORT)
    assert exports.count() == before + 1
    export = exports.latest("pk")
    assert (export.actor_email, export.role) == (auditor.user.email, Role.AUDITOR)
    assert export.detail == f"case history ({kind.upper()}); events: Records and changes"
    named = list(AuditEventChild.objects.filter(event=export).values_list("child_id", flat=True))
    assert named == [case.riley.public_id]


def test_the_pdf_reads_back_with_the_childs_entries_and_its_marking(
    case: Case, auditor: Membership, auditor_client: Client
) -> None:
    response = auditor_client.get(export_url("pdf", case.riley))

    assert response["Content-Type"] == "application/pdf"
    assert re.fullmatch(
        r'attachment; filename="case-history-[0-9a-f-]{36}\.pdf"', response["Content-Disposition"]
    )
    assert response["Cache-Control"] == "no-store"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    text = " ".join(text.split())
    assert "OFFICIAL-SENSITIVE" in text
    assert "Riley Ashcombe" in text
    assert case.screener.user.email in text
    for kind in ("Brook rating", "Screening decision", "Allocation", "AIM assessment"):
        assert kind in text
    assert "Final colour: (blank) → Red" in text


def test_an_invalid_filter_exports_nothing_and_goes_back_to_the_page(
    authority, auditor_client: Client
) -> None:
    child = ChildFactory(authority=authority)

    response = auditor_client.get(
        export_url("csv", child) + "?date_from_0=31&date_from_1=2&date_from_2=2026"
    )

    assert response.status_code == 302
    assert response["Location"].startswith(
        reverse("audit:child-history", args=[child.public_id]) + "?date_from_0=31"
    )
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()


@pytest.mark.parametrize("name", ["child-history", "child-history-csv", "child-history-pdf"])
def test_an_auditor_of_another_authority_gets_404_and_it_is_audited(
    name, other_authority, auditor_client: Client
) -> None:
    child = ChildFactory(authority=other_authority)

    response = auditor_client.get(reverse(f"audit:{name}", args=[child.public_id]))

    assert response.status_code == 404
    refusal = AuditEvent.objects.get(action=Action.REFUSED)
    assert refusal.object_id == str(child.public_id)
    named = AuditEventChild.objects.filter(event=refusal).values_list("child_id", flat=True)
    assert list(named) == [child.public_id]
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()


def test_only_an_auditor_sees_the_case_history_link_on_the_childs_page(
    authority, client_as
) -> None:
    child = ChildFactory(authority=authority)
    link = reverse("audit:child-history", args=[child.public_id])

    as_auditor = client_as(Role.AUDITOR).get(reverse("triage:child-detail", args=[child.public_id]))
    as_screener = client_as(Role.MASH_SCREENER).get(
        reverse("triage:child-detail", args=[child.public_id])
    )

    assert link in as_auditor.content.decode()
    assert link not in as_screener.content.decode()
