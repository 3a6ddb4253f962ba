"""Issue 6 item 8 and ASVS V2.2.1, V15.3.4, V1.2.1: hostile input to every form.

Every page the URL conf leads to is opened as the person entitled to it; each POST form on it
is read from the HTML (field names, types, choices, hidden values as rendered) and hypothesis
posts random and malicious values to it, with fields that should never be accepted from a form
added. For every post: no server error; a refused post changes no row; an accepted one changes
no row of another record (made before the page's own record); and the payloads only ever come
back escaped, on the form page and on the page an accepted post leads to.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.html import escape
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from hsb_portal.accounts.models import AgencyKind
from tests.security.routes import (
    ACCOUNT_ROUTES,
    Form,
    FormField,
    Visit,
    changed,
    columns,
    entitled,
    has_page,
    is_post_only,
    post_forms,
    rolled_back,
    route_names,
    snapshot,
    watched_models,
)
from tests.test_access_matrix import World, concern_for, referral_for

pytestmark = pytest.mark.django_db

# Reproducible in CI (no example database, no randomness between runs), and sized so that the
# whole module runs in about a minute on SQLite on a two-core machine.
settings.register_profile(
    "hostile-input",
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=10,
    # No shrinking: a failing post is printed as sent, and shrinking a 90-field form takes
    # minutes.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
HOSTILE = settings.get_profile("hostile-input")

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    "<img src=x onerror=alert(document.cookie)>",
    "<svg/onload=alert(1)>",
    "<body onload=alert(1)>",
    "<iframe src=javascript:alert(1)></iframe>",
    '<a href="javascript:alert(1)">click</a>',
    "javascript:alert(1)//<b>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    '" autofocus onfocus="alert(1)',
    "' onmouseover='alert(1)",
    "<details open ontoggle=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<input onfocus=alert(1) autofocus>",
    "<video><source onerror=alert(1)>",
    "<object data=javascript:alert(1)>",
    "<embed src=javascript:alert(1)>",
    '<form action="https://attacker.example"><button>Go</button></form>',
    '<meta http-equiv="refresh" content="0;url=https://attacker.example">',
    "<base href=https://attacker.example/>",
    "<link rel=stylesheet href=https://attacker.example/x.css>",
    "<style>body{display:none}</style>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<!--<img src=--><img src=x onerror=alert(1)//>",
    "<ScRiPt>alert(String.fromCharCode(88,83,83))</ScRiPt>",
    "{{ settings.SECRET_KEY }}<b>bold</b>",
    "<div style=background:url(javascript:alert(1))>",
]
HOSTILE_TEXT = [
    "' OR 1=1 --",
    '"; DROP TABLE triage_concern; --',
    "1; SELECT pg_sleep(5)",
    "{{ settings.SECRET_KEY }}",
    "{% debug %}",
    "{{ request.user.password }}",
    "{0.__class__}",
    "%s%n%x%d",
    "${7*7}",
    "\x00",
    "before\x00after",
    "\r\nSet-Cookie: x=1",
    "\u202eevil\u202c",
    "\ufeff",
    "",
    "   ",
    "\t\n \r",
    "x" * 10_000,
    "-1",
    "0",
    "99999999999999999999999",
    "1e309",
    "NaN",
    "-0.5",
    "31/02/2026",
    "2026-02-31",
    "00000000-0000-0000-0000-000000000000",
    "not-a-uuid",
    "../../etc/passwd",
]
DATE_TRIPLES = [
    ("31", "2", "2026"),
    ("29", "2", "2027"),
    ("1", "1", "0"),
    ("1", "1", "99999"),
    ("0", "0", "0"),
    ("-1", "13", "2026"),
    ("1", "1", "1899"),
    ("1", "1", "2999"),
    ("", "", ""),
    ("x", "y", "z"),
    ("\uff13\uff11", "\uff11", "\uff12\uff10\uff12\uff16"),  # full-width digits
]
# Fields no form should take from the person posting it (V15.3.4).
EXTRA_FIELDS = ("status", "agency", "authority", "reported_by", "owner", "version")
IMPOSSIBLE_VERSION = "987654321"
IMPOSSIBLE_STATUS = "closed-by-request"
# What must never come back as it was sent. (A payload sent already escaped is left out: the
# page rightly shows the escaped form of another field's markup.)
MARKUP = {payload for payload in [*XSS_PAYLOADS, *HOSTILE_TEXT] if set("<>\"'") & set(payload)}


@dataclass
class Others:
    """Records of other people, made before the page's own record: never to be changed."""

    rows: dict[tuple[str, Any], tuple[Any, ...]] = field(default_factory=dict)
    ids: list[str] = field(default_factory=list)  # their public ids and primary keys
    foreign: dict[str, str] = field(default_factory=dict)  # extra field -> another's id


def make_others(others: Others) -> Callable[[World], None]:
    def make(world: World) -> None:
        assert world.agency_for is not None
        bystander = World(world.home, world.elsewhere, agency_for=world.agency_for)
        elsewhere = concern_for(bystander, "other_authority")
        neighbour = concern_for(bystander, "other_agency_concern")
        referral = referral_for(bystander, "other_authority")
        others.ids = [
            *(str(c.public_id) for c in (elsewhere, neighbour)),
            *(str(i.child.public_id) for i in elsewhere.involvements.all()),
            str(referral.public_id),
            str(referral.child.public_id),
        ]
        agency = world.agency_for(AgencyKind.SCHOOL, world.elsewhere)
        others.foreign = {
            "status": IMPOSSIBLE_STATUS,
            "agency": str(agency.pk),
            "authority": str(world.elsewhere.pk),
            "reported_by": str(elsewhere.reported_by_id),
            "owner": str(elsewhere.reported_by_id),
            "version": IMPOSSIBLE_VERSION,
        }
        others.rows = snapshot()

    return make


def hostile_values(others: Others) -> st.SearchStrategy[Any]:
    single = st.one_of(
        st.sampled_from(XSS_PAYLOADS),
        st.sampled_from(HOSTILE_TEXT),
        st.text(max_size=40),  # any unicode, control characters included
        st.sampled_from(others.ids),
        st.uuids().map(str),
    )
    return st.one_of(single, st.lists(single, min_size=2, max_size=3))


def field_values(item: FormField, others: Others) -> st.SearchStrategy[Any]:
    """Mostly what a person could send (so that some posts are accepted), sometimes worse."""
    as_rendered = item.rendered if item.kind == "checkbox" else (item.rendered or [None])[0]
    if item.name in ("csrfmiddlewaretoken", "acting_as"):
        # Tokens the page gives; a form sent in another role has its own walk (test_form_role).
        return st.just(as_rendered)
    if item.kind == "checkbox":
        plausible = st.lists(st.sampled_from(item.values), unique=True) if item.values else None
    elif item.kind in ("radio", "select"):
        plausible = st.sampled_from(item.values) if item.values else None
    elif item.kind == "hidden":
        plausible = None
    elif item.kind == "number":
        plausible = st.sampled_from(["4", "12", "17"])
    else:
        plausible = st.sampled_from([*XSS_PAYLOADS, "Jordan", "10:30"])
    choices = [st.just(as_rendered), hostile_values(others)]
    if plausible is not None:
        choices[1:1] = [plausible, plausible]
    return st.one_of(*choices, st.none())


def form_data(form: Form, others: Others) -> st.SearchStrategy[dict[str, Any]]:
    today = timezone.localdate()
    dates: dict[str, st.SearchStrategy[Any]] = {}
    plain: dict[str, st.SearchStrategy[Any]] = {}
    names = set(form.fields)
    for name, item in form.fields.items():
        base = name[:-2]
        if name.endswith("_0") and {f"{base}_1", f"{base}_2"} <= names and item.kind == "text":
            rendered = tuple((form.fields[f"{base}_{i}"].rendered or [""])[0] for i in range(3))
            valid = (str(today.day), str(today.month), str(today.year))
            dates[base] = st.sampled_from([rendered, valid, valid, *DATE_TRIPLES])
        elif not (name[-2:] in ("_1", "_2") and f"{base}_0" in names):
            plain[name] = field_values(item, others)
    extras = {
        name: st.one_of(st.just(others.foreign[name]), hostile_values(others))
        for name in EXTRA_FIELDS
        if name not in names
    }

    def assemble(drawn: tuple[dict[str, Any], dict[str, Any], dict[str, Any]]) -> dict[str, Any]:
        values, triples, extra = drawn
        data = {name: value for name, value in {**values, **extra}.items() if value is not None}
        for base, triple in triples.items():
            data.update({f"{base}_{i}": part for i, part in enumerate(triple)})
        return data

    return st.tuples(
        st.fixed_dictionaries(plain),
        st.fixed_dictionaries(dates),
        st.fixed_dictionaries({}, optional=extras),
    ).map(assemble)


@dataclass
class Tally:
    posts: int = 0
    accepted: int = 0
    escaped_on_record_page: set[str] = field(default_factory=set)


def posted_strings(data: dict[str, Any]) -> set[str]:
    values: set[str] = set()
    for value in data.values():
        values.update(value if isinstance(value, list) else [value])
    return values


def assert_escaped(body: str, posted: set[str], where: str) -> None:
    raw = sorted(value for value in posted & MARKUP if value in body)
    assert raw == [], f"{where} shows posted markup unescaped: {raw}"
    assert "Traceback" not in body


def fuzz(visit: Visit, form: Form, others: Others, tally: Tally) -> None:
    client = visit.client
    watched = {m._meta.db_table: columns(m) for m in watched_models()}

    @HOSTILE
    @given(data=form_data(form, others))
    def post(data: dict[str, Any]) -> None:
        with rolled_back():
            before = snapshot()
            response = client.post(form.action, data)
            after = snapshot()
            tally.posts += 1
            moved = changed(before, after)
            assert response.status_code < 500, f"{response.status_code} from {form.action}"
            posted = posted_strings(data)
            if response.status_code in (301, 302, 303):
                tally.accepted += 1
                touched = [key for key in moved if key in others.rows]
                assert touched == [], f"{form.action} changed another record's rows: {touched}"
                assert_no_foreign_values(moved, after, watched, others)
                follow_and_check(client, response["Location"], posted, form, tally)
            else:
                assert moved == [], f"{form.action} refused the post but changed {moved}"
                if response["Content-Type"].startswith("text/html"):
                    assert_escaped(response.content.decode(), posted, form.action)
                    assert_error_links_land(response.content.decode(), form.action)

    post()


ERROR_LINK = re.compile(r'govuk-error-summary__list">(.*?)</ul>', re.S)


def assert_error_links_land(body: str, where: str) -> None:
    """Every link in the error summary moves focus to an element on the page (WCAG 2.4.3):
    for radios and checkboxes, the first option."""
    summary = ERROR_LINK.search(body)
    if summary is None:
        return
    for target in re.findall(r'href="#([^"]+)"', summary.group(1)):
        assert f'id="{target}"' in body, f"{where}: the error summary links to #{target}"


def assert_no_foreign_values(
    moved: list[tuple[str, Any]],
    after: dict[tuple[str, Any], tuple[Any, ...]],
    watched: dict[str, list[str]],
    others: Others,
) -> None:
    """No row the post wrote holds an owner, status or version that came from the extra
    fields rather than from the form (V15.3.4)."""
    for key in moved:
        if key not in after:
            continue
        for column, value in zip(watched[key[0]], after[key], strict=True):
            extra = column.removesuffix("_id") if column.endswith("_id") else column
            if extra in EXTRA_FIELDS:
                assert str(value) != others.foreign[extra], f"{key} took the posted {column}"


def follow_and_check(
    client: Client, location: str, posted: set[str], form: Form, tally: Tally
) -> None:
    path = urlsplit(location).path
    page = client.get(path)
    assert page.status_code < 500
    if page.status_code == 200 and page["Content-Type"].startswith("text/html"):
        body = page.content.decode()
        assert_escaped(body, posted, path)
        if any(escape(value) in body for value in posted & set(XSS_PAYLOADS)):
            tally.escaped_on_record_page.add(urlsplit(form.action).path)


PAGES = [name for name in route_names() if name not in ACCOUNT_ROUTES and has_page(name)]
POST_ONLY = [name for name in route_names() if name not in ACCOUNT_ROUTES and is_post_only(name)]


def _report(tally: Tally, forms: int, record_property: Callable[[str, object], None]) -> None:
    record_property("hostile_posts", tally.posts)
    record_property("hostile_forms", forms)
    record_property("hostile_accepted", tally.accepted)
    record_property("xss_escaped_forms", sorted(tally.escaped_on_record_page))


@pytest.mark.parametrize("url_name", PAGES)
def test_v2_2_1_hostile_posts_to_every_form_on_the_page_never_break_or_leak(
    url_name: str,
    visit_of: Callable[..., Visit],
    record_property: Callable[[str, object], None],
) -> None:
    others = Others()
    visit = visit_of(url_name, entitled(url_name), first=make_others(others))
    page = visit.client.get(visit.url)
    assert page.status_code == 200
    html = page["Content-Type"].startswith("text/html")
    forms = (
        post_forms(page.wsgi_request.build_absolute_uri(), page.content.decode()) if html else []
    )
    tally = Tally()

    for form in forms:
        fuzz(visit, form, others, tally)

    _report(tally, len(forms), record_property)


@pytest.mark.parametrize("url_name", POST_ONLY)
def test_v2_2_1_hostile_posts_to_post_only_actions_never_break_or_leak(
    url_name: str,
    visit_of: Callable[..., Visit],
    record_property: Callable[[str, object], None],
) -> None:
    others = Others()
    visit = visit_of(url_name, entitled(url_name), first=make_others(others))
    # These actions are buttons on other pages: the version and where to go next.
    form = Form(
        visit.url,
        {
            "version": FormField("version", "hidden", rendered=["1"]),
            "next": FormField("next", "text", rendered=["home"]),
        },
    )
    tally = Tally()

    fuzz(visit, form, others, tally)

    _report(tally, 1, record_property)


def plausible_post(form: Form, offset: int) -> tuple[dict[str, Any], set[str]]:
    """The form as a person would fill it in, with an XSS payload in every free-text field
    (a different one in each field, shifted by ``offset``)."""
    today = timezone.localdate()
    data: dict[str, Any] = {}
    payloads: set[str] = set()
    for position, (name, item) in enumerate(form.fields.items()):
        rendered = (item.rendered or [""])[0]
        part = name[-2:]
        if item.kind == "checkbox":
            data[name] = item.rendered
        elif item.kind in ("radio", "select"):
            data[name] = rendered or next((value for value in item.values if value), "")
        elif item.kind in ("hidden", "number") or name.endswith("_time"):
            data[name] = rendered or {"number": "12", "hidden": ""}.get(item.kind, "10:30")
        elif part in ("_0", "_1", "_2") and f"{name[:-2]}_2" in form.fields:
            data[name] = rendered or str((today.day, today.month, today.year)[int(part[1])])
        else:
            data[name] = XSS_PAYLOADS[(position + offset) % len(XSS_PAYLOADS)]
            payloads.add(data[name])
    return data, payloads


@pytest.mark.parametrize("url_name", PAGES)
def test_v1_2_1_xss_payloads_in_free_text_come_back_escaped(
    url_name: str,
    visit_of: Callable[..., Visit],
    record_property: Callable[[str, object], None],
) -> None:
    visit = visit_of(url_name, entitled(url_name))
    page = visit.client.get(visit.url)
    html = page["Content-Type"].startswith("text/html")
    body = page.content.decode() if html else ""
    forms = post_forms(page.wsgi_request.build_absolute_uri(), body)
    accepted: set[str] = set()
    shown: set[str] = set()

    for form in forms:
        # Three posts, so that every payload goes through about three fields of each form.
        for offset in (0, 10, 20):
            data, payloads = plausible_post(form, offset)
            if not payloads:
                continue
            with rolled_back():
                response = visit.client.post(form.action, data)
                assert response.status_code < 500
                if response.status_code != 302:
                    assert_escaped(response.content.decode(), payloads, form.action)
                    continue
                accepted.add(form.action)
                record_page = visit.client.get(urlsplit(response["Location"]).path)
                assert_escaped(record_page.content.decode(), payloads, response["Location"])
                if any(escape(value) in record_page.content.decode() for value in payloads):
                    shown.add(form.action)

    record_property("xss_forms_accepting", len(accepted))
    record_property("xss_forms_showing", len(shown))
