"""The audit log's storage on PostgreSQL: one partition a month (issue 18, item 6).

Every page that shows a child writes an event, so the log grows by millions of rows a year.
``audit_auditevent`` and ``audit_auditeventchild`` are partitioned by range of ``occurred_at``,
one partition a month (UTC), with a default partition as a safety net. What that changes:

- **Keys.** A unique constraint on a partitioned table must include the partition key. The
  events' primary key is ``(id, occurred_at)`` and the hash is unique with its time,
  ``(hash, occurred_at)``; the children's ``(event_id, child_id)`` becomes
  ``(event_id, child_id, occurred_at)``, the same rule since an event has one time. The database
  no longer proves an id or a hash unique across months by itself; the chain does: ids come from
  one sequence taken under the chain's lock, ``verify_chain`` walks them in order and reports an
  id that appears twice, and a repeated hash can only belong to an event that does not follow
  the one before it.
- **Foreign keys.** A foreign key must point at a unique key, so ``AuditEventChild`` and
  ``RecordVersion`` carry their event's ``occurred_at`` and point at ``(id, occurred_at)``. The
  children are partitioned like the events (a month of both goes together); a record version
  still pointing into a month keeps that month, since the database refuses to detach it.
  Django's models keep ``event`` as an ordinary foreign key on ``id``: the ORM joins on it, and
  the case history adds the time to the join so that PostgreSQL reads one month.
- **Append-only.** The triggers of migrations 0002 and 0003 sit on the partitioned tables, and
  PostgreSQL puts them on every partition, including those created later.
- **Months ahead.** ``create_ahead`` makes the next months' partitions; ``migrate`` (through
  ``post_migrate``), the retention job and ``manage.py audit_partitions`` call it. Rows that
  land in the default partition (a month nobody created) move to their month when it is made.
- **Retention.** ``dispose_expired`` (called by ``dispose_records``) drops the oldest months
  only while every event in them may go (``reasons_to_keep``); the chain then starts from the
  last dropped event, which ``DisposedAuditMonth`` keeps.

On SQLite the tables stay ordinary tables and every function here does nothing.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from psycopg2 import sql

from hsb_portal import calendar

logger = logging.getLogger(__name__)

EVENTS = "audit_auditevent"
CHILDREN = "audit_auditeventchild"
# Both tables, the events last: a month's children go before its events.
TABLES = (CHILDREN, EVENTS)
MONTHS_AHEAD = 3
# Events that name no child still kept are kept this long (the authority may set its own in
# settings.AUDIT_LOG_RETENTION_YEARS); an event naming a child is kept as long as the child's
# record is.
AUDIT_LOG_RETENTION_YEARS = 6


class PartitionRetained(Exception):
    """A month of the audit log that must still be kept."""


@dataclass(frozen=True)
class Month:
    first_day: date

    @property
    def suffix(self) -> str:
        return f"p{self.first_day:%Y_%m}"

    def name(self, table: str) -> str:
        return f"{table}_{self.suffix}"

    @property
    def starts(self) -> datetime:
        return datetime(self.first_day.year, self.first_day.month, 1, tzinfo=UTC)

    @property
    def ends(self) -> datetime:
        following = calendar.add_months(self.first_day, 1)
        return datetime(following.year, following.month, 1, tzinfo=UTC)

    def next(self) -> "Month":
        return Month(calendar.add_months(self.first_day, 1))

    @classmethod
    def of(cls, moment: datetime | date) -> "Month":
        day = moment.astimezone(UTC).date() if isinstance(moment, datetime) else moment
        return cls(day.replace(day=1))


def is_partitioned() -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass(%s)", [EVENTS]
        )
        return cursor.fetchone() is not None


def months() -> list[Month]:
    """The months that have a partition, oldest first (the default partition aside)."""
    if not is_partitioned():
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = to_regclass(%s) AND c.relname LIKE %s ORDER BY c.relname",
            [EVENTS, f"{EVENTS}_p%"],
        )
        names = [row[0] for row in cursor.fetchall()]
    return [
        Month(date(int(name[-7:-3]), int(name[-2:]), 1))
        for name in names
        if name[-7:-3].isdigit() and name[-2:].isdigit()
    ]


def _q(template: str, **tables: str) -> sql.Composed:
    """A statement naming tables (our own names, quoted as identifiers)."""
    return sql.SQL(template).format(**{key: sql.Identifier(name) for key, name in tables.items()})


def _execute(statement: sql.Composable | str, params: Sequence[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _default_rows(month: Month) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            _q(
                "SELECT COUNT(*) FROM {t} WHERE occurred_at >= %s AND occurred_at < %s",
                t=f"{EVENTS}_default",
            ),
            [month.starts, month.ends],
        )
        return int(cursor.fetchone()[0])


def create_month(month: Month) -> bool:
    """The month's partitions of both tables, if they are missing; True if made. Rows of that
    month waiting in the default partitions move into them."""
    if month in months():
        return False
    with transaction.atomic():
        # Writers wait while the partitions are attached: a row must not land in the default
        # partition between the move and the attach.
        _execute(_q("LOCK TABLE {e}, {c} IN SHARE ROW EXCLUSIVE MODE", e=EVENTS, c=CHILDREN))
        if month in months():
            return False
        bounds = [month.starts, month.ends]
        waiting = _default_rows(month)
        if not waiting:
            for table in (EVENTS, CHILDREN):
                _execute(
                    _q(
                        "CREATE TABLE {p} PARTITION OF {t} FOR VALUES FROM (%s) TO (%s)",
                        p=month.name(table),
                        t=table,
                    ),
                    bounds,
                )
            return True
        # Foreign-key checks still deferred in this transaction are made now: a table with
        # pending checks cannot be altered.
        _execute("SET CONSTRAINTS ALL IMMEDIATE")
        # Made apart, filled from the default partitions, then attached. The append-only
        # trigger is switched off on the default partitions only for this move, inside this
        # transaction, by the database owner.
        for table in (EVENTS, CHILDREN):
            _execute(
                _q("CREATE TABLE {p} (LIKE {t} INCLUDING DEFAULTS)", p=month.name(table), t=table)
            )
            _execute(
                _q(
                    "INSERT INTO {p} SELECT * FROM {d} "
                    "WHERE occurred_at >= %s AND occurred_at < %s",
                    p=month.name(table),
                    d=f"{table}_default",
                ),
                bounds,
            )
        for table in TABLES:
            _execute(
                _q(
                    "ALTER TABLE {d} DISABLE TRIGGER {g}",
                    d=f"{table}_default",
                    g=f"{table}_append_only",
                )
            )
            _execute(
                _q(
                    "DELETE FROM {d} WHERE occurred_at >= %s AND occurred_at < %s",
                    d=f"{table}_default",
                ),
                bounds,
            )
            _execute(
                _q(
                    "ALTER TABLE {d} ENABLE TRIGGER {g}",
                    d=f"{table}_default",
                    g=f"{table}_append_only",
                )
            )
        for table in (EVENTS, CHILDREN):
            _execute(
                _q(
                    "ALTER TABLE {t} ATTACH PARTITION {p} FOR VALUES FROM (%s) TO (%s)",
                    t=table,
                    p=month.name(table),
                ),
                bounds,
            )
        logger.warning(
            "Audit log: %s events of %s moved from the default partition to their month",
            waiting,
            month.suffix,
        )
    return True


def create_ahead(*, ahead: int = MONTHS_AHEAD, today: date | None = None) -> list[Month]:
    """This month's partitions and the next ``ahead`` months'; returns those made."""
    if not is_partitioned():
        return []
    month = Month.of(today or timezone.now())
    made = []
    for _ in range(ahead + 1):
        if create_month(month):
            made.append(month)
        month = month.next()
    return made


# Retention


def _retention_years() -> int:
    return int(getattr(settings, "AUDIT_LOG_RETENTION_YEARS", AUDIT_LOG_RETENTION_YEARS))


def reasons_to_keep(month: Month, *, today: date) -> list[str]:
    """Why the month's events must still be kept; none when it may be dropped.

    A month goes only when it ended more than the audit log's retention period ago, when no
    event in it names a child whose record is still kept (a legal hold keeps the record, so
    it keeps these too), when no record version kept with a record still points into it, and
    when it is the oldest month left, so that the chain still starts from one known event.
    """
    reasons = []
    years = _retention_years()
    if month.ends.date() > calendar.add_months(today, -12 * years):
        reasons.append(f"it is not yet {years} years old")
    with connection.cursor() as cursor:
        cursor.execute(
            _q(
                "SELECT COUNT(DISTINCT c.child_id) FROM {p} c "
                "JOIN triage_child k ON k.public_id = c.child_id",
                p=month.name(CHILDREN),
            )
        )
        kept = int(cursor.fetchone()[0])
        if kept:
            reasons.append(f"its events name {kept} children whose records are still kept")
        cursor.execute(_q("SELECT MIN(id), MAX(id) FROM {p}", p=month.name(EVENTS)))
        first, last = cursor.fetchone()
        if last is None:
            return reasons
        # By event id (its index): the versions of this month's events.
        cursor.execute(
            "SELECT COUNT(*) FROM audit_recordversion WHERE event_id BETWEEN %s AND %s "
            "AND occurred_at >= %s AND occurred_at < %s",
            [first, last, month.starts, month.ends],
        )
        versions = int(cursor.fetchone()[0])
        if versions:
            reasons.append(f"{versions} record versions kept with their records point into it")
        cursor.execute(
            _q(
                "SELECT 1 FROM {e} WHERE id < %s AND (occurred_at < %s OR occurred_at >= %s) "
                "LIMIT 1",
                e=EVENTS,
            ),
            [last, month.starts, month.ends],
        )
        if cursor.fetchone() is not None:
            reasons.append("older events are kept elsewhere: only the oldest month may go")
    return reasons


def detach_month(month: Month, *, today: date) -> int:
    """Drop the month's partitions after checking ``reasons_to_keep``; the month's last event
    becomes the chain's starting point. Returns how many events went. Raises
    ``PartitionRetained`` while any must be kept."""
    from hsb_portal.audit.log import record
    from hsb_portal.audit.models import Action, DisposedAuditMonth

    if month not in months():
        raise PartitionRetained(f"the audit log has no partition for {month.suffix}")
    with transaction.atomic():
        _execute(_q("LOCK TABLE {e}, {c} IN SHARE ROW EXCLUSIVE MODE", e=EVENTS, c=CHILDREN))
        reasons = reasons_to_keep(month, today=today)
        if reasons:
            raise PartitionRetained(f"{month.suffix} is kept: " + "; ".join(reasons))
        with connection.cursor() as cursor:
            cursor.execute(
                _q("SELECT COUNT(*), MIN(id), MAX(id) FROM {p}", p=month.name(EVENTS)),
            )
            count, first, last = cursor.fetchone()
            cursor.execute(_q("SELECT hash FROM {p} WHERE id = %s", p=month.name(EVENTS)), [last])
            row = cursor.fetchone()
        disposed = DisposedAuditMonth.objects.create(
            month=month.first_day,
            events=count,
            first_event_id=first,
            last_event_id=last,
            last_hash=row[0] if row else "",
        )
        for table in TABLES:
            _execute(_q("ALTER TABLE {t} DETACH PARTITION {p}", t=table, p=month.name(table)))
            _execute(_q("DROP TABLE {p}", p=month.name(table)))
        # Metadata only: which month, how many events, and where the chain now starts.
        record(
            None,
            Action.CHANGE,
            disposed,
            detail=(
                f"audit log month {month.first_day:%Y-%m} dropped under the retention schedule: "
                f"{count} events, {first} to {last}"
            ),
            actor_email="dispose_records (scheduled job)",
        )
    return int(count)


def dispose_expired(*, today: date | None = None) -> list[tuple[Month, int]]:
    """Drop the oldest months that may go, oldest first, stopping at the first that must stay."""
    if not is_partitioned():
        return []
    today = today or timezone.localdate()
    dropped = []
    for month in months():
        if reasons_to_keep(month, today=today):
            break
        dropped.append((month, detach_month(month, today=today)))
    return dropped
