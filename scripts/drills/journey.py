"""The deployment drill's journey (scripts/deploy-drill.sh starts everything, then runs this):
a person's way through nginx on https://127.0.0.1:<port>, and what an IT team would check.
Each check prints its time; any failure exits 1. Settings come from the environment the drill
sets: DRILL_HTTPS, DRILL_HTTP, DRILL_CA, DRILL_EMAIL, DRILL_PASSWORD, DRILL_TOTP_KEY,
DRILL_APP_PORTS, DRILL_METRICS_TOKEN, DRILL_DATABASE_URL, DRILL_LOG_DIR.
"""

import http.client
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import psycopg2
import requests
from django_otp.oath import totp

HTTPS = os.environ["DRILL_HTTPS"]  # https://127.0.0.1:<port>
HTTP = os.environ["DRILL_HTTP"]  # http://127.0.0.1:<port>
CA = os.environ["DRILL_CA"]
APP_PORTS = os.environ["DRILL_APP_PORTS"].split()
LOGS = Path(os.environ["DRILL_LOG_DIR"])
FORGED = "203.0.113.66"

timings: list[tuple[str, float]] = []


class DrillFailed(Exception):
    pass


def check(condition: object, message: str) -> None:
    if not condition:
        raise DrillFailed(message)


@contextmanager
def step(name: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    took = time.perf_counter() - started
    timings.append((name, took))
    print(f"  ok  {took * 1000:7.0f} ms  {name}", flush=True)


class Forms(HTMLParser):
    """The forms of a page: each one's action and its fields, as a browser would send them."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "fields": [], "options": {}})
        elif not self.forms:
            return
        elif tag == "input" and a.get("name"):
            self.forms[-1]["fields"].append(
                (a["name"], a.get("type", "text"), a.get("value", ""), "checked" in a)
            )
        elif tag == "select":
            self._select = a.get("name")
            self.forms[-1]["options"][self._select] = []
        elif tag == "option" and self._select:
            self.forms[-1]["options"][self._select].append((a.get("value", ""), "selected" in a))
        elif tag == "textarea":
            self._textarea = a.get("name")
            self.forms[-1]["fields"].append((self._textarea, "textarea", "", False))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def forms_of(html: str) -> list[dict[str, Any]]:
    parser = Forms()
    parser.feed(html)
    return parser.forms


def form_with(html: str, field: str) -> dict[str, Any]:
    found = [form for form in forms_of(html) if any(f[0] == field for f in form["fields"])]
    check(found, f"No form with a {field} field")
    return found[0]


def fill(form: dict[str, Any], filled: dict[str, str]) -> dict[str, str]:
    """What a person would send: the page's values, the first choice where nothing is chosen,
    short text where a box is empty, and ``filled`` over all of that."""
    data: dict[str, str] = {}
    for name, kind, value, checked in form["fields"]:
        if kind == "radio":
            if checked or name not in data:
                data[name] = value
        elif kind == "checkbox":
            if checked:
                data[name] = value or "on"
        elif kind in {"hidden", "text", "email", "password", "number"}:
            data[name] = value or ("" if kind == "hidden" else "Drill")
        elif kind == "textarea":
            data[name] = "A drill entry made while checking a new deployment."
    for name, options in form["options"].items():
        chosen = [value for value, selected in options if selected] or [
            value for value, _ in options if value
        ]
        data[name] = chosen[0] if chosen else ""
    return {**data, **filled}


def host_cookie(response: requests.Response, name: str) -> str:
    headers = response.raw.headers.getlist("Set-Cookie")
    found = [header for header in headers if header.startswith(f"{name}=")]
    check(found, f"No {name} cookie set: {headers}")
    return found[0]


def journey() -> None:
    browser = requests.Session()
    browser.verify = CA
    browser.trust_env = False  # REQUESTS_CA_BUNDLE would otherwise replace the drill's CA

    with step("HTTP is redirected to HTTPS"):
        response = requests.get(f"{HTTP}/account/sign-in/", allow_redirects=False, timeout=10)
        check(response.status_code == 301, f"HTTP answered {response.status_code}")
        check(
            response.headers["Location"] == f"{HTTPS}/account/sign-in/",
            f"HTTP redirected to {response.headers['Location']}",
        )

    with step("sign-in page over HTTPS: HSTS, a __Host- Secure cookie"):
        page = browser.get(f"{HTTPS}/account/sign-in/", timeout=10)
        check(page.status_code == 200, f"sign-in page: {page.status_code}")
        check(
            page.headers.get("Strict-Transport-Security", "").startswith("max-age=31536000"),
            f"HSTS: {page.headers.get('Strict-Transport-Security')}",
        )
        csrf_cookie = host_cookie(page, "__Host-csrftoken")
        check("; Secure" in csrf_cookie and "Path=/" in csrf_cookie, csrf_cookie)
        check("Domain=" not in csrf_cookie, csrf_cookie)

    with step("HTTP/2 through nginx (curl)"):
        version = subprocess.run(
            [
                "curl",
                "-sS",
                "--http2",
                "--cacert",
                CA,
                "-o",
                "/dev/null",
                "-w",
                "%{http_version}",
                f"{HTTPS}/healthz",
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout
        check(version == "2", f"HTTP version {version}")

    with step("sign in with the password (forged X-Forwarded-For, X-Real-IP, X-Forwarded-Proto)"):
        form = form_with(page.text, "username")
        data = fill(
            form, {"username": os.environ["DRILL_EMAIL"], "password": os.environ["DRILL_PASSWORD"]}
        )
        forged = {
            "X-Forwarded-For": FORGED,
            "X-Real-IP": FORGED,
            "X-Forwarded-Proto": "http",
            "Referer": f"{HTTPS}/account/sign-in/",
        }
        signed = browser.post(
            f"{HTTPS}/account/sign-in/",
            data=data,
            headers=forged,
            allow_redirects=False,
            timeout=10,
        )
        check(signed.status_code == 302, f"password step: {signed.status_code}")
        session_cookie = host_cookie(signed, "__Host-sessionid")
        check("; Secure" in session_cookie and "HttpOnly" in session_cookie, session_cookie)
        sign_in_request = signed.headers["X-Request-ID"]

    with step("second factor: the authenticator's code"):
        page = browser.get(f"{HTTPS}{signed.headers['Location']}", timeout=10)
        check("/account/two-factor/" in page.url, f"not asked for a code: {page.url}")
        form = form_with(page.text, "code")
        code = f"{totp(bytes.fromhex(os.environ['DRILL_TOTP_KEY'])):06d}"
        verified = browser.post(
            page.url,
            data=fill(form, {"code": code}),
            allow_redirects=False,
            headers={"Referer": page.url},
            timeout=10,
        )
        check(verified.status_code == 302, f"code step: {verified.status_code}")

    with step("My work"):
        home = browser.get(f"{HTTPS}/", timeout=10)
        check(home.status_code == 200 and "My work" in home.text, f"My work: {home.status_code}")

    with step("a form POST with its CSRF token: report a concern"):
        page = browser.get(f"{HTTPS}/concerns/new/", timeout=10)
        check(page.status_code == 200, f"concern form: {page.status_code}")
        form = form_with(page.text, "submission")
        data = fill(
            form, {f"occurred_on_{i}": form_value(form, f"reported_on_{i}") for i in range(3)}
        )
        created = browser.post(
            f"{HTTPS}/concerns/new/",
            data=data,
            headers={"Referer": f"{HTTPS}/concerns/new/"},
            allow_redirects=False,
            timeout=10,
        )
        check(
            created.status_code == 302,
            f"concern POST: {created.status_code} "
            f"{re.findall(r'govuk-error-message[^>]*>(.*?)<', created.text, re.S)}",
        )
        concern = browser.get(f"{HTTPS}{created.headers['Location']}", timeout=10)
        check(
            concern.status_code == 200 and "Concern started" in concern.text,
            f"the new concern: {concern.status_code}",
        )

    with step("the same POST without its CSRF token is refused"):
        data.pop("csrfmiddlewaretoken")
        refused = browser.post(
            f"{HTTPS}/concerns/new/",
            data=data,
            headers={"Referer": f"{HTTPS}/concerns/new/"},
            allow_redirects=False,
            timeout=10,
        )
        check(refused.status_code == 403, f"without CSRF: {refused.status_code}")

    with step("a static file, served by nginx (not the app), compressed and cached"):
        stylesheet = re.search(r'href="(/static/[^"]+\.css)"', home.text)
        check(stylesheet, "no stylesheet on My work")
        asset = browser.get(f"{HTTPS}{stylesheet.group(1)}", timeout=10)
        check(asset.status_code == 200, f"stylesheet: {asset.status_code}")
        check("X-Request-ID" not in asset.headers, "the stylesheet came from the app")
        check(asset.headers.get("Content-Encoding") == "gzip", "not the pre-compressed file")
        check("immutable" in asset.headers.get("Cache-Control", ""), asset.headers)
        check(asset.headers["Content-Type"].startswith("text/css"), asset.headers)
        check("Strict-Transport-Security" in asset.headers, "no HSTS on a static file")

    with step("forged headers from outside were not believed (audit log: real address)"):
        with psycopg2.connect(os.environ["DRILL_DATABASE_URL"]) as database:
            cursor = database.cursor()
            cursor.execute(
                "SELECT ip_address, request_id FROM audit_auditevent WHERE action = 'log_in' "
                "ORDER BY id DESC LIMIT 1"
            )
            address, request_id = cursor.fetchone()
        check(str(address) == "127.0.0.1", f"sign-in audited from {address}")
        check(request_id == sign_in_request, f"{request_id} != {sign_in_request}")

    with step("an app server believes X-Forwarded-Proto only from nginx's address"):
        port = int(APP_PORTS[0])
        from_proxy = plain_get(
            port,
            "/account/sign-in/",
            source="127.0.0.1",
            headers={"X-Forwarded-Proto": "https", "Host": "127.0.0.1"},
        )
        check(from_proxy.status == 200, f"from 127.0.0.1: {from_proxy.status}")
        elsewhere = plain_get(
            port,
            "/account/sign-in/",
            source="127.0.0.2",
            headers={"X-Forwarded-Proto": "https", "Host": "127.0.0.1"},
        )
        check(elsewhere.status == 301, f"from 127.0.0.2: {elsewhere.status}")
        check(elsewhere.getheader("Location", "").startswith("https://"), "no HTTPS redirect")

    with step("/healthz and /readyz through nginx, with no sign-in"):
        for path, body in [
            ("/healthz", "ok\n"),
            ("/readyz", "database: ok\ncache: ok\nbroker: ok\nmigrations: ok\n"),
        ]:
            probe = requests.get(f"{HTTPS}{path}", verify=CA, timeout=10)
            check((probe.status_code, probe.text) == (200, body), f"{path}: {probe.text!r}")

    with step("/metrics: not through nginx; on each app server only with the token"):
        check(
            requests.get(f"{HTTPS}/metrics", verify=CA, timeout=10).status_code == 404,
            "/metrics is public",
        )
        for port in APP_PORTS:
            anonymous = plain_get(int(port), "/metrics", headers={"Host": "127.0.0.1"})
            check(anonymous.status == 401, f"/metrics without the token: {anonymous.status}")
        scraped = "".join(
            plain_get(
                int(port),
                "/metrics",
                headers={
                    "Host": "127.0.0.1",
                    "Authorization": f"Bearer {os.environ['DRILL_METRICS_TOKEN']}",
                },
            )
            .read()
            .decode()
            for port in APP_PORTS
        )
        for wanted in (
            'hsb_http_request_duration_seconds_count{method="GET",view="home"}',
            'hsb_http_responses_total{status="302",view="login"}',
        ):
            check(wanted in scraped, f"not scraped: {wanted}")

    with step("JSON logs: the app's line and nginx's share the request id, no query string"):
        missing = browser.get(f"{HTTPS}/no-such-page/?find=Quillon+Farthingale", timeout=10)
        check(missing.status_code == 404, f"missing page: {missing.status_code}")
        request_id = missing.headers["X-Request-ID"]
        time.sleep(0.5)  # let the log lines reach the files
        lines = []
        for log in sorted(LOGS.glob("web-*.log")):
            for line in log.read_text().splitlines():
                try:
                    lines.append(json.loads(line))
                except json.JSONDecodeError:
                    raise DrillFailed(f"{log.name}: not a JSON line: {line!r}") from None
        logged = [line for line in lines if line.get("request_id") == request_id]
        check(logged and "Not Found" in logged[0]["message"], f"no app line for {request_id}")
        access = (LOGS / "hsb-portal.access.log").read_text()
        check(request_id in access, "nginx's access log lacks the request id")
        check("Quillon" not in access + json.dumps(lines), "a query string reached a log")


def form_value(form: dict[str, Any], name: str) -> str:
    return next(value for field, _, value, _ in form["fields"] if field == name)


def plain_get(
    port: int, path: str, *, source: str = "127.0.0.1", headers: dict[str, str]
) -> http.client.HTTPResponse:
    """A request straight to an app server from ``source`` (any 127.x address is this host)."""
    connection = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=10, source_address=(source, 0)
    )
    connection.request("GET", path, headers=headers)
    return connection.getresponse()


def main(run: Callable[[], None] = journey) -> int:
    started = time.perf_counter()
    try:
        run()
    except (DrillFailed, requests.RequestException, OSError, KeyError) as failure:
        print(f"  FAILED: {failure}", flush=True)
        return 1
    total = time.perf_counter() - started
    print(
        f"Journey: {len(timings)} checks passed in {total:.2f} s "
        f"(slowest: {max(timings, key=lambda t: t[1])[0]})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
