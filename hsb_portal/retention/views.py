"""Records management pages: the retention report, the schedule, legal holds and disposal
reviews (domain.md §9). Administrators act; auditors read (the guard refuses them any POST).
No page deletes anything: the scheduled job ``dispose_records`` does, after a second
administrator approved.
"""

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from hsb_portal import access
from hsb_portal.accounts import roles
from hsb_portal.accounts.models import LocalAuthority
from hsb_portal.audit.models import Action
from hsb_portal.conflicts import StaleRecord
from hsb_portal.db_router import replica_reads
from hsb_portal.http import AuthenticatedRequest, acting, posted
from hsb_portal.retention import forms, selectors, services
from hsb_portal.retention.models import (
    DisposalReview,
    LegalHold,
    RetainedChild,
    RetentionRule,
    RetentionRuleChange,
)

PAGE_SIZE = 25
GET_POST = require_http_methods(["GET", "POST"])


def _show(request: AuthenticatedRequest, template: str, shown: Any, **context: Any) -> HttpResponse:
    return access.render_form_page(request, template, shown, context)


def _refused(form: Any, refused: services.RetentionRefused) -> None:
    form.add_error(refused.field, refused.message)


@require_GET
@access.guard(roles=roles.RECORDS_MANAGEMENT)
def retention_report(request: AuthenticatedRequest) -> HttpResponse:
    membership = request.membership
    with replica_reads():  # a report: the replica's copy will do (hsb_portal/db_router.py)
        rules = selectors.rules_by_authority(membership.authority_ids)
        children = selectors.children_past_retention(membership.authority_ids, rules=rules)
        page = Paginator(children, PAGE_SIZE).get_page(request.GET.get("page"))
        rows = selectors.report_rows(page.object_list, rules)
    access.audit_list_view(request, page.object_list, kind="children past retention")
    can_act = access.may_reach(membership, "retention:review-propose")
    return render(
        request, "retention/report.html", {"page": page, "rows": rows, "can_act": can_act}
    )


@require_GET
@access.guard(roles=roles.RECORDS_MANAGEMENT)
def schedule(request: AuthenticatedRequest) -> HttpResponse:
    membership = request.membership
    rules = access.visible(membership, RetentionRule.objects.select_related("authority"))
    waiting = access.visible(
        membership,
        RetentionRuleChange.objects.filter(status="awaiting_approval").select_related(
            "rule__authority", "proposed_by"
        ),
    )
    context = {
        "rules": rules.order_by("authority__name", "record_class", "anchor"),
        "waiting": waiting.order_by("proposed_at"),
        "can_act": access.may_reach(membership, "retention:rule-edit"),
    }
    return render(request, "retention/schedule.html", context)


@GET_POST
@access.guard(roles=roles.ADMINISTRATORS)
def rule_edit(request: AuthenticatedRequest, rule: UUID) -> HttpResponse:
    record = access.get_or_deny(
        request, RetentionRule.objects.select_related("authority"), rule, Action.CHANGE
    )
    form = forms.RuleForm(
        posted(request), initial={"years": record.years, "version": record.version}
    )
    if form.is_valid():
        try:
            change = services.change_retention_rule(
                rule=record, **form.cleaned_data, **acting(request)
            )
        except StaleRecord as stale:
            form.refuse_as_stale(stale)
        except services.RetentionRefused as refused:
            _refused(form, refused)
        else:
            if change.is_awaiting_approval:
                messages.success(request, "The shorter period waits for a second administrator")
            else:
                messages.success(request, "Retention period changed")
            return redirect("retention:schedule")
    return _show(request, "retention/rule_edit.html", record, rule=record, form=form)


@GET_POST
@access.guard(roles=roles.ADMINISTRATORS)
def rule_change_decide(request: AuthenticatedRequest, change: UUID) -> HttpResponse:
    queryset = RetentionRuleChange.objects.select_related("rule__authority", "proposed_by")
    record = access.get_or_deny(request, queryset, change, Action.CHANGE)
    own = record.proposed_by_id == request.user.pk
    if own and request.method == "POST":
        access.refuse(request, record, detail="retention change: proposer cannot approve")
    form = forms.DecisionForm(
        posted(request), initial={"version": 1}, submit_label="Save the decision"
    )
    if not own and record.is_awaiting_approval and form.is_valid():
        try:
            services.decide_retention_rule_change(
                change=record,
                approve=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
                **acting(request),
            )
        except services.RetentionRefused as refused:
            _refused(form, refused)
        else:
            messages.success(request, "Decision saved")
            return redirect("retention:schedule")
    return _show(
        request, "retention/rule_change_decide.html", record, change=record, form=form, own=own
    )


# Legal holds


@require_GET
@access.guard(roles=roles.RECORDS_MANAGEMENT)
def hold_list(request: AuthenticatedRequest) -> HttpResponse:
    holds = access.visible(
        request.membership,
        LegalHold.objects.filter(lifted_at__isnull=True).select_related("child", "placed_by"),
    ).order_by("-placed_at", "-pk")
    page = Paginator(holds, PAGE_SIZE).get_page(request.GET.get("page"))
    access.audit_list_view(request, page.object_list, kind="legal holds")
    can_lift = access.may_reach(request.membership, "retention:hold-lift")
    return render(request, "retention/hold_list.html", {"page": page, "can_lift": can_lift})


@GET_POST
@access.guard(roles=roles.ADMINISTRATORS)
def hold_place(request: AuthenticatedRequest, child: UUID) -> HttpResponse:
    record = access.get_or_deny(
        request, RetainedChild.objects.select_related("authority"), child, Action.CHANGE
    )
    form = forms.HoldForm(posted(request), submit_label="Place the legal hold")
    if form.is_valid():
        services.place_legal_hold(child=record, **form.cleaned_data, **acting(request))
        messages.success(request, f"Legal hold placed on {record.reference}")
        return redirect("retention:hold-list")
    return _show(request, "retention/hold_place.html", record, child=record, form=form)


@GET_POST
@access.guard(roles=roles.ADMINISTRATORS)
def hold_lift(request: AuthenticatedRequest, hold: UUID) -> HttpResponse:
    queryset = LegalHold.objects.select_related("child", "placed_by")
    record = access.get_or_deny(request, queryset, hold, Action.CHANGE)
    form = forms.HoldForm(posted(request), submit_label="Lift the legal hold")
    form.fields["reason"].label = "Why is the hold lifted?"
    form.fields["reason"].error_messages["required"] = "Enter why the hold is lifted"
    if record.is_active and form.is_valid():
        try:
            services.lift_legal_hold(hold=record, **form.cleaned_data, **acting(request))
        except services.RetentionRefused as refused:
            _refused(form, refused)
        else:
            messages.success(request, "Legal hold lifted")
            return redirect("retention:hold-list")
    return _show(request, "retention/hold_lift.html", record, hold=record, form=form)


# Disposal reviews


@require_GET
@access.guard(roles=roles.RECORDS_MANAGEMENT)
def review_list(request: AuthenticatedRequest) -> HttpResponse:
    reviews = access.visible(
        request.membership,
        DisposalReview.objects.select_related("authority", "proposed_by", "decided_by"),
    ).order_by("-proposed_at", "-pk")
    page = Paginator(reviews, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "retention/review_list.html", {"page": page})


@GET_POST
@access.guard(roles=roles.ADMINISTRATORS)
def review_propose(request: AuthenticatedRequest) -> HttpResponse:
    membership = request.membership
    candidates = selectors.disposal_candidates(membership.authority_ids)
    form = forms.ProposeDisposalForm(posted(request), children=candidates)
    if form.is_valid():
        children = list(form.cleaned_data["children"])
        try:
            review = services.propose_disposal(
                authority=LocalAuthority.objects.get(pk=children[0].authority_id),
                children=children,
                reason=form.cleaned_data["reason"],
                **acting(request),
            )
        except services.RetentionRefused as refused:
            _refused(form, refused)
        else:
            messages.success(request, "Disposal proposed: a second administrator must decide")
            return redirect("retention:review-detail", review=review.public_id)
    return render(request, "retention/review_propose.html", {"form": form})


def _review(
    request: AuthenticatedRequest, review: UUID, action: Action = Action.VIEW
) -> DisposalReview:
    queryset = DisposalReview.objects.select_related(
        "authority", "proposed_by", "decided_by"
    ).prefetch_related("entries__child")
    return access.get_or_deny(request, queryset, review, action)


@require_GET
@access.guard(roles=roles.RECORDS_MANAGEMENT)
def review_detail(request: AuthenticatedRequest, review: UUID) -> HttpResponse:
    record = _review(request, review)
    membership = request.membership
    context = {
        "review": record,
        "can_decide": record.is_proposed
        and access.may_reach(membership, "retention:review-decide")
        and record.proposed_by_id != request.user.pk,
    }
    return render(request, "retention/review_detail.html", context)


@GET_POST
@access.guard(roles=roles.ADMINISTRATORS)
def review_decide(request: AuthenticatedRequest, review: UUID) -> HttpResponse:
    record = _review(request, review, Action.CHANGE)
    own = record.proposed_by_id == request.user.pk
    if own and request.method == "POST":
        access.refuse(request, record, detail="disposal review: proposer cannot approve")
    form = forms.DecisionForm(
        posted(request),
        initial={"version": record.version},
        submit_label="Save the decision",
    )
    if not own and record.is_proposed and form.is_valid():
        try:
            services.decide_disposal(
                review=record,
                approve=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
                version=form.cleaned_data["version"],
                **acting(request),
            )
        except StaleRecord as stale:
            form.refuse_as_stale(stale)
        except services.RetentionRefused as refused:
            _refused(form, refused)
        else:
            messages.success(
                request, "Decision saved. Approved records are disposed of by the scheduled job"
            )
            return redirect("retention:review-detail", review=record.public_id)
    return _show(request, "retention/review_decide.html", record, review=record, form=form, own=own)
