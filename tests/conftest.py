from collections.abc import Callable

import guardian.shortcuts
import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client

from hsb_portal.accounts.models import Agency, AgencyKind, LocalAuthority, Membership, Role
from hsb_portal.middleware import ACTIVE_MEMBERSHIP_KEY
from tests.factories import AgencyFactory, LocalAuthorityFactory, MembershipFactory

# The agency each role works in, in its home authority.
ROLE_AGENCY_KIND = {
    Role.PRACTITIONER: AgencyKind.SCHOOL,
    Role.DSL: AgencyKind.SCHOOL,
    Role.MASH_SCREENER: AgencyKind.MASH,
    Role.SOCIAL_WORKER: AgencyKind.CHILDRENS_SOCIAL_CARE,
    Role.SW_MANAGER: AgencyKind.CHILDRENS_SOCIAL_CARE,
    Role.AUDITOR: AgencyKind.CHILDRENS_SOCIAL_CARE,
    Role.ADMINISTRATOR: AgencyKind.CHILDRENS_SOCIAL_CARE,
}


@pytest.fixture(autouse=True)
def _cold_content_type_caches() -> None:
    # Query counts must not depend on which test ran first (style.md, Part B).
    ContentType.objects.clear_cache()
    guardian.shortcuts.clear_ct_cache()


@pytest.fixture
def authority(db: None) -> LocalAuthority:
    return LocalAuthorityFactory(name="Home Borough Council", code="home")


@pytest.fixture
def other_authority(db: None) -> LocalAuthority:
    return LocalAuthorityFactory(name="Elsewhere City Council", code="elsewhere")


@pytest.fixture
def agency_for(authority: LocalAuthority) -> Callable[..., Agency]:
    """The agency of a kind serving the home authority (one per kind)."""
    made: dict[tuple[AgencyKind, int], Agency] = {}

    def get(kind: AgencyKind, in_authority: LocalAuthority | None = None) -> Agency:
        where = in_authority or authority
        if (kind, where.pk) not in made:
            made[(kind, where.pk)] = AgencyFactory(
                kind=kind, name=f"{where.name} {kind.label}", authorities=[where]
            )
        return made[(kind, where.pk)]

    return get


@pytest.fixture
def member(agency_for: Callable[..., Agency]) -> Callable[..., Membership]:
    def make(role: Role, *, agency: Agency | None = None) -> Membership:
        return MembershipFactory(role=role, agency=agency or agency_for(ROLE_AGENCY_KIND[role]))

    return make


def signed_in(client: Client, membership: Membership) -> Client:
    client.force_login(membership.user)
    session = client.session
    session[ACTIVE_MEMBERSHIP_KEY] = str(membership.public_id)
    session.save()
    return client


@pytest.fixture
def client_as(member: Callable[..., Membership]) -> Callable[..., Client]:
    """A client signed in, acting in ``role`` (a new person each call)."""

    def make(role: Role, *, agency: Agency | None = None) -> Client:
        return signed_in(Client(), member(role, agency=agency))

    return make


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Tests of what the PostgreSQL server itself enforces run only against PostgreSQL;
    # CI runs the suite on both databases.
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    deselected = [item for item in items if item.get_closest_marker("postgresql")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not item.get_closest_marker("postgresql")]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    reports = [
        report
        for outcome in ("passed", "failed")
        for report in terminalreporter.stats.get(outcome, [])
        if getattr(report, "when", "") == "call"
        and "test_access_matrix.py::test_access[" in report.nodeid
    ]
    if reports:
        failed = sum(1 for report in reports if report.failed)
        terminalreporter.write_line(
            f"Access matrix: {len(reports)} cases (URL x role x relationship), {failed} failed"
        )
