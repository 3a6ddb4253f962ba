"""Health probes for the load balancer, systemd and monitoring (issue 17, item 5).

``/healthz``: the process is alive and answers (no database, no session). ``/readyz``: it can
serve: the database, the cache and the broker answer, and every migration is applied. Each
answers 200 or 503 with one short line per check, and nothing else: no versions, hosts or
error text. Neither needs a sign-in, touches a session or writes an audit event.
"""

import logging
import uuid
from collections.abc import Callable

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from hsb_portal import access

logger = logging.getLogger(__name__)

OK = "ok"
FAILING = "failing"


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return OK


def _cache() -> str:
    key, value = f"readyz:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, value, timeout=10)
    found = cache.get(key)
    cache.delete(key)
    return OK if found == value else FAILING


def _broker() -> str:
    if not settings.CELERY_BROKER_URL:
        return "in-process"  # no broker configured: tasks run in the requesting process
    client = redis.Redis.from_url(
        settings.CELERY_BROKER_URL, socket_connect_timeout=1, socket_timeout=1
    )
    try:
        return OK if client.ping() else FAILING
    finally:
        client.close()


# Migrations found applied stay applied for the life of this process (a new release restarts
# it); one still missing is looked for again at the next probe. Building the migration graph
# takes a few hundred milliseconds, which a probe every few seconds should not pay each time.
_migrations_seen_applied: list[bool] = []


def _migrations() -> str:
    if _migrations_seen_applied:
        return OK
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return FAILING
    _migrations_seen_applied.append(True)
    return OK


CHECKS: dict[str, Callable[[], str]] = {
    "database": _database,
    "cache": _cache,
    "broker": _broker,
    "migrations": _migrations,
}


def _check(name: str, check: Callable[[], str]) -> str:
    try:
        return check()
    except (DatabaseError, redis.RedisError, OSError) as error:
        # The log says which check and what kind of failure; the response says only "failing".
        logger.warning("Readiness check %s failed: %s", name, type(error).__name__)
        return FAILING


def _plain(body: str, status: int) -> HttpResponse:
    return HttpResponse(body, status=status, content_type="text/plain; charset=utf-8")


@require_safe
@access.guard(public=True)
def healthz(request: HttpRequest) -> HttpResponse:
    return _plain("ok\n", 200)


@require_safe
@access.guard(public=True)
def readyz(request: HttpRequest) -> HttpResponse:
    results = {name: _check(name, check) for name, check in CHECKS.items()}
    ready = FAILING not in results.values()
    body = "".join(f"{name}: {result}\n" for name, result in results.items())
    return _plain(body, 200 if ready else 503)
