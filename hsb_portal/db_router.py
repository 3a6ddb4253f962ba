"""Reporting reads from a PostgreSQL streaming replica (issue 17, item 6).

Code that only reports (the auditor's case history exports, the retention report; the
partnership dashboards later) reads inside ``replica_reads()``, or is a view decorated with
``reads_from_replica``. There, and only there, reads go to the ``replica`` database when
``DATABASE_REPLICA_URL`` is set, the replica answers, and it is no further behind than
``REPLICA_MAX_LAG_SECONDS``; otherwise to the primary, so a replica that is down or lagging
costs speed, never a page. Writes always go to the primary (a standby refuses them anyway), and
so does every read made inside a transaction on the primary, which must see its own writes.

Each process looks at the replica at most every ``REPLICA_CHECK_SECONDS``: its answer is a
passing observation of this process, not application state, so it is kept in memory.
"""

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.models import Model

logger = logging.getLogger(__name__)

REPLICA = "replica"

_reporting: ContextVar[bool] = ContextVar("replica_reads", default=False)

# The replica's lag in seconds: 0 when it has replayed all it received, otherwise the time since
# the last transaction it replayed was committed on the primary.
LAG_QUERY = """
    SELECT CASE
        WHEN NOT pg_is_in_recovery() THEN NULL
        WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
        ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())
    END
"""


@contextmanager
def replica_reads() -> Iterator[None]:
    """Reads in this block may come from the replica (a report's queries: evaluate them here)."""
    token = _reporting.set(True)
    try:
        yield
    finally:
        _reporting.reset(token)


F = TypeVar("F", bound=Callable[..., Any])


def reads_from_replica(view: F) -> F:
    """Mark a reporting view: its reads may come from the replica."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        with replica_reads():
            return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


class _ReplicaHealth:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._checked_at = float("-inf")
        self._usable = False

    def usable(self) -> bool:
        with self._lock:
            if time.monotonic() - self._checked_at >= settings.REPLICA_CHECK_SECONDS:
                self._usable = self._look()
                self._checked_at = time.monotonic()
            return self._usable

    def forget(self) -> None:
        with self._lock:
            self._checked_at = float("-inf")

    @staticmethod
    def _look() -> bool:
        replica = connections[REPLICA]
        try:
            with replica.cursor() as cursor:
                cursor.execute(LAG_QUERY)
                row = cursor.fetchone()
        except DatabaseError as error:
            logger.warning(
                "Replica unavailable, reading from the primary: %s", type(error).__name__
            )
            replica.close()
            return False
        lag = None if row is None else row[0]
        if lag is None:
            logger.warning("Replica is not in recovery, reading from the primary")
            return False
        if float(lag) > settings.REPLICA_MAX_LAG_SECONDS:
            logger.warning("Replica is %.1f s behind, reading from the primary", float(lag))
            return False
        return True


health = _ReplicaHealth()


def reporting_database() -> str:
    """Where a reporting read goes now: the replica if it may, the primary otherwise."""
    if not _reporting.get() or REPLICA not in settings.DATABASES:
        return DEFAULT_DB_ALIAS
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    return REPLICA if health.usable() else DEFAULT_DB_ALIAS


class ReplicaRouter:
    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        return reporting_database()

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool:
        # One database and its copy: a row read from either may point at a row of the other.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS
