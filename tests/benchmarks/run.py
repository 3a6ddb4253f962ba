"""The benchmark of issue 18: build (or reuse) a world of a given size on PostgreSQL, then
measure every list and detail page and the exports in process, and, with ``--load``, under load
through gunicorn and wrk.

    scripts/benchmark --referrals 10000            # build if needed, then the in-process table
    scripts/benchmark --referrals 100000 --load    # and the load table
    scripts/benchmark --referrals 10000 --rebuild --smoke   # CI: fail if any page errors

The world lives in its own database, ``hsb_bench_world_<referrals>`` (``--database`` names
another), on the server of ``BENCHMARK_DATABASE_SERVER`` (default the local one). It is built
once and reused while its marker table says it has that size and seed; ``--rebuild`` builds it
again. Pages run with the production settings (DEBUG off, HTTPS behind a proxy, the database cache
counting rate limits, ``tests/benchmarks/settings.py``), signed in with both factors as real
people.

Not a test: the figures depend on the machine. ``--smoke`` only fails on a page that errors.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SERVER = os.environ.get("BENCHMARK_DATABASE_SERVER", "postgres://postgres@127.0.0.1:5432")
SECRET = "benchmark-only-key-" + "b" * 40


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="scripts/benchmark", description=__doc__.split("\n")[0])
    parser.add_argument("--referrals", type=int, default=10_000, help="the world's size")
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--database", help="default hsb_bench_world_<referrals>")
    parser.add_argument("--rebuild", action="store_true", help="build the world again")
    parser.add_argument("--build-only", action="store_true", help="build, measure nothing")
    parser.add_argument("--requests", type=int, default=20, help="requests per page in process")
    parser.add_argument("--pages", help="only the pages whose name contains this")
    parser.add_argument("--smoke", action="store_true", help="few requests; fail on any error")
    parser.add_argument("--load", action="store_true", help="also load it with gunicorn and wrk")
    parser.add_argument("--load-seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--verify", action="store_true", help="time verify_audit_chain too")
    parser.add_argument(
        "--statement-timeout",
        type=int,
        default=30,
        help="seconds a statement may run before PostgreSQL cancels it (the page then fails)",
    )
    return parser.parse_args(argv)


def environment(database: str) -> dict[str, str]:
    """Production settings, pointed at the world."""
    return {
        "DJANGO_SETTINGS_MODULE": "tests.benchmarks.settings",
        "DATABASE_URL": f"{SERVER}/{database}",
        "SECRET_KEY": SECRET,
        "DEBUG": "0",
        "HTTPS": "1",
        "BEHIND_PROXY": "1",
        "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
        "STATIC_ROOT": str(ROOT / "var" / "benchmark-static"),
        "LOG_LEVEL": "WARNING",
    }


def create_database(database: str, *, drop: bool) -> bool:
    """Create the world's database if it is missing (or dropped); True if it is new."""
    import psycopg2

    admin = psycopg2.connect(f"{SERVER}/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database])
        exists = cursor.fetchone() is not None
        if exists and drop:
            cursor.execute(f'DROP DATABASE "{database}" WITH (FORCE)')
            exists = False
        if not exists:
            cursor.execute(f'CREATE DATABASE "{database}"')
    admin.close()
    return not exists


def main(argv: list[str]) -> int:
    args = parse(argv)
    database = args.database or f"hsb_bench_world_{args.referrals}"
    os.environ.update(environment(database))
    new = create_database(database, drop=args.rebuild)

    import django

    django.setup()
    from django.core.management import call_command

    from tests.benchmarks import world

    started = time.monotonic()
    call_command("migrate", verbosity=0, interactive=False)
    migrated = time.monotonic() - started
    built = None if new else world.existing(args.referrals, args.seed)
    if built is None:
        if not new:
            create_database(database, drop=True)
            from django.db import connection

            connection.close()
            call_command("migrate", verbosity=0, interactive=False)
        print(f"Building a world of {args.referrals} referrals in {database}", flush=True)
        built = world.build(args.referrals, args.seed)
        print(f"Built in {built['build_seconds']:.0f} s", flush=True)
    else:
        print(
            f"Reusing {database}: {args.referrals} referrals, "
            f"built {built['built_at']:%Y-%m-%d %H:%M} "
            f"in {built['build_seconds']:.0f} s (migrate now took {migrated:.1f} s)",
            flush=True,
        )
    for table, count in sorted(built["counts"].items()):
        print(f"  {table:32} {count:>12,}")
    if args.build_only:
        return 0
    from django.db import connection

    from tests.benchmarks import pages

    # From here on, a page whose statement outlasts the timeout fails (503) rather than
    # holding the run for ever; every new connection (one per request) takes it.
    timeout = {"PGOPTIONS": f"-c statement_timeout={args.statement_timeout * 1000}"}
    os.environ.update(timeout)
    connection.close()
    failures = pages.measure(
        requests=3 if args.smoke else args.requests,
        only=args.pages,
        smoke=args.smoke,
    )
    if args.verify:
        pages.time_verification()
    if args.load and not failures:
        from tests.benchmarks import load

        load.run(
            {**environment(database), **timeout},
            seconds=args.load_seconds,
            connections=args.connections,
            workers=args.workers,
            rounds=args.rounds,
            only=args.pages,
        )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
