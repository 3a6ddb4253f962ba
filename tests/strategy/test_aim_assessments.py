"""AIM assessments of a child who has harmed: who may lead one, rating, completion, reviews,
conflicts and the audit (domain.md §7)."""

from collections.abc import Callable
from datetime import date
from uuid import uuid4

import pytest
from django.test import Client
from django.urls import reverse

from hsb_portal.accounts.models import Agency, AgencyKind, Membership, Role
from hsb_portal.audit.models import Action, AuditEvent
from hsb_portal.conflicts import StaleRecord
from strategy import services
from strategy.aim_catalogue import AIM2, AIM3
from strategy.models import AimAssessment, AimFactorRating, AssessmentStatus
from tests.conftest import signed_in
from tests.factories import (
    AimAssessmentFactory,
    AimFactorRatingFactory,
    AllocationFactory,
    ChildFactory,
    ConcernChildFactory,
    ConcernFactory,
    MembershipFactory,
)
from tests.strategy.conftest import share_child
from tests.triage.conftest import date_input
from triage.models import Child, ConcernStatus, Part

pytestmark = pytest.mark.django_db


def start_url(child: Child) -> str:
    return reverse("strategy:aim-assessment-start", args=[child.public_id])


def detail_url(assessment: AimAssessment) -> str:
    return reverse("strategy:aim-assessment-detail", args=[assessment.public_id])


def rate_url(assessment: AimAssessment, domain: str) -> str:
    return reverse("strategy:aim-domain-rate", args=[assessment.public_id, domain])


def complete_url(assessment: AimAssessment) -> str:
    return reverse("strategy:aim-assessment-complete", args=[assessment.public_id])


def review_url(assessment: AimAssessment) -> str:
    return reverse("strategy:aim-assessment-review", args=[assessment.public_id])


def start_form(**overrides) -> dict:
    data = {
        "submission": str(uuid4()),
        "model_version": "AIM3",
        **date_input("started_on", date(2026, 3, 10)),
    }
    data.update(overrides)
    return data


def review_form(started_on: date) -> dict:
    return {"submission": str(uuid4()), **date_input("started_on", started_on)}


def led_by(lead: Membership, child: Child, **fields) -> AimAssessment:
    return AimAssessmentFactory(
        child=child, lead_assessor=lead.user, lead_agency=lead.agency, **fields
    )


def rate_all(assessment: AimAssessment, value: int = 0, **by_domain: list[int]) -> None:
    """Rate every factor ``value``, or as listed for a domain (its code with _ for .)."""
    for domain in assessment.model.domains:
        values = by_domain.get(domain.code.replace(".", "_"), [value] * len(domain.factors))
        for factor, score in zip(domain.factors, values, strict=True):
            AimFactorRatingFactory(assessment=assessment, factor=factor.code, value=score)


def complete_form(assessment: AimAssessment, **overrides) -> dict:
    data = {
        "version": assessment.version,
        **date_input("completed_on", date(2026, 4, 1)),
        "supervision_level": "medium",
        "recommendations": "Weekly sessions with the youth justice worker; a safety plan at home.",
    }
    data.update(overrides)
    return data


def domain_form(assessment: AimAssessment, domain: str, values: list, evidence: str = "") -> dict:
    data: dict = {"version": assessment.version}
    for factor, value in zip(assessment.model.domain(domain).factors, values, strict=True):
        prefix = factor.code.replace(".", "_").lower()
        data[f"{prefix}_value"] = "" if value is None else str(value)
        data[f"{prefix}_evidence"] = "" if value is None else evidence
    return data


# Starting an assessment: only a practitioner certified by the AIM Project leads one.


def test_a_certified_social_worker_starts_an_assessment_and_leads_it(
    lead: Membership, lead_client: Client, child_who_harmed: Child, co_worker: Membership
) -> None:
    response = lead_client.post(start_url(child_who_harmed), start_form(co_workers=[co_worker.pk]))

    assessment = AimAssessment.objects.get()
    assert response["Location"] == detail_url(assessment)
    assert assessment.child == child_who_harmed
    assert assessment.model_version == "AIM3"
    assert assessment.status == AssessmentStatus.DRAFT
    assert assessment.lead_assessor == lead.user
    assert assessment.lead_agency == lead.agency
    assert assessment.started_on == date(2026, 3, 10)
    assert list(assessment.co_workers.all()) == [co_worker]
    event = AuditEvent.objects.get(action=Action.CREATE, object_kind="strategy.aimassessment")
    assert event.object_id == str(assessment.public_id)
    assert event.detail == "AIM3 assessment started"
    assert [c.child_id for c in event.children.all()] == [child_who_harmed.public_id]
    page = lead_client.get(response["Location"]).text
    assert "AIM3 assessment started" in page
    assert "Lee Leadassessor" in page and "Cory Coworker" in page


def test_an_uncertified_practitioner_is_told_why_and_refused_if_they_post(
    member: Callable[..., Membership], child_who_harmed: Child
) -> None:
    social_worker = member(Role.SOCIAL_WORKER)
    share_child(child_who_harmed, social_worker)
    client = signed_in(Client(), social_worker)

    page = client.get(start_url(child_who_harmed))
    response = client.post(start_url(child_who_harmed), start_form())

    assert page.status_code == 200
    assert "Only practitioners certified by the AIM Project can start an AIM assessment" in (
        page.text
    )
    assert "Start the assessment" not in page.text
    assert response.status_code == 403
    assert not AimAssessment.objects.exists()
    refusal = AuditEvent.objects.get(action=Action.REFUSED)
    assert refusal.detail == "AIM assessment: not certified"
    assert refusal.object_id == str(child_who_harmed.public_id)


def test_an_assessment_cannot_start_before_its_lead_was_certified(
    lead: Membership, lead_client: Client, child_who_harmed: Child
) -> None:
    lead.user.aim_certified_on = date(2026, 3, 1)
    lead.user.save(update_fields=["aim_certified_on"])

    response = lead_client.post(
        start_url(child_who_harmed), start_form(**date_input("started_on", date(2026, 2, 20)))
    )

    assert response.status_code == 200
    assert (
        "You were certified by the AIM Project on 1 March 2026, so you cannot start an AIM "
        "assessment dated 20 February 2026." in response.text
    )
    assert not AimAssessment.objects.exists()


def test_a_child_who_has_not_harmed_cannot_be_assessed(
    lead: Membership, lead_client: Client, authority
) -> None:
    harmed = ChildFactory(given_name="Sky", family_name="Example", authority=authority)
    ConcernChildFactory(
        concern=ConcernFactory(status=ConcernStatus.AWAITING_REVIEW),
        child=harmed,
        part=Part.CHILD_HARMED,
    )
    share_child(harmed, lead)

    page = lead_client.get(start_url(harmed))
    response = lead_client.post(start_url(harmed), start_form())

    message = "Sky Example is not recorded as a child who has harmed in any concern"
    assert message in page.text
    assert "Start the assessment" not in page.text
    assert response.status_code == 200
    assert message in response.text
    assert not AimAssessment.objects.exists()


def test_a_child_named_only_in_a_draft_concern_is_not_yet_a_child_who_has_harmed(
    lead: Membership, lead_client: Client, authority
) -> None:
    child = ChildFactory(given_name="Ari", family_name="Draftcase", authority=authority)
    ConcernChildFactory(concern=ConcernFactory(), child=child, part=Part.CHILD_WHO_HARMED)
    share_child(child, lead)

    response = lead_client.post(start_url(child), start_form())

    assert "Ari Draftcase is not recorded as a child who has harmed" in response.text
    assert not AimAssessment.objects.exists()


def test_the_model_must_be_chosen(lead_client: Client, child_who_harmed: Child) -> None:
    response = lead_client.post(start_url(child_who_harmed), start_form(model_version=""))

    assert "Select the AIM model you will use" in response.text
    assert not AimAssessment.objects.exists()


# Co-workers add information; they need no certification, and only the lead completes.


def test_an_uncertified_co_worker_rates_factors_but_cannot_complete(
    lead: Membership, child_who_harmed: Child, co_worker: Membership, co_worker_client: Client
) -> None:
    assessment = led_by(lead, child_who_harmed)
    assessment.co_workers.add(co_worker)

    rated = co_worker_client.post(
        rate_url(assessment, "AIM3.NS"),
        domain_form(assessment, "AIM3.NS", [1, 0, 2], evidence="From the YJS file."),
    )
    page = co_worker_client.get(complete_url(assessment))
    refused = co_worker_client.post(complete_url(assessment), complete_form(assessment))

    assert rated.status_code == 302
    ratings = AimFactorRating.objects.filter(assessment=assessment).order_by("factor")
    assert [(r.factor, r.value, r.rated_by) for r in ratings] == [
        ("AIM3.NS.1", 1, co_worker.user),
        ("AIM3.NS.2", 0, co_worker.user),
        ("AIM3.NS.3", 2, co_worker.user),
    ]
    assert "Only the lead assessor, Lee Leadassessor, can complete this assessment." in page.text
    assert "Complete the assessment</button>" not in page.text
    assert refused.status_code == 403
    assessment.refresh_from_db()
    assert assessment.is_draft


def test_my_work_lists_the_assessments_a_co_worker_works_on_without_naming_the_child(
    lead: Membership, child_who_harmed: Child, co_worker: Membership, co_worker_client: Client
) -> None:
    assessment = led_by(lead, child_who_harmed)
    assessment.co_workers.add(co_worker)

    page = co_worker_client.get(reverse("home")).text

    assert "AIM assessments you are working on" in page
    assert assessment.reference in page
    assert "Robin" not in page


# Rating the factors of each domain.


def test_rating_a_domain_saves_scores_and_evidence_and_goes_to_the_next_domain(
    lead: Membership, lead_client: Client, child_who_harmed: Child
) -> None:
    assessment = led_by(lead, child_who_harmed)

    response = lead_client.post(
        rate_url(assessment, "AIM3.SB"),
        domain_form(assessment, "AIM3.SB", [2, 1, None, 0], evidence="Police disclosure."),
    )

    assert response["Location"] == rate_url(assessment, "AIM3.NS")
    ratings = {r.factor: (r.value, r.evidence) for r in assessment.ratings.all()}
    assert ratings == {
        "AIM3.SB.1": (2, "Police disclosure."),
        "AIM3.SB.2": (1, "Police disclosure."),
        "AIM3.SB.4": (0, "Police disclosure."),
    }
    assessment.refresh_from_db()
    assert assessment.version == 2
    event = AuditEvent.objects.get(action=Action.CHANGE, object_kind="strategy.aimassessment")
    assert event.detail == "rated Sexual behaviours"
    page = lead_client.get(detail_url(assessment)).text
    assert "3 of 4 rated" in page
    assert "2: Clear concern" in page


def test_the_last_domain_returns_to_the_assessment(
    lead: Membership, lead_client: Client, child_who_harmed: Child
) -> None:
    assessment = led_by(lead, child_who_harmed)

    response = lead_client.post(
        rate_url(assessment, "AIM3.SR"), domain_form(assessment, "AIM3.SR", [0, 0, 1, 1])
    )

    assert response["Location"] == detail_url(assessment)


def test_evidence_without_a_score_is_refused_with_a_gov_uk_error(
    lead: Membership, lead_client: Client, child_who_harmed: Child
) -> None:
    assessment = led_by(lead, child_who_harmed)
    data = domain_form(assessment, "AIM3.NS", [None, None, None])
    data["aim3_ns_1_evidence"] = "Notes only."

    response = lead_client.post(rate_url(assessment, "AIM3.NS"), data)

    assert response.status_code == 200
    assert "govuk-error-summary" in response.text
    assert (
        "Select a score for Non-sexual behaviour: other offending, or remove what it is based on"
        in response.text
    )
    assert "Notes only." in response.text
    assert not AimFactorRating.objects.exists()


def test_a_score_the_model_does_not_allow_is_refused(
    lead: Membership, lead_client: Client, child_who_harmed: Child
) -> None:
    assessment = led_by(lead, child_who_harmed, model_version="AIM_U12")

    response = lead_client.post(
        rate_url(assessment, "AIM_U12.SB"),
        domain_form(assessment, "AIM_U12.SB", [3, 0, 0, 0, 0]),
    )

    assert "Select a score for Sexual behaviour: nature" in response.text
    assert not AimFactorRating.objects.exists()


def test_clearing_a_score_leaves_the_factor_not_rated(
    lead: Membership, lead_client: Client, child_who_harmed: Child
) -> None:
    assessment = led_by(lead, child_who_harmed)
    AimFactorRatingFactory(assessment=assessment, factor="AIM3.NS.1", value=2)

    lead_client.post(
        rate_url(assessment, "AIM3.NS"), domain_form(assessment, "AIM3.NS", [None, 1, 1])
    )

    assert sorted(assessment.ratings.values_list("factor", flat=True)) == ["AIM3.NS.2", "AIM3.NS.3"]


def test_a_domain_that_is_not_in_the_model_is_not_found(
    lead: Membership, lead_client: Client, child_who_harmed: Child
) -> None:
    assessment = led_by(lead, child_who_harmed)

    assert lead_client.get(rate_url(assessment, "AIM2.HB")).status_code == 404


def test_typed_evidence_is_shown_as_text(
    lead: Membership, lead_client: Client, child_who_harmed: Child
) -> None:
    assessment = led_by(lead, child_who_harmed)
    AimFactorRatingFactory(
        assessment=assessment, factor="AIM3.SB.1", evidence='<script>alert("x")</script>'
    )

    page = lead_client.get(detail_url(assessment)).text

    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert '<script>alert("x")</script>' not in page


# Two people saving from the same version: only the first succeeds.


def test_a_save_from_an_out_of_date_page_is_refused_and_the_first_save_survives(
    lead: Membership,
    lead_client: Client,
    child_who_harmed: Child,
    co_worker: Membership,
    co_worker_client: Client,
) -> None:
    assessment = led_by(lead, child_who_harmed)
    assessment.co_workers.add(co_worker)
    opened = domain_form(assessment, "AIM3.NS", [2, 2, 2], evidence="Lead's view.")
    also_opened = domain_form(assessment, "AIM3.NS", [0, 0, 0], evidence="Co-worker's view.")

    first = lead_client.post(rate_url(assessment, "AIM3.NS"), opened)
    second = co_worker_client.post(rate_url(assessment, "AIM3.NS"), also_opened)

    assert first.status_code == 302
    assert second.status_code == 200
    assert "Someone else changed this assessment after you opened this page" in second.text
    assert "Co-worker&#x27;s view." in second.text
    assert set(assessment.ratings.values_list("value", "evidence")) == {(2, "Lead's view.")}
    changes = AuditEvent.objects.filter(action=Action.CHANGE, detail="rated Non-sexual behaviours")
    assert changes.count() == 1


def test_the_service_refuses_a_stale_version_without_writing(
    lead: Membership, child_who_harmed: Child
) -> None:
    assessment = led_by(lead, child_who_harmed)
    AimAssessment.objects.filter(pk=assessment.pk).update(version=5)

    with pytest.raises(StaleRecord):
        services.rate_aim_domain(
            assessment=assessment,
            domain_code="AIM3.NS",
            answers={"AIM3.NS.1": services.FactorAnswer(1)},
            version=1,
            by=lead.user,
            membership=lead,
        )

    assert not AimFactorRating.objects.exists()
    assert not AuditEvent.objects.filter(object_kind="strategy.aimassessment").exists()


# Completion: the outcome is computed from the scores by the model's own rule.


def test_completing_an_aim_under_12s_assessment_bands_each_domain(
    lead: Membership, lead_client: Client, child_who_harmed: Child
) -> None:
    assessment = led_by(lead, child_who_harmed, model_version="AIM_U12")
    rate_all(assessment, AIM_U12_SB=[2, 2, 2, 0, 0], AIM_U12_FC=[4, 4, 4, 2, 2])

    preview = lead_client.get(complete_url(assessment)).text
    response = lead_client.post(complete_url(assessment), complete_form(assessment))

    assert "6 of 20" in preview and "Amber" in preview
    assert response["Location"] == detail_url(assessment)
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.COMPLETED
    assert assessment.completed_on == date(2026, 4, 1)
    profile = {d["code"]: (d["total"], d["band"]) for d in assessment.domain_profile}
    assert profile == {
        "AIM_U12.SB": (6, "amber"),
        "AIM_U12.NS": (0, "green"),
        "AIM_U12.DV": (0, "green"),
        "AIM_U12.FC": (16, "red"),
        "AIM_U12.EN": (0, "green"),
    }
    assert assessment.supervision_level == "medium"
    assert assessment.recommendations.startswith("Weekly sessions")
    event = AuditEvent.objects.get(action=Action.CHANGE, detail="completed")
    assert event.object_id == str(assessment.public_id)
    page = lead_client.get(detail_url(assessment)).text
    assert "AIM Under 12s assessment completed" in page
    assert "16 of 20" in page and "Red" in page


def test_completing_an_aim2_assessment_computes_levels_supervision_and_treatment(
    lead: Membership, lead_client: Client, child_who_harmed: Child
) -> None:
    assessment = led_by(lead, child_who_harmed, model_version="AIM2")
    # Concerns 2+2+1+1 in harmful behaviour, 1+1 developmental: 8, medium. Strengths: 0+1+1
    # and the rest 0: 2, low. The matrix gives high supervision and a referral for treatment.
    rate_all(assessment, AIM2_HB=[2, 2, 1, 1, 0], AIM2_DV=[1, 1, 1, 1])

    response = lead_client.post(
        complete_url(assessment), complete_form(assessment, supervision_level="")
    )

    assert response.status_code == 302
    assessment.refresh_from_db()
    assert (assessment.concern_total, assessment.strength_total) == (8, 2)
    assert (assessment.concern_level, assessment.strength_level) == ("medium", "low")
    assert assessment.supervision_level == "high"
    assert assessment.refer_for_treatment is True
    page = lead_client.get(detail_url(assessment)).text
    assert "Medium (total 8)" in page
    assert "Refer for treatment" in page


def test_the_aim2_form_does_not_ask_for_a_supervision_level(
    lead: Membership, lead_client: Client, child_who_harmed: Child
) -> None:
    assessment = led_by(lead, child_who_harmed, model_version="AIM2")
    rate_all(assessment)

    page = lead_client.get(complete_url(assessment)).text

    assert "What level of supervision does the child need?" not in page
    assert AIM2.scoring_note in page


def test_an_aim3_assessment_records_its_profile_and_the_assessors_supervision_level(
    lead: Membership, lead_client: Client, child_who_harmed: Child
) -> None:
    assessment = led_by(lead, child_who_harmed)
    rate_all(assessment, 1)

    preview = lead_client.get(complete_url(assessment)).text
    lead_client.post(complete_url(assessment), complete_form(assessment, supervision_level="high"))

    assert "to be confirmed from the licensed AIM3 manual" in preview
    assessment.refresh_from_db()
    assert [(d["code"], d["total"], d["maximum"]) for d in assessment.domain_profile] == [
        ("AIM3.SB", 4, 8),
        ("AIM3.NS", 3, 6),
        ("AIM3.DV", 4, 8),
        ("AIM3.FE", 4, 8),
        ("AIM3.SR", 4, 8),
    ]
    assert assessment.concern_level == ""
    assert assessment.supervision_level == "high"
    assert assessment.refer_for_treatment is None
    assert AIM3.method == "domain_profile"


def test_an_assessment_with_unrated_factors_cannot_be_completed(
    lead: Membership, lead_client: Client, child_who_harmed: Child
) -> None:
    assessment = led_by(lead, child_who_harmed)
    AimFactorRatingFactory(assessment=assessment, factor="AIM3.SB.1", value=1)

    page = lead_client.get(complete_url(assessment)).text
    response = lead_client.post(complete_url(assessment), complete_form(assessment))

    assert "Rate every factor in Sexual behaviours: 3 factors are not rated" in page
    assert "Rate every factor in Non-sexual behaviours: 3 factors are not rated" in page
    assert "Rate every factor in Self-regulation: 4 factors are not rated" in response.text
    assessment.refresh_from_db()
    assert assessment.is_draft


def test_the_lead_must_be_certified_on_the_day_of_completion(
    lead: Membership, lead_client: Client, child_who_harmed: Child
) -> None:
    assessment = led_by(lead, child_who_harmed, started_on=date(2026, 3, 2))
    rate_all(assessment)
    lead.user.aim_certified_on = date(2026, 3, 20)
    lead.user.save(update_fields=["aim_certified_on"])

    response = lead_client.post(
        complete_url(assessment),
        complete_form(assessment, **date_input("completed_on", date(2026, 3, 16))),
    )

    assert response.status_code == 200
    assert (
        "You were certified by the AIM Project on 20 March 2026, so you cannot complete an AIM "
        "assessment dated 16 March 2026." in response.text
    )
    assessment.refresh_from_db()
    assert assessment.is_draft


def test_a_lead_whose_certification_was_withdrawn_is_refused(
    lead: Membership, lead_client: Client, child_who_harmed: Child
) -> None:
    assessment = led_by(lead, child_who_harmed)
    rate_all(assessment)
    lead.user.aim_certified_on = None
    lead.user.save(update_fields=["aim_certified_on"])

    page = lead_client.get(complete_url(assessment))
    response = lead_client.post(complete_url(assessment), complete_form(assessment))

    assert "Only practitioners certified by the AIM Project can complete" in page.text
    assert response.status_code == 403
    assessment.refresh_from_db()
    assert assessment.is_draft
    assert AuditEvent.objects.filter(
        action=Action.REFUSED, detail="AIM assessment: not the certified lead assessor"
    ).exists()


def test_the_service_refuses_completion_by_anyone_but_the_lead(
    lead: Membership, child_who_harmed: Child, co_worker: Membership
) -> None:
    co_worker.user.aim_certified_on = date(2020, 1, 1)
    co_worker.user.save(update_fields=["aim_certified_on"])
    assessment = led_by(lead, child_who_harmed)
    assessment.co_workers.add(co_worker)
    rate_all(assessment)

    with pytest.raises(services.NotTheLeadAssessor):
        services.complete_aim_assessment(
            assessment=assessment,
            completed_on=date(2026, 4, 1),
            supervision_level="low",
            recommendations="None.",
            version=assessment.version,
            by=co_worker.user,
            membership=co_worker,
        )

    assert AimAssessment.objects.get().is_draft


# A completed assessment never changes; a review is a new assessment linked to it.


def completed(lead: Membership, child: Child, **fields) -> AimAssessment:
    return led_by(
        lead,
        child,
        status=AssessmentStatus.COMPLETED,
        completed_on=date(2026, 4, 1),
        supervision_level="medium",
        recommendations="A safety plan at home and at school.",
        **fields,
    )


def test_a_completed_assessment_cannot_be_changed(
    lead: Membership, lead_client: Client, child_who_harmed: Child
) -> None:
    assessment = completed(lead, child_who_harmed)

    pages = [
        lead_client.get(rate_url(assessment, "AIM3.SB")),
        lead_client.post(
            rate_url(assessment, "AIM3.SB"), domain_form(assessment, "AIM3.SB", [1] * 4)
        ),
        lead_client.get(complete_url(assessment)),
        lead_client.post(complete_url(assessment), complete_form(assessment)),
    ]

    assert [page.status_code for page in pages] == [403, 403, 403, 403]
    assert not AimFactorRating.objects.exists()
    assessment.refresh_from_db()
    assert assessment.completed_on == date(2026, 4, 1)
    detail = lead_client.get(detail_url(assessment)).text
    assert "Rate factors" not in detail
    assert "Start a review" in detail


def test_the_service_never_changes_a_completed_assessment(
    lead: Membership, child_who_harmed: Child
) -> None:
    assessment = completed(lead, child_who_harmed)

    with pytest.raises(services.AssessmentCompleted):
        services.rate_aim_domain(
            assessment=assessment,
            domain_code="AIM3.NS",
            answers={"AIM3.NS.1": services.FactorAnswer(2)},
            version=assessment.version,
            by=lead.user,
            membership=lead,
        )

    assert not AimFactorRating.objects.exists()
    assert AimAssessment.objects.get().version == 1


def test_a_review_starts_from_the_earlier_assessment_and_links_to_it(
    lead: Membership, lead_client: Client, child_who_harmed: Child
) -> None:
    earlier = completed(lead, child_who_harmed)

    response = lead_client.post(review_url(earlier), review_form(date(2026, 9, 1)))

    review = AimAssessment.objects.exclude(pk=earlier.pk).get()
    assert response["Location"] == detail_url(review)
    assert review.review_of == earlier
    assert review.child == child_who_harmed
    assert review.model_version == "AIM3"
    assert review.is_draft
    assert review.lead_assessor == lead.user
    event = AuditEvent.objects.get(action=Action.CREATE, object_kind="strategy.aimassessment")
    assert event.detail == f"AIM3 assessment started, reviewing {earlier.reference}"
    review_page = lead_client.get(detail_url(review)).text
    assert f"AIM3 {earlier.reference}" in review_page
    assert detail_url(earlier) in review_page
    earlier_page = lead_client.get(detail_url(earlier)).text
    assert "Reviewed by" in earlier_page and review.reference in earlier_page


def test_a_draft_cannot_be_reviewed(
    lead: Membership, lead_client: Client, child_who_harmed: Child
) -> None:
    draft = led_by(lead, child_who_harmed)

    response = lead_client.get(review_url(draft), follow=True)

    assert response.redirect_chain[-1][0] == detail_url(draft)
    assert "Only a completed assessment can be reviewed" in response.text


def test_a_review_must_be_of_the_same_child(
    lead: Membership, child_who_harmed: Child, authority
) -> None:
    earlier = completed(lead, child_who_harmed)
    sibling = ConcernChildFactory(
        concern=ConcernFactory(status=ConcernStatus.AWAITING_REVIEW),
        child=ChildFactory(authority=authority),
        part=Part.CHILD_WHO_HARMED,
    ).child

    with pytest.raises(services.InvalidReview, match="same child"):
        services.start_aim_review(
            earlier=earlier,
            child=sibling,
            started_on=date(2026, 9, 1),
            co_workers=[],
            submission=uuid4(),
            by=lead.user,
            membership=lead,
        )

    assert AimAssessment.objects.count() == 1


def test_a_review_cannot_start_before_the_earlier_assessment_was_completed(
    lead: Membership, lead_client: Client, child_who_harmed: Child
) -> None:
    earlier = completed(lead, child_who_harmed)

    response = lead_client.post(review_url(earlier), review_form(date(2026, 3, 31)))

    assert "The review must start on or after the day the earlier assessment was completed" in (
        response.text
    )
    assert AimAssessment.objects.count() == 1


def test_an_uncertified_worker_cannot_start_a_review(
    member: Callable[..., Membership], lead: Membership, child_who_harmed: Child, agency_for
) -> None:
    earlier = completed(lead, child_who_harmed)
    manager = member(Role.SW_MANAGER, agency=agency_for(AgencyKind.CHILDRENS_SOCIAL_CARE))
    client = signed_in(Client(), manager)

    page = client.get(review_url(earlier))
    response = client.post(review_url(earlier), review_form(date(2026, 9, 1)))

    assert "Only practitioners certified by the AIM Project can start" in page.text
    assert response.status_code == 403
    assert AimAssessment.objects.count() == 1


# Who sees what.


def test_the_childs_page_links_to_their_aim_assessments(
    member: Callable[..., Membership], child_who_harmed: Child
) -> None:
    client = signed_in(Client(), member(Role.SW_MANAGER))

    page = client.get(reverse("triage:child-detail", args=[child_who_harmed.public_id])).text

    list_url = reverse("strategy:aim-assessment-list", args=[child_who_harmed.public_id])
    assert f'href="{list_url}"' in page


def test_a_manager_lists_and_reads_the_authoritys_assessments_but_cannot_change_them(
    member: Callable[..., Membership], lead: Membership, child_who_harmed: Child
) -> None:
    assessment = led_by(lead, child_who_harmed)
    client = signed_in(Client(), member(Role.SW_MANAGER))

    listing = client.get(reverse("strategy:aim-assessment-list", args=[child_who_harmed.public_id]))
    detail = client.get(detail_url(assessment))
    rate = client.get(rate_url(assessment, "AIM3.SB"))

    assert assessment.reference in listing.text
    assert "Lee Leadassessor" in listing.text
    assert detail.status_code == 200
    assert "Rate factors" not in detail.text
    assert rate.status_code == 403


def test_an_auditor_reads_an_assessment_and_cannot_post_to_it(
    member: Callable[..., Membership], lead: Membership, child_who_harmed: Child
) -> None:
    assessment = led_by(lead, child_who_harmed)
    client = signed_in(Client(), member(Role.AUDITOR))

    detail = client.get(detail_url(assessment))
    posted = client.post(
        rate_url(assessment, "AIM3.SB"), domain_form(assessment, "AIM3.SB", [1] * 4)
    )

    assert detail.status_code == 200
    assert posted.status_code == 403
    assert not AimFactorRating.objects.exists()


def test_a_practitioner_who_can_see_the_child_sees_only_their_own_assessments(
    member: Callable[..., Membership], lead: Membership, child_who_harmed: Child
) -> None:
    led_by(lead, child_who_harmed)
    dsl = member(Role.DSL)  # the school's DSL sees the child through the concern
    client = signed_in(Client(), dsl)

    page = client.get(reverse("strategy:aim-assessment-list", args=[child_who_harmed.public_id]))

    assert page.status_code == 200
    assert "There are no AIM assessments of Robin Testcase that you can see." in page.text


# 1 the session, 2 the user, 3 their second factor (django-otp's device), 4 their memberships,
# 5 the memberships' authorities, 6 the child, 7-10 the audit event of the view (lock the
# chain's head, the event, the child it names, move the head), 11 the assessments with their
# lead, agency and the one each reviews, 12-14 the session saved (savepoint, update, release).
AIM_LIST_QUERIES = 14


@pytest.mark.parametrize("assessments", [1, 20])
def test_the_list_of_a_childs_assessments_costs_the_same_with_1_or_20(
    assessments,
    member: Callable[..., Membership],
    lead: Membership,
    child_who_harmed: Child,
    django_assert_num_queries,
) -> None:
    earlier = completed(lead, child_who_harmed)
    for _ in range(assessments - 1):
        led_by(lead, child_who_harmed, review_of=earlier)
    client = signed_in(Client(), member(Role.SW_MANAGER))
    url = reverse("strategy:aim-assessment-list", args=[child_who_harmed.public_id])

    with django_assert_num_queries(AIM_LIST_QUERIES):
        response = client.get(url)

    assert response.text.count('class="govuk-table__row"') == assessments + 1  # and the header


def test_a_lead_from_another_agency_cannot_use_it_when_acting_for_another_agency(
    lead: Membership, child_who_harmed: Child, agency_for: Callable[..., Agency]
) -> None:
    assessment = led_by(lead, child_who_harmed)
    other_role = MembershipFactory(
        user=lead.user, role=Role.PRACTITIONER, agency=agency_for(AgencyKind.CAMHS)
    )
    client = signed_in(Client(), other_role)

    assert client.get(detail_url(assessment)).status_code == 404


def test_the_social_worker_allocated_to_the_child_reads_their_assessment_and_another_does_not(
    member: Callable[..., Membership], lead: Membership, child_who_harmed: Child
) -> None:
    assessment = led_by(lead, child_who_harmed)
    allocated, other = member(Role.SOCIAL_WORKER), member(Role.SOCIAL_WORKER)
    AllocationFactory(referral__child=child_who_harmed, social_worker=allocated)
    url = reverse("strategy:aim-assessment-detail", args=[assessment.public_id])

    seen = signed_in(Client(), allocated).get(url)
    hidden = signed_in(Client(), other).get(url)

    assert seen.status_code == 200
    assert "Robin Testcase" in seen.text
    assert hidden.status_code == 404
