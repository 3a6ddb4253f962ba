"""The audit log at scale (issue 18, item 6): one partition a month on PostgreSQL, append-only
on every partition, a chain that verifies across months and incrementally, and months that
retention may drop only when nothing in them must be kept."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from hsb_portal.audit import partitions
from hsb_portal.audit.log import record, verify_chain
from hsb_portal.audit.models import (
    Action,
    AuditChainHead,
    AuditEvent,
    AuditEventChild,
    ChainVerification,
    DisposedAuditMonth,
)
from hsb_portal.audit.partitions import Month, PartitionRetained
from tests.factories import ChildFactory
from triage.models import Child

pytestmark = [pytest.mark.django_db]
postgresql = pytest.mark.postgresql


def event_at(when: datetime, child: Child | None = None) -> AuditEvent:
    """An event joined to the chain as ``record`` joins one, at a chosen time: the log as a
    month or a year of use leaves it."""
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        event = AuditEvent(
            occurred_at=when,
            actor_email="worker@agency.example",
            action=Action.VIEW,
            object_kind="triage.child" if child else "",
            object_id=str(child.public_id) if child else "",
            previous_hash=head.hash,
        )
        children = [str(child.public_id)] if child else []
        event.hash = event.compute_hash(children)
        event.save(force_insert=True)
        if child:
            AuditEventChild.objects.create(event=event, child_id=child.public_id, occurred_at=when)
        head.hash = event.hash
        head.save(update_fields=["hash"])
    return event


def partition_of(event: AuditEvent) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tableoid::regclass::text FROM audit_auditevent WHERE id = %s", [event.pk]
        )
        return str(cursor.fetchone()[0])


@contextmanager
def as_database_owner() -> Iterator[None]:
    """What someone with direct access to the database could do: switch the triggers off."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
        yield


# Partitions


@postgresql
def test_migrate_leaves_this_month_and_three_ahead_and_a_default_partition() -> None:
    this_month = Month.of(timezone.now())
    expected = [
        this_month,
        this_month.next(),
        this_month.next().next(),
        this_month.next().next().next(),
    ]

    assert partitions.is_partitioned()
    assert set(expected) <= set(partitions.months())
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'audit_auditeventchild'::regclass"
        )
        children_partitions = {row[0] for row in cursor.fetchall()}
    assert "audit_auditeventchild_default" in children_partitions
    assert this_month.name("audit_auditeventchild") in children_partitions


@postgresql
def test_events_and_their_children_land_in_their_months_partition() -> None:
    child = ChildFactory()
    event = record(None, Action.VIEW, child, children=[child.public_id], actor_email="a@x.example")

    month = Month.of(event.occurred_at)
    assert partition_of(event) == month.name("audit_auditevent")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT child_id FROM {month.name('audit_auditeventchild')} WHERE event_id = %s",  # noqa: S608
            [event.pk],
        )
        assert cursor.fetchall() == [(child.public_id,)]


@postgresql
def test_a_month_nobody_created_lands_in_the_default_partition_and_moves_when_made() -> None:
    far = datetime(2031, 6, 15, 12, tzinfo=UTC)
    event = event_at(far, ChildFactory())

    assert partition_of(event) == "audit_auditevent_default"
    assert partitions.create_month(Month.of(far))
    assert partition_of(event) == "audit_auditevent_p2031_06"
    assert AuditEventChild.objects.filter(event=event).count() == 1
    assert verify_chain(full=True) == (1, None)


@postgresql
@pytest.mark.parametrize("statement", ["UPDATE {} SET id = id", "DELETE FROM {}"])
def test_every_partition_refuses_changes_even_one_created_later(statement: str) -> None:
    later = Month(date(2032, 2, 1))
    partitions.create_month(later)
    event = event_at(datetime(2032, 2, 3, tzinfo=UTC), ChildFactory())
    this_month = record(None, Action.VIEW, actor_email="a@x.example")

    for table in (
        later.name("audit_auditevent"),
        later.name("audit_auditeventchild"),
        Month.of(this_month.occurred_at).name("audit_auditevent"),
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement.format(table))
    assert AuditEvent.objects.filter(pk=event.pk).exists()


# The chain across months, and incremental verification


@postgresql
def test_the_chain_verifies_across_a_month_boundary() -> None:
    for first_day in (date(2026, 1, 1), date(2026, 2, 1)):
        partitions.create_month(Month(first_day))
    child = ChildFactory()
    last_moment = event_at(datetime(2026, 1, 31, 23, 59, 59, 999999, tzinfo=UTC), child)
    first_moment = event_at(datetime(2026, 2, 1, tzinfo=UTC), child)
    now = record(None, Action.VIEW, child, children=[child.public_id], actor_email="a@x.example")

    assert partition_of(last_moment) != partition_of(first_moment) != partition_of(now)
    assert first_moment.previous_hash == last_moment.hash
    assert verify_chain(full=True) == (3, None)


def test_a_check_starts_from_the_last_verified_point(capsys) -> None:
    child = ChildFactory()
    for _ in range(3):
        record(None, Action.VIEW, child, children=[child.public_id], actor_email="a@x.example")
    call_command("verify_audit_chain")
    newer = record(None, Action.VIEW, child, children=[child.public_id], actor_email="b@x.example")

    call_command("verify_audit_chain")

    assert "intact: 3 events checked" in capsys.readouterr().out.splitlines()[0]
    point = ChainVerification.objects.first()
    assert (point.events_checked, point.last_event_id, point.full) == (1, newer.pk, False)
    call_command("verify_audit_chain", "--full")
    assert "intact: 4 events checked" in capsys.readouterr().out


def test_a_change_after_the_last_verified_point_is_found_without_full() -> None:
    first = record(None, Action.VIEW, actor_email="a@x.example")
    assert verify_chain() == (1, None)
    second = record(None, Action.VIEW, actor_email="b@x.example")
    record(None, Action.VIEW, actor_email="c@x.example")
    with as_database_owner():
        AuditEvent.objects.filter(pk=second.pk).update(detail="rewritten")

    checked, first_break = verify_chain()

    assert (checked, first_break.event_id) == (0, second.pk)
    assert "no longer matches" in first_break.reason
    assert ChainVerification.objects.get().last_event_id == first.pk


def test_a_change_before_the_last_verified_point_needs_a_full_check() -> None:
    first = record(None, Action.VIEW, actor_email="a@x.example")
    record(None, Action.VIEW, actor_email="b@x.example")
    assert verify_chain() == (2, None)
    with as_database_owner():
        AuditEvent.objects.filter(pk=first.pk).update(detail="rewritten")

    # The incremental check re-checks only the verified event, so this change escapes it...
    assert verify_chain() == (0, None)
    # ...and the full check finds it.
    checked, first_break = verify_chain(full=True)
    assert (checked, first_break.event_id) == (0, first.pk)
    with pytest.raises(CommandError, match=f"breaks at event {first.pk}"):
        call_command("verify_audit_chain", "--full")


def test_a_changed_verified_event_is_found_without_full() -> None:
    record(None, Action.VIEW, actor_email="a@x.example")
    last = record(None, Action.VIEW, actor_email="b@x.example")
    assert verify_chain() == (2, None)
    with as_database_owner():
        AuditEvent.objects.filter(pk=last.pk).update(detail="rewritten")

    checked, first_break = verify_chain()

    assert (checked, first_break.event_id) == (0, last.pk)
    assert "last verified event" in first_break.reason


# Retention: dropping old months


def old_month_with(child: Child | None) -> Month:
    """A month of events long ago (naming ``child`` if given), then today's events."""
    for day in (3, 17):
        event_at(datetime(2019, 5, day, 9, tzinfo=UTC), child)
    record(None, Action.VIEW, actor_email="today@x.example")
    month = Month(date(2019, 5, 1))
    partitions.create_month(month)
    return month


@postgresql
def test_a_month_naming_a_child_still_kept_is_not_dropped() -> None:
    child = ChildFactory()
    month = old_month_with(child)

    with pytest.raises(PartitionRetained, match="1 children whose records are still kept"):
        partitions.detach_month(month, today=date(2026, 12, 7))
    assert partitions.dispose_expired(today=date(2026, 12, 7)) == []
    assert month in partitions.months()


@postgresql
def test_a_month_younger_than_the_retention_period_is_not_dropped() -> None:
    month = old_month_with(None)

    with pytest.raises(PartitionRetained, match="not yet 6 years old"):
        partitions.detach_month(month, today=date(2025, 5, 31))


@postgresql
def test_only_the_oldest_month_may_go() -> None:
    event_at(datetime(2019, 4, 2, tzinfo=UTC))
    month = old_month_with(None)
    partitions.create_month(Month(date(2019, 4, 1)))

    with pytest.raises(PartitionRetained, match="only the oldest month"):
        partitions.detach_month(month, today=date(2026, 12, 7))


@postgresql
def test_retention_drops_an_old_month_once_its_child_is_gone_and_the_chain_still_verifies() -> None:
    child = ChildFactory()
    month = old_month_with(child)
    with pytest.raises(PartitionRetained):
        partitions.detach_month(month, today=date(2026, 12, 7))
    Child.objects.filter(pk=child.pk).delete()

    dropped = partitions.dispose_expired(today=date(2026, 12, 7))

    assert dropped == [(month, 2)]
    assert month not in partitions.months()
    disposed = DisposedAuditMonth.objects.get()
    assert (disposed.month, disposed.events) == (month.first_day, 2)
    # The chain now starts from the last dropped event; the drop itself is an event of it.
    assert verify_chain(full=True) == (2, None)
    assert AuditEvent.objects.filter(detail__startswith="audit log month 2019-05 dropped").exists()


@postgresql
def test_the_record_of_a_dropped_month_is_never_changed() -> None:
    DisposedAuditMonth.objects.create(month=date(2019, 1, 1), events=0, last_hash="0" * 64)

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        DisposedAuditMonth.objects.update(events=5)


def test_retention_drops_no_month_of_a_young_log() -> None:
    child = ChildFactory()
    record(None, Action.VIEW, child, children=[child.public_id], actor_email="a@x.example")

    assert partitions.dispose_expired() == []
    assert AuditEvent.objects.count() == 1
    assert verify_chain(full=True) == (1, None)


def test_the_case_history_walks_the_childs_rows_in_time_order() -> None:
    from hsb_portal.audit.chronology import events_for_child

    child, other = ChildFactory(), ChildFactory()
    later = record(None, Action.VIEW, child, children=[child.public_id], actor_email="b@x.example")
    record(None, Action.VIEW, other, children=[other.public_id], actor_email="c@x.example")
    earlier = event_at(timezone.now() - timedelta(days=40), child)

    assert list(events_for_child(child.public_id)) == [earlier, later]


@postgresql
def test_the_retention_job_drops_an_expired_month_and_says_so(capsys) -> None:
    old_month_with(None)

    call_command("dispose_records")

    assert "audit log month 2019-05 dropped: 2 events" in capsys.readouterr().out
    assert Month(date(2019, 5, 1)) not in partitions.months()
    assert verify_chain(full=True)[1] is None


@postgresql
def test_the_partitions_command_makes_months_ahead(capsys) -> None:
    call_command("audit_partitions", "--ahead", "14")

    out = capsys.readouterr().out
    fourteen_ahead = Month.of(timezone.now())
    for _ in range(14):
        fourteen_ahead = fourteen_ahead.next()
    assert f"made {fourteen_ahead.suffix}" in out
    assert fourteen_ahead in partitions.months()
