#!/usr/bin/env bash
# Installs a release made by `make release` on a server that has Python and Debian's libraries,
# and no Node, no compiler and no network (README, "Deploying", step 4):
#
#   sudo deploy/install-release.sh dist/hsb-portal-<version>.tar.gz
#
# into $HSB_PREFIX/releases/<name> (default /opt/hsb-portal) with its own virtualenv, from the
# wheels and hashes inside the release; then, with the deployment's environment file
# ($HSB_ENV_FILE, default /etc/hsb-portal/hsb-portal.env): migrate, collectstatic and
# `check --deploy`, and only then points $HSB_PREFIX/current at it. Restart the units after.
# scripts/deploy-drill.sh runs this same script.
set -euo pipefail

tarball=${1:?Usage: install-release.sh dist/hsb-portal-<version>.tar.gz}
prefix=${HSB_PREFIX:-/opt/hsb-portal}
env_file=${HSB_ENV_FILE:-/etc/hsb-portal/hsb-portal.env}
# Debian's own Python 3.11 (apt-get install python3 python3-venv): the wheels are for it.
python=${PYTHON:-/usr/bin/python3}

name=$(basename "$tarball" .tar.gz)
release="$prefix/releases/$name"

# The environment file as systemd reads it: KEY=value, taken literally, nothing expanded.
while IFS= read -r line || [[ -n "$line" ]]; do
    [[ "$line" =~ ^([A-Z_][A-Z0-9_]*)=(.*)$ ]] || continue
    export "${BASH_REMATCH[1]}=${BASH_REMATCH[2]}"
done < "$env_file"

step() { printf '== %s\n' "$*"; }

step "Unpacking $name into $release"
mkdir -p "$prefix/releases"
rm -rf "$release"
mkdir "$release"
tar -xzf "$tarball" -C "$release" --strip-components=1

step "Virtualenv from the release's own wheels (no index, every hash checked)"
"$python" -m venv "$release/venv"
"$release/venv/bin/pip" install --quiet --disable-pip-version-check --no-index \
    --find-links "$release/wheels" --require-hashes --only-binary :all: \
    -r "$release/requirements.lock"

manage() { (cd "$release" && "$release/venv/bin/python" manage.py "$@"); }

step "Migrate"
manage migrate --no-input
step "Collect the static files into ${STATIC_ROOT:?Set STATIC_ROOT in $env_file}"
manage collectstatic --no-input --verbosity 0
step "Django's deployment checks"
manage check --deploy --fail-level WARNING

step "Switching $prefix/current to $name"
ln -sfn "$release" "$prefix/current.next"
mv -T "$prefix/current.next" "$prefix/current"
echo "Installed $name. Restart the services: systemctl restart 'hsb-portal-*'"
