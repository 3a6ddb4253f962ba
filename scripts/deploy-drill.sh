#!/usr/bin/env bash
# The deployment drill (issue 17, items 1 and 2): README "Deploying" followed step by step on
# this machine's loopback, with real parts: Debian's nginx (installed if missing) with a
# certificate from a throwaway CA, TLS and HTTP/2; the release made by `make release`,
# installed into a clean folder with its own virtualenv (no checkout, no Node); two app
# servers, the worker and the scheduler started from the rendered systemd units' own command
# lines, as the unprivileged service user; PostgreSQL and Redis. Then scripts/drills/journey.py walks
# through https://127.0.0.1:<port> and the worker runs the nightly jobs.
#
#   scripts/deploy-drill.sh          (as root: it installs nginx and adds the service user)
#
# Prints each step's time; exits non-zero on the first failure; stops and removes everything
# it started (DRILL_KEEP=1 keeps the folder and its logs). Needs PostgreSQL on 127.0.0.1:5432
# and Redis on 127.0.0.1:6379 (.ci/run starts both).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
python=${PYTHON:-$repo/.venv/bin/python}

milliseconds() { echo $(( $(date +%s%N) / 1000000 )); }
seconds_since() { local ms=$(( $(milliseconds) - $1 )); printf '%d.%d' $((ms / 1000)) $((ms % 1000 / 100)); }
drill_started=$(milliseconds)
declare -a timings=()
step_started=$drill_started
step_name=""
step() {
    local now
    now=$(milliseconds)
    if [[ -n "$step_name" ]]; then
        timings+=("$(printf '%6s s  %s' "$(seconds_since "$step_started")" "$step_name")")
    fi
    step_name=$1
    step_started=$now
    printf '== %s\n' "$1"
}

work=$(mktemp -d /tmp/hsb-deploy-drill.XXXXXX)
chmod 755 "$work"
database=${DRILL_DATABASE:-hsb_drill}
redis_db=${DRILL_REDIS_DB:-14}
redis_prefix="hsb-drill-$$"
service_user=hsb-portal
created_user=""
declare -a groups=()
nginx_conf="$work/etc/nginx.conf"

cleanup() {
    local status=$?
    set +e
    echo "== Cleaning up"
    local cleanup_started
    cleanup_started=$(milliseconds)
    for group in "${groups[@]}"; do kill -TERM -- "-$group" 2>/dev/null; done
    for group in "${groups[@]}"; do
        for _ in $(seq 50); do kill -0 -- "-$group" 2>/dev/null || break; sleep 0.2; done
        kill -KILL -- "-$group" 2>/dev/null
    done
    if [[ -f "$work/nginx/nginx.pid" ]]; then
        nginx -c "$nginx_conf" -e "$work/log/nginx-startup.log" -s quit 2>/dev/null
        for _ in $(seq 50); do [[ -f "$work/nginx/nginx.pid" ]] || break; sleep 0.1; done
    fi
    dropdb --if-exists --force -h 127.0.0.1 -U postgres "$database" 2>/dev/null
    redis-cli -n "$redis_db" --scan --pattern "$redis_prefix:*" | xargs -r redis-cli -n "$redis_db" del >/dev/null
    [[ -n "$created_user" ]] && userdel "$service_user" 2>/dev/null
    echo "Cleaned up in $(seconds_since "$cleanup_started") s"
    if [[ "${DRILL_KEEP:-}" == 1 || $status -ne 0 ]]; then
        echo "Logs kept in $work/log"
        [[ $status -ne 0 ]] && tail -n 20 "$work"/log/*.log 2>/dev/null
    else
        rm -rf "$work"
    fi
    exit $status
}
trap cleanup EXIT

free_port() { "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

step "Prerequisites: PostgreSQL, Redis, nginx (Debian's, installed if missing)"
pg_isready -q -h 127.0.0.1 -p 5432
[[ $(redis-cli -h 127.0.0.1 -p 6379 ping) == PONG ]]
if ! command -v nginx >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx >/dev/null
    # Debian starts its default site after installing; the drill runs its own nginx.
    [[ -f /run/nginx.pid ]] && nginx -s quit
fi
nginx -v 2>&1

step "The service user ($service_user)"
if ! id "$service_user" >/dev/null 2>&1; then
    useradd --system --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin "$service_user"
    created_user=1
fi

step "make release (here: scripts/release.sh, which make release runs after make deps)"
tarball=$(scripts/release.sh | tail -n 1 | cut -d' ' -f1)
[[ -f "$tarball" ]]
ls -l "$tarball"

step "The environment file, from deploy/hsb-portal.env.example"
prefix="$work/opt/hsb-portal"
state="$work/var/lib/hsb-portal"
mkdir -p "$work/etc" "$work/log" "$work/nginx/tmp" "$prefix" "$state"/{static,backups,cache}
chown -R "$service_user:$service_user" "$state"
env_file="$work/etc/hsb-portal.env"
metrics_token=$("$python" -c 'import secrets; print(secrets.token_urlsafe(32))')
database_url="postgres://postgres@127.0.0.1:5432/$database"
DRILL_VALUES="
SECRET_KEY=$("$python" -c 'import secrets; print(secrets.token_urlsafe(50))')
ALLOWED_HOSTS=127.0.0.1,localhost
DATABASE_URL=$database_url
REDIS_URL=redis://127.0.0.1:6379/$redis_db
REDIS_KEY_PREFIX=$redis_prefix
STATIC_ROOT=$state/static
BACKUP_DIR=$state/backups
METRICS_TOKEN=$metrics_token
EMAIL_HOST=127.0.0.1
DEFAULT_FROM_EMAIL=hsb-portal@drill.example
" "$python" - deploy/hsb-portal.env.example > "$env_file" <<'PY'
import os
import sys

values = dict(line.split("=", 1) for line in os.environ["DRILL_VALUES"].split("\n") if line)
for line in open(sys.argv[1]):
    key = line.split("=", 1)[0]
    print(f"{key}={values[key]}\n" if key in values and not line.startswith("#") else line, end="")
PY
chmod 600 "$env_file"
declare -a service_env=()
while IFS= read -r line; do
    [[ "$line" =~ ^[A-Z_][A-Z0-9_]*= ]] && service_env+=("$line")
done < "$env_file"

step "An empty PostgreSQL database ($database)"
dropdb --if-exists --force -h 127.0.0.1 -U postgres "$database"
createdb -h 127.0.0.1 -U postgres "$database"

step "Install the release into a clean folder (deploy/install-release.sh)"
HSB_PREFIX="$prefix" HSB_ENV_FILE="$env_file" deploy/install-release.sh "$tarball"
current="$prefix/current"
[[ ! -e "$current/tests" && ! -e "$current/node_modules" && -f "$current/static/govuk/app.css" ]]

manage() { HSB_ENV_FILE="$env_file" HSB_USER="$service_user" "$current/deploy/manage.sh" "$@"; }

step "The drill's one person, with a password and an authenticator"
drill_email="drill.teacher@drill.example"
drill_password=$("$python" -c 'import secrets; print(secrets.token_urlsafe(24))')
drill_key=$("$python" -c 'import secrets; print(secrets.token_hex(20))')
{
    printf "import os\nos.environ.update(DRILL_EMAIL='%s', DRILL_PASSWORD='%s', DRILL_TOTP_KEY='%s')\n" \
        "$drill_email" "$drill_password" "$drill_key"
    cat scripts/drills/drill_person.py
} | manage shell --no-imports

step "A certificate for 127.0.0.1 from a throwaway CA (openssl)"
tls="$work/tls"
mkdir -p "$tls"
openssl req -x509 -new -nodes -newkey rsa:2048 -days 1 -subj "/CN=HSB Portal drill CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$tls/ca.key" -out "$tls/ca.pem" 2>/dev/null
openssl req -new -nodes -newkey rsa:2048 -subj "/CN=127.0.0.1" \
    -keyout "$tls/server.key" -out "$tls/server.csr" 2>/dev/null
printf '%s\n' "subjectAltName=IP:127.0.0.1,DNS:localhost" "basicConstraints=critical,CA:FALSE" \
    "keyUsage=critical,digitalSignature,keyEncipherment" "extendedKeyUsage=serverAuth" > "$tls/server.ext"
openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" -CAcreateserial \
    -days 1 -extfile "$tls/server.ext" -out "$tls/server.pem" 2>/dev/null

step "Render the systemd units (systemd-analyze verify) and the nginx site (deploy/render.py)"
http_port=$(free_port); https_port=$(free_port); app_ports="$(free_port) $(free_port)"
export HSB_USER=$service_user HSB_PREFIX=$prefix HSB_ENV_FILE=$env_file HSB_STATE_DIR=$state
export HSB_SERVER_NAME=127.0.0.1 HSB_HTTP_PORT=$http_port HSB_HTTPS_PORT=$https_port
export HSB_WEB_PORTS=$app_ports HSB_STATIC_ROOT=$state/static HSB_NGINX_LOG_DIR=$work/log
export HSB_TLS_CERTIFICATE=$tls/server.pem HSB_TLS_KEY=$tls/server.key
units="$work/etc/systemd"
mkdir -p "$units"
for template in deploy/systemd/*; do
    "$current/venv/bin/python" "$current/deploy/render.py" "$template" > "$units/$(basename "$template")"
done
"$current/venv/bin/python" "$current/deploy/render.py" "$current/deploy/nginx/hsb-portal.conf" > "$work/etc/hsb-portal.nginx.conf"
if command -v systemd-analyze >/dev/null; then
    # The rendered units are valid systemd units whose programs exist (an instance for web@).
    first_port=${app_ports%% *}
    cp "$units/hsb-portal-web@.service" "$units/hsb-portal-web@$first_port.service"
    (cd "$units" && SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no \
        "./hsb-portal-web@$first_port.service" ./hsb-portal-worker.service \
        ./hsb-portal-scheduler.service ./hsb-portal.target)
    rm "$units/hsb-portal-web@$first_port.service"
fi
# Debian's /etc/nginx/nginx.conf, cut down to what the site needs, with the drill's own paths.
cat > "$nginx_conf" <<NGINX
user www-data;
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/log/nginx-error.log warn;
events { worker_connections 256; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    client_body_temp_path $work/nginx/tmp/body;
    proxy_temp_path $work/nginx/tmp/proxy;
    fastcgi_temp_path $work/nginx/tmp/fastcgi;
    uwsgi_temp_path $work/nginx/tmp/uwsgi;
    scgi_temp_path $work/nginx/tmp/scgi;
    include $work/etc/hsb-portal.nginx.conf;
}
NGINX

unit_value() { sed -n "s/^$2=//p" "$1" | head -n 1; }
# Start a unit as systemd would: its User, WorkingDirectory, EnvironmentFile, Environment and
# ExecStart (with %i and %H filled in), in a process group of its own.
start_unit() {
    local unit=$1 instance=${2:-} log=$3
    local command directory user extra
    command=$(unit_value "$unit" ExecStart)
    command=${command//%i/$instance}
    command=${command//%H/$(hostname)}
    directory=$(unit_value "$unit" WorkingDirectory)
    user=$(unit_value "$unit" User)
    extra=$(unit_value "$unit" Environment)
    cd "$directory"
    # shellcheck disable=SC2086  # ExecStart is split into words, as systemd does
    setsid setpriv --reuid="$user" --regid="$user" --init-groups \
        env -i PATH=/usr/bin:/bin "${service_env[@]}" $extra $command \
        > "$work/log/$log.log" 2>&1 &
    groups+=($!)
    cd "$repo"
}

step "Start two app servers, the worker and the scheduler (the units' ExecStart)"
for port in $app_ports; do
    start_unit "$units/hsb-portal-web@.service" "$port" "web-$port"
done
start_unit "$units/hsb-portal-worker.service" "" worker
start_unit "$units/hsb-portal-scheduler.service" "" scheduler
for port in $app_ports; do
    for _ in $(seq 150); do
        curl -fs -o /dev/null -H "Host: 127.0.0.1" "http://127.0.0.1:$port/healthz" && break
        sleep 0.2
    done
    curl -fsS -o /dev/null -H "Host: 127.0.0.1" "http://127.0.0.1:$port/healthz"
done

step "Start nginx with the site (nginx -t first)"
nginx -t -q -c "$nginx_conf" -e "$work/log/nginx-startup.log"
nginx -c "$nginx_conf" -e "$work/log/nginx-startup.log"
for _ in $(seq 50); do
    curl -fs -o /dev/null --cacert "$tls/ca.pem" "https://127.0.0.1:$https_port/readyz" && break
    sleep 0.2
done

step "The journey through https://127.0.0.1:$https_port (scripts/drills/journey.py)"
DRILL_HTTPS="https://127.0.0.1:$https_port" DRILL_HTTP="http://127.0.0.1:$http_port" \
DRILL_CA="$tls/ca.pem" DRILL_APP_PORTS="$app_ports" DRILL_EMAIL="$drill_email" \
DRILL_PASSWORD="$drill_password" DRILL_TOTP_KEY="$drill_key" DRILL_METRICS_TOKEN="$metrics_token" \
DRILL_DATABASE_URL="$database_url" DRILL_LOG_DIR="$work/log" \
    "$python" scripts/drills/journey.py

step "The nightly jobs, sent to the worker through Redis (run_scheduled_jobs --on-worker)"
jobs_output=$(manage run_scheduled_jobs --on-worker --wait 120)
echo "$jobs_output"
[[ $(grep -c ": succeeded on worker@" <<<"$jobs_output") -eq 3 ]]
ls "$state/backups"/hsb_portal-*.dump >/dev/null

step "The scheduler is up with the nightly schedule"
grep -q "beat: Starting" "$work/log/scheduler.log"
kill -0 -- "-${groups[-1]}"

step "done"
echo
echo "Deployment drill timings:"
printf '  %s\n' "${timings[@]}"
echo "Deployment drill: passed in $(seconds_since "$drill_started") s"
