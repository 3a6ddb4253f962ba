"""Referral pages: making referrals, the screening queue, screening, allocation, follow-ups and
'no names' advice.

Each view: method guard, role guard, the record through the access policy, the form, then a
service (for a change) or a selector (for a page), then render or redirect.
"""

from typing import Any, TypeVar, cast
from urllib.parse import urlencode
from uuid import UUID

from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hsb_portal import access, limits
from hsb_portal.accounts import roles
from hsb_portal.accounts.models import AgencyKind, LocalAuthority
from hsb_portal.audit.models import Action
from hsb_portal.conflicts import StaleRecord
from hsb_portal.http import AuthenticatedRequest, acting, posted
from hsb_portal.submissions import tokens
from referrals import forms, selectors, services
from referrals.models import (
    InvalidTransition,
    NoNamesConsultation,
    Referral,
    part_words,
)
from referrals.outcomes import outcome_for_referrer
from triage import selectors as triage_selectors
from triage.models import Concern, Part
from triage.models import InvalidTransition as ConcernNotReferable

PAGE_SIZE = 25

GET_POST = require_http_methods(["GET", "POST"])


def _referral(
    request: AuthenticatedRequest, public_id: UUID, action: Action = Action.VIEW
) -> Referral:
    return access.get_or_deny(request, selectors.referral_for_page(), public_id, action)


def _to_referral(referral: Referral) -> HttpResponse:
    return redirect("referrals:referral-detail", referral=referral.public_id)


def _show(
    request: AuthenticatedRequest, template: str, referral: Referral, **context: Any
) -> HttpResponse:
    """Render a referral's form page; a POST that comes back with errors shows the record
    again, so it is audited as a view."""
    return access.render_form_page(request, template, referral, {"referral": referral, **context})


def _with_errors(*page_forms: django_forms.Form) -> list[django_forms.Form]:
    """The forms of a many-form page that have errors, in page order, for its one summary."""
    return [form for form in page_forms if form.is_bound and form.errors]


_Form = TypeVar("_Form", bound=django_forms.Form)


def _unbound(form: _Form, **kwargs: Any) -> _Form:
    """The same form, unbound but showing what was typed: for a part of the page that is not
    being submitted (a child not referred), so that it shows no errors and loses nothing."""
    initial = {name: form[name].value() for name in form.fields}
    return type(form)(prefix=form.prefix, initial=initial, **kwargs)


# Making referrals from a concern


@GET_POST
@access.guard(roles=roles.DSLS)
def concern_refer(request: AuthenticatedRequest, concern: UUID) -> HttpResponse:
    record: Concern = access.get_or_deny(
        request, triage_selectors.concern_for_page(), concern, Action.CREATE
    )
    if not record.is_to_be_referred:
        messages.info(request, "The referrals for this concern have been made")
        return redirect("triage:concern-detail", concern=record.public_id)
    page = _ReferPage(request, record)
    if request.method == "POST" and page.is_valid():
        try:
            referrals = services.make_referrals_from_concern(
                concern=record,
                involvements=page.chosen,
                contents=page.contents.contents(),
                consents={i.pk: page.consents[i.pk].consent() for i in page.chosen},
                unpaired_reason=page.refer.cleaned_data["unpaired_reason"],
                version=page.refer.cleaned_data["version"],
                **acting(request),
            )
        except StaleRecord as stale:
            page.refer.refuse_as_stale(stale)
        except ConcernNotReferable:
            messages.info(request, "The referrals for this concern have been made")
            return redirect("triage:concern-detail", concern=record.public_id)
        else:
            names = ", ".join(r.child.full_name for r in referrals)
            messages.success(request, f"Referrals made for {names}")
            return redirect("triage:concern-detail", concern=record.public_id)
    if request.method == "POST":
        access.record_view(request, record)
    return render(request, "referrals/concern_refer.html", page.context())


class _ReferPage:
    """The forms of the 'make the referrals' page: the children, the contents, and consent
    for each child referred."""

    def __init__(self, request: AuthenticatedRequest, concern: Concern) -> None:
        data = posted(request)
        self.concern = concern
        self.involvements = forms.referable_involvements(concern)
        self.refer = forms.ReferConcernForm(
            data,
            initial={
                "version": concern.version,
                "children": [str(i.public_id) for i in self.involvements],
            },
            involvements=self.involvements,
        )
        self.contents = forms.ContentsForm(data, initial=forms.concern_contents_initial(concern))
        self.consents = {
            i.pk: forms.ConsentForm(
                data,
                prefix=f"consent-{i.public_id}",
                name=i.child.full_name,
                part=i.part,
                age=i.child.age_on(timezone.localdate()),
            )
            for i in self.involvements
        }
        self.chosen: list[Any] = []

    def is_valid(self) -> bool:
        valid = self.refer.is_valid()
        valid = self.contents.is_valid() and valid
        # The children ticked, even when something else on the page needs putting right.
        self.chosen = self.refer.chosen()
        chosen_pks = {i.pk for i in self.chosen}
        for involvement in self.involvements:
            form = self.consents[involvement.pk]
            if involvement.pk in chosen_pks:
                valid = form.is_valid() and valid
            else:
                self.consents[involvement.pk] = _unbound(
                    form,
                    name=form.name,
                    part=form.part,
                    age=form.age,
                )
        return valid

    def context(self) -> dict[str, Any]:
        consents = [(i, self.consents[i.pk]) for i in self.involvements]
        return {
            "concern": self.concern,
            "refer_form": self.refer,
            "contents_form": self.contents,
            "consents": consents,
            "error_forms": _with_errors(self.refer, self.contents, *(f for _, f in consents)),
        }


# Telephone referrals and police notifications


class _ChildrenPage:
    """The forms of a page that names the children itself: a child who has harmed and a
    child harmed (either may be left blank, with a reason), consent for each, the incident and
    the contents."""

    PARTS = (("harmer", Part.CHILD_WHO_HARMED), ("harmed", Part.CHILD_HARMED))

    def __init__(
        self, request: AuthenticatedRequest, first: django_forms.Form, *, dsl_label: str
    ) -> None:
        data = posted(request)
        self.first = first
        self.children = {
            key: forms.ChildForm(data, prefix=key, part=part, request=request)
            for key, part in self.PARTS
        }
        self.consents = {
            key: forms.ConsentForm(
                data,
                prefix=f"{key}-consent",
                name=f"the {part_words(part)}",
                part=part,
                age=None,
            )
            for key, part in self.PARTS
        }
        self.incident = forms.IncidentForm(data, dsl_label=dsl_label)
        self.contents = forms.ContentsForm(data)

    def is_valid(self) -> bool:
        valid = self.first.is_valid()
        valid = self.incident.is_valid() and valid
        valid = self.contents.is_valid() and valid
        named = [key for key, form in self.children.items() if not form.is_blank]
        if not named:
            self.children["harmer"].add_error(
                "given_name",
                "Name at least one child: the child who has harmed or the child harmed",
            )
            valid = False
        for key, form in self.children.items():
            consent = self.consents[key]
            if key in named:
                valid = form.is_valid() and valid
                valid = consent.is_valid() and valid
            else:
                self.consents[key] = _unbound(
                    consent, name=consent.name, part=consent.part, age=None
                )
        parts = [form.part for key, form in self.children.items() if key in named]
        unpaired = named and not services.is_paired(parts)
        if unpaired and not self.incident.cleaned_data.get("unpaired_reason", "").strip():
            self.incident.add_error("unpaired_reason", "Say why only one child is referred")
            valid = False
        return valid

    def children_to_refer(self) -> list[services.ChildToRefer]:
        return [
            form.child_to_refer(self.consents[key].consent())
            for key, form in self.children.items()
            if not form.is_blank
        ]

    def incident_fields(self) -> dict[str, Any]:
        data = self.incident.cleaned_data
        return {
            name: data[name]
            for name in (
                "happened_in",
                "incident_on",
                "brook_colour",
                "dsl_consulted",
                "dsl_name",
                "unpaired_reason",
            )
        }

    def context(self, **extra: Any) -> dict[str, Any]:
        sections = [(self.children[key], self.consents[key]) for key, _ in self.PARTS]
        forms_in_order = [self.first]
        for child, consent in sections:
            forms_in_order += [child, consent]
        return {
            "first_form": self.first,
            "sections": sections,
            "incident_form": self.incident,
            "contents_form": self.contents,
            "error_forms": _with_errors(*forms_in_order, self.incident, self.contents),
            **extra,
        }


def _made(request: AuthenticatedRequest, referrals: list[Referral]) -> HttpResponse:
    names = ", ".join(f"{r.child.full_name} ({r.reference})" for r in referrals)
    messages.success(request, f"Referrals recorded: {names}")
    return _to_referral(referrals[0])


@GET_POST
@access.guard(roles=roles.SCREENERS)
def telephone_referral_create(request: AuthenticatedRequest) -> HttpResponse:
    membership = request.membership
    caller = forms.CallerForm(
        posted(request),
        membership=membership,
        initial={
            "phoned_on": timezone.localdate(),
            "phoned_time": f"{timezone.localtime():%H:%M}",
        },
    )
    page = _ChildrenPage(
        request, caller, dsl_label="Did the caller consult their designated safeguarding lead?"
    )
    if request.method == "POST" and (earlier := tokens.earlier_send(request, caller)):
        return redirect("referrals:referral-detail", referral=earlier.object_id)
    if request.method == "POST" and page.is_valid():
        try:
            referrals = services.record_telephone_referral(
                children=page.children_to_refer(),
                referrer=caller.referrer(),
                contents=page.contents.contents(),
                phoned_at=caller.cleaned_data["phoned_at"],
                submission=caller.cleaned_data["submission"],
                **page.incident_fields(),
                **acting(request),
            )
        except tokens.AlreadySubmitted as sent:
            if tokens.is_own_resend(sent, request=request, form=caller):
                return redirect("referrals:referral-detail", referral=sent.object_id)
        else:
            return _made(request, referrals)
    return render(request, "referrals/telephone_referral_form.html", page.context())


@GET_POST
@access.guard(roles=roles.CONCERN_AUTHORS, agency_kinds={AgencyKind.POLICE})
def police_notification_create(request: AuthenticatedRequest) -> HttpResponse:
    police = forms.PoliceForm(posted(request))
    page = _ChildrenPage(
        request, police, dsl_label="Was your safeguarding lead or supervisor consulted?"
    )
    if request.method == "POST" and (earlier := tokens.earlier_send(request, police)):
        return redirect("referrals:referral-detail", referral=earlier.object_id)
    if request.method == "POST" and page.is_valid():
        try:
            referrals = services.record_police_notification(
                children=page.children_to_refer(),
                police_reference=police.cleaned_data["police_reference"],
                contents=page.contents.contents(),
                submission=police.cleaned_data["submission"],
                **page.incident_fields(),
                **acting(request),
            )
        except tokens.AlreadySubmitted as sent:
            if tokens.is_own_resend(sent, request=request, form=police):
                return redirect("referrals:referral-detail", referral=sent.object_id)
        else:
            return _made(request, referrals)
    return render(request, "referrals/police_notification_form.html", page.context())


# Reading referrals


@require_GET
@access.guard(roles=roles.REFERRAL_READERS)
def referral_list(request: AuthenticatedRequest) -> HttpResponse:
    rows = selectors.referrals_for(request.membership)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    access.audit_list_view(request, page.object_list, kind="referrals")
    return render(request, "referrals/referral_list.html", {"page": page})


@require_GET
@access.guard(roles=roles.SCREENERS, rate_limit=limits.SEARCHES)
def screening_queue(request: AuthenticatedRequest) -> HttpResponse:
    membership = request.membership
    form = forms.QueueFilterForm(request.GET or None, membership=membership)
    rows = selectors.referrals_for_screening_queue(membership, form.filters())
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    access.audit_list_view(request, page.object_list, kind="referrals in the screening queue")
    query = urlencode([(k, v) for k, v in request.GET.items() if k != "page"])
    context = {"form": form, "page": page, "query": query}
    return render(request, "referrals/screening_queue.html", context)


@require_GET
@access.guard(roles=roles.REFERRAL_READERS)
def referral_detail(request: AuthenticatedRequest, referral: UUID) -> HttpResponse:
    record = _referral(request, referral)
    membership = request.membership
    offers = access.abilities(membership, record)
    concern_url = ""
    if record.concern is not None and offers["can_open_concern"]:
        concern_url = reverse("triage:concern-detail", args=[record.concern.public_id])
    context = {
        "referral": record,
        "concern_url": concern_url,
        "linked": selectors.linked_referrals(record, membership),
        "outcome": outcome_for_referrer(record),
        **offers,
    }
    return render(request, "referrals/referral_detail.html", context)


# Screening


@require_POST
@access.guard(roles=roles.SCREENERS)
def referral_take(request: AuthenticatedRequest, referral: UUID) -> HttpResponse:
    record = _referral(request, referral, Action.CHANGE)
    try:
        services.take_referral(referral=record, **acting(request))
    except services.AlreadyTaken as taken:
        who = taken.claimant.full_name if taken.claimant else "Another screener"
        messages.error(request, f"{who} has already taken this referral")
        return _to_referral(record)
    messages.success(request, "You have taken this referral to screen")
    return redirect("referrals:referral-screen", referral=record.public_id)


@GET_POST
@access.guard(roles=roles.SCREENERS)
def referral_hand_back(request: AuthenticatedRequest, referral: UUID) -> HttpResponse:
    record = _referral(request, referral, Action.CHANGE)
    if not record.is_in_screening:
        messages.info(request, "This referral is not being screened")
        return _to_referral(record)
    form = forms.HandBackForm(posted(request), initial={"version": record.version})
    if form.is_valid():
        try:
            services.hand_back_referral(
                referral=record,
                why=form.cleaned_data["why"],
                version=form.cleaned_data["version"],
                **acting(request),
            )
        except StaleRecord as stale:
            form.refuse_as_stale(stale)
        else:
            messages.success(request, "The referral is back in the queue")
            return redirect("referrals:screening-queue")
    return _show(request, "referrals/referral_hand_back.html", record, form=form)


@GET_POST
@access.guard(roles=roles.SCREENERS)
def referral_screen(request: AuthenticatedRequest, referral: UUID) -> HttpResponse:
    record = _referral(request, referral, Action.CHANGE)
    if record.is_received:
        messages.info(request, "Take the referral before you record the screening decision")
        return _to_referral(record)
    form = forms.ScreeningForm(
        posted(request), initial={"version": record.version}, referral=record
    )
    if record.is_decided and request.method == "GET":
        messages.info(request, "This referral has been screened")
        return _to_referral(record)
    if form.is_valid():
        try:
            services.record_screening_decision(
                referral=record, **form.cleaned_data, **acting(request)
            )
        except StaleRecord as stale:
            form.refuse_as_stale(stale)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
        except InvalidTransition:
            messages.info(request, "This referral has been screened")
            return _to_referral(record)
        else:
            messages.success(request, "Screening decision saved")
            if record.needs_social_worker:
                return redirect("referrals:referral-allocate", referral=record.public_id)
            return _to_referral(record)
    context = {"form": form, "linked": selectors.linked_referrals(record, request.membership)}
    return _show(request, "referrals/referral_screen.html", record, **context)


@GET_POST
@access.guard(roles=roles.ALLOCATORS)
def referral_allocate(request: AuthenticatedRequest, referral: UUID) -> HttpResponse:
    record = _referral(request, referral, Action.CHANGE)
    if not record.needs_social_worker:
        messages.info(
            request,
            "A social worker is allocated after a decision for a child in need assessment or "
            "a strategy meeting",
        )
        return _to_referral(record)
    current = record.current_allocation()
    form = forms.AllocationForm(
        posted(request),
        initial={
            "version": record.version,
            "social_worker": current.social_worker if current else None,
        },
        referral=record,
    )
    if form.is_valid():
        try:
            allocation = services.allocate_social_worker(
                referral=record,
                social_worker=form.cleaned_data["social_worker"],
                same_worker_reason=form.cleaned_data.get("same_worker_reason", ""),
                version=form.cleaned_data["version"],
                **acting(request),
            )
        except StaleRecord as stale:
            form.refuse_as_stale(stale)
        except services.SameSocialWorker as problem:
            form.add_error("social_worker", str(problem))
        except services.NotASocialWorker:
            form.add_error("social_worker", "Select a social worker from the list")
        else:
            who = allocation.social_worker.user.full_name
            messages.success(request, f"{who} allocated to {record.child.full_name}")
            return _to_referral(record)
    context = {"form": form, "linked": selectors.linked_referrals(record, request.membership)}
    return _show(request, "referrals/referral_allocate.html", record, **context)


@GET_POST
@access.guard(roles=roles.SCREENERS)
def referral_follow_up(request: AuthenticatedRequest, referral: UUID) -> HttpResponse:
    record = _referral(request, referral, Action.CHANGE)
    if not record.is_awaiting_follow_up:
        messages.info(request, "This referral is not waiting for a written follow-up")
        return _to_referral(record)
    form = forms.FollowUpForm(posted(request), initial={"version": record.version})
    if form.is_valid():
        try:
            services.record_written_follow_up(
                referral=record,
                note=form.cleaned_data["note"],
                version=form.cleaned_data["version"],
                **acting(request),
            )
        except StaleRecord as stale:
            form.refuse_as_stale(stale)
        else:
            messages.success(request, "Written follow-up recorded")
            return _to_referral(record)
    context = {"form": form}
    return _show(request, "referrals/referral_follow_up.html", record, **context)


# 'No names' consultations


@require_GET
@access.guard(roles=roles.CONSULTATION_READERS)
def consultation_list(request: AuthenticatedRequest) -> HttpResponse:
    rows = selectors.consultations_for(request.membership)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    can_record = access.may_reach(request.membership, "referrals:consultation-create")
    return render(
        request, "referrals/consultation_list.html", {"page": page, "can_record": can_record}
    )


@GET_POST
@access.guard(roles=roles.SCREENERS)
def consultation_create(request: AuthenticatedRequest) -> HttpResponse:
    membership = request.membership
    form = forms.ConsultationForm(
        posted(request),
        membership=membership,
        initial={
            "asked_on": timezone.localdate(),
            "asked_time": f"{timezone.localtime():%H:%M}",
        },
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            consultation = services.record_no_names_consultation(
                # A screener acts for the MASH of the authorities its agency serves.
                authority=cast(LocalAuthority, membership.first_authority),
                asked_by_agency=data["asked_by_agency"],
                asked_by=data["asked_by"],
                asked_at=data["asked_at"],
                question=data["question"],
                advice=data["advice"],
                submission=data["submission"],
                **acting(request),
            )
        except tokens.AlreadySubmitted as sent:
            if tokens.is_own_resend(sent, request=request, form=form):
                return redirect("referrals:consultation-detail", consultation=sent.object_id)
        else:
            messages.success(request, "'No names' advice recorded")
            return redirect("referrals:consultation-detail", consultation=consultation.public_id)
    return render(request, "referrals/consultation_form.html", {"form": form})


@require_GET
@access.guard(roles=roles.CONSULTATION_READERS)
def consultation_detail(request: AuthenticatedRequest, consultation: UUID) -> HttpResponse:
    record: NoNamesConsultation = access.get_or_deny(
        request, selectors.consultation_for_page(), consultation
    )
    return render(request, "referrals/consultation_detail.html", {"consultation": record})
