#!/usr/bin/env bash
# Checks the Debian packages HSB Portal needs and installs the missing ones when it can.
#   scripts/system-packages.sh app       WeasyPrint's libraries, Node.js and npm
#   scripts/system-packages.sh browser   the above, and Debian's chromium for browser tests
# Never a traceback: either everything is there, or it says exactly what to install.
set -euo pipefail

want=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 nodejs npm)
if [[ "${1:-app}" == "browser" ]]; then
    want+=(chromium)
fi

missing=()
for package in "${want[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        # npm and node may come from outside Debian; accept them if they run.
        case "$package" in
            nodejs) command -v node >/dev/null && continue ;;
            npm) command -v npm >/dev/null && continue ;;
        esac
        missing+=("$package")
    fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
    exit 0
fi

if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "Installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    exit 0
fi

echo "HSB Portal needs these Debian packages, which are not installed:" >&2
echo "    sudo apt-get install ${missing[*]}" >&2
echo "Run that command, then try again." >&2
exit 1
