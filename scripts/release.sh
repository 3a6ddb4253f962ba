#!/usr/bin/env bash
# Builds the release artefact (`make release`): dist/hsb-portal-<version>-<commit>.tar.gz with
# the code, templates, static sources and the GOV.UK assets built here with npm, the Python
# dependencies as wheels and requirements.lock (each pinned, with its sha256). A server installs
# it with deploy/install-release.sh and needs Python 3.11 and Debian's libraries: no Node, no
# compiler, no package index. The wheels are chosen by the servers' own interpreter
# ($SERVER_PYTHON, default Debian 12's /usr/bin/python3), so that every dependency its version
# needs is there (redis needs async-timeout below 3.11.3; Debian 12 has 3.11.2).
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-.venv/bin/python}
server_python=${SERVER_PYTHON:-/usr/bin/python3}
version=$("$python" -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')
commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
name="hsb-portal-$version-$commit"
build="build/release"
stage="$build/$name"

rm -rf "$build"
mkdir -p "$stage" dist

echo "== Front-end assets (npm, at build time only; rebuilt whenever a source changed)"
make --no-print-directory assets

echo "== Sources"
# What git tracks or would track (not ignored), less the tests and the front-end toolchain.
git ls-files --cached --others --exclude-standard -z \
    | grep -z -v -E '^(tests|scripts/drills|node_modules|\.ci|build|dist)/|^(package(-lock)?\.json|\.gitignore)$' \
    | xargs -0 -I{} sh -c 'test -f "{}" && echo "{}"' \
    | tar -cf - -T - | tar -xf - -C "$stage"
cp -rL static/govuk "$stage/static/"

echo "== Python dependencies: wheels and requirements.lock"
"$python" - > "$build/requirements.in" <<'PY'
import tomllib
print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]))
PY
"$server_python" -m venv "$build/resolver"
"$build/resolver/bin/pip" download --quiet --disable-pip-version-check --only-binary :all: \
    --dest "$stage/wheels" -r "$build/requirements.in" \
    2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)
"$python" - "$stage" <<'PY'
import hashlib
import sys
from pathlib import Path

from packaging.utils import canonicalize_name, parse_wheel_filename

stage = Path(sys.argv[1])
lines = ["# Every dependency of this release, pinned, with its wheel's sha256 (the wheels are in",
         "# wheels/). deploy/install-release.sh installs them with --no-index --require-hashes."]
for wheel in sorted((stage / "wheels").glob("*.whl"), key=lambda p: p.name.lower()):
    name, version, _, _ = parse_wheel_filename(wheel.name)
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    lines.append(f"{canonicalize_name(name)}=={version} --hash=sha256:{digest}")
(stage / "requirements.lock").write_text("\n".join(lines) + "\n")
PY

echo "== Archive"
echo "$name" > "$stage/RELEASE"
tar -czf "dist/$name.tar.gz" -C "$build" "$name"
rm -rf "$build"
echo "dist/$name.tar.gz ($(du -h "dist/$name.tar.gz" | cut -f1))"
