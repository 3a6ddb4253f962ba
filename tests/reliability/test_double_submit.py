"""A create form sent twice creates one record (security.md §5, double submit): the second
send leads its author to what the first created; a missing, forged or someone else's token
is a form error and creates nothing."""

import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from hsb_portal.accounts.models import AgencyKind, Membership, Role
from hsb_portal.submissions.models import SubmittedForm
from hsb_portal.submissions.tokens import EXPIRED, SENT_BY_SOMEONE_ELSE
from referrals.models import NoNamesConsultation, Referral
from strategy.models import AimAssessment, AssessmentStatus, Invitation, InviteeRole
from tests.conftest import signed_in
from tests.factories import AimAssessmentFactory, ConcernFactory, MembershipFactory
from tests.referrals.conftest import london, refer_post
from tests.referrals.test_telephone_police_and_no_names import (
    both_children,
    call_fields,
    consultation_fields,
    incident_fields,
)
from tests.strategy.meetings.conftest import convene
from tests.triage.conftest import date_input
from tests.triage.test_children_involved import new_child_form
from tests.triage.test_concerns import concern_form
from triage.models import Child, Concern

pytestmark = pytest.mark.django_db


@dataclass
class CreateForm:
    """One create form: who sends it, where, what, and how many records it makes."""

    client: Client
    url: str
    data: dict[str, Any]
    records: Callable[[], int]


def _concern(request: pytest.FixtureRequest) -> CreateForm:
    practitioner = request.getfixturevalue("practitioner")
    return CreateForm(
        signed_in(Client(), practitioner),
        reverse("triage:concern-create"),
        concern_form(request.getfixturevalue("authority")),
        Concern.objects.count,
    )


def _new_child(request: pytest.FixtureRequest) -> CreateForm:
    practitioner = request.getfixturevalue("practitioner")
    concern = ConcernFactory(reported_by=practitioner.user, reporting_agency=practitioner.agency)
    data = new_child_form(
        concern,
        request.getfixturevalue("authority"),
        matches_checked_for="riley|ashcombe|2014-03-14",
    )
    return CreateForm(
        signed_in(Client(), practitioner),
        reverse("triage:concern-child-new", args=[concern.public_id]),
        data,
        Child.objects.count,
    )


def _telephone(request: pytest.FixtureRequest) -> CreateForm:
    authority = request.getfixturevalue("profiled")
    data = {
        **call_fields(london(2026, 11, 20, 15, 0)),
        **both_children(authority),
        **incident_fields(authority),
    }
    return CreateForm(
        request.getfixturevalue("screener_client"),
        reverse("referrals:telephone-referral-create"),
        data,
        Referral.objects.count,
    )


def _police(request: pytest.FixtureRequest) -> CreateForm:
    authority = request.getfixturevalue("profiled")
    officer = MembershipFactory(
        role=Role.PRACTITIONER,
        agency=request.getfixturevalue("agency_for")(AgencyKind.POLICE),
    )
    data = {
        "police_reference": "MERLIN 26/11/0042",
        **both_children(authority),
        **incident_fields(authority),
    }
    return CreateForm(
        signed_in(Client(), officer),
        reverse("referrals:police-notification-create"),
        data,
        Referral.objects.count,
    )


def _no_names(request: pytest.FixtureRequest) -> CreateForm:
    return CreateForm(
        request.getfixturevalue("screener_client"),
        reverse("referrals:consultation-create"),
        consultation_fields(),
        NoNamesConsultation.objects.count,
    )


def _invitation(request: pytest.FixtureRequest) -> CreateForm:
    manager = request.getfixturevalue("manager")
    meeting = convene(request.getfixturevalue("incident"), manager)
    camhs = request.getfixturevalue("agencies")[AgencyKind.CAMHS]
    return CreateForm(
        request.getfixturevalue("manager_client"),
        reverse("meetings:invitation-create", args=[meeting.public_id]),
        {
            "submission": str(uuid.uuid4()),
            "agency": camhs.pk,
            "person": "",
            "role_in_meeting": InviteeRole.CAMHS,
        },
        Invitation.objects.count,
    )


def _aim_assessment(request: pytest.FixtureRequest) -> CreateForm:
    child = request.getfixturevalue("child_who_harmed")
    return CreateForm(
        request.getfixturevalue("lead_client"),
        reverse("strategy:aim-assessment-start", args=[child.public_id]),
        {
            "submission": str(uuid.uuid4()),
            "model_version": "AIM3",
            **date_input("started_on", date(2026, 3, 10)),
        },
        AimAssessment.objects.count,
    )


def _aim_review(request: pytest.FixtureRequest) -> CreateForm:
    lead: Membership = request.getfixturevalue("lead")
    earlier = AimAssessmentFactory(
        child=request.getfixturevalue("child_who_harmed"),
        lead_assessor=lead.user,
        lead_agency=lead.agency,
        status=AssessmentStatus.COMPLETED,
        completed_on=date(2026, 4, 1),
        supervision_level="medium",
        recommendations="A safety plan at home and at school.",
    )
    return CreateForm(
        request.getfixturevalue("lead_client"),
        reverse("strategy:aim-assessment-review", args=[earlier.public_id]),
        {"submission": str(uuid.uuid4()), **date_input("started_on", date(2026, 9, 1))},
        AimAssessment.objects.count,
    )


CREATE_FORMS = {
    "concern": _concern,
    "new child": _new_child,
    "telephone referral": _telephone,
    "police notification": _police,
    "no names advice": _no_names,
    "invitation": _invitation,
    "AIM assessment": _aim_assessment,
    "AIM review": _aim_review,
}


@pytest.fixture(params=CREATE_FORMS.values(), ids=CREATE_FORMS.keys())
def create_form(request: pytest.FixtureRequest) -> CreateForm:
    return request.param(request)  # type: ignore[no-any-return]


def test_a_form_sent_twice_creates_one_record_and_leads_to_it(create_form: CreateForm) -> None:
    before = create_form.records()

    first = create_form.client.post(create_form.url, create_form.data)
    made = create_form.records() - before
    second = create_form.client.post(create_form.url, create_form.data, follow=True)

    assert first.status_code == 302
    assert made >= 1
    assert create_form.records() - before == made
    assert second.redirect_chain[0] == (first["Location"], 302)
    assert "You had already sent this form, so nothing new was saved" in second.text
    assert SubmittedForm.objects.count() == 1


def test_each_create_page_carries_a_fresh_one_time_token(create_form: CreateForm) -> None:
    if create_form.url.endswith("/children/new/"):
        # The new child form is shown by the search for a child already on record.
        url = create_form.url.replace("/children/new/", "/children/find/")
        data = {k: create_form.data[k] for k in ("version", "given_name", "family_name", "part")}
        data |= {k: v for k, v in create_form.data.items() if k.startswith("date_of_birth")}
        pages = [
            create_form.client.post(url, {**data, "given_name": name}) for name in ("Arlo", "Bex")
        ]
    else:
        pages = [create_form.client.get(create_form.url) for _ in range(2)]

    tokens = [TOKEN.search(page.text) for page in pages]

    assert all(tokens), "the page has no one-time token"
    assert tokens[0][1] != tokens[1][1]  # type: ignore[index]


TOKEN = re.compile(r'<input type="hidden" name="submission" value="([0-9a-f-]{36})"')


@pytest.mark.parametrize("token", ["", "not-a-token", None], ids=["empty", "malformed", "missing"])
def test_a_missing_or_malformed_token_is_a_form_error_and_creates_nothing(
    create_form: CreateForm, token: str | None
) -> None:
    data = {k: v for k, v in create_form.data.items() if k != "submission"}
    if token is not None:
        data["submission"] = token
    before = create_form.records()

    response = create_form.client.post(create_form.url, data)

    assert response.status_code == 200
    assert EXPIRED in response.text
    assert create_form.records() == before
    form = next(f for f in _forms_in(response) if "submission" in f.fields)
    assert form.errors["submission"] == [EXPIRED]
    # The page shown again carries a fresh token, so sending it again works.
    assert uuid.UUID(form["submission"].value())


def _forms_in(response: Any) -> list[Any]:
    found = []
    for context in response.context:
        for value in context.flatten().values():
            if hasattr(value, "fields") and hasattr(value, "errors"):
                found.append(value)
    return found


def test_a_token_someone_else_sent_is_refused_and_the_page_can_be_sent_again(
    member: Callable[..., Membership], authority: Any
) -> None:
    first_author, second_author = member(Role.PRACTITIONER), member(Role.PRACTITIONER)
    data = concern_form(authority)
    signed_in(Client(), first_author).post(reverse("triage:concern-create"), data)
    client = signed_in(Client(), second_author)

    refused = client.post(reverse("triage:concern-create"), data)
    fresh = refused.context["form"]["submission"].value()
    again = client.post(reverse("triage:concern-create"), {**data, "submission": fresh})

    assert refused.status_code == 200
    assert SENT_BY_SOMEONE_ELSE in refused.text
    assert fresh != data["submission"]
    assert again.status_code == 302
    assert list(Concern.objects.values_list("reported_by", flat=True).order_by("pk")) == [
        first_author.user_id,
        second_author.user_id,
    ]


SEQUENTIAL_DOUBLE_POSTS = 100


def test_a_hundred_double_posts_of_the_concern_form_make_a_hundred_concerns(
    practitioner: Membership, authority: Any
) -> None:
    client = signed_in(Client(), practitioner)
    url = reverse("triage:concern-create")
    pairs = []

    for _ in range(SEQUENTIAL_DOUBLE_POSTS):
        data = concern_form(authority)
        pairs.append((client.post(url, data), client.post(url, data)))

    assert Concern.objects.count() == SEQUENTIAL_DOUBLE_POSTS
    assert all(first["Location"] == second["Location"] for first, second in pairs)
    assert len({first["Location"] for first, _ in pairs}) == SEQUENTIAL_DOUBLE_POSTS


def test_making_the_referrals_twice_makes_one_referral_for_each_child(
    concern_to_refer: Concern, dsl_client: Client
) -> None:
    # Not a token form: the concern's version and status already stop a second send.
    url = reverse("referrals:concern-refer", args=[concern_to_refer.public_id])
    data = refer_post(concern_to_refer)

    first = dsl_client.post(url, data)
    second = dsl_client.post(url, data)

    assert Referral.objects.count() == 2
    assert second["Location"] == first["Location"]


# Simultaneous sends, each on its own database connection (PostgreSQL only: SQLite runs one
# writer at a time, so it cannot show a race).

PARALLEL_DOUBLE_POSTS = 100


def _send_together(sends: list[Callable[[], Any]]) -> list[Any]:
    barrier = threading.Barrier(len(sends))
    results: list[Any] = [None] * len(sends)

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = sends[index]()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(sends))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_a_hundred_simultaneous_double_posts_of_the_concern_form_make_a_hundred_concerns(
    practitioner: Membership, authority: Any
) -> None:
    clients = [signed_in(Client(), practitioner) for _ in range(2)]
    url = reverse("triage:concern-create")
    locations = set()

    for _ in range(PARALLEL_DOUBLE_POSTS):
        data = concern_form(authority)
        first, second = _send_together([lambda c=c, d=data: c.post(url, d) for c in clients])
        assert first.status_code == second.status_code == 302
        assert first["Location"] == second["Location"]
        locations.add(first["Location"])

    assert Concern.objects.count() == len(locations) == PARALLEL_DOUBLE_POSTS


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_a_telephone_referral_sent_twice_at_once_is_recorded_once(
    screener: Membership, profiled: Any
) -> None:
    clients = [signed_in(Client(), screener) for _ in range(2)]
    data = {
        **call_fields(london(2026, 11, 20, 15, 0)),
        **both_children(profiled),
        **incident_fields(profiled),
    }
    url = reverse("referrals:telephone-referral-create")

    first, second = _send_together([lambda c=c: c.post(url, data) for c in clients])

    assert Referral.objects.count() == 2  # one for each child
    assert first["Location"] == second["Location"]


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_the_referrals_made_twice_at_once_are_made_once(
    concern_to_refer: Concern, dsl: Membership
) -> None:
    clients = [signed_in(Client(), dsl) for _ in range(2)]
    url = reverse("referrals:concern-refer", args=[concern_to_refer.public_id])
    data = refer_post(concern_to_refer)

    results = _send_together([lambda c=c: c.post(url, data) for c in clients])

    assert Referral.objects.count() == 2
    assert all(r.status_code in {200, 302} for r in results)
