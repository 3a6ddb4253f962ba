"""The guidance a rating leads to, the under-13 rule, and sending the concern to the DSL."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from hsb_portal.accounts.models import Membership
from hsb_portal.audit.models import Action, AuditEvent
from tests.factories import (
    BrookRatingFactory,
    ChildFactory,
    ConcernChildFactory,
    ConcernFactory,
    GuidanceRuleFactory,
)
from triage.guidance import guidance_for
from triage.models import (
    Colour,
    Concern,
    ConcernEventKind,
    ConcernStatus,
    NextStep,
    Part,
)
from triage.selectors import concern_for_page

pytestmark = pytest.mark.django_db

ON = date(2026, 3, 2)  # the date of the behaviour in ConcernFactory


def concern_by(membership: Membership) -> Concern:
    return ConcernFactory(
        reported_by=membership.user,
        reporting_agency=membership.agency,
        authority=membership.agency.authorities.first(),
    )


def involve(concern: Concern, part: str, born: date, name: str = "Sam Pellingford"):
    given, family = name.split()
    child = ChildFactory(
        given_name=given, family_name=family, date_of_birth=born, authority=concern.authority
    )
    return ConcernChildFactory(concern=concern, child=child, part=part)


def rated(concern: Concern, colour: str, born: date = date(2011, 1, 1), name="Riley Ashcombe"):
    harmer = involve(concern, Part.CHILD_WHO_HARMED, born, name)
    BrookRatingFactory(involvement=harmer, suggested_colour=colour, final_colour=colour)
    return harmer


def guidance(concern: Concern):
    return guidance_for(concern_for_page().get(pk=concern.pk))


@pytest.mark.parametrize(
    ("born", "under_13"),
    [
        (date(2013, 3, 3), True),  # 12: the 13th birthday is the day after the behaviour
        (date(2013, 3, 2), False),  # 13 on the day itself
        (date(2017, 1, 20), True),  # 9
        (date(2010, 1, 1), False),  # 16
    ],
)
def test_a_child_harmed_under_13_means_a_child_protection_referral_whatever_the_colour(
    born, under_13, brook, practitioner
) -> None:
    concern = concern_by(practitioner)
    rated(concern, Colour.GREEN)
    involve(concern, Part.CHILD_HARMED, born)

    advice = guidance(concern)

    assert bool(advice.under_13) is under_13
    expected = NextStep.REFER if under_13 else NextStep.HANDLE_IN_SETTING
    assert advice.recommended_next_step == expected


def test_the_page_shows_the_under_13_rule_with_a_green_rating_and_a_child_harmed_of_12(
    brook, practitioner, practitioner_client: Client
) -> None:
    concern = concern_by(practitioner)
    rated(concern, Colour.GREEN)
    involve(concern, Part.CHILD_HARMED, date(2013, 6, 1))

    page = practitioner_client.get(reverse("triage:concern-next-step", args=[concern.public_id]))

    assert "Child protection referral required" in page.text
    assert "A child under 13 cannot consent to any sexual activity" in page.text
    assert "Sam Pellingford (aged 12)" in page.text
    assert "Sexual Offences Act 2003" in page.text
    assert "The guidance advises: Refer to children&#x27;s social care" in page.text


def test_a_child_harmed_of_13_with_a_green_rating_is_handled_in_the_setting(
    brook, practitioner, practitioner_client: Client
) -> None:
    concern = concern_by(practitioner)
    rated(concern, Colour.GREEN)
    involve(concern, Part.CHILD_HARMED, date(2013, 3, 2))

    page = practitioner_client.get(reverse("triage:concern-next-step", args=[concern.public_id]))

    assert "Child protection referral required" not in page.text
    assert "The guidance advises: Respond within the setting and record it" in page.text


def test_only_a_child_harmed_under_13_triggers_the_rule_not_a_witness(brook, practitioner) -> None:
    concern = concern_by(practitioner)
    rated(concern, Colour.GREEN)
    involve(concern, Part.WITNESS, date(2018, 1, 1))

    assert guidance(concern).under_13 == ()


def test_red_advises_referring_each_child_harmed_and_each_child_who_has_harmed(
    brook, practitioner
) -> None:
    concern = concern_by(practitioner)
    harmer = rated(concern, Colour.RED)
    harmed = involve(concern, Part.CHILD_HARMED, date(2010, 1, 1))
    involve(concern, Part.WITNESS, date(2010, 2, 2), "Casey Morrowdale")

    advice = guidance(concern)

    assert advice.recommended_next_step == NextStep.REFER
    assert list(advice.children_to_refer) == [harmer, harmed]


@pytest.mark.parametrize(
    ("colour", "step"),
    [
        (Colour.GREEN, NextStep.HANDLE_IN_SETTING),
        (Colour.AMBER, NextStep.EARLY_HELP),
        (Colour.RED, NextStep.REFER),
    ],
)
def test_an_authority_without_its_own_guidance_gets_the_default(
    colour, step, brook, practitioner, practitioner_client: Client
) -> None:
    concern = concern_by(practitioner)
    rated(concern, colour)

    page = practitioner_client.get(reverse("triage:concern-next-step", args=[concern.public_id]))

    advice = guidance(concern)
    assert advice.recommended_next_step == step
    assert advice.advice.is_default
    assert "has not set its own guidance" in page.text


def test_the_authoritys_own_guidance_is_shown(
    brook, practitioner, practitioner_client: Client
) -> None:
    concern = concern_by(practitioner)
    rated(concern, Colour.RED)
    GuidanceRuleFactory(authority=concern.authority, colour=Colour.RED)

    page = practitioner_client.get(reverse("triage:concern-next-step", args=[concern.public_id]))

    assert "Refer every child involved to the Testshire Front Door." in page.text
    assert "Testshire protocol, section 6.1." in page.text
    assert "has not set its own guidance" not in page.text


def test_the_most_serious_final_colour_of_several_children_decides(brook, practitioner) -> None:
    concern = concern_by(practitioner)
    rated(concern, Colour.GREEN)
    rated(concern, Colour.AMBER, name="Casey Morrowdale")

    assert guidance(concern).colour == Colour.AMBER


def send(client: Client, concern: Concern, **fields):
    data = {"version": Concern.objects.get(pk=concern.pk).version}
    data.update(fields)
    return client.post(reverse("triage:concern-next-step", args=[concern.public_id]), data)


def test_sending_keeps_what_was_advised_and_what_the_practitioner_chose(
    brook, practitioner, practitioner_client: Client
) -> None:
    concern = concern_by(practitioner)
    harmer = rated(concern, Colour.RED)
    harmed = involve(concern, Part.CHILD_HARMED, date(2010, 1, 1))

    response = send(
        practitioner_client,
        concern,
        chosen_next_step=NextStep.EARLY_HELP,
        reason="Both children are already supported by the family support worker.",
    )

    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.AWAITING_REVIEW
    assert (concern.advised_colour, concern.advised_next_step) == (Colour.RED, NextStep.REFER)
    assert concern.chosen_next_step == NextStep.EARLY_HELP
    assert concern.chosen_next_step_reason.startswith("Both children are already supported")
    assert "Children to refer: Riley Ashcombe, Sam Pellingford." in concern.advice_text
    assert not concern.under_13_rule_applied
    event = concern.events.get(kind=ConcernEventKind.SUBMITTED)
    assert (event.by, event.to_status) == (practitioner.user, ConcernStatus.AWAITING_REVIEW)
    audit = AuditEvent.objects.filter(action=Action.CHANGE, object_id=concern.public_id).last()
    assert set(audit.children.values_list("child_id", flat=True)) == {
        harmer.child.public_id,
        harmed.child.public_id,
    }


def test_a_next_step_other_than_advised_needs_a_reason_but_is_not_blocked(
    brook, practitioner, practitioner_client: Client
) -> None:
    concern = concern_by(practitioner)
    rated(concern, Colour.RED)

    refused = send(practitioner_client, concern, chosen_next_step=NextStep.HANDLE_IN_SETTING)

    assert "Explain why you chose a different next step from the guidance" in refused.text
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.DRAFT


def test_the_advised_next_step_needs_no_reason(
    brook, practitioner, practitioner_client: Client
) -> None:
    concern = concern_by(practitioner)
    rated(concern, Colour.AMBER)

    response = send(practitioner_client, concern, chosen_next_step=NextStep.EARLY_HELP)

    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.chosen_next_step_reason == ""


def test_a_concern_without_a_child_who_has_harmed_cannot_be_sent(
    practitioner, practitioner_client: Client
) -> None:
    concern = concern_by(practitioner)
    involve(concern, Part.CHILD_HARMED, date(2010, 1, 1))

    response = send(practitioner_client, concern, chosen_next_step=NextStep.REFER)

    assert "Add the child who has harmed (displayed the behaviour)" in response.text
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.DRAFT


def test_a_concern_with_a_child_not_yet_rated_cannot_be_sent(
    practitioner, practitioner_client: Client
) -> None:
    concern = concern_by(practitioner)
    involve(concern, Part.CHILD_WHO_HARMED, date(2011, 1, 1), "Riley Ashcombe")

    response = send(practitioner_client, concern, chosen_next_step=NextStep.REFER)

    assert "Rate the behaviour of Riley Ashcombe with the traffic light tool" in response.text
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.DRAFT


def test_a_rating_left_without_a_colour_holds_the_concern_back(brook, practitioner) -> None:
    concern = concern_by(practitioner)
    harmer = involve(concern, Part.CHILD_WHO_HARMED, date(2011, 1, 1), "Riley Ashcombe")
    BrookRatingFactory(involvement=harmer, final_colour="")

    assert guidance(concern).problems == ("Choose the colour for the behaviour of Riley Ashcombe",)


def test_a_sent_concern_cannot_be_sent_again_or_changed_by_the_practitioner(
    brook, practitioner, practitioner_client: Client
) -> None:
    concern = concern_by(practitioner)
    rated(concern, Colour.AMBER)
    send(practitioner_client, concern, chosen_next_step=NextStep.EARLY_HELP)

    again = practitioner_client.get(reverse("triage:concern-next-step", args=[concern.public_id]))
    edit = practitioner_client.get(reverse("triage:concern-edit", args=[concern.public_id]))

    assert again.status_code == 403
    assert edit.status_code == 403
