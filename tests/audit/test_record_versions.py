"""Record versions: what ``audit.log.record`` keeps of a record when it is created or changed,
read back from the database, and what PostgreSQL refuses."""

import pytest
from django.db import DatabaseError, connection, transaction

from hsb_portal.accounts.models import Role
from hsb_portal.audit import log as audit
from hsb_portal.audit.models import Action, RecordVersion
from tests.factories import ChildFactory, ConcernFactory
from triage.models import Child

pytestmark = pytest.mark.django_db


def test_a_change_keeps_the_row_as_it_is_in_the_database_not_as_it_is_in_memory(
    authority, member
) -> None:
    screener = member(Role.MASH_SCREENER)
    child = ChildFactory(authority=authority, school_or_setting="Anchorage Primary")
    # A service that saves with a conditional UPDATE leaves the object in memory stale.
    Child.objects.filter(pk=child.pk).update(school_or_setting="Quayside Academy")

    event = audit.record(
        screener.user, Action.CHANGE, child, membership=screener, children=[child.public_id]
    )

    version = RecordVersion.objects.get(event=event)
    assert (version.object_kind, version.object_id) == ("triage.child", str(child.public_id))
    assert version.snapshot["school_or_setting"] == "Quayside Academy"
    # Choices as their labels, related records by name, dates in ISO form.
    assert version.snapshot["sex"] == child.get_sex_display()
    assert version.snapshot["authority"] == authority.name
    assert version.snapshot["date_of_birth"] == child.date_of_birth.isoformat()


def test_internal_fields_are_not_kept(authority, member) -> None:
    dsl = member(Role.DSL)
    concern = ConcernFactory(reporting_agency=dsl.agency, authority=authority)

    event = audit.record(dsl.user, Action.CHANGE, concern, membership=dsl)

    snapshot = RecordVersion.objects.get(event=event).snapshot
    assert {"id", "public_id", "version"}.isdisjoint(snapshot)
    assert snapshot["what_happened"] == concern.what_happened


def test_a_view_keeps_no_version_and_costs_no_extra_query(
    authority, member, django_assert_num_queries
) -> None:
    auditor = member(Role.AUDITOR)
    child = ChildFactory(authority=authority)
    audit.record(auditor.user, Action.VIEW, membership=auditor)  # the chain's head exists

    with django_assert_num_queries(4):  # lock the head, the event, its child, move the head
        view = audit.record(
            auditor.user, Action.VIEW, child, membership=auditor, children=[child.public_id]
        )

    assert not RecordVersion.objects.filter(event=view).exists()


@pytest.mark.postgresql
def test_postgresql_refuses_to_change_a_version_but_lets_retention_erase_it(
    authority, member
) -> None:
    screener = member(Role.MASH_SCREENER)
    child = ChildFactory(authority=authority)
    audit.record(screener.user, Action.CREATE, child, membership=screener)

    refused = pytest.raises(DatabaseError, match="record versions are never changed")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_recordversion SET snapshot = '{}'")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_recordversion")

    assert not RecordVersion.objects.exists()
