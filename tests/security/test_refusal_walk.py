"""Issue 10, item 9: every refusal is audited against the record it concerned, so the child's
case history shows it.

Three walks over the URL conf: every URL that names a record, for every role its guard refuses
(the refusal names the record and its children); every URL that names two or more records,
with one of them swapped for another case's (refused, against both, and no view of the record
the URL started with); and every URL that names a record, sent without its CSRF token (refused
on our own page, against the record).
"""

import logging
from collections.abc import Callable, Iterable
from typing import Any
from uuid import UUID

import pytest
from django.apps import apps
from django.db import models
from django.test import Client
from django.urls import URLResolver, get_resolver, resolve, reverse
from django.urls.converters import UUIDConverter

from hsb_portal.accounts.models import Role
from hsb_portal.audit.models import Action, AuditEvent
from strategy.models import MeetingAction, MinutesVersion, StrategyMeeting
from tests.conftest import signed_in
from tests.factories import ChildFactory, ConcernChildFactory, ConcernFactory
from tests.security.routes import (
    Entitled,
    Visit,
    entitled,
    is_post_only,
    matrix_row,
    pattern_for,
    route_names,
)
from tests.test_access_matrix import EXCLUDED_NAMESPACES
from triage.models import Child, Concern

pytestmark = pytest.mark.django_db

# Opaque ids in URLs that name no record about children: a person's own signed-in session.
NOT_RECORDS = {"session"}


def _record_keywords(resolver: URLResolver | None = None, outer: tuple[str, ...] = ()) -> dict:
    """URL name -> the keywords of its path that carry a record's opaque id, outermost first."""
    found: dict[str, tuple[str, ...]] = {}
    for pattern in (resolver or get_resolver()).url_patterns:
        converters = getattr(pattern.pattern, "converters", {})
        here = outer + tuple(
            name
            for name, converter in converters.items()
            if isinstance(converter, UUIDConverter) and name not in NOT_RECORDS
        )
        if isinstance(pattern, URLResolver):
            if pattern.namespace in EXCLUDED_NAMESPACES:
                continue
            inner = _record_keywords(pattern, here)
            prefix = f"{pattern.namespace}:" if pattern.namespace else ""
            found.update({f"{prefix}{name}": keywords for name, keywords in inner.items()})
        else:
            found[pattern.name] = here
    return found


RECORD_KEYWORDS = {name: kw for name, kw in _record_keywords().items() if name in route_names()}
NAMING_A_RECORD = sorted(name for name, keywords in RECORD_KEYWORDS.items() if keywords)
NAMING_SEVERAL = sorted(name for name, keywords in RECORD_KEYWORDS.items() if len(keywords) > 1)

RECORD_MODELS = [
    model
    for model in apps.get_models()
    if any(field.name == "public_id" for field in model._meta.fields) and not model._meta.proxy
]


def record_with(public_id: Any) -> models.Model:
    """The record whose opaque id this is, whatever its kind."""
    for model in RECORD_MODELS:
        found = model._default_manager.filter(public_id=public_id).first()
        if found is not None:
            return found
    raise AssertionError(f"no record has the id {public_id}")


def children_of(record: models.Model) -> set[UUID]:
    """The children a record is about, read from the database here, not from the policy."""
    if isinstance(record, Child):
        return {record.public_id}
    if isinstance(record, Concern):
        return {i.child.public_id for i in record.involvements.all()}
    if isinstance(record, StrategyMeeting):
        return {place.child.public_id for place in record.meeting_children.all()}
    if isinstance(record, MinutesVersion):
        return children_of(record.meeting)
    if isinstance(record, MeetingAction):
        return {place.child.public_id for place in record.children.all()}
    if hasattr(record, "meeting") and not hasattr(record, "child"):
        return children_of(record.meeting)  # an invitation
    if hasattr(record, "entries"):
        return {entry.child_public_id for entry in record.entries.all()}  # a disposal review
    child = getattr(record, "child", None)
    return {child.public_id} if child is not None else set()


def named_in(url: str) -> list[models.Model]:
    """The records a URL names, outermost first."""
    keywords = RECORD_KEYWORDS[resolve(url).view_name]
    values = resolve(url).kwargs
    return [record_with(values[keyword]) for keyword in keywords]


def refusals_since(last: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(pk__gt=last, action=Action.REFUSED).order_by("pk"))


def newest_event() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def named_children(event: AuditEvent) -> set[UUID]:
    return set(event.children.values_list("child_id", flat=True))


def send(visit: Visit, name: str, data: dict[str, str] | None = None) -> Any:
    if is_post_only(name) or data is not None:
        return visit.client.post(visit.url, data or {})
    return visit.client.get(visit.url)


def test_the_walk_finds_urls_that_name_records() -> None:
    assert len(NAMING_A_RECORD) > 30
    assert "meetings:child-minutes" in NAMING_SEVERAL
    assert RECORD_KEYWORDS["meetings:child-minutes"] == ("meeting", "meeting_child", "minutes")


# Refused for the role


def _refused_roles(name: str) -> Iterable[Role]:
    allowed = pattern_for(name).callback.access_roles
    return [role for role in Role if role not in allowed]


ROLE_CASES = [(name, role) for name in NAMING_A_RECORD for role in _refused_roles(name)]


@pytest.mark.parametrize(("url_name", "role"), ROLE_CASES)
def test_a_refusal_for_the_role_is_audited_against_the_record_and_its_children(
    url_name: str,
    role: Role,
    visit_of: Callable[..., Visit],
    record_property: Callable[[str, object], None],
) -> None:
    visit = visit_of(url_name, Entitled(entitled(url_name).relationship, role))
    records = named_in(visit.url)
    last = newest_event()

    response = send(visit, url_name)

    assert response.status_code == 403
    refusals = refusals_since(last)
    assert len(refusals) == 1, f"{url_name} as {role}: {len(refusals)} refusals"
    refusal = refusals[0]
    assert refusal.object_id == str(records[-1].public_id)
    assert named_children(refusal) == set().union(*(children_of(r) for r in records))
    record_property("refused_role_case", 1)


# Two records that do not belong together


SWAP_CASES = [
    (name, position) for name in NAMING_SEVERAL for position in range(1, len(RECORD_KEYWORDS[name]))
]


@pytest.mark.parametrize(("url_name", "position"), SWAP_CASES)
def test_a_url_that_mixes_two_cases_is_refused_against_both(
    url_name: str,
    position: int,
    visit_of: Callable[..., Visit],
) -> None:
    who = entitled(url_name)
    visit = visit_of(url_name, who)
    other_url = matrix_row(url_name).url(visit.world, who.relationship)  # a second case
    keywords = RECORD_KEYWORDS[url_name]
    mine, theirs = resolve(visit.url).kwargs, resolve(other_url).kwargs
    swapped = keywords[position]
    mixed = reverse(url_name, kwargs={**mine, swapped: theirs[swapped]})
    started_with = [record_with(mine[keyword]) for keyword in keywords]
    stranger = record_with(theirs[swapped])
    last = newest_event()

    response = send(Visit(mixed, visit.client, visit.requester, visit.world), url_name)

    assert response.status_code == 404
    refusals = refusals_since(last)
    assert len(refusals) == 1
    assert refusals[0].object_id == str(stranger.public_id)
    expected = children_of(stranger) | set().union(
        *(children_of(r) for r in started_with[:position])
    )
    assert named_children(refusals[0]) == expected
    views = AuditEvent.objects.filter(pk__gt=last, action=Action.VIEW)
    assert not views.exists(), f"{url_name}: a view was written for a page never shown"


# Sent without the CSRF token


@pytest.mark.parametrize("url_name", NAMING_A_RECORD)
def test_a_form_sent_without_its_csrf_token_is_refused_against_the_record(
    url_name: str,
    visit_of: Callable[..., Visit],
) -> None:
    visit = visit_of(url_name, entitled(url_name), client=Client(enforce_csrf_checks=True))
    records = named_in(visit.url)
    last = newest_event()

    response = visit.client.post(visit.url, {"version": "1"})

    assert response.status_code == 403
    assert "This form could not be sent" in response.text
    assert 'class="govuk-template' in response.text
    refusals = refusals_since(last)
    assert len(refusals) == 1
    assert refusals[0].object_id == str(records[-1].public_id)
    assert named_children(refusals[0]) == set().union(*(children_of(r) for r in records))
    assert "security token" in refusals[0].detail


# What the auditor then reads


def test_the_auditors_case_history_shows_each_refusal_for_the_child(
    member, authority, client_as
) -> None:
    dsl = member(Role.DSL)
    ours = ConcernFactory(reported_by=dsl.user, reporting_agency=dsl.agency, authority=authority)
    riley = ConcernChildFactory(concern=ours, child=ChildFactory(authority=authority)).child
    theirs = ConcernFactory(reported_by=dsl.user, reporting_agency=dsl.agency)
    elsewhere = ConcernChildFactory(concern=theirs, child=ChildFactory(authority=authority))
    concern_page = reverse("triage:concern-detail", args=[ours.public_id])
    mixed = reverse("triage:involvement-edit", args=[ours.public_id, elsewhere.public_id])
    edit = reverse("triage:concern-edit", args=[ours.public_id])

    refused_role = client_as(Role.SOCIAL_WORKER).get(concern_page)
    out_of_place = signed_in(Client(), dsl).get(mixed)
    no_token = signed_in(Client(enforce_csrf_checks=True), dsl).post(edit, {"version": "1"})
    history = client_as(Role.AUDITOR).get(reverse("audit:child-history", args=[riley.public_id]))

    assert (refused_role.status_code, out_of_place.status_code, no_token.status_code) == (
        403,
        404,
        403,
    )
    assert history.status_code == 200
    text = " ".join(history.text.split())
    assert "Refused</strong>: Concern<br>page refused to this role" in text
    assert "Social worker" in text
    assert "Refused</strong>: Concern<br>the address puts a record under another" in text
    assert "Refused</strong>: Concern<br>form refused: its security token" in text


def test_a_csrf_refusal_logs_only_the_reason_and_the_opaque_address(member, caplog) -> None:
    dsl = member(Role.DSL)
    concern = ConcernFactory(reported_by=dsl.user, reporting_agency=dsl.agency)
    ConcernChildFactory(concern=concern, child=ChildFactory(given_name="Quillon"))
    edit = reverse("triage:concern-edit", args=[concern.public_id])
    client = signed_in(Client(enforce_csrf_checks=True), dsl)

    with caplog.at_level(logging.DEBUG):
        client.post(edit, {"what_happened": "Quillon Farthingale, born 17 May 2014"})

    assert f"Forbidden (CSRF cookie not set.): {edit}" in caplog.text
    for identifier in ("Quillon", "Farthingale", "17 May 2014"):
        assert identifier not in caplog.text
