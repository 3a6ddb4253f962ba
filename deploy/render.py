#!/usr/bin/env python3
"""Fill a deployment template's @NAME@ placeholders from the environment and print the result.

    HSB_SERVER_NAME=hsb.council.example ... python3 deploy/render.py deploy/nginx/hsb-portal.conf

Every placeholder must have a value (an unset one is an error, never an empty string left in a
config file). ``@HSB_UPSTREAM_SERVERS@`` is made from ``HSB_WEB_PORTS`` ("8001 8002": one app
server per port) and ``@HSB_HTTPS_PORT_SUFFIX@`` from ``HSB_HTTPS_PORT`` (empty for 443).
Standard library only: a server has Python and nothing else at this point.
"""

import os
import re
import sys
from pathlib import Path

PLACEHOLDER = re.compile(r"@(HSB_[A-Z0-9_]+)@")
# Made here, and rightly empty on the standard port.
MAY_BE_EMPTY = {"HSB_HTTPS_PORT_SUFFIX"}


def derived(environment: dict[str, str]) -> dict[str, str]:
    values = dict(environment)
    ports = values.get("HSB_WEB_PORTS", "").split()
    if ports:
        values["HSB_UPSTREAM_SERVERS"] = "\n".join(
            f"    server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;" for port in ports
        )
    https_port = values.get("HSB_HTTPS_PORT")
    if https_port:
        values["HSB_HTTPS_PORT_SUFFIX"] = "" if https_port == "443" else f":{https_port}"
    return values


def render(template: str, environment: dict[str, str]) -> str:
    values = derived(environment)
    missing = sorted(
        {
            name
            for name in PLACEHOLDER.findall(template)
            if name not in values or (not values[name] and name not in MAY_BE_EMPTY)
        }
    )
    if missing:
        raise SystemExit(f"Set these variables first: {', '.join(missing)}")
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], template)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    sys.stdout.write(render(Path(sys.argv[1]).read_text(), dict(os.environ)))
