"""Referral from a concern: one for each child, made together and linked (CA 6.1, ST), with
the contents of domain.md §5, the Brook rating, the DSL consulted and consent (§8)."""

import pytest
from django.test import Client
from django.urls import reverse

from hsb_portal.accounts.models import AgencyKind
from hsb_portal.audit.models import Action, AuditEvent
from referrals.models import Referral, ReferralEventKind, ReferralSource, ReferralStatus
from tests.conftest import signed_in
from tests.factories import ChildFactory, MembershipFactory
from tests.referrals.conftest import CONTENTS, consent_fields, make_referrals, refer_post
from triage.models import ConcernEventKind, ConcernStatus, Part

pytestmark = pytest.mark.django_db


def refer_url(concern) -> str:
    return reverse("referrals:concern-refer", args=[concern.public_id])


def test_the_dsl_refers_both_children_together_one_referral_each(
    concern_to_refer, dsl, dsl_client: Client
) -> None:
    response = dsl_client.post(refer_url(concern_to_refer), refer_post(concern_to_refer))

    assert response.status_code == 302
    referrals = list(Referral.objects.order_by("part"))
    assert [(r.child.full_name, r.part) for r in referrals] == [
        ("Sam Pellingford", Part.CHILD_HARMED),
        ("Riley Ashcombe", Part.CHILD_WHO_HARMED),
    ]
    assert referrals[0].group_id == referrals[1].group_id
    assert referrals[0].group.unpaired_reason == ""
    concern_to_refer.refresh_from_db()
    assert concern_to_refer.status == ConcernStatus.REFERRED
    assert concern_to_refer.events.filter(kind=ConcernEventKind.REFERRED, by=dsl.user).exists()


def test_each_referral_carries_the_mandatory_contents_rating_dsl_and_consent(
    referrals, dsl
) -> None:
    for referral in referrals:
        assert referral.source == ReferralSource.CONCERN
        assert referral.incident_details == CONTENTS["incident_details"]
        assert referral.victim_vulnerability == CONTENTS["victim_vulnerability"]
        assert referral.coercion_or_duress == CONTENTS["coercion_or_duress"]
        assert referral.referrer_risk_level == "high"
        assert referral.other_children_at_risk == "no"
        assert (referral.brook_colour, referral.brook_band) == ("red", "9-13")
        assert referral.behaviours_ticked == ["sexual harassment"]
        assert (referral.dsl_consulted, referral.dsl_name) == ("yes", dsl.user.full_name)
        assert referral.parents_informed is True
        assert referral.sharing_agreed_by == "parent"
        assert referral.referring_agency == dsl.agency
        assert referral.status == ReferralStatus.RECEIVED
        event = referral.events.get()
        assert (event.kind, event.from_status, event.to_status) == (
            ReferralEventKind.RECEIVED,
            "",
            ReferralStatus.RECEIVED,
        )


def test_making_the_referrals_is_audited_in_the_same_transaction(referrals, dsl) -> None:
    created = AuditEvent.objects.filter(action=Action.CREATE, object_kind="referrals.referral")

    assert sorted(created.values_list("object_id", flat=True)) == sorted(
        str(r.public_id) for r in referrals
    )
    assert set(created.values_list("actor", flat=True)) == {dsl.user.pk}
    assert AuditEvent.objects.filter(action=Action.CHANGE, detail="referred").count() == 1


def test_referring_one_child_without_the_other_needs_a_reason(
    concern_to_refer, dsl_client: Client
) -> None:
    riley = concern_to_refer.with_part(Part.CHILD_WHO_HARMED)[0]
    data = refer_post(concern_to_refer, children=[str(riley.public_id)])

    response = dsl_client.post(refer_url(concern_to_refer), data)

    assert response.status_code == 200
    assert "You are not referring both a child harmed and a child who has harmed" in response.text
    assert CONTENTS["victim_vulnerability"] in response.text  # the input is kept
    assert not Referral.objects.exists()


def test_one_child_is_referred_alone_with_a_recorded_reason(
    concern_to_refer, dsl_client: Client
) -> None:
    riley = concern_to_refer.with_part(Part.CHILD_WHO_HARMED)[0]
    data = refer_post(
        concern_to_refer,
        children=[str(riley.public_id)],
        unpaired_reason="Sam's family have moved abroad; their new authority is being told.",
    )

    dsl_client.post(refer_url(concern_to_refer), data)

    referral = Referral.objects.get()
    assert referral.child == riley.child
    assert referral.group.unpaired_reason.startswith("Sam's family have moved abroad")


def test_the_referral_page_shows_the_age_rule_beside_who_agreed(
    concern_to_refer, dsl_client: Client
) -> None:
    page = dsl_client.get(refer_url(concern_to_refer))

    assert "Riley Ashcombe is 12. 12 to 15: the young person, if they understand" in page.text
    assert "Sam Pellingford is 9. Under 12: generally the parents are approached." in page.text
    assert CONTENTS["incident_details"] not in page.text
    assert concern_to_refer.what_happened in page.text  # offered from the concern


def test_parents_not_told_needs_the_exception_that_applies(
    concern_to_refer, dsl_client: Client
) -> None:
    sam = concern_to_refer.with_part(Part.CHILD_HARMED)[0]
    data = refer_post(
        concern_to_refer, **consent_fields(f"consent-{sam.public_id}", parents_informed="no")
    )

    response = dsl_client.post(refer_url(concern_to_refer), data)

    assert "Select why the parents or carers of Sam Pellingford have not been told" in (
        response.text
    )
    data.update(
        consent_fields(
            f"consent-{sam.public_id}",
            parents_informed="no",
            parents_not_told_because="criminal_investigation",
        )
    )
    dsl_client.post(refer_url(concern_to_refer), data)
    referral = Referral.objects.get(child=sam.child)
    assert (referral.parents_informed, referral.parents_not_told_because) == (
        False,
        "criminal_investigation",
    )


def test_an_empty_post_shows_every_error_and_never_fails(
    concern_to_refer, dsl_client: Client
) -> None:
    response = dsl_client.post(refer_url(concern_to_refer), {})

    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert "Enter what happened" in response.text
    assert "Select the children you are referring" in response.text
    assert not Referral.objects.exists()


def test_a_second_submit_makes_no_second_set_of_referrals(
    concern_to_refer, dsl_client: Client
) -> None:
    data = refer_post(concern_to_refer)

    first = dsl_client.post(refer_url(concern_to_refer), data)
    second = dsl_client.post(refer_url(concern_to_refer), data)

    assert Referral.objects.count() == 2
    assert first["Location"] == second["Location"]
    assert second["Location"] == reverse("triage:concern-detail", args=[concern_to_refer.public_id])


def test_a_concern_changed_meanwhile_is_refused_and_the_input_kept(
    concern_to_refer, dsl_client: Client
) -> None:
    data = refer_post(concern_to_refer, version=concern_to_refer.version + 5)

    response = dsl_client.post(refer_url(concern_to_refer), data)

    assert "Someone else changed this concern" in response.text
    assert CONTENTS["coercion_or_duress"] in response.text
    assert not Referral.objects.exists()


def test_each_child_is_referred_to_the_authority_where_they_live(
    concern_to_refer, dsl, other_authority, agency_for
) -> None:
    sam = concern_to_refer.with_part(Part.CHILD_HARMED)[0].child
    sam.authority = other_authority
    sam.save(update_fields=["authority"])
    elsewhere_mash = agency_for(AgencyKind.MASH, other_authority)
    home_mash = agency_for(AgencyKind.MASH)

    make_referrals(concern_to_refer, dsl)

    sams = Referral.objects.get(child=sam)
    rileys = Referral.objects.get(part=Part.CHILD_WHO_HARMED)
    assert (sams.authority, sams.happened_in) == (other_authority, concern_to_refer.authority)
    assert rileys.authority == concern_to_refer.authority
    # The authority where it happened (home) gets a read-only copy of Sam's referral.
    home_screener = MembershipFactory(role="mash_screener", agency=home_mash)
    elsewhere_screener = MembershipFactory(role="mash_screener", agency=elsewhere_mash)
    copy = signed_in(Client(), home_screener)
    assert copy.get(reverse("referrals:referral-detail", args=[sams.public_id])).status_code == 200
    assert copy.get(reverse("referrals:referral-screen", args=[sams.public_id])).status_code == 403
    routed = signed_in(Client(), elsewhere_screener)
    assert (
        routed.get(reverse("referrals:referral-detail", args=[rileys.public_id])).status_code == 404
    )
    assert sams.events.filter(kind=ReferralEventKind.COPY_SENT).exists()


def test_only_the_children_of_the_concern_who_harmed_or_were_harmed_are_offered(
    concern_to_refer, dsl_client: Client
) -> None:
    from tests.factories import ConcernChildFactory

    witness = ConcernChildFactory(
        concern=concern_to_refer,
        part=Part.WITNESS,
        child=ChildFactory(given_name="Wren", family_name="Onlooker"),
    )

    page = dsl_client.get(refer_url(concern_to_refer))

    assert "Riley Ashcombe, child who has harmed" in page.text
    assert str(witness.public_id) not in page.text
