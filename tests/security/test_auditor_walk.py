"""Issue 6 item 2: an auditor reads across the authorities they audit and changes nothing.

Every URL of the site is found by walking the URL conf (not from a hand list) and an auditor
of the authority POSTs to it, for a record they may see: each answer is 403 (the guard refuses
a read-only role any unsafe method) or 405 (the page takes no POST), and not one row of any
table outside the audit log changes.
"""

from collections.abc import Callable

import pytest
from django.test import Client

from hsb_portal.accounts.models import Role
from hsb_portal.audit.models import Action, AuditEvent
from tests.security.routes import (
    ACCOUNT_ROUTES,
    Entitled,
    Visit,
    changed,
    entitled,
    matrix_row,
    route_names,
    snapshot,
)

pytestmark = pytest.mark.django_db

# What an auditor might try to slip in: the fields that would move a record between owners.
TAMPERING = {
    "version": "1",
    "status": "closed",
    "agency": "1",
    "authority": "1",
    "reported_by": "1",
    "owner": "1",
    "decision": "no_further_action",
}


def auditor_sees(name: str) -> Entitled:
    """A relationship in which the auditor may read the record (GET 200), else the one that
    lets the entitled person use the page: the record is in the auditor's authority."""
    row = matrix_row(name)
    for relationship in row.relationships:
        if row.status(relationship, Role.AUDITOR) == 200:
            return Entitled(relationship, Role.AUDITOR)
    return Entitled(entitled(name).relationship, Role.AUDITOR)


WALKED = [name for name in route_names() if name not in ACCOUNT_ROUTES]


def test_v8_account_routes_exempt_from_the_walk_are_real_urls() -> None:
    unknown = sorted(set(ACCOUNT_ROUTES) - set(route_names()))

    assert unknown == [], f"ACCOUNT_ROUTES names URLs that do not exist: {unknown}"
    assert all(reason.strip() for reason in ACCOUNT_ROUTES.values())


@pytest.mark.parametrize("url_name", WALKED)
def test_v8_auditor_is_refused_every_post_and_changes_nothing(
    url_name: str,
    visit_of: Callable[..., Visit],
) -> None:
    visit = visit_of(url_name, auditor_sees(url_name), client=Client())
    before = snapshot()
    refusals = AuditEvent.objects.filter(action=Action.REFUSED).count()

    response = visit.client.post(visit.url, TAMPERING)

    assert response.status_code in (403, 405), f"auditor POST to {url_name}"
    assert changed(before, snapshot()) == [], f"auditor POST to {url_name} changed rows"
    if response.status_code == 403:
        # The refusal is on the auditor's own record of what they tried.
        assert AuditEvent.objects.filter(action=Action.REFUSED).count() == refusals + 1
