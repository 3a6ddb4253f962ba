import pytest
from django.test import Client, override_settings
from django.urls import path, reverse

from hsb_portal.accounts.models import Role
from tests.conftest import signed_in
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

MY_WORK = {
    Role.PRACTITIONER: "Concerns you have filed",
    Role.DSL: "Concerns for you to review",
    Role.MASH_SCREENER: "Referrals to screen",
    Role.SOCIAL_WORKER: "Children allocated to you",
    Role.SW_MANAGER: "Strategy meetings to convene",
    Role.AUDITOR: "Case histories",
    Role.ADMINISTRATOR: "Administration",
}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_lands_on_its_own_my_work_page(role: Role, client_as, authority) -> None:
    response = client_as(role).get(reverse("home"))

    assert response.status_code == 200
    assert '<h1 class="govuk-heading-xl">My work</h1>' in response.text
    assert MY_WORK[role] in response.text
    assert authority.name in response.text  # the header names the person's authority
    assert role.label in response.text
    others = [text for other, text in MY_WORK.items() if other != role]
    assert not any(text in response.text for text in others)


def test_the_navigation_offers_children_only_to_roles_that_may_see_them(client_as) -> None:
    screener = client_as(Role.MASH_SCREENER).get(reverse("home"))
    practitioner = client_as(Role.PRACTITIONER).get(reverse("home"))

    assert reverse("triage:child-list") in screener.text
    assert reverse("triage:child-list") not in practitioner.text


def test_a_person_with_no_role_is_told_to_ask_for_one(client: Client) -> None:
    membership = MembershipFactory()
    signed_in(client, membership)
    membership.user.memberships.update(is_active=False)

    response = client.get(reverse("home"))

    assert "You have no active role" in response.text


def test_the_layout_is_the_design_system_without_the_crown_or_its_font(client_as) -> None:
    html = client_as(Role.PRACTITIONER).get(reverse("home")).text

    assert 'class="govuk-skip-link"' in html
    assert "govuk-phase-banner" in html
    assert "govuk-footer" in html
    assert "HSB Portal" in html
    assert "crown" not in html.lower()
    assert "GOV.UK" not in html


def test_signed_out_visitors_are_sent_to_sign_in(client: Client) -> None:
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/"


def test_an_unknown_page_gets_the_styled_not_found_page(client_as) -> None:
    response = client_as(Role.PRACTITIONER).get("/no-such-page/")

    assert response.status_code == 404
    assert "Page not found" in response.text
    assert "govuk-template" in response.text


def test_a_refused_page_gets_the_styled_permission_page(client_as) -> None:
    response = client_as(Role.PRACTITIONER).get(reverse("triage:child-list"))

    assert response.status_code == 403
    assert "You do not have permission" in response.text


def boom(request):
    raise RuntimeError("database password is hunter2")


urlpatterns = [path("boom/", boom)]
handler500 = "hsb_portal.views.server_error"


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_an_error_shows_the_styled_error_page_and_no_detail() -> None:
    client = Client(raise_request_exception=False)

    response = client.get("/boom/")

    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.text
    assert "hunter2" not in response.text
    assert "Traceback" not in response.text


def test_pages_are_not_cached_and_carry_a_request_id(client_as) -> None:
    response = client_as(Role.PRACTITIONER).get(reverse("home"))

    assert response["Cache-Control"] == "no-store"
    assert len(response["X-Request-ID"]) == 32
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("role", list(Role))
def test_the_navigation_offers_retention_to_administrators_and_auditors_only(
    role: Role, client_as
) -> None:
    page = client_as(role).get(reverse("home"))

    offered = f'href="{reverse("retention:report")}"' in page.text
    assert offered == (role in {Role.ADMINISTRATOR, Role.AUDITOR})
