"""The pages under load: the world served by gunicorn (sync workers, DEBUG off, production
settings behind a TLS proxy, as deployed), loaded with wrk on loopback. Each page runs for a
few seconds with a fixed number of connections; the rounds interleave every page with the floor
(a trivial page, not signed in), and the table gives the medians of the rounds and each page's
throughput as a share of the floor's in the same round.

Exports are left out: a PDF under load measures WeasyPrint, not the page around it.
"""

import os
import shutil
import signal
import socket
import statistics
import subprocess  # nosec B404: our own server and load tool, fixed arguments
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from django.conf import settings

from tests.benchmarks import pages

ROOT = Path(__file__).resolve().parents[2]
REPORT = """
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format("RESULT %d %d %.3f %.3f %d\\n", summary.requests, summary.duration,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, errors))
end
"""


def _wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0:
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)  # noqa: S607
        return shutil.which("wrk") or "wrk"
    raise SystemExit("wrk is missing: apt-get install wrk")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _serve(environment: dict[str, str], port: int, workers: int) -> subprocess.Popen[bytes]:
    gunicorn = ROOT / ".venv" / "bin" / "gunicorn"
    if not gunicorn.exists():
        raise SystemExit("gunicorn is missing: .venv/bin/pip install 'gunicorn~=27.0'")
    server = subprocess.Popen(  # noqa: S603
        [
            str(gunicorn),
            "hsb_portal.wsgi",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env={**os.environ, **environment},
    )
    for _ in range(100):
        try:
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/accessibility/", headers={"X-Forwarded-Proto": "https"}
            )
            with urllib.request.urlopen(request, timeout=2):  # noqa: S310  # nosec B310
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def _load(
    url: str, cookie: str, *, seconds: int, connections: int, script: str
) -> tuple[float, float, float, int]:
    command = [
        _wrk(),
        "--threads",
        "2",
        "--connections",
        str(connections),
        "--duration",
        f"{seconds}s",
        "--timeout",
        "10s",
        "--script",
        script,
        "--header",
        "X-Forwarded-Proto: https",
    ]
    if cookie:
        command += ["--header", f"Cookie: {cookie}"]
    result = subprocess.run([*command, url], capture_output=True, text=True, check=True)  # noqa: S603
    line = next(line for line in result.stdout.splitlines() if line.startswith("RESULT"))
    _, count, duration, p50, p95, errors = line.split()
    return int(count) / (int(duration) / 1e6), float(p50), float(p95), int(errors)


def run(
    environment: dict[str, str],
    *,
    seconds: int,
    connections: int,
    workers: int,
    rounds: int,
    only: str | None,
) -> None:
    every = pages.pages()
    floor = every[0]
    chosen = [floor] + [p for p in every[1:] if not p.export and (not only or only in p.name)]
    cookies = {"": ""}
    for page in chosen:
        if page.who not in cookies:
            client = pages.sign_in(page.who)
            cookies[page.who] = "; ".join(f"{c.key}={c.value}" for c in client.cookies.values())
    port = _free_port()
    server = _serve(environment, port, workers)
    results: dict[str, list[tuple[float, float, float, int, float]]] = {p.name: [] for p in chosen}
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(REPORT)
    try:
        print(
            f"\nUnder load: gunicorn, {workers} sync workers; wrk, {connections} connections, "
            f"{seconds} s per page, {rounds} interleaved rounds",
            flush=True,
        )
        for _ in range(rounds):
            floor_rate = None
            for page in chosen:
                rate, p50, p95, errors = _load(
                    f"http://127.0.0.1:{port}{page.path}",
                    cookies[page.who],
                    seconds=seconds,
                    connections=connections,
                    script=script.name,
                )
                if page is floor:
                    floor_rate = rate
                results[page.name].append((rate, p50, p95, errors, rate / (floor_rate or rate)))
        print(f"{'page':44} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>8} {'/floor':>8} {'errors':>7}")
        for page in chosen:
            rows = results[page.name]
            median = [statistics.median(column) for column in zip(*rows, strict=True)]
            print(
                f"{page.name:44} {median[1]:8.1f} {median[2]:8.1f} {median[0]:8.1f} "
                f"{'1/' + format(1 / median[4], '.1f') if median[4] < 1 else '1':>8} "
                f"{sum(r[3] for r in rows):7d}",
                flush=True,
            )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        os.unlink(script.name)


__all__ = ["run", "settings", "sys"]
