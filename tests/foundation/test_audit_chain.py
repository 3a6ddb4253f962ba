"""Each audit event is chained to the one before it by a hash, and a command checks the chain."""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from hsb_portal.audit.log import record, verify_chain
from hsb_portal.audit.models import GENESIS, Action, AuditEvent, AuditEventChild, RecordVersion
from tests.factories import ChildFactory

pytestmark = pytest.mark.django_db


def three_events() -> list[AuditEvent]:
    child = ChildFactory()
    return [
        record(
            None, Action.VIEW, child, children=[child.public_id], actor_email="a@agency.example"
        ),
        record(
            None, Action.CHANGE, child, children=[child.public_id], actor_email="b@agency.example"
        ),
        record(
            None, Action.EXPORT, child, children=[child.public_id], actor_email="c@agency.example"
        ),
    ]


def test_each_event_carries_the_hash_of_the_one_before() -> None:
    first, second, third = three_events()

    assert first.previous_hash == GENESIS
    assert second.previous_hash == first.hash
    assert third.previous_hash == second.hash
    assert len({first.hash, second.hash, third.hash}) == 3


def test_an_intact_chain_verifies(capsys) -> None:
    three_events()

    call_command("verify_audit_chain")

    assert "The audit chain is intact: 3 events checked." in capsys.readouterr().out


def test_an_edited_event_is_reported_as_the_first_break() -> None:
    second = three_events()[1]
    with as_database_owner():
        AuditEvent.objects.filter(pk=second.pk).update(actor_email="someone-else@agency.example")

    checked, first_break = verify_chain()

    assert checked == 1
    assert first_break.event_id == second.pk
    assert "content no longer matches" in first_break.reason
    with pytest.raises(CommandError, match=f"breaks at event {second.pk}"):
        call_command("verify_audit_chain")


def test_a_removed_event_breaks_the_chain_at_the_next_one() -> None:
    _, second, third = three_events()
    with as_database_owner():
        AuditEventChild.objects.filter(event_id=second.pk).delete()
        RecordVersion.objects.filter(event_id=second.pk).delete()
        AuditEvent.objects.filter(pk=second.pk).delete()

    checked, first_break = verify_chain()

    assert (checked, first_break.event_id) == (1, third.pk)
    assert "does not follow" in first_break.reason


def test_a_child_removed_from_an_event_breaks_the_chain() -> None:
    first = three_events()[0]
    with as_database_owner():
        AuditEventChild.objects.filter(event_id=first.pk).delete()

    checked, first_break = verify_chain()

    assert (checked, first_break.event_id) == (0, first.pk)


@contextmanager
def as_database_owner() -> Iterator[None]:
    """What someone with direct access to the database could do: on PostgreSQL the owner can
    switch off the append-only triggers for a session; SQLite has none to switch off."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
        yield


def test_deleting_the_newest_events_is_reported_as_a_missing_tail() -> None:
    first, second, third = three_events()
    with as_database_owner():
        for removed in (second, third):
            AuditEventChild.objects.filter(event_id=removed.pk).delete()
            RecordVersion.objects.filter(event_id=removed.pk).delete()
            AuditEvent.objects.filter(pk=removed.pk).delete()

    checked, first_break = verify_chain()

    assert checked == 1
    assert first_break.event_id == first.pk
    assert "newest events are missing" in first_break.reason
    with pytest.raises(CommandError, match=f"after event {first.pk}.*newest events are missing"):
        call_command("verify_audit_chain")


def test_an_emptied_audit_log_is_reported_as_a_break() -> None:
    three_events()
    with as_database_owner():
        AuditEventChild.objects.all().delete()
        RecordVersion.objects.all().delete()
        AuditEvent.objects.all().delete()

    checked, first_break = verify_chain()

    assert checked == 0
    assert first_break.event_id is None
    assert "newest events are missing" in first_break.reason
    with pytest.raises(CommandError, match="no event is left"):
        call_command("verify_audit_chain")


def test_a_new_database_with_no_events_verifies(capsys) -> None:
    call_command("verify_audit_chain")

    assert "The audit chain is intact: 0 events checked." in capsys.readouterr().out
