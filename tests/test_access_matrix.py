"""The access matrix: every URL x every role x the requester's relationship to the record.

The URL conf is walked, so a new URL without rows here fails ``test_every_url_has_rows``.
Each feature adds its URLs to ``MATRIX`` with a way to build the record for each relationship.
The run's case count is printed at the end of the test session (see conftest).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from hsb_portal.accounts.models import LocalAuthority, Role
from hsb_portal.audit.models import Action, AuditEvent
from tests.conftest import signed_in
from tests.factories import ChildFactory

pytestmark = pytest.mark.django_db

ANONYMOUS = "anonymous"
ROLES: list[Any] = [*Role, ANONYMOUS]
SIGN_IN = "sign-in"  # a redirect to the sign-in page
NONE = "none"  # the URL names no record


@dataclass(frozen=True)
class World:
    """The records a case needs, made fresh for each case."""

    home: LocalAuthority
    elsewhere: LocalAuthority


@dataclass(frozen=True)
class Row:
    """How to reach one URL, and what each role must get for each relationship."""

    url: Callable[[World, str], str]
    relationships: tuple[str, ...] = (NONE,)
    # Status by relationship and role; roles left out get ``default``.
    expected: dict[str, dict[Any, int | str]] = field(default_factory=dict)
    default: int | str = 200
    anonymous: int | str = SIGN_IN

    def status(self, relationship: str, role: Any) -> int | str:
        if role == ANONYMOUS:
            return self.anonymous
        return self.expected.get(relationship, {}).get(role, self.default)


def fixed(name: str) -> Callable[[World, str], str]:
    return lambda world, relationship: reverse(name)


def child_url(world: World, relationship: str) -> str:
    where = world.home if relationship == "own_authority" else world.elsewhere
    return reverse("triage:child-detail", args=[ChildFactory(authority=where).public_id])


CHILD_READERS = {Role.MASH_SCREENER: 200, Role.SW_MANAGER: 200, Role.AUDITOR: 200}

MATRIX: dict[str, Row] = {
    "home": Row(fixed("home")),
    "role-switch": Row(fixed("role-switch")),
    "login": Row(fixed("login"), default=302, anonymous=200),
    "logout": Row(fixed("logout"), default=405, anonymous=405),
    "password_reset": Row(fixed("password_reset"), anonymous=200),
    "password_reset_done": Row(fixed("password_reset_done"), anonymous=200),
    "password_reset_confirm": Row(
        lambda world, relationship: reverse(
            "password_reset_confirm", kwargs={"uidb64": "MQ", "token": "not-a-token"}
        ),
        anonymous=200,
    ),
    "password_reset_complete": Row(fixed("password_reset_complete"), anonymous=200),
    "accessibility": Row(fixed("accessibility"), anonymous=200),
    "privacy": Row(fixed("privacy"), anonymous=200),
    "triage:child-list": Row(
        fixed("triage:child-list"), default=403, expected={NONE: CHILD_READERS}
    ),
    "triage:child-detail": Row(
        child_url,
        relationships=("own_authority", "other_authority"),
        default=403,
        expected={
            "own_authority": CHILD_READERS,
            "other_authority": {Role.MASH_SCREENER: 404, Role.SW_MANAGER: 404, Role.AUDITOR: 404},
        },
    ),
}

# The records administration site guards itself (staff only); it has its own test below.
EXCLUDED_NAMESPACES = {"admin"}


def url_patterns(
    resolver: URLResolver | None = None, namespace: str = ""
) -> list[tuple[str, URLPattern]]:
    """Every named URL of the site, outside the excluded namespaces."""
    found = []
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in EXCLUDED_NAMESPACES:
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            found += url_patterns(pattern, inner)
        else:
            assert pattern.name, f"URL {pattern.pattern} has no name, so it cannot be in the matrix"
            found.append((f"{namespace}{pattern.name}", pattern))
    return found


def test_every_url_has_rows() -> None:
    missing = sorted({name for name, _ in url_patterns()} - set(MATRIX))

    assert missing == [], f"URLs with no rows in the access matrix: {missing}"


def test_every_view_goes_through_the_access_policy() -> None:
    unguarded = [name for name, p in url_patterns() if not hasattr(p.callback, "access_roles")]

    assert unguarded == [], f"Views not wrapped in access.guard: {unguarded}"


CASES = [
    pytest.param(name, relationship, role, id=f"{name}|{relationship}|{role}")
    for name, row in MATRIX.items()
    for relationship in row.relationships
    for role in ROLES
]


@pytest.mark.access_matrix
@pytest.mark.parametrize(("url_name", "relationship", "role"), CASES)
def test_access(
    url_name: str,
    relationship: str,
    role: Any,
    authority: LocalAuthority,
    other_authority: LocalAuthority,
    client_as: Callable[..., Client],
) -> None:
    row = MATRIX[url_name]
    url = row.url(World(home=authority, elsewhere=other_authority), relationship)
    client = Client() if role == ANONYMOUS else client_as(role)
    refusals_before = AuditEvent.objects.filter(action=Action.REFUSED).count()

    response = client.get(url)

    expected = row.status(relationship, role)
    if expected == SIGN_IN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == expected, f"{role} on {url_name} ({relationship})"
    if role != ANONYMOUS and expected in (403, 404):
        assert AuditEvent.objects.filter(action=Action.REFUSED).count() == refusals_before + 1


@pytest.mark.parametrize("role", list(Role))
def test_records_administration_is_for_administrators_only(
    role: Role, member: Callable[..., Any]
) -> None:
    membership = member(role)
    if role == Role.ADMINISTRATOR:
        membership.user.is_staff = True
        membership.user.save(update_fields=["is_staff"])
    client = signed_in(Client(), membership)

    response = client.get(reverse("admin:index"))

    assert response.status_code == (200 if role == Role.ADMINISTRATOR else 302)
