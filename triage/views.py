"""Triage pages: children, concerns, the traffic light rating and the DSL's review.

Each view: method guard, role guard, the record through the access policy, the form, then a
service (for a change) or a selector (for a page), then render or redirect.
"""

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hsb_portal import access, limits
from hsb_portal.accounts import roles
from hsb_portal.audit.models import Action
from hsb_portal.conflicts import StaleRecord
from hsb_portal.http import AuthenticatedRequest, acting, posted
from hsb_portal.submissions import tokens
from triage import forms, pages, selectors, services
from triage.guidance import UNDER_13_SOURCE, UNDER_13_TEXT, guidance_for
from triage.models import (
    BrookBand,
    Child,
    Concern,
    ConcernChild,
    ContextSection,
    HarmfulSign,
    questions_in,
)

PAGE_SIZE = 25

GET_POST = require_http_methods(["GET", "POST"])


@require_GET
@access.guard(roles=roles.CHILD_READERS)
def child_list(request: AuthenticatedRequest) -> HttpResponse:
    page = Paginator(selectors.children_for(request.membership), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    access.audit_list_view(request, page.object_list, kind="children")
    return render(request, "triage/child_list.html", {"page": page})


@require_GET
@access.guard(roles=roles.CHILD_VIEWERS)
def child_detail(request: AuthenticatedRequest, child: UUID) -> HttpResponse:
    record = access.get_or_deny(request, selectors.child_for_page(), child)
    membership = request.membership
    context = {
        "child": record,
        "histories": selectors.concern_history([record], membership=membership),
        **pages.on_child_page(record, membership),
        **access.abilities(membership, record),
    }
    return render(request, "triage/child_detail.html", context)


# Concerns


def _concern(
    request: AuthenticatedRequest, public_id: UUID, action: Action = Action.VIEW
) -> Concern:
    return access.get_or_deny(request, selectors.concern_for_page(), public_id, action)


def _involvement(concern: Concern, public_id: UUID) -> ConcernChild:
    for involvement in concern.involvements.all():
        if involvement.public_id == public_id:
            return involvement
    raise Http404


def _show(
    request: AuthenticatedRequest, template: str, concern: Concern, **context: Any
) -> HttpResponse:
    """Render a concern's page; a POST that comes back with errors shows the record again,
    so it is audited as a view."""
    return access.render_form_page(request, template, concern, {"concern": concern, **context})


def _to_concern(concern: Concern) -> HttpResponse:
    return redirect("triage:concern-detail", concern=concern.public_id)


@require_GET
@access.guard(roles=roles.CONCERN_READERS)
def concern_list(request: AuthenticatedRequest) -> HttpResponse:
    concerns = selectors.concerns_for(request.membership)
    page = Paginator(concerns, PAGE_SIZE).get_page(request.GET.get("page"))
    access.audit_list_view(request, page.object_list, kind="concerns")
    can_report = access.may_reach(request.membership, "triage:concern-create")
    return render(request, "triage/concern_list.html", {"page": page, "can_report": can_report})


@GET_POST
@access.guard(roles=roles.CONCERN_AUTHORS)
def concern_create(request: AuthenticatedRequest) -> HttpResponse:
    authority = request.membership.first_authority
    form = forms.ConcernForm(
        posted(request),
        initial={"reported_on": timezone.localdate(), "authority": authority},
        submit_label="Save and continue",
    )
    if form.is_valid():
        details = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            concern = services.raise_concern(**acting(request), **details)
        except tokens.AlreadySubmitted as sent:
            if tokens.is_own_resend(sent, request=request, form=form):
                return redirect("triage:concern-detail", concern=sent.object_id)
        else:
            messages.success(request, "Concern started. Now add the children involved.")
            return _to_concern(concern)
    return render(request, "triage/concern_form.html", {"form": form})


@require_GET
@access.guard(roles=roles.CONCERN_VIEWERS)
def concern_detail(request: AuthenticatedRequest, concern: UUID) -> HttpResponse:
    record = _concern(request, concern)
    membership = request.membership
    context = {
        "concern": record,
        "involvements": record.involvements_in_order(),
        "guidance": guidance_for(record),
        "histories": selectors.concern_history(
            [i.child for i in record.involvements.all()],
            membership=membership,
            exclude=record,
            on=record.occurred_on,
        ),
        **access.abilities(membership, record),
        **pages.on_concern_page(record, membership),
        **_guidance_words(),
    }
    return render(request, "triage/concern_detail.html", context)


def _guidance_words() -> dict[str, str]:
    return {"under_13_text": UNDER_13_TEXT, "under_13_source": UNDER_13_SOURCE}


@GET_POST
@access.guard(roles=roles.CONCERN_AUTHORS)
def concern_edit(request: AuthenticatedRequest, concern: UUID) -> HttpResponse:
    record = _concern(request, concern, Action.CHANGE)
    initial = {
        name: getattr(record, name)
        for name in forms.ConcernForm.base_fields
        if name != "submission"  # only reporting a concern carries a one-time token
    }
    form = forms.ConcernForm(
        posted(request),
        initial=initial,
        concern=record,
        submit_label="Save changes",
    )
    if form.is_valid():
        details = dict(form.cleaned_data)
        version = details.pop("version")
        try:
            services.update_concern(concern=record, version=version, **acting(request), **details)
        except StaleRecord as stale:
            form.refuse_as_stale(stale)
        else:
            messages.success(request, "Concern updated")
            return _to_concern(record)
    return _show(request, "triage/concern_form.html", record, form=form)


# The children involved


@GET_POST
@access.guard(roles=roles.CONCERN_AUTHORS, rate_limit=limits.SEARCHES)
def child_find(request: AuthenticatedRequest, concern: UUID) -> HttpResponse:
    record = _concern(request, concern, Action.CHANGE)
    form = forms.FindChildForm(
        posted(request),
        initial={"version": record.version},
        concern=record,
    )
    if not form.is_valid():
        return _show(request, "triage/child_find.html", record, form=form)
    access.record_view(request, record)
    search = {k: form.cleaned_data[k] for k in ("given_name", "family_name", "date_of_birth")}
    matches = access.likely_matches(request, **search)
    if matches:
        choose = forms.ChooseChildForm(
            initial=form.cleaned_data,
            matches=matches,
            request=request,
            action=reverse("triage:concern-child-choose", args=[record.public_id]),
        )
        return render(request, "triage/child_choose.html", {"concern": record, "form": choose})
    return _new_child_page(request, record, form.cleaned_data)


def _new_child_page(
    request: AuthenticatedRequest, concern: Concern, search: dict[str, Any]
) -> HttpResponse:
    born = search["date_of_birth"]
    checked = f"{search['given_name'].strip().casefold()}|"
    checked += f"{search['family_name'].strip().casefold()}|{born}"
    form = forms.NewChildForm(
        initial={**search, "matches_checked_for": checked},
        concern=concern,
        request=request,
        action=reverse("triage:concern-child-new", args=[concern.public_id]),
    )
    return render(request, "triage/child_new.html", {"concern": concern, "form": form})


@require_POST
@access.guard(roles=roles.CONCERN_AUTHORS)
def child_choose(request: AuthenticatedRequest, concern: UUID) -> HttpResponse:
    record = _concern(request, concern, Action.CHANGE)
    form = forms.ChooseChildForm(
        request.POST,
        request=request,
        action=reverse("triage:concern-child-choose", args=[record.public_id]),
    )
    if form.is_valid():
        child = form.chosen_child
        if child is None:
            return _new_child_page(request, record, form.cleaned_data)
        try:
            services.add_child_to_concern(
                concern=record,
                child=child,
                part=form.cleaned_data["part"],
                developmental_age=form.cleaned_data["developmental_age"],
                version=form.cleaned_data["version"],
                **acting(request),
            )
        except StaleRecord as stale:
            form.refuse_as_stale(stale)
        except services.ChildAlreadyInvolved:
            form.add_error("match", f"{child.full_name} is already on this concern")
        else:
            messages.success(request, f"{child.full_name} added to the concern")
            return _to_concern(record)
    return _show(request, "triage/child_choose.html", record, form=form)


@require_POST
@access.guard(roles=roles.CONCERN_AUTHORS)
def child_new(request: AuthenticatedRequest, concern: UUID) -> HttpResponse:
    record = _concern(request, concern, Action.CHANGE)
    form = forms.NewChildForm(
        request.POST,
        concern=record,
        request=request,
        action=reverse("triage:concern-child-new", args=[record.public_id]),
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            involvement = services.record_new_child(
                concern=record,
                part=data["part"],
                developmental_age=data["developmental_age"],
                household=data.get("household", []),
                version=data["version"],
                submission=data["submission"],
                **acting(request),
                **form.child_details(),
            )
        except StaleRecord as stale:
            form.refuse_as_stale(stale)
        except tokens.AlreadySubmitted as sent:
            if tokens.is_own_resend(sent, request=request, form=form):
                return _to_concern(record)
        else:
            messages.success(request, f"{involvement.child.full_name} added to the concern")
            return _to_concern(record)
    return _show(request, "triage/child_new.html", record, form=form)


@GET_POST
@access.guard(roles=roles.CONCERN_AUTHORS)
def involvement_edit(
    request: AuthenticatedRequest, concern: UUID, involvement: UUID
) -> HttpResponse:
    record = _concern(request, concern, Action.CHANGE)
    link = _involvement(record, involvement)
    form = forms.InvolvementForm(
        posted(request),
        initial={
            "version": record.version,
            "part": link.part,
            "developmental_age": link.developmental_age,
        },
        involvement=link,
    )
    if form.is_valid():
        try:
            services.change_involvement(involvement=link, **form.cleaned_data, **acting(request))
        except StaleRecord as stale:
            form.refuse_as_stale(stale)
        else:
            messages.success(request, f"Changes to {link.child.full_name} saved")
            return _to_concern(record)
    return _show(request, "triage/involvement_form.html", record, form=form, involvement=link)


@require_POST
@access.guard(roles=roles.CONCERN_AUTHORS)
def involvement_remove(
    request: AuthenticatedRequest, concern: UUID, involvement: UUID
) -> HttpResponse:
    record = _concern(request, concern, Action.CHANGE)
    link = _involvement(record, involvement)
    form = forms.RemoveChildForm(request.POST)
    try:
        if not form.is_valid():
            raise StaleRecord(record, what="this concern")
        services.remove_child_from_concern(
            involvement=link, version=form.cleaned_data["version"], **acting(request)
        )
    except StaleRecord as stale:
        messages.error(request, stale.message)
    else:
        messages.success(request, f"{link.child.full_name} removed from the concern")
    return _to_concern(record)


# The traffic light rating


def _rated(
    request: AuthenticatedRequest, concern: UUID, involvement: UUID
) -> tuple[Concern, ConcernChild]:
    record = _concern(request, concern, Action.CHANGE)
    link = _involvement(record, involvement)
    if not link.is_child_who_harmed:
        raise Http404  # only the behaviour of a child who has harmed is rated
    return record, link


def _history_of(request: AuthenticatedRequest, concern: Concern, *children: Child) -> list[Any]:
    return selectors.concern_history(
        children,
        membership=request.membership,
        exclude=concern,
        on=concern.occurred_on,
    )


@GET_POST
@access.guard(roles=roles.CONCERN_AUTHORS)
def rating_edit(request: AuthenticatedRequest, concern: UUID, involvement: UUID) -> HttpResponse:
    record, link = _rated(request, concern, involvement)
    rating = link.rating_or_none
    edition = rating.band.edition if rating else selectors.current_edition()
    if edition is None:
        messages.error(
            request,
            "The traffic light tool has not been loaded. Ask your administrator to load it "
            "(manage.py loaddata brook_traffic_light).",
        )
        return _to_concern(record)
    bands, behaviours = selectors.brook_lists(edition, link.offered_bands)
    form = forms.RatingForm(
        posted(request),
        initial=_rating_initial(record, link, bands),
        involvement=link,
        edition=edition,
        bands=bands,
        behaviours=behaviours,
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.rate_behaviour(
                involvement=link,
                band=data["band_object"],
                behaviours=data["behaviours"],
                behaviour_not_listed=data["behaviour_not_listed"],
                signs=data["signs"],
                answers=data["answers"],
                version=data["version"],
                **acting(request),
            )
        except StaleRecord as stale:
            form.refuse_as_stale(stale)
        else:
            return redirect(
                "triage:rating-colour", concern=record.public_id, involvement=link.public_id
            )
    context = {
        "form": form,
        "involvement": link,
        "histories": _history_of(request, record, link.child),
    }
    return _show(request, "triage/rating_form.html", record, **context)


def _rating_initial(concern: Concern, link: ConcernChild, bands: list[BrookBand]) -> dict[str, Any]:
    initial: dict[str, Any] = {"version": concern.version}
    rating = link.rating_or_none
    if rating is None:
        return initial
    ticked = {b.pk: b for b in rating.behaviours.all()}
    initial["band"] = rating.band.code
    for band in bands:
        for colour in ("green", "amber", "red"):
            initial[forms.behaviours_field_name(band, colour)] = [
                str(pk) for pk, b in ticked.items() if b.band_id == band.pk and b.colour == colour
            ]
    initial["behaviour_not_listed"] = rating.behaviour_not_listed
    initial["signs"] = [sign.value for sign in HarmfulSign if getattr(rating, sign.value)]
    initial.update(
        forms.context_initial(questions_in(ContextSection.A), list(rating.context_answers.all()))
    )
    return initial


@GET_POST
@access.guard(roles=roles.CONCERN_AUTHORS)
def rating_colour(request: AuthenticatedRequest, concern: UUID, involvement: UUID) -> HttpResponse:
    record, link = _rated(request, concern, involvement)
    rating = link.rating_or_none
    if rating is None:
        return redirect("triage:rating-edit", concern=record.public_id, involvement=link.public_id)
    form = forms.ColourForm(
        posted(request),
        initial={
            "version": record.version,
            "final_colour": rating.final_colour or rating.suggested_colour,
            "colour_reason": rating.colour_reason,
        },
        suggested=rating.suggested_colour,
        edition=rating.band.edition,
    )
    if form.is_valid():
        try:
            services.choose_colour(rating=rating, **form.cleaned_data, **acting(request))
        except StaleRecord as stale:
            form.refuse_as_stale(stale)
        else:
            messages.success(request, f"Traffic light rating for {link.child.full_name} saved")
            return _to_concern(record)
    return _show(
        request, "triage/rating_colour.html", record, form=form, involvement=link, rating=rating
    )


@GET_POST
@access.guard(roles=roles.CONCERN_AUTHORS)
def rating_context(request: AuthenticatedRequest, concern: UUID, involvement: UUID) -> HttpResponse:
    record, link = _rated(request, concern, involvement)
    rating = link.rating_or_none
    if rating is None:
        return redirect("triage:rating-edit", concern=record.public_id, involvement=link.public_id)
    questions = questions_in(*forms.OPTIONAL_SECTIONS)
    initial = {"version": record.version}
    initial.update(forms.context_initial(questions, list(rating.context_answers.all())))
    form = forms.ContextForm(posted(request), initial=initial)
    if form.is_valid():
        try:
            services.record_context(
                rating=rating,
                answers=form.cleaned_data["answers"],
                version=form.cleaned_data["version"],
                **acting(request),
            )
        except StaleRecord as stale:
            form.refuse_as_stale(stale)
        else:
            messages.success(request, f"Context considerations for {link.child.full_name} saved")
            return _to_concern(record)
    return _show(request, "triage/rating_context.html", record, form=form, involvement=link)


# Guidance, and the DSL's review


@GET_POST
@access.guard(roles=roles.CONCERN_AUTHORS)
def concern_next_step(request: AuthenticatedRequest, concern: UUID) -> HttpResponse:
    record = _concern(request, concern, Action.CHANGE)
    if not record.is_draft:
        messages.info(
            request, "This concern has already been sent to the designated safeguarding lead"
        )
        return _to_concern(record)
    guidance = guidance_for(record)
    form = forms.NextStepForm(
        posted(request),
        initial={"version": record.version},
        advised=guidance.recommended_next_step,
        problems=list(guidance.problems),
    )
    if form.is_valid():
        try:
            services.submit_concern(
                concern=record,
                guidance=guidance,
                chosen_next_step=form.cleaned_data["chosen_next_step"],
                reason=form.cleaned_data["reason"],
                version=form.cleaned_data["version"],
                **acting(request),
            )
        except StaleRecord as stale:
            form.refuse_as_stale(stale)
        else:
            messages.success(request, "Concern sent to your designated safeguarding lead")
            return _to_concern(record)
    context = {
        "form": form,
        "guidance": guidance,
        "histories": _history_of(request, record, *(i.child for i in record.involvements.all())),
        **_guidance_words(),
    }
    return _show(request, "triage/concern_next_step.html", record, **context)


@GET_POST
@access.guard(roles=roles.DSLS)
def concern_review(request: AuthenticatedRequest, concern: UUID) -> HttpResponse:
    record = _concern(request, concern, Action.CHANGE)
    if not record.is_awaiting_review:
        messages.info(request, "This concern is not waiting for a decision")
        return _to_concern(record)
    form = forms.ReviewForm(posted(request), initial={"version": record.version})
    if form.is_valid():
        try:
            services.review_concern(concern=record, **form.cleaned_data, **acting(request))
        except StaleRecord as stale:
            form.refuse_as_stale(stale)
        else:
            messages.success(request, "Decision saved")
            return _to_concern(record)
    context = {
        "form": form,
        "involvements": record.involvements_in_order(),
        "guidance": guidance_for(record),
        "histories": _history_of(request, record, *(i.child for i in record.involvements.all())),
        **_guidance_words(),
    }
    return _show(request, "triage/concern_review.html", record, **context)
