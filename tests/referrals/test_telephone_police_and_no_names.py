"""Urgent telephone referrals (CA 6.1), police notifications (CA 6.2) and 'no names'
consultations (CA 6.1, 15): issue 4, items 3 and 5."""

from datetime import date, timedelta
from uuid import uuid4

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hsb_portal.accounts.models import AgencyKind, Role
from hsb_portal.audit.models import Action, AuditEvent
from referrals.models import NoNamesConsultation, Referral, ReferralEventKind, ReferralSource
from tests.conftest import signed_in
from tests.factories import ChildFactory, MembershipFactory
from tests.referrals.conftest import CONTENTS, decide, london
from triage.models import Child, Part

pytestmark = pytest.mark.django_db


def child_fields(prefix: str, given: str, family: str, born: date, authority, **extra) -> dict:
    fields = {
        f"{prefix}-given_name": given,
        f"{prefix}-family_name": family,
        f"{prefix}-date_of_birth_0": str(born.day),
        f"{prefix}-date_of_birth_1": str(born.month),
        f"{prefix}-date_of_birth_2": str(born.year),
        f"{prefix}-sex": "male",
        f"{prefix}-authority": authority.pk,
        f"{prefix}-consent-parents_informed": "yes",
        f"{prefix}-consent-sharing_agreed_by": "parent",
    }
    fields.update({f"{prefix}-{key}": value for key, value in extra.items()})
    return fields


def incident_fields(authority, **extra) -> dict:
    fields = {
        # The telephone or police form's one-time token, posted with the rest of the page.
        "submission": str(uuid4()),
        "incident_on_0": "20",
        "incident_on_1": "11",
        "incident_on_2": "2026",
        "happened_in": authority.pk,
        "brook_colour": "red",
        "dsl_consulted": "yes",
        "dsl_name": "Dana Safeguarding-Lead",
        "unpaired_reason": "",
        **CONTENTS,
    }
    fields.update(extra)
    return fields


def call_fields(when, **extra) -> dict:
    local = timezone.localtime(when)
    fields = {
        "caller_name": "Casey Caller",
        "caller_role": "Head teacher",
        "caller_is_professional": "yes",
        "caller_agency": "",
        "phoned_on_0": str(local.day),
        "phoned_on_1": str(local.month),
        "phoned_on_2": str(local.year),
        "phoned_time": f"{local:%H:%M}",
    }
    fields.update(extra)
    return fields


def both_children(authority) -> dict:
    return {
        **child_fields("harmer", "Riley", "Ashcombe", date(2014, 3, 14), authority),
        **child_fields("harmed", "Sam", "Pellingford", date(2017, 1, 20), authority),
    }


# Paths, not reverse(): the URL conf is not loaded while tests are collected.
TELEPHONE = "/referrals/telephone/new/"
POLICE = "/referrals/police-notification/new/"


def test_the_paths_are_the_named_urls() -> None:
    assert reverse("referrals:telephone-referral-create") == TELEPHONE
    assert reverse("referrals:police-notification-create") == POLICE


def test_the_screener_records_an_urgent_telephone_referral_at_once(
    screener, screener_client, profiled
) -> None:
    phoned = london(2026, 11, 20, 15, 0)

    response = screener_client.post(
        TELEPHONE, {**call_fields(phoned), **both_children(profiled), **incident_fields(profiled)}
    )

    assert response.status_code == 302
    referrals = list(Referral.objects.order_by("part"))
    assert [r.part for r in referrals] == [Part.CHILD_HARMED, Part.CHILD_WHO_HARMED]
    for referral in referrals:
        assert referral.source == ReferralSource.TELEPHONE
        assert referral.phoned_at == referral.received_at == phoned
        assert referral.decision_due_at == london(2026, 11, 23, 15, 0)
        assert referral.written_follow_up_due_at == london(2026, 11, 22, 15, 0)
        assert (referral.referrer_name, referral.recorded_by) == ("Casey Caller", screener.user)
    assert referrals[0].group_id == referrals[1].group_id
    assert Child.objects.count() == 2  # new records, each audited
    assert AuditEvent.objects.filter(action=Action.CREATE, object_kind="triage.child").count() == 2


def test_a_missed_written_follow_up_shows_as_overdue_until_it_arrives(
    screener, screener_client, profiled
) -> None:
    phoned = timezone.now() - timedelta(hours=49)
    screener_client.post(
        TELEPHONE, {**call_fields(phoned), **both_children(profiled), **incident_fields(profiled)}
    )
    referral = Referral.objects.first()
    page_url = reverse("referrals:referral-detail", args=[referral.public_id])

    overdue = screener_client.get(page_url)
    my_work = screener_client.get(reverse("home"))
    screener_client.post(
        reverse("referrals:referral-follow-up", args=[referral.public_id]),
        {"version": referral.version, "note": "e-CAF by secure e-mail"},
    )
    after = screener_client.get(page_url)

    assert "Written follow-up overdue" in overdue.text
    assert "Telephone referrals awaiting written follow-up" in my_work.text
    assert my_work.text.count('govuk-tag--red">Overdue</strong>') >= 2
    assert "Written follow-up overdue" not in after.text
    referral.refresh_from_db()
    assert referral.follow_up_received_at is not None
    assert referral.events.filter(kind=ReferralEventKind.FOLLOW_UP_RECEIVED).exists()


def test_a_follow_up_not_yet_due_is_not_overdue(screener_client, profiled) -> None:
    screener_client.post(
        TELEPHONE,
        {
            **call_fields(timezone.now() - timedelta(hours=1)),
            **both_children(profiled),
            **incident_fields(profiled),
        },
    )
    referral = Referral.objects.first()

    page = screener_client.get(reverse("referrals:referral-detail", args=[referral.public_id]))

    assert "Written follow-up overdue" not in page.text
    assert referral.is_awaiting_follow_up and not referral.is_follow_up_overdue()


def test_a_child_already_on_record_is_offered_before_a_new_record_is_made(
    screener_client, profiled
) -> None:
    riley = ChildFactory(
        given_name="Riley",
        family_name="Ashcombe",
        date_of_birth=date(2014, 3, 14),
        authority=profiled,
    )
    data = {
        **call_fields(timezone.now() - timedelta(minutes=5)),
        **both_children(profiled),
        **incident_fields(profiled),
    }

    first = screener_client.post(TELEPHONE, data)
    made_after_first = Referral.objects.count()
    second = screener_client.post(TELEPHONE, {**data, "harmer-match": str(riley.public_id)})

    assert first.status_code == 200
    assert "select whether the child who has harmed is one of them" in first.text
    assert made_after_first == 0
    assert second.status_code == 302
    assert Referral.objects.get(part=Part.CHILD_WHO_HARMED).child == riley
    assert Child.objects.filter(given_name="Riley").count() == 1


def test_one_child_named_alone_needs_a_reason(screener_client, profiled) -> None:
    data = {
        **call_fields(timezone.now() - timedelta(minutes=5)),
        **child_fields("harmer", "Riley", "Ashcombe", date(2014, 3, 14), profiled),
        **incident_fields(profiled),
    }

    refused = screener_client.post(TELEPHONE, data)
    accepted = screener_client.post(
        TELEPHONE, {**data, "unpaired_reason": "The caller does not know who was harmed."}
    )

    assert "Say why only one child is referred" in refused.text
    assert accepted.status_code == 302
    assert Referral.objects.get().group.unpaired_reason.startswith("The caller does not know")


def test_an_empty_telephone_referral_says_what_to_enter_and_never_fails(
    screener_client, profiled
) -> None:
    response = screener_client.post(TELEPHONE, {})

    assert response.status_code == 200
    assert "Name at least one child" in response.text
    assert "Enter the name of the person who phoned" in response.text
    assert "Enter what happened" in response.text


def test_a_call_in_the_future_is_refused(screener_client, profiled) -> None:
    data = {
        **call_fields(timezone.now() + timedelta(days=1)),
        **both_children(profiled),
        **incident_fields(profiled),
    }

    response = screener_client.post(TELEPHONE, data)

    assert "The time must be now or in the past" in response.text
    assert not Referral.objects.exists()


def test_a_referrer_who_is_not_a_professional_is_told_only_it_was_acted_on(
    screener, screener_client, profiled
) -> None:
    data = {
        **call_fields(
            timezone.now() - timedelta(minutes=5),
            caller_name="A neighbour",
            caller_role="Neighbour",
            caller_is_professional="no",
        ),
        **both_children(profiled),
        **incident_fields(profiled),
    }
    screener_client.post(TELEPHONE, data)
    referral = Referral.objects.get(part=Part.CHILD_WHO_HARMED)
    decide(referral, screener)

    page = screener_client.get(reverse("referrals:referral-detail", args=[referral.public_id]))

    assert "and has been acted on." in page.text
    assert "The referrer is not a professional, so they are told only this" in page.text
    assert referral.referring_agency is None


# Police notifications


@pytest.fixture
def police_officer(agency_for):
    return MembershipFactory(
        role=Role.PRACTITIONER,
        agency=agency_for(AgencyKind.POLICE),
        user__full_name="Pat Constable",
    )


def test_a_police_officer_sends_a_notification_with_its_merlin_reference(
    police_officer, profiled
) -> None:
    client = signed_in(Client(), police_officer)

    response = client.post(
        POLICE,
        {
            "police_reference": "MERLIN 26/11/0042",
            **both_children(profiled),
            **incident_fields(profiled),
        },
    )

    assert response.status_code == 302
    referrals = Referral.objects.all()
    assert {r.source for r in referrals} == {ReferralSource.POLICE}
    assert {r.police_reference for r in referrals} == {"MERLIN 26/11/0042"}
    assert {r.referring_agency for r in referrals} == {police_officer.agency}
    page = client.get(reverse("referrals:referral-detail", args=[referrals[0].public_id]))
    assert "MERLIN 26/11/0042" in page.text
    my_work = client.get(reverse("home"))
    assert "Police notifications" in my_work.text
    assert referrals[0].reference in my_work.text


def test_a_police_notification_needs_its_reference(police_officer, profiled) -> None:
    client = signed_in(Client(), police_officer)

    response = client.post(POLICE, {**both_children(profiled), **incident_fields(profiled)})

    assert "Enter the police reference" in response.text
    assert "Riley" in response.text  # what was typed is kept
    assert not Referral.objects.exists()


def test_a_teacher_cannot_send_a_police_notification(client_as) -> None:
    response = client_as(Role.PRACTITIONER).get(POLICE)

    assert response.status_code == 403


# 'No names' consultations


def consultation_fields(**extra) -> dict:
    now = timezone.localtime() - timedelta(minutes=10)
    fields = {
        "submission": str(uuid4()),
        "asked_by": "A class teacher, Harbourside Academy",
        "asked_by_agency": "",
        "asked_on_0": str(now.day),
        "asked_on_1": str(now.month),
        "asked_on_2": str(now.year),
        "asked_time": f"{now:%H:%M}",
        "question": "A year 6 pupil sent a sexual message to a year 4 pupil. Do we refer?",
        "advice": "Yes: consult your DSL and rate it; a child under 13 was harmed.",
    }
    fields.update(extra)
    return fields


def test_the_mash_records_no_names_advice_naming_no_child(
    screener, screener_client, dsl, authority
) -> None:
    response = screener_client.post(
        reverse("referrals:consultation-create"),
        consultation_fields(asked_by_agency=dsl.agency.pk),
    )

    consultation = NoNamesConsultation.objects.get()
    assert response["Location"] == reverse(
        "referrals:consultation-detail", args=[consultation.public_id]
    )
    assert (consultation.authority, consultation.advised_by) == (authority, screener.user)
    assert not any(f.related_model is Child for f in NoNamesConsultation._meta.get_fields())
    event = AuditEvent.objects.get(
        action=Action.CREATE, object_kind="referrals.nonamesconsultation"
    )
    assert not event.children.exists()
    # The agency that asked reads the advice back.
    dsls = signed_in(Client(), dsl)
    page = dsls.get(reverse("referrals:consultation-detail", args=[consultation.public_id]))
    assert "consult your DSL and rate it" in page.text


@pytest.mark.parametrize(
    "question",
    ["The pupil lives at HB4 7QT. Refer?", "Born 14/03/2014, is it a referral?"],
)
def test_a_no_names_record_refuses_a_postcode_or_date(screener_client, question) -> None:
    response = screener_client.post(
        reverse("referrals:consultation-create"), consultation_fields(question=question)
    )

    assert "a &#x27;no names&#x27; record must not identify the child" in response.text
    assert question.split(".")[0] in response.text or "HB4" in response.text
    assert not NoNamesConsultation.objects.exists()
