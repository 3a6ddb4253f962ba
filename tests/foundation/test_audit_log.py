from collections.abc import Callable

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse

from hsb_portal.accounts.models import Role
from hsb_portal.audit.log import record
from hsb_portal.audit.models import Action, AuditEvent, AuditEventChild
from tests.conftest import signed_in
from tests.factories import ChildFactory

pytestmark = pytest.mark.django_db


def test_viewing_a_child_writes_one_view_event_naming_the_child(client_as, authority) -> None:
    child = ChildFactory(authority=authority)
    client = client_as(Role.MASH_SCREENER)
    before = AuditEvent.objects.count()

    response = client.get(
        reverse("triage:child-detail", args=[child.public_id]), REMOTE_ADDR="10.1.2.3"
    )

    assert response.status_code == 200
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("pk")
    assert event.action == Action.VIEW
    assert event.object_kind == "triage.child"
    assert event.object_id == str(child.public_id)
    assert event.role == Role.MASH_SCREENER
    assert event.ip_address == "10.1.2.3"
    assert event.request_id == response["X-Request-ID"]
    assert list(event.children.values_list("child_id", flat=True)) == [child.public_id]


def test_a_refused_view_is_audited_with_the_child_it_concerned(client_as, other_authority) -> None:
    child = ChildFactory(authority=other_authority)
    client = client_as(Role.MASH_SCREENER)

    response = client.get(reverse("triage:child-detail", args=[child.public_id]))

    assert response.status_code == 404
    event = AuditEvent.objects.latest("pk")
    assert event.action == Action.REFUSED
    assert AuditEventChild.objects.filter(event=event, child_id=child.public_id).exists()


def test_the_children_list_is_audited_as_a_view_of_every_child_shown(client_as, authority) -> None:
    children = ChildFactory.create_batch(3, authority=authority)
    client = client_as(Role.AUDITOR)

    client.get(reverse("triage:child-list"))

    event = AuditEvent.objects.filter(action=Action.VIEW).latest("pk")
    assert set(event.children.values_list("child_id", flat=True)) == {c.public_id for c in children}


def test_the_forwarded_for_header_is_not_trusted_for_the_audited_address(client_as, authority):
    child = ChildFactory(authority=authority)
    client = client_as(Role.MASH_SCREENER)

    client.get(
        reverse("triage:child-detail", args=[child.public_id]),
        REMOTE_ADDR="10.9.9.9",
        HTTP_X_FORWARDED_FOR="203.0.113.7",
    )

    assert AuditEvent.objects.latest("pk").ip_address == "10.9.9.9"


def test_signing_in_and_out_is_audited(member: Callable, client: Client) -> None:
    membership = member(Role.PRACTITIONER)

    client.post(
        reverse("login"),
        {"username": membership.user.email, "password": "a-long-test-password-for-everyone"},
    )
    client.post(reverse("logout"))

    actions = list(
        AuditEvent.objects.filter(actor=membership.user).values_list("action", flat=True)
    )
    assert actions == [Action.LOG_IN, Action.LOG_OUT]


def test_a_failed_sign_in_is_audited_without_the_password(client: Client) -> None:
    client.post(
        reverse("login"), {"username": "nobody@agency.example", "password": "wrong-guess-1234567"}
    )

    event = AuditEvent.objects.get(action=Action.LOG_IN_FAILED)
    assert event.actor_email == "nobody@agency.example"
    assert "wrong-guess" not in str(event.__dict__)


def test_the_audit_log_cannot_be_changed_in_records_administration(member) -> None:
    membership = member(Role.ADMINISTRATOR)
    membership.user.is_superuser = membership.user.is_staff = True
    membership.user.save(update_fields=["is_superuser", "is_staff"])
    client = signed_in(Client(), membership)
    event = record(None, Action.VIEW, actor_email="x@agency.example")

    change = client.post(
        reverse("admin:audit_auditevent_change", args=[event.pk]), {"action": "change"}
    )
    delete = client.post(reverse("admin:audit_auditevent_delete", args=[event.pk]), {"post": "yes"})

    assert change.status_code == 403
    assert delete.status_code == 403
    event.refresh_from_db()
    assert event.action == Action.VIEW


@pytest.mark.postgresql
def test_postgresql_refuses_update_of_an_audit_event() -> None:
    event = record(None, Action.VIEW, actor_email="x@agency.example")

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action=Action.CHANGE)

    event.refresh_from_db()
    assert event.action == Action.VIEW


@pytest.mark.postgresql
@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM audit_auditeventchild",
        "DELETE FROM audit_auditevent",
        "UPDATE audit_auditeventchild SET child_id = gen_random_uuid()",
    ],
)
def test_postgresql_refuses_changes_to_the_log_even_outside_the_application(statement) -> None:
    child = ChildFactory()
    event = record(None, Action.VIEW, children=[child.public_id], actor_email="x@agency.example")

    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)

    assert AuditEventChild.objects.get(event=event).child_id == child.public_id
