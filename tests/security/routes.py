"""Walking the URL conf as the person entitled to each page, shared by the security walks.

Everything is derived from ``tests.test_access_matrix`` (its URL walk, its rows and its world
builders), so a new URL is walked here as soon as it has rows in the matrix.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from django.apps import apps
from django.db import models, transaction
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, resolve, reverse

from hsb_portal.accounts import roles
from hsb_portal.accounts.models import Agency, LocalAuthority, Membership, Role
from tests.conftest import signed_in
from tests.test_access_matrix import ANONYMOUS, MATRIX, ROLES, Row, World, url_patterns

# The account routes every signed-in person needs, whatever their role: an auditor must be
# able to sign in and out, change role and use a second factor. Nothing else may take a POST
# from an auditor. The password reset pages are public (no one is signed in yet).
ACCOUNT_ROUTES = {
    "login": "signing in happens before any role applies",
    "logout": "everyone, auditors included, must be able to sign out",
    "role-switch": "acting in another of one's own roles changes only the session",
    "two-factor": "the second factor is checked before any role applies",
    "two-factor-setup": "every person sets up their own second factor",
    "two-factor-recovery-codes": "every person may see their own new recovery codes",
    "sessions-end-others": "everyone, auditors included, may sign their other browsers out",
    "session-end": "everyone, auditors included, may sign another browser of theirs out",
    "password_reset": "public: asking for a reset e-mail",
    "password_reset_confirm": "public: choosing a new password from the e-mailed link",
    # Browsers send reports without a session or a CSRF token; it writes only a log line.
    "csp-report": "public, csrf-exempt by design: browsers report CSP violations",
}

# Tables a request may write whatever it does: the audit log (append-only, it records the
# refusals themselves), sessions, and django-axes' record of sign-in attempts.
UNWATCHED_APPS = {"audit", "sessions", "axes"}


def route_names() -> list[str]:
    return [name for name, _ in url_patterns()]


def urls_taking(argument_sets: list[dict[str, Any]]) -> Iterator[tuple[str, str]]:
    """(URL name, URL) for every route of the URL conf but the account ones, with each set of
    arguments it takes (the ids of the records built for a walk)."""
    for name in route_names():
        if name in ACCOUNT_ROUTES:
            continue
        for arguments in argument_sets:
            try:
                yield name, reverse(name, kwargs=arguments)
            except NoReverseMatch:
                continue


def matrix_row(name: str) -> Row:
    if name not in MATRIX:
        pytest.fail(f"{name} has no row in tests/test_access_matrix.py, so it cannot be walked")
    return MATRIX[name]


def has_page(name: str) -> bool:
    """Does someone get the page (200) on a GET?"""
    row = MATRIX.get(name)
    return row is not None and any(
        row.status(relationship, role) == 200
        for relationship in row.relationships
        for role in ROLES
    )


def is_post_only(name: str) -> bool:
    """An action that answers every GET with 405: a button on another page."""
    row = MATRIX.get(name)
    return row is not None and {
        row.status(relationship, role) for relationship in row.relationships for role in ROLES
    } == {405}


def pattern_for(name: str) -> URLPattern:
    return dict(url_patterns())[name]


@dataclass(frozen=True)
class Entitled:
    """Who may use a page, and the relationship to the record that lets them."""

    relationship: str
    role: Any  # a Role, or ANONYMOUS


def entitled(name: str) -> Entitled:
    """The first (relationship, role) of the URL's matrix row that gets the page (200). A
    POST-only action (405 to everyone on GET) is for the first role its guard lets in."""
    row = matrix_row(name)
    for relationship in row.relationships:
        for role in ROLES:
            if row.status(relationship, role) == 200:
                return Entitled(relationship, role)
    callback = pattern_for(name).callback
    allowed = [role for role in Role if role in callback.access_roles]
    if getattr(callback, "access_public", False) or not allowed:
        return Entitled(row.relationships[0], ANONYMOUS)
    writers = [role for role in allowed if role not in roles.READ_ONLY]
    return Entitled(row.relationships[0], writers[0])


@dataclass
class Visit:
    """A page built for one person: its URL, and a client signed in as them."""

    url: str
    client: Client
    requester: Membership | None
    world: World


def build(
    name: str,
    who: Entitled,
    *,
    authority: LocalAuthority,
    other_authority: LocalAuthority,
    member: Callable[..., Membership],
    agency_for: Callable[..., Agency],
    client: Client | None = None,
    first: Callable[[World], None] | None = None,
) -> Visit:
    """Build the record the page is about, for ``who``; ``first`` runs before it is made."""
    requester = None if who.role == ANONYMOUS else member(who.role)
    world = World(authority, other_authority, requester=requester, agency_for=agency_for)
    if first is not None:
        first(world)
    url = matrix_row(name).url(world, who.relationship)
    client = client or Client()
    if requester is not None:
        # The matrix may have moved the requester (the police pages): sign in as they are now.
        requester.refresh_from_db()
        client = signed_in(client, requester)
    return Visit(url, client, requester, world)


@contextmanager
def rolled_back() -> Iterator[None]:
    """Run a block, then undo everything it wrote. The block is marked as the test's own, as
    Django's TestCase marks its transaction, so a durable service inside still runs."""
    block = transaction.atomic()
    block._from_testcase = True  # type: ignore[attr-defined]
    with block:
        yield
        transaction.set_rollback(True)


def watched_models() -> list[type[models.Model]]:
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label not in UNWATCHED_APPS and not model._meta.proxy
    ]


Snapshot = dict[tuple[str, Any], tuple[Any, ...]]


def snapshot() -> Snapshot:
    """Every row of every watched table: (table, primary key) -> the row's values."""
    rows: Snapshot = {}
    for model in watched_models():
        names = columns(model)
        pk = names.index(model._meta.pk.attname)
        for values in model._base_manager.order_by().values_list(*names):
            rows[(model._meta.db_table, values[pk])] = values
    return rows


def columns(model: type[models.Model]) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields]


def changed(before: Snapshot, after: Snapshot) -> list[tuple[str, Any]]:
    """The rows added, removed or altered between two snapshots."""
    keys = before.keys() | after.keys()
    return sorted((key for key in keys if before.get(key) != after.get(key)), key=repr)


@dataclass
class FormField:
    name: str
    kind: str  # text, textarea, select, radio, checkbox, hidden, date, number, email, ...
    values: list[str] = field(default_factory=list)  # as rendered (options for choices)
    rendered: list[str] = field(default_factory=list)  # what the page sends as it stands


@dataclass
class Form:
    action: str
    fields: dict[str, FormField] = field(default_factory=dict)


class _FormParser(HTMLParser):
    def __init__(self, page_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: FormField | None = None
        self._textarea: FormField | None = None

    def _field(self, name: str, kind: str) -> FormField:
        assert self._form is not None
        return self._form.fields.setdefault(name, FormField(name, kind))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {key: value or "" for key, value in attrs}
        if tag == "form" and attr.get("method", "get").lower() == "post":
            self._form = Form(urljoin(self.page_url, attr.get("action") or self.page_url))
            self.forms.append(self._form)
        if self._form is None or ("name" not in attr and tag != "option"):
            return
        if tag == "input":
            kind = attr.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                return
            item = self._field(attr["name"], kind)
            value = attr.get("value", "" if kind not in ("radio", "checkbox") else "on")
            if kind in ("radio", "checkbox"):
                item.values.append(value)
                if "checked" in attr:
                    item.rendered.append(value)
            else:
                item.rendered.append(value)
        elif tag == "select":
            self._select = self._field(attr["name"], "select")
        elif tag == "option" and self._select is not None:
            value = attr.get("value", "")
            self._select.values.append(value)
            if "selected" in attr:
                self._select.rendered.append(value)
        elif tag == "textarea":
            self._textarea = self._field(attr["name"], "textarea")
            self._textarea.rendered.append("")

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.rendered[-1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            if self._textarea is not None and self._textarea.rendered[-1].startswith("\n"):
                # Browsers drop the newline that follows <textarea>.
                self._textarea.rendered[-1] = self._textarea.rendered[-1][1:]
            self._textarea = None


def post_forms(page_url: str, html: str) -> list[Form]:
    """The POST forms of a page, except the account forms every page carries (sign-out)."""
    parser = _FormParser(page_url)
    parser.feed(html)
    return [form for form in parser.forms if route_of(form.action) not in ACCOUNT_ROUTES]


def route_of(url: str) -> str:
    match = resolve(urlsplit(url).path)
    return match.view_name
