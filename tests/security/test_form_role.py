"""Issue 10, item 5: a form belongs to the role it was opened in.

A person with two roles opens a form in one, changes role in another tab (or an administrator
ends the first role), then sends the form. It must be refused with a clear message, what they
typed kept, nothing filed under either agency, and the refusal audited. The walk sends every
form of every page the URL conf leads to (and every button-only action) this way.
"""

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from hsb_portal.accounts.models import AgencyKind, Membership, Role
from hsb_portal.audit.models import Action, AuditEvent
from hsb_portal.middleware import ACTIVE_MEMBERSHIP_KEY
from tests.conftest import signed_in
from tests.factories import AgencyFactory, MembershipFactory
from tests.security.routes import (
    ACCOUNT_ROUTES,
    Visit,
    changed,
    entitled,
    has_page,
    is_post_only,
    post_forms,
    route_names,
    snapshot,
)
from tests.security.test_hostile_input import plausible_post
from tests.triage.test_concerns import concern_form
from triage.models import Concern

pytestmark = pytest.mark.django_db

FIELD = "acting_as"
PAGES = [name for name in route_names() if name not in ACCOUNT_ROUTES and has_page(name)]
POST_ONLY = [name for name in route_names() if name not in ACCOUNT_ROUTES and is_post_only(name)]


def second_role(membership: Membership, *, same_role: bool) -> Membership:
    """Another role of the same person: the same role in another agency of its kind (so the
    page may well be open to it), or a different role in yet another agency."""
    kind = membership.agency.kind if same_role else AgencyKind.HEALTH
    agency = AgencyFactory(kind=kind, authorities=list(membership.agency.authorities.all()))
    role = membership.role if same_role else Role.PRACTITIONER
    if role == membership.role and not same_role:
        role = Role.DSL
    return MembershipFactory(user=membership.user, agency=agency, role=role)


def change_role(client: Client, membership: Membership) -> None:
    """What "Change role" in another tab does: the session now acts in ``membership``."""
    session = client.session
    session[ACTIVE_MEMBERSHIP_KEY] = str(membership.public_id)
    session.save()


def assert_refused(response, before, opened: Membership, where: str) -> None:
    assert response.status_code == 409, f"{where}: {response.status_code}"
    text = response.content.decode()
    assert escape(f"You opened this form as {opened.get_role_display()}") in text, where
    assert "nothing was saved" in text, where
    assert "govuk-error-summary" in text, where
    assert changed(before, snapshot()) == [], f"{where} saved something"
    refusals = AuditEvent.objects.filter(
        action=Action.REFUSED, actor=opened.user, detail__startswith="form opened as "
    )
    assert refusals.exists(), where


@pytest.mark.parametrize("same_role", [True, False], ids=["same role elsewhere", "other role"])
@pytest.mark.parametrize("url_name", PAGES)
def test_every_form_sent_after_changing_role_is_refused_keeping_what_was_typed(
    url_name: str,
    same_role: bool,
    visit_of: Callable[..., Visit],
    record_property: Callable[[str, object], None],
) -> None:
    visit = visit_of(url_name, entitled(url_name))
    page = visit.client.get(visit.url)
    html = page["Content-Type"].startswith("text/html")
    forms = (
        post_forms(page.wsgi_request.build_absolute_uri(), page.content.decode()) if html else []
    )
    opened = visit.requester
    assert opened is not None
    other = second_role(opened, same_role=same_role)

    for form in forms:
        assert form.fields.get(FIELD) is not None, f"a form on {url_name} has no {FIELD}"
        assert form.fields[FIELD].rendered == [str(opened.public_id)]
        data, typed = plausible_post(form, 0)
        change_role(visit.client, other)
        before = snapshot()

        response = visit.client.post(form.action, data)

        assert_refused(response, before, opened, f"{form.action} from {url_name}")
        text = response.content.decode()
        assert all(escape(value) in text for value in typed), f"{form.action} lost the input"
        change_role(visit.client, opened)
    record_property("form_role_forms", len(forms))


@pytest.mark.parametrize("url_name", POST_ONLY)
def test_every_button_pressed_after_changing_role_is_refused(
    url_name: str, visit_of: Callable[..., Visit]
) -> None:
    visit = visit_of(url_name, entitled(url_name))
    opened = visit.requester
    assert opened is not None
    change_role(visit.client, second_role(opened, same_role=True))
    before = snapshot()

    response = visit.client.post(
        visit.url, {FIELD: str(opened.public_id), "version": "1", "next": "home"}
    )

    assert_refused(response, before, opened, url_name)


# One form, step by step: what the person sees, and what happens when they send it again


@pytest.fixture
def teacher(member) -> Membership:
    return member(Role.PRACTITIONER)


@pytest.fixture
def lead_elsewhere(teacher: Membership, authority) -> Membership:
    """The same person is also the safeguarding lead of another school."""
    school = AgencyFactory(kind=AgencyKind.SCHOOL, name="Saltmarsh School", authorities=[authority])
    return MembershipFactory(user=teacher.user, agency=school, role=Role.DSL)


def test_the_concern_form_is_shown_again_in_the_role_it_was_opened_in(
    teacher, lead_elsewhere, authority
) -> None:
    client = signed_in(Client(), teacher)
    page = client.get(reverse("triage:concern-create"))
    assert f'name="{FIELD}" value="{teacher.public_id}"' in page.text
    data = {**concern_form(authority), FIELD: str(teacher.public_id)}
    data["what_happened"] = "Seen by the bike sheds at the end of the day."
    change_role(client, lead_elsewhere)

    refused = client.post(reverse("triage:concern-create"), data)

    assert refused.status_code == 409
    assert "When did the behaviour happen?" in refused.text  # the form itself, shown again
    assert "You opened this form as Practitioner at" in refused.text
    assert "but you are now acting as Designated safeguarding lead at Saltmarsh School" in (
        refused.text
    )
    assert "Seen by the bike sheds at the end of the day." in refused.text
    assert f'name="{FIELD}" value="{teacher.public_id}"' in refused.text  # still the teacher's
    assert not Concern.objects.exists()
    sent_again_unchanged = client.post(reverse("triage:concern-create"), data)
    assert sent_again_unchanged.status_code == 409
    assert not Concern.objects.exists()

    change_role(client, teacher)
    sent_back_in_its_role = client.post(reverse("triage:concern-create"), data)

    assert sent_back_in_its_role.status_code == 302
    concern = Concern.objects.get()
    assert concern.reporting_agency == teacher.agency
    assert concern.reported_by == teacher.user


def test_a_form_sent_after_its_role_was_ended_is_refused_and_the_change_is_said(
    teacher, lead_elsewhere, authority
) -> None:
    client = signed_in(Client(), teacher)
    data = {**concern_form(authority), FIELD: str(teacher.public_id)}
    teacher.is_active = False  # an administrator ends the teacher's role
    teacher.save(update_fields=["is_active"])

    refused = client.post(reverse("triage:concern-create"), data)
    home = client.get(reverse("home"))

    assert refused.status_code == 409
    assert "a role that has since ended, so nothing was saved" in refused.text
    assert "Images were shared in a class group chat." in refused.text
    assert not Concern.objects.exists()
    assert "You are now acting as Designated safeguarding lead at Saltmarsh School" in (
        refused.text
    )
    assert "Your role as Practitioner" not in home.text  # said once, on the refusal


def test_a_page_read_after_the_role_ended_says_which_role_applies_now(
    teacher, lead_elsewhere
) -> None:
    client = signed_in(Client(), teacher)
    teacher.is_active = False
    teacher.save(update_fields=["is_active"])

    home = client.get(reverse("home"))
    again = client.get(reverse("home"))

    assert "has ended. You are now acting as Designated safeguarding lead at Saltmarsh" in (
        home.text
    )
    assert "has ended" not in again.text


def test_a_form_whose_page_the_new_role_may_not_use_is_kept_on_our_own_page(
    teacher, member, authority
) -> None:
    auditor = MembershipFactory(
        user=teacher.user, agency=member(Role.AUDITOR).agency, role=Role.AUDITOR
    )
    client = signed_in(Client(), teacher)
    data = {**concern_form(authority), FIELD: str(teacher.public_id)}
    change_role(client, auditor)

    refused = client.post(reverse("triage:concern-create"), data)

    assert refused.status_code == 409
    assert "Your form was not saved" in refused.text
    assert "Images were shared in a class group chat." in refused.text
    assert f'name="{FIELD}" value="{teacher.public_id}"' in refused.text
    assert not Concern.objects.exists()


def test_a_post_without_the_field_is_taken_as_sent_in_the_current_role(teacher, authority) -> None:
    client = signed_in(Client(), teacher)

    response = client.post(reverse("triage:concern-create"), concern_form(authority))

    assert response.status_code == 302
    assert Concern.objects.get().reporting_agency == teacher.agency
