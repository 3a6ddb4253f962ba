"""The designated safeguarding lead's review: add to the concern, decide the next step."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hsb_portal.accounts.models import AgencyKind, Membership, Role
from tests.conftest import signed_in
from tests.factories import (
    AgencyFactory,
    ChildFactory,
    ConcernChildFactory,
    ConcernFactory,
    MembershipFactory,
)
from triage.models import Concern, ConcernEventKind, ConcernStatus, NextStep, Part

pytestmark = pytest.mark.django_db


def sent_concern(membership: Membership, **fields) -> Concern:
    concern = ConcernFactory(
        reported_by=membership.user,
        reporting_agency=membership.agency,
        authority=membership.agency.authorities.first(),
        status=ConcernStatus.AWAITING_REVIEW,
        submitted_at=timezone.now(),
        advised_next_step=NextStep.REFER,
        chosen_next_step=NextStep.REFER,
        advice_text="Red: Refer every child involved.",
        **fields,
    )
    ConcernChildFactory(
        concern=concern,
        child=ChildFactory(given_name="Riley", family_name="Ashcombe", authority=concern.authority),
    )
    return concern


def review(client: Client, concern: Concern, **fields):
    data = {"version": concern.version, "decision": NextStep.EARLY_HELP, "reason": "Support."}
    data.update(fields)
    return client.post(reverse("triage:concern-review", args=[concern.public_id]), data)


@pytest.mark.parametrize(
    ("decision", "status"),
    [
        (NextStep.HANDLE_IN_SETTING, ConcernStatus.HANDLED_IN_SETTING),
        (NextStep.EARLY_HELP, ConcernStatus.EARLY_HELP),
        (NextStep.REFER, ConcernStatus.TO_BE_REFERRED),
    ],
)
def test_the_dsl_decides_the_next_step_and_it_is_recorded_who_when_and_why(
    decision, status, practitioner, dsl, dsl_client: Client
) -> None:
    concern = sent_concern(practitioner)

    response = review(dsl_client, concern, decision=decision, reason="Discussed with the head.")

    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.status == status
    assert (concern.decision, concern.decided_by) == (decision, dsl.user)
    assert concern.decision_reason == "Discussed with the head."
    event = concern.events.get(kind=ConcernEventKind.DECIDED)
    assert (event.from_status, event.to_status, event.by) == (
        ConcernStatus.AWAITING_REVIEW,
        status,
        dsl.user,
    )
    assert event.text == "Discussed with the head."


def test_the_dsl_can_add_information_that_shows_on_the_concern(
    practitioner, dsl_client: Client
) -> None:
    concern = sent_concern(practitioner)

    review(dsl_client, concern, note="Riley's parents came in the same afternoon.")
    page = dsl_client.get(reverse("triage:concern-detail", args=[concern.public_id]))

    note = concern.events.get(kind=ConcernEventKind.NOTE_ADDED)
    assert note.text == "Riley's parents came in the same afternoon."
    assert "Riley&#x27;s parents came in the same afternoon." in page.text
    assert "Information added" in page.text


def test_a_decision_needs_a_reason(practitioner, dsl_client: Client) -> None:
    concern = sent_concern(practitioner)

    response = review(dsl_client, concern, reason="")

    assert "Enter the reason for your decision" in response.text
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.AWAITING_REVIEW


def test_the_review_page_shows_what_was_advised_and_chosen_and_the_history(
    practitioner, dsl_client: Client
) -> None:
    concern = sent_concern(practitioner, under_13_rule_applied=True)
    riley = concern.involvements.get().child
    earlier = ConcernFactory(
        status=ConcernStatus.EARLY_HELP,
        authority=concern.authority,
        reporting_agency=practitioner.agency,  # the DSL's own agency
    )
    ConcernChildFactory(concern=earlier, child=riley, part=Part.CHILD_HARMED)

    page = dsl_client.get(reverse("triage:concern-review", args=[concern.public_id]))

    assert "Red: Refer every child involved." in page.text
    assert "Child protection referral required" in page.text
    assert "Riley Ashcombe has 1 earlier concern" in page.text
    assert "Child harmed" in page.text


def test_a_stale_decision_is_refused(practitioner, dsl_client: Client) -> None:
    concern = sent_concern(practitioner)
    Concern.objects.filter(pk=concern.pk).update(version=concern.version + 1)

    response = review(dsl_client, concern)

    assert "Someone else changed this concern" in response.text
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.AWAITING_REVIEW


def test_a_practitioner_cannot_review_even_their_own_concern(
    practitioner, practitioner_client: Client
) -> None:
    concern = sent_concern(practitioner)

    response = review(practitioner_client, concern)

    assert response.status_code == 403
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.AWAITING_REVIEW


def test_the_dsl_of_another_school_does_not_see_the_concern(practitioner, authority) -> None:
    concern = sent_concern(practitioner)
    other_school = AgencyFactory(kind=AgencyKind.SCHOOL, authorities=[authority])
    other_dsl = signed_in(Client(), MembershipFactory(agency=other_school, role=Role.DSL))

    response = review(other_dsl, concern)

    assert response.status_code == 404


def test_a_decided_concern_is_closed_to_changes(practitioner, dsl_client: Client) -> None:
    concern = sent_concern(practitioner)
    review(dsl_client, concern)

    again = dsl_client.get(reverse("triage:concern-review", args=[concern.public_id]))
    edit = dsl_client.get(reverse("triage:concern-edit", args=[concern.public_id]))

    assert again.status_code == 403
    assert edit.status_code == 403


def test_the_dsl_can_add_a_child_while_reviewing(practitioner, dsl_client: Client) -> None:
    concern = sent_concern(practitioner)

    page = dsl_client.get(reverse("triage:concern-child-find", args=[concern.public_id]))

    assert page.status_code == 200
    assert "Add a child to the concern" in page.text


def test_the_childs_page_shows_how_each_concern_ended(
    practitioner, dsl_client: Client, practitioner_client: Client
) -> None:
    concern = sent_concern(practitioner)
    review(dsl_client, concern, decision=NextStep.REFER)
    riley = concern.involvements.get().child

    page = practitioner_client.get(reverse("triage:child-detail", args=[riley.public_id]))

    assert "Riley Ashcombe has 1 concern recorded: 1 in the last 12 months." in page.text
    assert "To be referred" in page.text
    assert "Child who has harmed (displayed the behaviour)" in page.text
    assert reverse("triage:concern-detail", args=[concern.public_id]) in page.text


def test_a_draft_is_not_part_of_a_childs_history(practitioner, practitioner_client) -> None:
    draft = ConcernFactory(
        reported_by=practitioner.user,
        reporting_agency=practitioner.agency,
        authority=practitioner.agency.authorities.first(),
    )
    riley = ConcernChildFactory(concern=draft).child

    page = practitioner_client.get(reverse("triage:child-detail", args=[riley.public_id]))

    assert "No concerns about" in page.text


def test_my_work_lists_concerns_without_naming_children(
    practitioner, practitioner_client: Client, dsl_client: Client
) -> None:
    waiting = sent_concern(practitioner)
    draft = ConcernFactory(
        reported_by=practitioner.user,
        reporting_agency=practitioner.agency,
        authority=practitioner.agency.authorities.first(),
        occurred_on=date(2026, 2, 1),
        reported_on=date(2026, 2, 1),
    )

    mine = practitioner_client.get(reverse("home"))
    theirs = dsl_client.get(reverse("home"))

    assert waiting.reference in mine.text
    assert draft.reference in mine.text
    assert waiting.reference in theirs.text
    assert draft.reference not in theirs.text  # a draft is not waiting for the DSL
    assert "Riley Ashcombe" not in mine.text
    assert "Riley Ashcombe" not in theirs.text
    assert "Report a concern" in mine.text
