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

from hsb_portal import sharing
from hsb_portal.accounts.models import Agency, AgencyKind, LocalAuthority, Membership, Role
from hsb_portal.audit.models import Action, AuditEvent
from tests.conftest import signed_in
from tests.factories import (
    AgencyFactory,
    BrookRatingFactory,
    ChildFactory,
    ConcernChildFactory,
    ConcernFactory,
    MembershipFactory,
)
from triage.models import BrookBand, BrookEdition, Concern, ConcernChild, ConcernStatus, Part

pytestmark = pytest.mark.django_db

ANONYMOUS = "anonymous"
ROLES: list[Any] = [*Role, ANONYMOUS]
SIGN_IN = "sign-in"  # a redirect to the sign-in page
NONE = "none"  # the URL names no record


@dataclass(frozen=True)
class World:
    """The records a case needs, made fresh for each case, and who is asking."""

    home: LocalAuthority
    elsewhere: LocalAuthority
    requester: Membership | None = None
    agency_for: Callable[..., Agency] | None = None


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
    if relationship == "shared_with_agency":
        child = ChildFactory(authority=world.elsewhere)
        requester = world.requester or MembershipFactory(role=Role.MASH_SCREENER)
        sharing.share_with_agency(
            obj=child,
            agency=requester.agency,
            by=requester.user,
            membership=requester,
            children=[child.public_id],
        )
    elif relationship in CONCERN_RELATIONSHIPS:
        child = harmer_in(concern_for(world, relationship)).child
    else:
        where = world.home if relationship == "own_authority" else world.elsewhere
        child = ChildFactory(authority=where)
    return reverse("triage:child-detail", args=[child.public_id])


# The requester's relationship to a concern. A draft is only its author's to change; a concern
# sent for review is the DSL's. Every concern names a child who has harmed and a child harmed,
# both living in the authority where it happened.
CONCERN_RELATIONSHIPS = (
    "own_concern",
    "same_agency_concern",
    "other_agency_concern",
    "other_authority",
)
DRAFT_RELATIONSHIPS = ("own_draft", "own_concern", "same_agency_draft", "same_agency_concern")
CHANGE_RELATIONSHIPS = (*DRAFT_RELATIONSHIPS, "other_agency_concern", "other_authority")


def concern_for(world: World, relationship: str) -> Concern:
    assert world.agency_for is not None
    requester = world.requester
    home_school = world.agency_for(AgencyKind.SCHOOL)
    if relationship in ("own_concern", "own_draft") and requester is not None:
        agency, reporter = requester.agency, requester.user
    elif relationship in ("own_concern", "own_draft", "same_agency_concern", "same_agency_draft"):
        agency = requester.agency if requester is not None else home_school
        reporter = MembershipFactory(agency=agency, role=Role.PRACTITIONER).user
    elif relationship == "other_agency_concern":
        agency = AgencyFactory(kind=AgencyKind.SCHOOL, authorities=[world.home])
        reporter = MembershipFactory(agency=agency, role=Role.PRACTITIONER).user
    else:
        agency = world.agency_for(AgencyKind.SCHOOL, world.elsewhere)
        reporter = MembershipFactory(agency=agency, role=Role.PRACTITIONER).user
    draft = relationship.endswith("_draft")
    concern = ConcernFactory(
        reported_by=reporter,
        reporting_agency=agency,
        authority=agency.authorities.first(),
        status=ConcernStatus.DRAFT if draft else ConcernStatus.AWAITING_REVIEW,
    )
    ConcernChildFactory(concern=concern, part=Part.CHILD_WHO_HARMED)
    ConcernChildFactory(concern=concern, part=Part.CHILD_HARMED)
    return concern


def harmer_in(concern: Concern) -> ConcernChild:
    return concern.involvements.get(part=Part.CHILD_WHO_HARMED)


def concern_url(name: str) -> Callable[[World, str], str]:
    return lambda world, relationship: reverse(
        name, args=[concern_for(world, relationship).public_id]
    )


def involvement_url(name: str, *, rated: bool = False) -> Callable[[World, str], str]:
    def url(world: World, relationship: str) -> str:
        harmer = harmer_in(concern_for(world, relationship))
        # A one-band edition is enough to reach the rating pages (the child is 11).
        edition, _ = BrookEdition.objects.get_or_create(
            code="matrix", defaults={"version_label": "Matrix", "is_current": True}
        )
        BrookBand.objects.get_or_create(
            edition=edition, code="9-13", defaults={"min_age": 9, "max_age": 13, "position": 3}
        )
        if rated:
            BrookRatingFactory(involvement=harmer)
        return reverse(name, args=[harmer.concern.public_id, harmer.public_id])

    return url


CHILD_READERS = {Role.MASH_SCREENER: 200, Role.SW_MANAGER: 200, Role.AUDITOR: 200}
AUTHORS_404 = {Role.PRACTITIONER: 404, Role.DSL: 404}
# A page that changes a concern, for the practitioner and the DSL (everyone else: 403).
CHANGE_PAGE = {
    "own_draft": {Role.PRACTITIONER: 200, Role.DSL: 200},
    "own_concern": {Role.PRACTITIONER: 403, Role.DSL: 200},
    "same_agency_draft": {Role.PRACTITIONER: 404, Role.DSL: 403},
    "same_agency_concern": {Role.PRACTITIONER: 404, Role.DSL: 200},
    "other_agency_concern": AUTHORS_404,
    "other_authority": AUTHORS_404,
}


def change_page(url: Callable[[World, str], str], **overrides: dict[Any, int | str]) -> Row:
    return Row(
        url,
        relationships=CHANGE_RELATIONSHIPS,
        default=403,
        expected={**CHANGE_PAGE, **overrides},
    )


def post_only(url: Callable[[World, str], str]) -> Row:
    return Row(url, relationships=("own_draft",), default=405, anonymous=405)


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
    "csp-report": Row(fixed("csp-report"), default=405, anonymous=405),
    "triage:child-list": Row(
        fixed("triage:child-list"), default=403, expected={NONE: CHILD_READERS}
    ),
    "triage:child-detail": Row(
        child_url,
        relationships=(
            "own_authority",
            "other_authority",
            "shared_with_agency",
            *CONCERN_RELATIONSHIPS[:3],
        ),
        default=403,
        expected={
            "own_authority": {**CHILD_READERS, **AUTHORS_404},
            "other_authority": {
                Role.MASH_SCREENER: 404,
                Role.SW_MANAGER: 404,
                Role.AUDITOR: 404,
                **AUTHORS_404,
            },
            "shared_with_agency": {**CHILD_READERS, Role.PRACTITIONER: 200, Role.DSL: 200},
            "own_concern": {**CHILD_READERS, Role.PRACTITIONER: 200, Role.DSL: 200},
            "same_agency_concern": {**CHILD_READERS, Role.PRACTITIONER: 404, Role.DSL: 200},
            "other_agency_concern": {**CHILD_READERS, **AUTHORS_404},
        },
    ),
    "triage:concern-list": Row(
        fixed("triage:concern-list"),
        default=403,
        expected={NONE: {Role.PRACTITIONER: 200, Role.DSL: 200, Role.AUDITOR: 200}},
    ),
    "triage:concern-create": Row(
        fixed("triage:concern-create"),
        default=403,
        expected={NONE: {Role.PRACTITIONER: 200, Role.DSL: 200}},
    ),
    "triage:concern-detail": Row(
        concern_url("triage:concern-detail"),
        relationships=CONCERN_RELATIONSHIPS,
        default=403,
        expected={
            "own_concern": {Role.PRACTITIONER: 200, Role.DSL: 200, Role.AUDITOR: 200},
            "same_agency_concern": {Role.PRACTITIONER: 404, Role.DSL: 200, Role.AUDITOR: 200},
            "other_agency_concern": {**AUTHORS_404, Role.AUDITOR: 200},
            "other_authority": {**AUTHORS_404, Role.AUDITOR: 404},
        },
    ),
    "triage:concern-edit": change_page(concern_url("triage:concern-edit")),
    "triage:concern-child-find": change_page(concern_url("triage:concern-child-find")),
    "triage:concern-child-choose": post_only(concern_url("triage:concern-child-choose")),
    "triage:concern-child-new": post_only(concern_url("triage:concern-child-new")),
    "triage:involvement-edit": change_page(involvement_url("triage:involvement-edit")),
    "triage:involvement-remove": post_only(involvement_url("triage:involvement-remove")),
    "triage:rating-edit": change_page(involvement_url("triage:rating-edit")),
    "triage:rating-colour": change_page(involvement_url("triage:rating-colour", rated=True)),
    "triage:rating-context": change_page(involvement_url("triage:rating-context", rated=True)),
    # Only a draft has a next step to choose; a sent concern redirects to its page.
    "triage:concern-next-step": change_page(
        concern_url("triage:concern-next-step"),
        own_concern={Role.PRACTITIONER: 403, Role.DSL: 302},
        same_agency_concern={Role.PRACTITIONER: 404, Role.DSL: 302},
    ),
    # Only the DSL reviews, and only a concern sent for review; a draft redirects to its page.
    "triage:concern-review": change_page(
        concern_url("triage:concern-review"),
        own_draft={Role.DSL: 302},
        own_concern={Role.DSL: 200},
        same_agency_draft={Role.DSL: 403},
        same_agency_concern={Role.DSL: 200},
        other_agency_concern={Role.DSL: 404},
        other_authority={Role.DSL: 404},
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
    member: Callable[..., Membership],
    agency_for: Callable[..., Agency],
) -> None:
    row = MATRIX[url_name]
    requester = None if role == ANONYMOUS else member(role)
    world = World(authority, other_authority, requester=requester, agency_for=agency_for)
    url = row.url(world, relationship)
    client = Client() if requester is None else signed_in(Client(), requester)
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
