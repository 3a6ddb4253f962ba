#!/usr/bin/env bash
# Dynamic scan (DAST) of a running HSB Portal on loopback, with wapiti3 and sqlmap.
#
# Not part of CI: it takes about an hour one run after another, about 20 minutes with
# PARALLEL=1 on a 2-core machine. Run it by hand before a release:
#
#     scripts/dynamic-scan.sh                     # everything, reports under /tmp/scan/
#     PARALLEL=1 MAX_SCAN_TIME=420 MAX_ATTACK_TIME=45 scripts/dynamic-scan.sh
#     ROLES=practitioner RUN_SQLMAP=0 scripts/dynamic-scan.sh   # a quicker look
#
# It exits 1 when wapiti reports anything medium or worse, or an anomaly (a 500); sqlmap's
# verdict for each target is printed as it finishes (logs in $SCAN_DIR/sqlmap-*.log).
#
# What it does, in order:
#   1. installs wapiti3 and sqlmap into their own virtualenv ($SCAN_DIR/venv), never the
#      project's;
#   2. builds a throwaway SQLite database ($SCAN_DIR/scan.sqlite3): migrate, seed_demo, plus a
#      concern with two children and their referrals so that there are records to attack;
#   3. copies the working tree to $SCAN_DIR/app/src and serves that copy on 127.0.0.1:$PORT with production settings (DEBUG off, WhiteNoise serving
#      collected static files, the full middleware) except plain HTTP (HTTPS=0: no __Host-
#      cookie names, no Secure flag, no HSTS, no redirect to https), through `runserver
#      --noreload` (gunicorn is not a dependency of the project);
#   4. signs each scanned person in by writing a Django session directly (password step,
#      verified second factor and active role), so the scan does not depend on typing a
#      one-time code;
#   5. runs wapiti with every attack module that works offline, as anonymous and as each
#      role in $ROLES, never following the sign-out URL; JSON and HTML reports;
#   6. runs sqlmap (batch, level 2, risk 1) on the GET filters of the lists and on the POST
#      form that finds a child, with the session cookie and the CSRF token refreshed;
#   7. prints a summary by severity and stops the server.
#
# Wapiti's out-of-band modules (ssrf, xxe, exec) are pointed at an empty static server on
# loopback (wapiti insists that it answers), so nothing leaves the machine; the modules that
# download databases or query outside DNS (wapp, htp, nikto, takeover, log4shell) are left
# out: this machine reaches no network but loopback.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SCAN_DIR="${SCAN_DIR:-/tmp/scan}"
PORT="${PORT:-8100}"
BASE="http://127.0.0.1:${PORT}"
MAX_SCAN_TIME="${MAX_SCAN_TIME:-540}"     # seconds per wapiti run
MAX_ATTACK_TIME="${MAX_ATTACK_TIME:-60}"  # seconds per attack module
ROLES="${ROLES:-practitioner screener manager}"
RUN_SQLMAP="${RUN_SQLMAP:-1}"
RUN_WAPITI="${RUN_WAPITI:-1}"
SQLMAP_ONLY="${SQLMAP_ONLY:-}"  # e.g. "child-find child-history": only these sqlmap targets
PARALLEL="${PARALLEL:-0}"  # 1: all wapiti runs and sqlmap at once (faster, noisier)
WAPITI_TASKS="${WAPITI_TASKS:-8}"
PROJECT_PYTHON="${ROOT}/.venv/bin/python"
VENV_DIR="${VENV_DIR:-${SCAN_DIR}/venv}"
TOOLS="${VENV_DIR}/bin"
WAPITI_MODULES="all,-wapp,-htp,-nikto,-takeover,-log4shell"
ENDPOINT_PORT="${ENDPOINT_PORT:-8199}"
ENDPOINT="http://127.0.0.1:${ENDPOINT_PORT}/"

mkdir -p "${SCAN_DIR}/reports" "${SCAN_DIR}/app"

# 1. Tools, in their own virtualenv (on Python 3.11 pip offers wapiti3 3.2.3 at most).
if [[ ! -x "${TOOLS}/wapiti" || ! -x "${TOOLS}/sqlmap" ]]; then
    python3 -m venv "${VENV_DIR}"
    "${TOOLS}/pip" install --quiet "wapiti3==3.2.3" "sqlmap==1.10.10"
fi

# 2. Production settings, plain HTTP, a key used for nothing else; static files collected
# outside the working tree.
cat >"${SCAN_DIR}/app/scan_settings.py" <<PY
from hsb_portal.settings import *  # noqa: F403

STATIC_ROOT = "${SCAN_DIR}/staticfiles"
# A scanner sends thousands of requests a minute: at the usual limits most of them would meet
# the 429 page instead of the code under test.
RATE_LIMIT_REQUESTS = {"exports": 1_000_000, "searches": 1_000_000}
PY
export PYTHONPATH="${SCAN_DIR}/app${PYTHONPATH:+:${PYTHONPATH}}"
export DJANGO_SETTINGS_MODULE=scan_settings
export DEBUG=0 HTTPS=0 ALLOWED_HOSTS=127.0.0.1,localhost
# IMMEDIATE transactions and a 20 s busy timeout: without them SQLite answers a scanner's
# parallel writes with "database is locked" (the app's 503 page), which tests nothing.
export DATABASE_URL="${DATABASE_URL:-sqlite:///${SCAN_DIR}/scan.sqlite3?transaction_mode=IMMEDIATE&timeout=20}"
SECRET_KEY="scan-only-$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')"
export SECRET_KEY
# The app runs from a copy of the working tree, so edits made during a long scan do not
# change what is being scanned halfway through.
APP="${SCAN_DIR}/app/src"
rm -rf "${APP}"
mkdir -p "${APP}"
tar -C "${ROOT}" --exclude=./.venv --exclude=./node_modules --exclude=./var --exclude=.git \
    --exclude=__pycache__ -cf - . | tar -C "${APP}" -xf -
manage() { (cd "${APP}" && "${PROJECT_PYTHON}" manage.py "$@"); }
manage check >/dev/null

rm -f "${SCAN_DIR}/scan.sqlite3"
manage migrate --no-input >"${SCAN_DIR}/migrate.log"
# The scan serves with DEBUG off, so seed_demo must be told the database is a throwaway one;
# its people still cannot sign in with the demo password or code, hence the sessions of step 4.
manage seed_demo --throwaway-demo >"${SCAN_DIR}/seed.log"
manage collectstatic --no-input --clear >"${SCAN_DIR}/collectstatic.log"
# Records to attack: a concern with a child who has harmed and a child harmed, referred.
manage shell --no-imports >>"${SCAN_DIR}/seed.log" <<'PY'
from tests.factories import ConcernChildFactory, ConcernFactory, NoNamesConsultationFactory, ReferralFactory, ReferralGroupFactory
from hsb_portal.accounts.models import Membership, Role
from triage.models import Child, Part

practitioner = Membership.objects.get(user__email="practitioner@harbourside.example", role=Role.PRACTITIONER)
screener = Membership.objects.get(user__email="screener@harbourside.example")
authority = practitioner.agency.authorities.first()
concern = ConcernFactory(reported_by=practitioner.user, reporting_agency=practitioner.agency, authority=authority, status="referred")
group = ReferralGroupFactory()
children = list(Child.objects.filter(authority=authority).order_by("pk")[:2])
for child, part in zip(children, [Part.CHILD_WHO_HARMED, Part.CHILD_HARMED]):
    ConcernChildFactory(concern=concern, child=child, part=part, added_by=practitioner.user)
    ReferralFactory(group=group, concern=concern, child=child, part=part)
ConcernFactory(reported_by=practitioner.user, reporting_agency=practitioner.agency, authority=authority)
NoNamesConsultationFactory(authority=authority, advised_by=screener.user)
print("scan records ready")
PY

# 3. Serve.
(cd "${APP}" && exec "${PROJECT_PYTHON}" manage.py runserver --noreload "127.0.0.1:${PORT}") \
    >"${SCAN_DIR}/server.log" 2>&1 &
SERVER_PID=$!
mkdir -p "${SCAN_DIR}/endpoint"
python3 -m http.server "${ENDPOINT_PORT}" --bind 127.0.0.1 --directory "${SCAN_DIR}/endpoint" \
    >"${SCAN_DIR}/endpoint.log" 2>&1 &
ENDPOINT_PID=$!
trap 'kill "${SERVER_PID}" "${ENDPOINT_PID}" 2>/dev/null || true' EXIT
for _ in $(seq 60); do
    curl --silent --output /dev/null "${BASE}/account/sign-in/" && break
    sleep 1
done

# 4. A signed-in, second-factor-verified session for one demo person, as a wapiti cookie file
# (cookies-<role>.json) and a Cookie header (cookie-<role>.txt). Every jar, the anonymous one
# too, starts with a CSRF cookie, as a browser's does after its first page: otherwise wapiti's
# parallel first requests each get a different CSRF cookie, it keeps the last and pairs it with
# a form token from another, and its csrf module reports the resulting 403s as "token not
# checked".
session_for() {
    local role="$1"
    manage shell --no-imports <<PY
import json, time
from django.conf import settings
from django.middleware.csrf import _get_new_csrf_string

def jar(cookies):
    entries = {name: {"value": value, "expires": None, "secure": False, "port": None, "version": 0} for name, value in cookies.items()}
    with open("${SCAN_DIR}/cookies-${role}.json", "w") as out:
        json.dump({"127.0.0.1": {"/": entries}}, out)
    with open("${SCAN_DIR}/cookie-${role}.txt", "w") as out:
        out.write("; ".join(f"{name}={value}" for name, value in cookies.items()))

csrf = {settings.CSRF_COOKIE_NAME: _get_new_csrf_string()}
if "${role}" == "anonymous":
    jar(csrf)
    raise SystemExit

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from hsb_portal.accounts.models import Membership
from hsb_portal.accounts.two_factor import VERIFIED_AT_KEY
from hsb_portal.middleware import ACTIVE_MEMBERSHIP_KEY, SESSION_STARTED_KEY

membership = Membership.objects.select_related("user").get(user__email="${role}@harbourside.example")
user = membership.user
device, _ = TOTPDevice.objects.get_or_create(user=user, confirmed=True, defaults={"name": "Authenticator app"})
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "hsb_portal.accounts.backends.PasswordBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session[DEVICE_ID_SESSION_KEY] = device.persistent_id
session[VERIFIED_AT_KEY] = time.time()
session[SESSION_STARTED_KEY] = time.time()
session[ACTIVE_MEMBERSHIP_KEY] = str(membership.public_id)
session.create()
jar({settings.SESSION_COOKIE_NAME: session.session_key, **csrf})
PY
}

# 5. wapiti: one run per person, then the HTML report from the same stored session.
wapiti_run() {
    local who="$1"
    shift
    local store="${SCAN_DIR}/wapiti-store-${who}"
    rm -rf "${store}"
    local common=(-u "${BASE}/" --scope folder -x "${BASE}/account/sign-out/"
        --store-session "${store}" --store-config "${store}" --no-bugreport
        --external-endpoint "${ENDPOINT}" --internal-endpoint "${ENDPOINT}"
        --dns-endpoint localhost --tasks "${WAPITI_TASKS}" "$@")
    echo "wapiti as ${who}: up to ${MAX_SCAN_TIME}s"
    local started=${SECONDS}
    "${TOOLS}/wapiti" "${common[@]}" -m "${WAPITI_MODULES}" --flush-session \
        --max-scan-time "${MAX_SCAN_TIME}" --max-attack-time "${MAX_ATTACK_TIME}" \
        -f json -o "${SCAN_DIR}/reports/wapiti-${who}.json" \
        >"${SCAN_DIR}/wapiti-${who}.log" 2>&1 || echo "wapiti as ${who} exited $?"
    "${TOOLS}/wapiti" "${common[@]}" --skip-crawl -m "" -f html \
        -o "${SCAN_DIR}/reports/wapiti-${who}-html" >>"${SCAN_DIR}/wapiti-${who}.log" 2>&1 || true
    echo "wapiti as ${who}: $((SECONDS - started))s"
}

wapiti_all() {
    session_for anonymous
    wapiti_run anonymous -c "${SCAN_DIR}/cookies-anonymous.json"
    local runs=()
    for role in ${ROLES}; do
        session_for "${role}"
        # Cookies the app sets later (a cycled session) are kept: a browser would keep them.
        if [[ "${PARALLEL}" == 1 ]]; then
            wapiti_run "${role}" -c "${SCAN_DIR}/cookies-${role}.json" &
            runs+=($!)
        else
            wapiti_run "${role}" -c "${SCAN_DIR}/cookies-${role}.json"
        fi
    done
    # Only the scans: a bare `wait` would also wait for the server, which never ends.
    [[ ${#runs[@]} -eq 0 ]] || wait "${runs[@]}"
}

# 6. sqlmap on list filters (GET), the auditor's history filter (GET) and the child search
# (POST, with a fresh CSRF token fetched before each request), as the people who use them.
sqlmap_run() {
    local name="$1" role="$2"
    shift 2
    if [[ -n "${SQLMAP_ONLY:-}" && " ${SQLMAP_ONLY} " != *" ${name} "* ]]; then
        return
    fi
    session_for "${role}" >/dev/null
    local started=${SECONDS}
    "${TOOLS}/sqlmap" --batch --level 2 --risk 1 --flush-session --disable-coloring \
        --output-dir "${SCAN_DIR}/sqlmap" --cookie "$(cat "${SCAN_DIR}/cookie-${role}.txt")" \
        "$@" >"${SCAN_DIR}/sqlmap-${name}.log" 2>&1 || true
    echo "sqlmap ${name} as ${role}: $((SECONDS - started))s"
    grep -E "is vulnerable|appears to be .*injectable|do not appear to be injectable|CRITICAL" \
        "${SCAN_DIR}/sqlmap-${name}.log" | sort -u || true
}
sqlmap_all() {
    local ids concern version child
    ids="$(manage shell --no-imports -c 'from triage.models import Concern, ConcernChild; c = Concern.objects.get(status="draft"); print(c.public_id, c.version, ConcernChild.objects.order_by("pk").first().child.public_id)')"
    read -r concern version child <<<"${ids}"
    local find="${BASE}/concerns/${concern}/children/find/"
    sqlmap_run screening-queue screener \
        -u "${BASE}/referrals/screening-queue/?status=received&colour=red&age_band=&referring_agency=&overdue=on&page=1"
    sqlmap_run referral-list screener -u "${BASE}/referrals/?page=1" -p page
    sqlmap_run child-list practitioner -u "${BASE}/children/?page=1" -p page
    sqlmap_run concern-list practitioner -u "${BASE}/concerns/?page=1" -p page
    sqlmap_run child-history auditor \
        -u "${BASE}/children/${child}/history/?event_kinds=view&record_kinds=child&date_from_0=1&date_from_1=3&date_from_2=2026&date_to_0=&date_to_1=&date_to_2="
    sqlmap_run child-find practitioner -u "${find}" --csrf-token csrfmiddlewaretoken --csrf-url "${find}" \
        --data "csrfmiddlewaretoken=x&version=${version}&given_name=Ash&family_name=Ashcombe&date_of_birth_0=1&date_of_birth_1=2&date_of_birth_2=2014&part=child_harmed&developmental_age="
}

if [[ "${PARALLEL}" == 1 ]]; then
    WAPITI_PID=""
    if [[ "${RUN_WAPITI}" == 1 ]]; then
        wapiti_all &
        WAPITI_PID=$!
    fi
    if [[ "${RUN_SQLMAP}" == 1 ]]; then sqlmap_all; fi
    [[ -z "${WAPITI_PID}" ]] || wait "${WAPITI_PID}"
else
    if [[ "${RUN_WAPITI}" == 1 ]]; then wapiti_all; fi
    if [[ "${RUN_SQLMAP}" == 1 ]]; then sqlmap_all; fi
fi

# 7. Summary: every finding by module and severity (wapiti levels: 1 low, 2 medium, 3 high,
# 4 critical) and every anomaly (a 500 or a timeout); exits 1 if any is medium or worse.
"${TOOLS}/python" - "${SCAN_DIR}/reports" <<'PY'
import json, pathlib, sys

levels = {0: "info", 1: "low", 2: "medium", 3: "high", 4: "critical"}
serious = 0
for report in sorted(pathlib.Path(sys.argv[1]).glob("wapiti-*.json")):
    data = json.loads(report.read_text())
    print(f"== {report.name}: {data['infos']['crawled_pages_nbr']} pages crawled")
    for section in ("vulnerabilities", "anomalies"):
        for module, items in data.get(section, {}).items():
            for item in items:
                severity = levels.get(item.get("level"), item.get("level"))
                print(f"  {section.rstrip('s').replace('ie', 'y'):<13} {severity:<8} {module:<40} {item.get('method')} {item.get('path')} {item.get('parameter') or ''}")
                serious += section == "anomalies" or item.get("level", 0) >= 2
print(f"medium or high findings and anomalies: {serious}")
sys.exit(1 if serious else 0)
PY
