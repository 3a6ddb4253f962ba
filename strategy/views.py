"""AIM assessment pages: a child's assessments, starting one or a review, rating each domain's
factors, and completing it with its outcome (domain.md §7).

Each view: method guard, role guard, the record through the access policy, the form, then a
service (for a change) or a selector (for a page), then render or redirect. Only a certified
lead assessor starts or completes an assessment: anyone else is told why, and refused (403)
if they post anyway.
"""

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from hsb_portal import access
from hsb_portal.accounts import roles
from hsb_portal.audit.models import Action
from hsb_portal.conflicts import StaleRecord
from hsb_portal.http import AuthenticatedRequest, acting, posted
from hsb_portal.submissions import tokens
from strategy import forms, selectors, services
from strategy.models import AimAssessment, certification_problem

GET_POST = require_http_methods(["GET", "POST"])


def _assessment(
    request: AuthenticatedRequest, public_id: UUID, action: Action = Action.VIEW
) -> AimAssessment:
    return access.get_or_deny(request, selectors.aim_assessment_for_page(), public_id, action)


def _to_assessment(assessment: AimAssessment) -> HttpResponse:
    return redirect("strategy:aim-assessment-detail", assessment=assessment.public_id)


def _show(request: AuthenticatedRequest, template: str, shown: Any, **context: Any) -> HttpResponse:
    """Render a page; a POST that comes back with errors shows the record again, so it is
    audited as a view."""
    return access.render_form_page(request, template, shown, context)


@require_GET
@access.guard(roles=roles.AIM_READERS)
def aim_assessment_list(request: AuthenticatedRequest, child: UUID) -> HttpResponse:
    record = access.get_or_deny(request, selectors.child_for_aim(), child)
    membership = request.membership
    context = {
        "child": record,
        "assessments": list(selectors.aim_assessments_of(record, membership)),
        "can_start": access.may_reach(membership, "strategy:aim-assessment-start"),
    }
    return render(request, "strategy/aim_assessment_list.html", context)


@GET_POST
@access.guard(roles=roles.AIM_LEADS)
def aim_assessment_start(request: AuthenticatedRequest, child: UUID) -> HttpResponse:
    record = access.get_or_deny(request, selectors.child_for_aim(), child)
    refusal = certification_problem(request.user, timezone.localdate(), doing="start")
    if refusal and request.method == "POST":
        access.refuse(request, record, detail="AIM assessment: not certified")
    has_harmed = selectors.has_harmed(record)
    form = forms.StartAssessmentForm(
        posted(request),
        initial={"started_on": timezone.localdate()},
        co_workers=selectors.co_worker_choices(record, lead=request.membership),
        submit_label="Start the assessment",
    )
    if not refusal and form.is_valid():
        data = form.cleaned_data
        try:
            assessment = services.start_aim_assessment(
                child=record,
                model_version=data["model_version"],
                started_on=data["started_on"],
                co_workers=data["co_workers"],
                submission=data["submission"],
                **acting(request),
            )
        except services.AimRuleBroken as broken:
            form.add_error(None, broken.message)
        except tokens.AlreadySubmitted as sent:
            if tokens.is_own_resend(sent, request=request, form=form):
                return redirect("strategy:aim-assessment-detail", assessment=sent.object_id)
        else:
            messages.success(request, f"{assessment.model.label} assessment started")
            return _to_assessment(assessment)
    context = {"child": record, "form": form, "refusal": refusal, "has_harmed": has_harmed}
    return _show(request, "strategy/aim_assessment_start.html", record, **context)


@require_GET
@access.guard(roles=roles.AIM_READERS)
def aim_assessment_detail(request: AuthenticatedRequest, assessment: UUID) -> HttpResponse:
    record = _assessment(request, assessment)
    membership = request.membership
    context = {
        "assessment": record,
        "model": record.model,
        "domains": selectors.domain_rows(record),
        "reviews": list(selectors.visible_reviews(record, membership)),
        **access.abilities(membership, record),
    }
    return render(request, "strategy/aim_assessment_detail.html", context)


@GET_POST
@access.guard(roles=roles.AIM_READERS)
def aim_domain_rate(request: AuthenticatedRequest, assessment: UUID, domain: str) -> HttpResponse:
    record = _assessment(request, assessment, Action.CHANGE)
    model = record.model
    rated = model.domain(domain)
    if rated is None:
        raise Http404
    form = forms.DomainRatingForm(
        posted(request),
        initial=forms.rating_initial(rated, record.ratings_by_code(), record.version),
        model=model,
        domain=rated,
    )
    if form.is_valid():
        try:
            services.rate_aim_domain(
                assessment=record,
                domain_code=rated.code,
                answers=form.answers(),
                version=form.cleaned_data["version"],
                **acting(request),
            )
        except StaleRecord as stale:
            form.refuse_as_stale(stale)
        else:
            messages.success(request, f"{rated.label} saved")
            following = model.domain_after(rated.code)
            if following is None:
                return _to_assessment(record)
            return redirect(
                "strategy:aim-domain-rate", assessment=record.public_id, domain=following.code
            )
    context = {"assessment": record, "model": model, "domain": rated, "form": form}
    return _show(request, "strategy/aim_domain_rate.html", record, **context)


def _completion_refusal(request: AuthenticatedRequest, assessment: AimAssessment) -> str:
    if not assessment.is_led_by(request.membership):
        return (
            f"Only the lead assessor, {assessment.lead_assessor.full_name}, can complete this "
            "assessment."
        )
    return certification_problem(request.user, timezone.localdate(), doing="complete")


@GET_POST
@access.guard(roles=roles.AIM_READERS)
def aim_assessment_complete(request: AuthenticatedRequest, assessment: UUID) -> HttpResponse:
    record = _assessment(request, assessment, Action.CHANGE)
    refusal = _completion_refusal(request, record)
    if refusal and request.method == "POST":
        access.refuse(request, record, detail="AIM assessment: not the certified lead assessor")
    model = record.model
    ratings = selectors.ratings_map(record)
    problems = services.unrated_problems(model, ratings)
    form = forms.CompleteAssessmentForm(
        posted(request),
        initial={"version": record.version, "completed_on": timezone.localdate()},
        model=model,
    )
    if not refusal and form.is_valid():
        data = form.cleaned_data
        try:
            services.complete_aim_assessment(
                assessment=record,
                completed_on=data["completed_on"],
                supervision_level=data.get("supervision_level", ""),
                recommendations=data["recommendations"],
                version=data["version"],
                **acting(request),
            )
        except StaleRecord as stale:
            form.refuse_as_stale(stale)
        except services.AssessmentIncomplete as incomplete:
            for problem in incomplete.problems:
                form.add_error(None, problem)
        except services.AimRuleBroken as broken:
            form.add_error(None, broken.message)
        else:
            messages.success(request, f"{model.label} assessment completed")
            return _to_assessment(record)
    context = {
        "assessment": record,
        "model": model,
        "form": form,
        "refusal": refusal,
        "problems": problems,
        "outcome": None if problems else model.outcome(ratings),
    }
    return _show(request, "strategy/aim_assessment_complete.html", record, **context)


@GET_POST
@access.guard(roles=roles.AIM_LEADS)
def aim_assessment_review(request: AuthenticatedRequest, assessment: UUID) -> HttpResponse:
    earlier = _assessment(request, assessment)
    if not earlier.is_completed:
        messages.info(request, "Only a completed assessment can be reviewed")
        return _to_assessment(earlier)
    refusal = certification_problem(request.user, timezone.localdate(), doing="start")
    if refusal and request.method == "POST":
        access.refuse(request, earlier, detail="AIM review: not certified")
    form = forms.StartAssessmentForm(
        posted(request),
        initial={"started_on": timezone.localdate()},
        co_workers=selectors.co_worker_choices(earlier.child, lead=request.membership),
        choose_model=False,
        submit_label="Start the review",
    )
    if not refusal and form.is_valid():
        data = form.cleaned_data
        try:
            review = services.start_aim_review(
                earlier=earlier,
                child=earlier.child,
                started_on=data["started_on"],
                co_workers=data["co_workers"],
                submission=data["submission"],
                **acting(request),
            )
        except services.AimRuleBroken as broken:
            form.add_error(None, broken.message)
        except tokens.AlreadySubmitted as sent:
            if tokens.is_own_resend(sent, request=request, form=form):
                return redirect("strategy:aim-assessment-detail", assessment=sent.object_id)
        else:
            messages.success(request, f"Review of {earlier.reference} started")
            return _to_assessment(review)
    context = {"earlier": earlier, "form": form, "refusal": refusal}
    return _show(request, "strategy/aim_assessment_review.html", earlier, **context)
