"""The journey of issue 3, through the pages as a browser would go: a school practitioner files a
concern about two pupils (9 and 12), ticks a red behaviour, is told to refer both children with
the under-13 rule shown, and the DSL reviews it. The Playwright journey follows the same path."""

from datetime import date
from uuid import uuid4

import pytest
from django.test import Client
from django.urls import reverse

from hsb_portal.accounts.models import Membership
from hsb_portal.audit.models import Action, AuditEvent
from tests.factories import ChildFactory, ConcernChildFactory, ConcernFactory
from tests.triage.conftest import date_input
from triage.models import (
    BrookBehaviour,
    Concern,
    ConcernEventKind,
    ConcernStatus,
    NextStep,
    Part,
)

pytestmark = pytest.mark.django_db

ON = date(2026, 3, 2)


def test_a_practitioner_files_a_concern_and_the_dsl_decides(
    brook, practitioner: Membership, practitioner_client: Client, dsl_client: Client, authority
) -> None:
    riley = ChildFactory(
        given_name="Riley",
        family_name="Ashcombe",
        date_of_birth=date(2014, 1, 10),
        authority=authority,
    )  # 12 on the date
    sam = ChildFactory(
        given_name="Sam",
        family_name="Pellingford",
        date_of_birth=date(2017, 1, 20),
        authority=authority,
    )  # 9 on the date
    # The school raised a concern about both before, so the duplicate check may offer them
    # (it offers only the children the person may see: issue 10).
    earlier = ConcernFactory(reported_by=practitioner.user, reporting_agency=practitioner.agency)
    for known in (riley, sam):
        ConcernChildFactory(concern=earlier, child=known)

    # Report a concern
    page = practitioner_client.get(reverse("triage:concern-create"))
    assert "When did the behaviour happen?" in page.text
    response = practitioner_client.post(
        reverse("triage:concern-create"),
        {
            "submission": str(uuid4()),
            **date_input("occurred_on", ON),
            **date_input("reported_on", date(2026, 3, 3)),
            "location": "school_or_college",
            "authority": authority.pk,
            "what_happened": "Seen in the toilets at lunch break.",
            "technology_assisted": "no",
            "crime_suspected": "unknown",
            "police_aware": "no",
        },
    )
    concern = Concern.objects.exclude(pk=earlier.pk).get()
    assert response.status_code == 302
    assert response["Location"] == reverse("triage:concern-detail", args=[concern.public_id])

    # Add each pupil: find, then choose the match already on record
    for child, part in ((riley, Part.CHILD_WHO_HARMED), (sam, Part.CHILD_HARMED)):
        found = practitioner_client.post(
            reverse("triage:concern-child-find", args=[concern.public_id]),
            {
                "version": Concern.objects.exclude(pk=earlier.pk).get().version,
                "given_name": child.given_name,
                "family_name": child.family_name,
                **date_input("date_of_birth", child.date_of_birth),
                "part": part,
            },
        )
        assert "Is it one of these children?" in found.text
        assert child.full_name in found.text
        chosen = practitioner_client.post(
            reverse("triage:concern-child-choose", args=[concern.public_id]),
            {
                "version": Concern.objects.exclude(pk=earlier.pk).get().version,
                "given_name": child.given_name,
                "family_name": child.family_name,
                "date_of_birth": child.date_of_birth.isoformat(),
                "part": part,
                "developmental_age": "",
                "match": str(child.public_id),
            },
        )
        assert chosen.status_code == 302, chosen.text

    # Rate Riley: one band at 12, a red behaviour ticked
    involvement = concern.involvements.get(child=riley)
    rating_url = reverse("triage:rating-edit", args=[concern.public_id, involvement.public_id])
    page = practitioner_client.get(rating_url)
    assert "Rate the behaviour of Riley Ashcombe" in page.text
    assert "sexual harassment" in page.text
    red = BrookBehaviour.objects.get(band__code="9-13", text="sexual harassment")
    response = practitioner_client.post(
        rating_url,
        {
            "version": Concern.objects.exclude(pk=earlier.pk).get().version,
            "band": "9-13",
            "behaviours_9_13_red": [str(red.pk)],
            "all_children_protected_value": "yes",
            "carer_response_and_capacity_value": "not_known",
        },
    )
    assert response.status_code == 302, response.text
    colour_page = practitioner_client.get(response["Location"])
    assert "The suggested colour is red" in colour_page.text
    response = practitioner_client.post(
        response["Location"],
        {"version": Concern.objects.exclude(pk=earlier.pk).get().version, "final_colour": "red"},
    )
    assert response.status_code == 302

    # The guidance: refer both, and the under-13 rule
    next_step = practitioner_client.get(
        reverse("triage:concern-next-step", args=[concern.public_id])
    )
    assert "Child protection referral required" in next_step.text
    assert "Sam Pellingford (aged 9)" in next_step.text
    assert "Refer each of these children" in next_step.text
    assert "Riley Ashcombe, child who has harmed" in next_step.text
    assert "Sam Pellingford, child harmed" in next_step.text
    response = practitioner_client.post(
        reverse("triage:concern-next-step", args=[concern.public_id]),
        {
            "version": Concern.objects.exclude(pk=earlier.pk).get().version,
            "chosen_next_step": "refer",
        },
    )
    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.AWAITING_REVIEW
    assert concern.advised_next_step == NextStep.REFER
    assert concern.under_13_rule_applied

    # The DSL reviews it
    home = dsl_client.get(reverse("home"))
    assert concern.reference in home.text
    review_url = reverse("triage:concern-review", args=[concern.public_id])
    page = dsl_client.get(review_url)
    assert "Review the concern" in page.text
    response = dsl_client.post(
        review_url,
        {
            "version": concern.version,
            "note": "Sam's parents were told the same afternoon.",
            "decision": "refer",
            "reason": "Red behaviour and a child harmed under 13.",
        },
    )
    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.TO_BE_REFERRED
    assert list(concern.events.values_list("kind", flat=True)) == [
        ConcernEventKind.CREATED,
        ConcernEventKind.SUBMITTED,
        ConcernEventKind.NOTE_ADDED,
        ConcernEventKind.DECIDED,
    ]
    detail = dsl_client.get(reverse("triage:concern-detail", args=[concern.public_id]))
    assert "Sam&#x27;s parents were told the same afternoon." in detail.text
    assert AuditEvent.objects.filter(action=Action.CHANGE, object_id=concern.public_id).exists()
