"""Administrators cannot grant themselves power unseen (issue 10, point 6).

Through the records admin's own forms (read from the page, posted as a browser would): nobody
gives themselves, or another account of theirs, a membership or role; an administrator, auditor
or social work manager role waits for a second administrator; and every change to a person's
memberships, roles, AIM certification or active state is an event of the hash chain with its
before and after, wherever it is made.
"""

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hsb_portal.accounts.models import (
    Agency,
    AgencyKind,
    GrantStatus,
    Membership,
    MembershipGrant,
    Role,
    User,
)
from hsb_portal.audit.log import verify_chain
from hsb_portal.audit.models import Action, AuditEvent, RecordVersion
from tests.conftest import signed_in
from tests.factories import MembershipFactory, UserFactory
from tests.security.routes import Form, post_forms

pytestmark = pytest.mark.django_db


def make_administrator(member: Callable[..., Membership]) -> Membership:
    administrator = member(Role.ADMINISTRATOR)
    administrator.user.is_staff = True
    administrator.user.save(update_fields=["is_staff"])
    administrator.user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="accounts")
    )
    return administrator


@pytest.fixture
def administrators(member: Callable[..., Membership]) -> tuple[Membership, Membership]:
    return make_administrator(member), make_administrator(member)


@pytest.fixture
def teacher(member: Callable[..., Membership]) -> Membership:
    return member(Role.PRACTITIONER)


def page_form(client: Client, url: str) -> Form:
    page = client.get(url)
    assert page.status_code == 200
    (form,) = [form for form in post_forms(url, page.content.decode()) if form.action.endswith(url)]
    return form


def as_sent(form: Form) -> dict[str, Any]:
    """What the browser sends for the form as the page shows it."""
    data: dict[str, Any] = {}
    for name, item in form.fields.items():
        if "__prefix__" in name:
            continue
        data[name] = item.rendered if item.kind == "checkbox" else (item.rendered or [""])[0]
    return data


def with_new_membership(form: Form, data: dict[str, Any], **values: str) -> dict[str, Any]:
    """A new row of the person's memberships, as the admin's "Add another" makes it."""
    row = int(data["memberships-TOTAL_FORMS"])
    for name, item in form.fields.items():
        if name.startswith("memberships-__prefix__-"):
            field = name.removeprefix("memberships-__prefix__-")
            default = item.rendered if item.kind == "checkbox" else (item.rendered or [""])[0]
            data[f"memberships-{row}-{field}"] = values.get(field, default)
    data["memberships-TOTAL_FORMS"] = str(row + 1)
    return data


def user_page(person: User) -> str:
    return reverse("admin:accounts_user_change", args=[person.pk])


def save(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, {**data, "_save": "Save"})


def events_about(obj: Any, *, since: int = 0) -> list[AuditEvent]:
    events = AuditEvent.objects.filter(object_id=str(obj.public_id), pk__gt=since)
    return list(events.order_by("pk"))


def last_event() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


# Nobody gives themselves a membership or role.


def test_an_administrator_cannot_give_themselves_a_membership_on_their_own_page(
    administrators: tuple[Membership, Membership], agency_for: Callable[..., Agency]
) -> None:
    administrator, _ = administrators
    client = signed_in(Client(), administrator)
    url = user_page(administrator.user)
    form = page_form(client, url)
    school = agency_for(AgencyKind.SCHOOL)
    data = with_new_membership(
        form, as_sent(form), agency=str(school.pk), role=Role.DSL, is_active=["on"]
    )

    response = save(client, url, data)

    assert response.status_code == 200
    assert "You cannot give yourself, or another account of yours, a membership" in response.text
    assert list(administrator.user.memberships.all()) == [administrator]


def test_an_administrator_cannot_change_their_own_role(
    administrators: tuple[Membership, Membership],
) -> None:
    administrator, _ = administrators
    client = signed_in(Client(), administrator)
    url = reverse("admin:accounts_membership_change", args=[administrator.pk])
    data = as_sent(page_form(client, url))
    data["role"] = Role.AUDITOR

    response = save(client, url, data)

    assert response.status_code == 200
    assert "You cannot give yourself" in response.text
    administrator.refresh_from_db()
    assert administrator.role == Role.ADMINISTRATOR


def test_an_administrator_cannot_give_a_membership_to_another_account_of_theirs(
    administrators: tuple[Membership, Membership], agency_for: Callable[..., Agency]
) -> None:
    administrator, _ = administrators
    local, domain = administrator.user.email.split("@")
    second_account = UserFactory(email=f"{local}+casework@{domain}")
    client = signed_in(Client(), administrator)
    url = reverse("admin:accounts_membership_add")
    data = as_sent(page_form(client, url))
    data.update(
        user=str(second_account.pk),
        agency=str(agency_for(AgencyKind.SCHOOL).pk),
        role=Role.PRACTITIONER,
        is_active=["on"],
    )

    response = save(client, url, data)

    assert response.status_code == 200
    assert "You cannot give yourself, or another account of yours" in response.text
    assert not second_account.memberships.exists()


def test_an_administrator_gives_someone_else_an_ordinary_role_and_it_is_audited(
    administrators: tuple[Membership, Membership], teacher: Membership
) -> None:
    administrator, _ = administrators
    client = signed_in(Client(), administrator)
    url = user_page(teacher.user)
    form = page_form(client, url)
    data = with_new_membership(
        form, as_sent(form), agency=str(teacher.agency_id), role=Role.DSL, is_active=["on"]
    )

    response = save(client, url, data)

    assert response.status_code == 302
    given = teacher.user.memberships.get(role=Role.DSL)
    (event,) = events_about(given)
    assert event.action == Action.CREATE
    assert event.actor == administrator.user
    assert event.role == Role.ADMINISTRATOR
    assert f"membership of {teacher.user.email} added" in event.detail
    assert "Role: Designated safeguarding lead" in event.detail
    assert RecordVersion.objects.get(event=event).snapshot["role"] == "Designated safeguarding lead"


# The roles with power wait for a second administrator.


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.AUDITOR, Role.SW_MANAGER])
def test_a_powerful_role_cannot_be_given_directly(
    role: Role, administrators: tuple[Membership, Membership], teacher: Membership
) -> None:
    administrator, _ = administrators
    client = signed_in(Client(), administrator)
    url = user_page(teacher.user)
    form = page_form(client, url)
    data = with_new_membership(
        form, as_sent(form), agency=str(administrator.agency_id), role=role, is_active=["on"]
    )

    response = save(client, url, data)

    assert response.status_code == 200
    assert f"The {role.label} role needs a second administrator" in response.text
    assert not teacher.user.memberships.filter(role=role).exists()


def test_a_role_request_waits_until_a_second_administrator_approves_it(
    administrators: tuple[Membership, Membership], teacher: Membership
) -> None:
    proposer, approver = administrators
    proposing = signed_in(Client(), proposer)
    add = reverse("admin:accounts_membershipgrant_add")
    data = as_sent(page_form(proposing, add))
    data.update(
        user=str(teacher.user.pk),
        agency=str(proposer.agency_id),
        role=Role.AUDITOR,
        reason="Joins the audit team for the annual case review.",
    )

    proposed = save(proposing, add, data)
    grant = MembershipGrant.objects.get()
    own_approval = decide(proposing, grant, "approve_role_requests")
    grant.refresh_from_db()
    still_waiting = grant.status
    approved = decide(signed_in(Client(), approver), grant, "approve_role_requests")

    assert proposed.status_code == 302
    assert "A different administrator must approve this role request" in own_approval.text
    assert still_waiting == GrantStatus.AWAITING_APPROVAL
    assert "approved; the role is given" in approved.text
    grant.refresh_from_db()
    given = teacher.user.memberships.get(role=Role.AUDITOR)
    assert given.is_active
    assert (grant.status, grant.proposed_by, grant.decided_by, grant.membership) == (
        GrantStatus.APPROVED,
        proposer.user,
        approver.user,
        given,
    )
    request_events = events_about(grant)
    assert [(e.action, e.actor) for e in request_events] == [
        (Action.CREATE, proposer.user),
        (Action.CHANGE, approver.user),
    ]
    (membership_event,) = events_about(given)
    assert membership_event.actor == approver.user
    assert "Role: Auditor" in membership_event.detail
    assert verify_chain()[1] is None


def test_nothing_is_given_while_a_role_request_waits(
    administrators: tuple[Membership, Membership], teacher: Membership
) -> None:
    proposer, _ = administrators
    client = signed_in(Client(), proposer)
    add = reverse("admin:accounts_membershipgrant_add")
    data = as_sent(page_form(client, add))
    data.update(
        user=str(teacher.user.pk),
        agency=str(proposer.agency_id),
        role=Role.ADMINISTRATOR,
        reason="Covers the records team.",
    )

    save(client, add, data)

    assert MembershipGrant.objects.get().status == GrantStatus.AWAITING_APPROVAL
    assert not teacher.user.memberships.filter(role=Role.ADMINISTRATOR).exists()


def test_an_administrator_cannot_request_a_role_for_themselves(
    administrators: tuple[Membership, Membership],
) -> None:
    administrator, _ = administrators
    client = signed_in(Client(), administrator)
    add = reverse("admin:accounts_membershipgrant_add")
    data = as_sent(page_form(client, add))
    data.update(
        user=str(administrator.user.pk),
        agency=str(administrator.agency_id),
        role=Role.AUDITOR,
        reason="I would like to read the audit.",
    )

    response = save(client, add, data)

    assert response.status_code == 200
    assert "You cannot give yourself" in response.text
    assert not MembershipGrant.objects.exists()


def test_a_second_administrator_refuses_a_role_request(
    administrators: tuple[Membership, Membership], teacher: Membership
) -> None:
    proposer, approver = administrators
    grant = MembershipGrant.objects.create(
        user=teacher.user,
        agency=proposer.agency,
        role=Role.SW_MANAGER,
        reason="Acting up.",
        proposed_by=proposer.user,
    )

    response = decide(signed_in(Client(), approver), grant, "refuse_role_requests")

    assert "refused" in response.text
    grant.refresh_from_db()
    assert (grant.status, grant.decided_by) == (GrantStatus.REFUSED, approver.user)
    assert not teacher.user.memberships.filter(role=Role.SW_MANAGER).exists()


def test_the_database_refuses_a_role_request_decided_by_its_proposer_or_for_themselves(
    administrators: tuple[Membership, Membership], teacher: Membership
) -> None:
    proposer, _ = administrators
    common = {"agency": proposer.agency, "role": Role.AUDITOR, "reason": "Audit."}

    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipGrant.objects.create(
            user=teacher.user,
            proposed_by=proposer.user,
            decided_by=proposer.user,
            decided_at=timezone.now(),
            status=GrantStatus.APPROVED,
            **common,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipGrant.objects.create(user=proposer.user, proposed_by=proposer.user, **common)

    assert not MembershipGrant.objects.exists()


def decide(client: Client, grant: MembershipGrant, action: str) -> Any:
    url = reverse("admin:accounts_membershipgrant_changelist")
    data = as_sent(page_form(client, url))
    data.update(action=action, _selected_action=[str(grant.pk)], index="0")
    return client.post(url, data, follow=True)


# Every change is in the hash chain, with its before and after, wherever it is made.


def test_changes_made_in_records_administration_are_audited_with_before_and_after(
    administrators: tuple[Membership, Membership], teacher: Membership
) -> None:
    administrator, _ = administrators
    client = signed_in(Client(), administrator)
    url = user_page(teacher.user)
    data = as_sent(page_form(client, url))
    data["aim_certified_on"] = "2025-01-15"
    data["is_active"] = []
    data["memberships-0-role"] = Role.DSL
    data["memberships-0-is_active"] = []
    before = last_event()

    response = save(client, url, data)

    assert response.status_code == 302
    (person_event,) = events_about(teacher.user, since=before)
    (membership_event,) = events_about(teacher, since=before)
    for event in (person_event, membership_event):
        assert event.action == Action.CHANGE
        assert event.actor == administrator.user
        assert event.role == Role.ADMINISTRATOR
    assert "Active from yes to no" in person_event.detail
    assert "AIM certified on from none to 2025-01-15" in person_event.detail
    assert "Role from Practitioner to Designated safeguarding lead" in membership_event.detail
    assert "Active from yes to no" in membership_event.detail
    assert RecordVersion.objects.get(event=person_event).snapshot["aim_certified_on"] == (
        "2025-01-15"
    )
    assert verify_chain()[1] is None


def test_an_administrator_cannot_certify_themselves_for_aim(
    administrators: tuple[Membership, Membership],
) -> None:
    administrator, _ = administrators
    client = signed_in(Client(), administrator)
    url = user_page(administrator.user)
    data = as_sent(page_form(client, url))
    data["aim_certified_on"] = "2025-01-15"

    save(client, url, data)

    administrator.user.refresh_from_db()
    assert administrator.user.aim_certified_on is None


def test_changes_made_outside_the_portal_are_audited_too(teacher: Membership) -> None:
    person = teacher.user
    before = last_event()

    person.aim_certified_on = date(2024, 9, 12)
    person.save()
    extra = MembershipFactory(user=person, agency=teacher.agency, role=Role.SW_MANAGER)

    (certified,) = events_about(person, since=before)
    (given,) = events_about(extra, since=before)
    assert certified.actor is None
    assert "AIM certified on from none to 2024-09-12" in certified.detail
    assert "made outside the portal" in certified.detail
    assert given.action == Action.CREATE
    assert "Role: Social work manager" in given.detail
    assert "made outside the portal" in given.detail
    assert verify_chain()[1] is None
