#!/usr/bin/env bash
# manage.py of the installed release, run as the service user with the deployment's environment
# file read as systemd reads it (KEY=value, literally), and nothing else from the caller:
#
#   sudo /opt/hsb-portal/current/deploy/manage.sh createsuperuser
#   sudo /opt/hsb-portal/current/deploy/manage.sh run_scheduled_jobs --job backup --on-worker
#
# $HSB_ENV_FILE (default /etc/hsb-portal/hsb-portal.env), $HSB_USER (default hsb-portal).
set -euo pipefail
release=$(cd "$(dirname "$0")/.." && pwd)
env_file=${HSB_ENV_FILE:-/etc/hsb-portal/hsb-portal.env}
user=${HSB_USER:-hsb-portal}

declare -a environment=(PATH=/usr/bin:/bin)
while IFS= read -r line || [[ -n "$line" ]]; do
    [[ "$line" =~ ^[A-Z_][A-Z0-9_]*= ]] && environment+=("$line")
done < "$env_file"

cd "$release"
if [[ $(id -u) -eq 0 ]]; then
    exec setpriv --reuid="$user" --regid="$user" --init-groups \
        env -i "${environment[@]}" venv/bin/python manage.py "$@"
fi
exec env -i "${environment[@]}" venv/bin/python manage.py "$@"
