import time
from collections.abc import Callable

import guardian.shortcuts
import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from hsb_portal.accounts import two_factor
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


@pytest.fixture(autouse=True)
def _no_rate_limit_counts_from_other_tests() -> None:
    # Person ids repeat between tests (SQLite reuses them after a rollback), so a count left
    # in the memory cache would limit a stranger (hsb_portal/limits.py).
    cache.clear()


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
    """Signed in with both factors just now, acting in ``membership``."""
    client = password_only(client, membership)
    device, _ = TOTPDevice.objects.get_or_create(
        user=membership.user, defaults={"name": two_factor.AUTHENTICATOR, "confirmed": True}
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[two_factor.VERIFIED_AT_KEY] = time.time()
    session.save()
    return client


def password_only(client: Client, membership: Membership) -> Client:
    """Past the password, not yet the second factor: every page but the second-factor step
    must send this person to it (security.md V6.3.3)."""
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
    _security_walk_summary(terminalreporter)


def _security_walk_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The counts of tests/security/ (issue 6): routes walked, posts made, failures."""
    calls = [
        report
        for outcome in ("passed", "failed")
        for report in terminalreporter.stats.get(outcome, [])
        if getattr(report, "when", "") == "call" and "tests/security/" in report.nodeid
    ]

    def walk(test: str) -> tuple[list[pytest.TestReport], int]:
        reports = [report for report in calls if f"::{test}[" in report.nodeid]
        return reports, sum(1 for report in reports if report.failed)

    def total(reports: list[pytest.TestReport], name: str) -> int:
        return sum(
            int(value) for report in reports for key, value in report.user_properties if key == name
        )

    auditor, auditor_failed = walk("test_v8_auditor_is_refused_every_post_and_changes_nothing")
    if auditor:
        terminalreporter.write_line(
            f"Auditor POST walk: {len(auditor)} routes, {auditor_failed} failed"
        )
    csrf, csrf_failed = walk("test_v3_5_1_post_without_csrf_token_is_refused_and_changes_nothing")
    if csrf:
        terminalreporter.write_line(
            f"CSRF walk: {len(csrf)} routes ({total(csrf, 'accepts_post')} take a POST), "
            f"{csrf_failed} failed"
        )
    hostile = [report for report in calls if "::test_v2_2_1_hostile_posts" in report.nodeid]
    xss = [report for report in calls if "::test_v1_2_1_xss" in report.nodeid]
    if hostile:
        failed = sum(1 for report in hostile if report.failed)
        terminalreporter.write_line(
            f"Hostile input: {total(hostile, 'hostile_posts')} posts to "
            f"{total(hostile, 'hostile_forms')} forms on {len(hostile)} routes, "
            f"{total(hostile, 'hostile_accepted')} accepted, {failed} failed "
            "(a server error fails its route)"
        )
    canaries = [report for report in calls if "::test_v8_2_3_each_person_reads" in report.nodeid]
    if canaries:
        kinds = max(
            (int(v) for r in canaries for k, v in r.user_properties if k == "canaries"), default=0
        )
        terminalreporter.write_line(
            f"Canaries: {kinds} canaries, {len(canaries)} walks (person x stage of the meeting), "
            f"{total(canaries, 'canary_pages')} pages, {total(canaries, 'canary_leaks')} leaks"
        )
    downstream = [report for report in calls if "::test_no_markup_anyone_typed" in report.nodeid]
    if downstream:
        payloads = max(
            (
                int(v)
                for r in downstream
                for k, v in r.user_properties
                if k == "xss_downstream_payloads"
            ),
            default=0,
        )
        unescaped = total(downstream, "xss_downstream_unescaped")
        failed = sum(1 for report in downstream if report.failed)
        terminalreporter.write_line(
            f"XSS downstream: {payloads} payloads x {total(downstream, 'xss_downstream_pages')} "
            f"pages x {len(downstream)} roles, {unescaped} unescaped ({failed} failed)"
        )
    roles, roles_failed = walk(
        "test_every_form_sent_after_changing_role_is_refused_keeping_what_was_typed"
    )
    buttons, buttons_failed = walk("test_every_button_pressed_after_changing_role_is_refused")
    if roles or buttons:
        terminalreporter.write_line(
            f"Form role walk: {total(roles, 'form_role_forms')} forms on {len(roles)} pages x "
            f"second role, and {len(buttons)} buttons, sent after changing role: "
            f"{roles_failed + buttons_failed} failed"
        )
    refused_role, refused_role_failed = walk(
        "test_a_refusal_for_the_role_is_audited_against_the_record_and_its_children"
    )
    mixed, mixed_failed = walk("test_a_url_that_mixes_two_cases_is_refused_against_both")
    no_token, no_token_failed = walk(
        "test_a_form_sent_without_its_csrf_token_is_refused_against_the_record"
    )
    if refused_role or mixed or no_token:
        terminalreporter.write_line(
            f"Refusal walk: {len(refused_role)} (URL x role refused), {len(mixed)} mixed "
            f"addresses, {len(no_token)} posts without a CSRF token, each audited against its "
            f"record and children: {refused_role_failed + mixed_failed + no_token_failed} failed"
        )
    if xss:
        terminalreporter.write_line(
            f"XSS: {total(xss, 'xss_forms_accepting')} forms took payloads in every free-text "
            f"field; {total(xss, 'xss_forms_showing')} show them on the record's page, escaped; "
            f"{sum(1 for report in xss if report.failed)} failed"
        )
