"""The traffic light rating: the band for the child's age, the behaviours, the colour."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from hsb_portal.accounts.models import Membership
from tests.factories import (
    BrookRatingFactory,
    ChildFactory,
    ConcernChildFactory,
    ConcernFactory,
)
from triage.models import (
    BrookBehaviour,
    BrookRating,
    Concern,
    ConcernChild,
    ConcernStatus,
    ContextAnswer,
    Part,
)

pytestmark = pytest.mark.django_db

ON = date(2026, 3, 2)  # the date of the behaviour in ConcernFactory


def harmer_aged(membership: Membership, born: date, **fields) -> ConcernChild:
    concern = ConcernFactory(
        reported_by=membership.user,
        reporting_agency=membership.agency,
        authority=membership.agency.authorities.first(),
    )
    child = ChildFactory(
        given_name="Riley", family_name="Ashcombe", date_of_birth=born, authority=concern.authority
    )
    return ConcernChildFactory(concern=concern, child=child, **fields)


def behaviour(band: str, colour: str, index: int = 0) -> BrookBehaviour:
    return BrookBehaviour.objects.filter(band__code=band, colour=colour).order_by("position")[index]


def rating_url(involvement: ConcernChild, page: str = "rating-edit") -> str:
    return reverse(f"triage:{page}", args=[involvement.concern.public_id, involvement.public_id])


def rate(client: Client, involvement: ConcernChild, *, band: str, ticked=(), **fields):
    data: dict = {
        "version": Concern.objects.get(pk=involvement.concern_id).version,
        "band": band,
        "all_children_protected_value": "yes",
        "carer_response_and_capacity_value": "no",
    }
    for item in ticked:
        name = f"behaviours_{item.band.code.replace('-', '_')}_{item.colour}"
        data.setdefault(name, []).append(str(item.pk))
    data.update(fields)
    return client.post(rating_url(involvement), data)


def test_a_child_of_9_is_offered_both_bands_and_the_choice_is_recorded(
    brook, practitioner, practitioner_client: Client
) -> None:
    involvement = harmer_aged(practitioner, date(2016, 6, 1))
    ticked = behaviour("9-13", "amber")

    page = practitioner_client.get(rating_url(involvement))
    response = rate(practitioner_client, involvement, band="9-13", ticked=[ticked])

    assert "Which age band of the traffic light tool will you use?" in page.text
    assert "5 to 9 years" in page.text
    assert "9 to 13 years" in page.text
    assert "13 to 17 years" not in page.text
    assert response["Location"] == rating_url(involvement, "rating-colour")
    rating = BrookRating.objects.get()
    assert rating.band.code == "9-13"
    assert rating.offered == ("5-9", "9-13")
    assert rating.age_on_date == 9
    assert list(rating.behaviours.all()) == [ticked]


def test_a_child_of_12_is_offered_the_one_band_without_a_question(
    brook, practitioner, practitioner_client: Client
) -> None:
    involvement = harmer_aged(practitioner, date(2014, 1, 10))

    page = practitioner_client.get(rating_url(involvement))

    assert "Which age band" not in page.text
    assert "Which behaviours did Riley Ashcombe show?" in page.text
    assert "Red behaviours, 9 to 13 years" in page.text
    assert "Red behaviours, 5 to 9 years" not in page.text


def test_a_developmental_age_adds_the_bands_for_that_age(
    brook, practitioner, practitioner_client: Client
) -> None:
    involvement = harmer_aged(practitioner, date(2014, 1, 10), developmental_age=7)

    page = practitioner_client.get(rating_url(involvement))
    rate(practitioner_client, involvement, band="5-9", ticked=[behaviour("5-9", "green")])

    assert "5 to 9 years" in page.text
    assert "Their developmental age is 7." in page.text
    rating = BrookRating.objects.get()
    assert (rating.band.code, rating.developmental_age) == ("5-9", 7)


def test_a_band_not_offered_for_the_age_is_refused(
    brook, practitioner, practitioner_client: Client
) -> None:
    involvement = harmer_aged(practitioner, date(2014, 1, 10))

    response = rate(
        practitioner_client, involvement, band="13-17", ticked=[behaviour("9-13", "green")]
    )

    assert response.status_code == 200
    assert "Select an age band offered for the child&#x27;s age" in response.text
    assert not BrookRating.objects.exists()


def test_behaviours_ticked_in_the_band_not_chosen_are_refused_and_stay_ticked(
    brook, practitioner, practitioner_client: Client
) -> None:
    involvement = harmer_aged(practitioner, date(2016, 6, 1))
    elsewhere = behaviour("5-9", "red")

    response = rate(practitioner_client, involvement, band="9-13", ticked=[elsewhere])

    assert "You ticked behaviours in the 5 to 9 years band" in response.text
    assert checked(response.text, elsewhere)
    assert not BrookRating.objects.exists()


def checked(html: str, item: BrookBehaviour) -> bool:
    start = html.index(f'value="{item.pk}"')
    return "checked" in html[start : html.index(">", start)]


@pytest.mark.parametrize(
    ("colours", "suggested"),
    [
        (["green"], "green"),
        (["green", "amber"], "amber"),
        (["amber", "green", "red"], "red"),
        (["red", "red"], "red"),
    ],
)
def test_the_suggested_colour_is_the_most_serious_behaviour_ticked(
    colours, suggested, brook, practitioner, practitioner_client: Client
) -> None:
    involvement = harmer_aged(practitioner, date(2014, 1, 10))
    ticked = [behaviour("9-13", colour, index) for index, colour in enumerate(colours)]

    rate(practitioner_client, involvement, band="9-13", ticked=ticked)
    page = practitioner_client.get(rating_url(involvement, "rating-colour"))

    assert BrookRating.objects.get().suggested_colour == suggested
    assert f"The suggested colour is {suggested}" in page.text


def test_a_rating_with_nothing_ticked_and_nothing_described_is_a_field_error(
    brook, practitioner, practitioner_client: Client
) -> None:
    involvement = harmer_aged(practitioner, date(2014, 1, 10))

    response = rate(practitioner_client, involvement, band="9-13")

    assert (
        "Select the behaviours the child showed, or describe a behaviour that is not on the list"
        in response.text
    )
    assert not BrookRating.objects.exists()


def test_bad_input_keeps_what_was_ticked_and_written(
    brook, practitioner, practitioner_client: Client
) -> None:
    involvement = harmer_aged(practitioner, date(2014, 1, 10))
    red = behaviour("9-13", "red", 3)

    response = rate(
        practitioner_client,
        involvement,
        band="9-13",
        ticked=[red],
        behaviour_not_listed="Also drew pictures on a desk.",
        signs=["sign_emotional_distress"],
        all_children_protected_value="",
    )

    assert response.status_code == 200
    assert "Select an answer to the question: Is every child involved protected now" in (
        response.text
    )
    assert checked(response.text, red)
    assert "Also drew pictures on a desk." in response.text
    assert checked_sign(response.text)
    assert not BrookRating.objects.exists()


def checked_sign(html: str) -> bool:
    start = html.index('value="sign_emotional_distress"')
    return "checked" in html[start : html.index(">", start)]


def test_only_a_description_leaves_no_suggested_colour_and_the_chosen_colour_stands(
    brook, practitioner, practitioner_client: Client
) -> None:
    involvement = harmer_aged(practitioner, date(2014, 1, 10))

    rate(
        practitioner_client,
        involvement,
        band="9-13",
        behaviour_not_listed="Repeatedly sent a classmate a drawing.",
    )
    page = practitioner_client.get(rating_url(involvement, "rating-colour"))
    response = practitioner_client.post(
        rating_url(involvement, "rating-colour"),
        {"version": involvement.concern.version + 1, "final_colour": "amber"},
    )

    assert "there is no suggested colour" in page.text
    assert response.status_code == 302
    rating = BrookRating.objects.get()
    assert (rating.suggested_colour, rating.final_colour, rating.colour_reason) == (
        "",
        "amber",
        "",
    )


def test_a_final_colour_other_than_the_suggested_one_needs_a_reason(
    brook, practitioner, practitioner_client: Client
) -> None:
    involvement = harmer_aged(practitioner, date(2014, 1, 10))
    rate(practitioner_client, involvement, band="9-13", ticked=[behaviour("9-13", "red")])
    version = Concern.objects.get().version
    url = rating_url(involvement, "rating-colour")

    refused = practitioner_client.post(url, {"version": version, "final_colour": "amber"})
    saved = practitioner_client.post(
        url,
        {
            "version": version,
            "final_colour": "amber",
            "colour_reason": "A single incident between friends of the same age.",
        },
    )

    assert "Explain why you chose a different colour from the suggested colour" in refused.text
    assert saved.status_code == 302
    rating = BrookRating.objects.get()
    assert (rating.suggested_colour, rating.final_colour) == ("red", "amber")
    assert rating.colour_reason == "A single incident between friends of the same age."


def test_the_database_refuses_a_changed_colour_without_a_reason(brook) -> None:
    rating = BrookRatingFactory(suggested_colour="red", final_colour="red")

    rating.final_colour = "green"
    with pytest.raises(IntegrityError), transaction.atomic():
        rating.save(update_fields=["final_colour"])


def test_ticking_other_behaviours_asks_for_the_colour_again(
    brook, practitioner, practitioner_client: Client
) -> None:
    involvement = harmer_aged(practitioner, date(2014, 1, 10))
    rate(practitioner_client, involvement, band="9-13", ticked=[behaviour("9-13", "green")])
    practitioner_client.post(
        rating_url(involvement, "rating-colour"),
        {"version": Concern.objects.get().version, "final_colour": "green"},
    )

    rate(practitioner_client, involvement, band="9-13", ticked=[behaviour("9-13", "red")])

    rating = BrookRating.objects.get()
    assert (rating.suggested_colour, rating.final_colour) == ("red", "")


def test_the_immediate_safety_answers_and_signs_are_kept_with_the_rating(
    brook, practitioner, practitioner_client: Client
) -> None:
    involvement = harmer_aged(practitioner, date(2014, 1, 10))

    rate(
        practitioner_client,
        involvement,
        band="9-13",
        ticked=[behaviour("9-13", "amber")],
        signs=["sign_coercion_intimidation_or_force", "sign_recurs_in_secret"],
        all_children_protected_value="yes",
        all_children_protected_evidence="Kept in separate classes from today.",
        all_children_protected_source="Head teacher",
        carer_response_and_capacity_value="not_known",
    )

    rating = BrookRating.objects.get()
    assert rating.signs == [
        "It involves coercion, intimidation or force",
        "It happens again, in secret, after carers have stepped in",
    ]
    answer = ContextAnswer.objects.get(rating=rating, code="all_children_protected")
    assert (answer.value, answer.evidence, answer.source) == (
        "yes",
        "Kept in separate classes from today.",
        "Head teacher",
    )
    assert ContextAnswer.objects.get(code="carer_response_and_capacity").value == "not_known"


def test_the_context_considerations_are_optional_and_kept(
    brook, practitioner, practitioner_client: Client
) -> None:
    involvement = harmer_aged(practitioner, date(2014, 1, 10))
    BrookRatingFactory(involvement=involvement)
    url = rating_url(involvement, "rating-context")

    page = practitioner_client.get(url)
    blank = practitioner_client.post(url, {"version": involvement.concern.version})
    answered = practitioner_client.post(
        url,
        {
            "version": involvement.concern.version + 1,
            "acknowledgement_value": "minimises",
            "acknowledgement_evidence": "Said it was a joke.",
            "acknowledgement_source": "Conversation with the class teacher",
            "modality_value": "online",
            "frequency_evidence": "Twice in a week.",
        },
    )

    assert "B. The behaviour" in page.text
    assert "E. Relationships and context" in page.text
    assert "A. Immediate safety" not in page.text
    assert blank.status_code == 302
    assert answered.status_code == 302
    answers = {a.code: a for a in ContextAnswer.objects.all()}
    assert set(answers) == {"acknowledgement", "modality", "frequency"}
    assert answers["acknowledgement"].value == "minimises"
    assert answers["acknowledgement"].source == "Conversation with the class teacher"
    assert answers["frequency"].evidence == "Twice in a week."


def test_a_child_harmed_has_no_rating_page(
    brook, practitioner, practitioner_client: Client
) -> None:
    involvement = harmer_aged(practitioner, date(2014, 1, 10), part=Part.CHILD_HARMED)

    response = practitioner_client.get(rating_url(involvement))

    assert response.status_code == 404


def test_the_rating_page_shows_the_childs_earlier_concerns(
    brook, practitioner, practitioner_client: Client, authority
) -> None:
    involvement = harmer_aged(practitioner, date(2014, 1, 10))
    earlier = ConcernFactory(
        occurred_on=date(2025, 11, 3),
        reported_on=date(2025, 11, 3),
        status=ConcernStatus.HANDLED_IN_SETTING,
        authority=authority,
        reported_by=practitioner.user,
        reporting_agency=practitioner.agency,
    )
    ConcernChildFactory(concern=earlier, child=involvement.child, part=Part.CHILD_WHO_HARMED)

    page = practitioner_client.get(rating_url(involvement))

    assert "Riley Ashcombe has 1 earlier concern: 1 in the 12 months before 2 March 2026." in (
        page.text
    )
    assert "3 November 2025" in page.text
    assert "Handled in the setting" in page.text
    assert reverse("triage:concern-detail", args=[earlier.public_id]) in page.text


def test_another_agencys_unreferred_concern_is_not_in_the_history(
    brook, practitioner, practitioner_client: Client, authority
) -> None:
    involvement = harmer_aged(practitioner, date(2014, 1, 10))
    elsewhere = ConcernFactory(
        occurred_on=date(2025, 11, 3),
        reported_on=date(2025, 11, 3),
        status=ConcernStatus.HANDLED_IN_SETTING,
        authority=authority,
        what_happened="Canary-text-from-another-agency",
    )
    ConcernChildFactory(concern=elsewhere, child=involvement.child, part=Part.CHILD_WHO_HARMED)

    page = practitioner_client.get(rating_url(involvement))

    assert "No earlier concerns about Riley Ashcombe are recorded." in page.text
    assert elsewhere.reporting_agency.name not in page.text
    assert "3 November 2025" not in page.text


def test_a_name_typed_with_markup_is_shown_as_text_in_labels_and_hints(
    brook, practitioner, practitioner_client: Client
) -> None:
    involvement = harmer_aged(practitioner, date(2016, 6, 1))
    ChildFactory._meta.model.objects.filter(pk=involvement.child_id).update(
        given_name="<script>alert(1)</script>"
    )

    page = practitioner_client.get(rating_url(involvement))

    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
