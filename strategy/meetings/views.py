"""Strategy meeting pages: convening, arrangements, invitations and written contributions,
recording the minutes for each child, actions, approval, amendment, distribution, and each
child's minutes on screen and as a PDF.

Each view: method guard, role guard, the record through the access policy, the form, then a
service (for a change) or a selector (for a page), then render or redirect.
"""

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hsb_portal import access, limits
from hsb_portal.accounts import roles
from hsb_portal.audit.log import record as audit_record
from hsb_portal.audit.models import Action
from hsb_portal.conflicts import StaleRecord
from hsb_portal.documents import DocumentFailed, pdf_response
from hsb_portal.http import AuthenticatedRequest, acting, posted
from hsb_portal.submissions import tokens
from referrals.models import Referral, ReferralStatus
from referrals.selectors import referral_for_page
from strategy.meetings import documents, forms, selectors, services
from strategy.meetings.minutes import minutes_for_child
from strategy.models import Invitation, MeetingAction, MeetingChild, MinutesVersion, StrategyMeeting

PAGE_SIZE = 25
GET_POST = require_http_methods(["GET", "POST"])


def _meeting(
    request: AuthenticatedRequest, public_id: UUID, action: Action = Action.VIEW
) -> StrategyMeeting:
    return access.get_or_deny(request, selectors.meeting_for_page(), public_id, action)


def _to_meeting(meeting: StrategyMeeting) -> HttpResponse:
    return redirect("meetings:meeting-detail", meeting=meeting.public_id)


def _draft_or_redirect(
    request: AuthenticatedRequest, meeting: StrategyMeeting
) -> tuple[MinutesVersion | None, HttpResponse | None]:
    draft = selectors.draft_of(meeting)
    if draft is None:
        if meeting.has_approved_minutes:
            messages.info(request, services.APPROVED_MESSAGE)
        else:
            messages.info(request, "Record that the meeting took place before its minutes")
        return None, _to_meeting(meeting)
    return draft, None


# Convening


@require_GET
@access.guard(roles=roles.MEETING_READERS)
def meeting_list(request: AuthenticatedRequest) -> HttpResponse:
    rows = selectors.meetings_for(request.membership)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "strategy/meetings/meeting_list.html", {"page": page})


@GET_POST
@access.guard(roles=roles.MANAGERS)
def meeting_convene(request: AuthenticatedRequest, referral: UUID) -> HttpResponse:
    starting: Referral = access.get_or_deny(request, referral_for_page(), referral, Action.CHANGE)
    membership = request.membership
    if starting.status != ReferralStatus.STRATEGY_MEETING:
        messages.info(
            request, "A meeting is convened for a referral screened for a strategy meeting"
        )
        return redirect("referrals:referral-detail", referral=starting.public_id)
    linked = selectors.referrals_to_cover(starting, membership)
    this = next(r for r in linked if r.pk == starting.pk)
    if this.is_convened:
        messages.info(request, "A strategy meeting has already been convened for this child")
        place = (
            services.live_meeting_children()
            .filter(referral=starting)
            .select_related("meeting")
            .first()
        )
        return _to_meeting(place.meeting) if place else redirect("home")
    access.audit_list_view(
        request, [r for r in linked if r.pk != starting.pk], kind="referrals made together"
    )
    choosable = [
        r for r in linked if r.status == ReferralStatus.STRATEGY_MEETING and not r.is_convened
    ]
    convenor = services.convenor_for(choosable, starting=starting)
    context: dict[str, Any] = {"referral": starting, "linked": linked, "convenor": convenor}
    if convenor.authority.pk not in membership.authority_ids:
        return access.render_form_page(
            request, "strategy/meetings/meeting_convene.html", starting, context
        )
    due_by, due_rule = services.meeting_due(
        convenor.authority, min(r.received_at for r in choosable)
    )
    agencies = services.invitable_agencies(
        convenor.authority, {r.authority for r in linked} | {starting.happened_in}
    )
    form = forms.ConveneForm(
        posted(request),
        starting=starting,
        choosable=choosable,
        membership=membership,
        agencies=agencies,
        initial={
            "referrals": [str(r.public_id) for r in choosable],
            "chair": membership.pk,
            "agencies": [a.pk for a in agencies if a.kind in forms.DEFAULT_AGENCY_KINDS],
        },
    )
    if form.is_valid():
        try:
            meeting = services.convene_strategy_meeting(
                starting=starting,
                referrals=form.chosen(),
                chair=form.cleaned_data["chair"],
                scheduled_for=form.cleaned_data["scheduled_for"],
                meeting_format=form.cleaned_data["meeting_format"],
                location=form.cleaned_data["location"],
                late_reason=form.cleaned_data["late_reason"],
                agencies=list(form.cleaned_data["agencies"]),
                **acting(request),
            )
        except services.CannotConvene as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, f"Strategy meeting {meeting.reference} convened")
            return _to_meeting(meeting)
    context.update(form=form, due_by=due_by, due_rule=due_rule, now=timezone.now())
    return access.render_form_page(
        request, "strategy/meetings/meeting_convene.html", starting, context
    )


# The meeting page


@require_GET
@access.guard(roles=roles.MEETING_READERS)
def meeting_detail(request: AuthenticatedRequest, meeting: UUID) -> HttpResponse:
    record = _meeting(request, meeting)
    membership = request.membership
    # Every word of the meeting names only the children this person may know; the others
    # are their letter, as in the per-child minutes (issue 10, item 2).
    reader = selectors.reader_of(record, membership)
    children = selectors.children_for(record, membership, reader)
    sees_everything = any(link.sees_everything for link in children)
    draft = selectors.draft_of(record)
    latest = selectors.latest_approved_of(record)
    shown = draft or latest
    can_arrange = access.allows(membership, Action.CHANGE, record)
    # The actions this person may see: those about a child whose whole record they see (an
    # allocated social worker sees their own child's, not the other child's alone), and their own.
    actions = selectors.actions_of(shown, membership) if shown else []
    attendance = selectors.attendance_of(shown) if sees_everything and shown else []
    context = {
        "meeting": record,
        "words": selectors.meeting_words(record, reader, attendance=attendance, actions=actions),
        "children": children,
        "sees_everything": sees_everything,
        "draft": draft,
        "latest": latest,
        "own_invitations": selectors.own_invitations(record, membership),
        "completable": {
            action.pk
            for action in actions
            if shown is not None
            and shown.is_approved
            and access.allows(membership, Action.CHANGE, action)
        },
        "can_arrange": can_arrange,
        "is_chair": shown is not None and access.allows(membership, Action.CHANGE, shown),
        "today": timezone.localdate(),
        "now": timezone.now(),
    }
    return render(request, "strategy/meetings/meeting_detail.html", context)


@GET_POST
@access.guard(roles=roles.MANAGERS)
def meeting_edit(request: AuthenticatedRequest, meeting: UUID) -> HttpResponse:
    record = _meeting(request, meeting, Action.CHANGE)
    if not record.is_convened:
        messages.info(request, "Only a meeting not yet held can be rearranged")
        return _to_meeting(record)
    form = forms.ArrangementsForm(
        posted(request), meeting=record, initial=forms.arrangements_initial(record)
    )
    if form.is_valid():
        try:
            services.change_meeting_arrangements(
                meeting=record,
                chair=form.cleaned_data["chair"],
                scheduled_for=form.cleaned_data["scheduled_for"],
                meeting_format=form.cleaned_data["meeting_format"],
                location=form.cleaned_data["location"],
                late_reason=form.cleaned_data["late_reason"],
                version=form.cleaned_data["version"],
                **acting(request),
            )
        except StaleRecord as stale:
            form.refuse_as_stale(stale)
        except services.CannotConvene as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, "The arrangements are saved")
            return _to_meeting(record)
    context = {"meeting": record, "form": form}
    return access.render_form_page(request, "strategy/meetings/meeting_edit.html", record, context)


@GET_POST
@access.guard(roles=roles.MANAGERS)
def meeting_cancel(request: AuthenticatedRequest, meeting: UUID) -> HttpResponse:
    record = _meeting(request, meeting, Action.CHANGE)
    if not record.is_convened:
        messages.info(request, "Only a meeting not yet held can be cancelled")
        return _to_meeting(record)
    form = forms.CancelForm(posted(request), initial={"version": record.version})
    if form.is_valid():
        try:
            services.cancel_strategy_meeting(
                meeting=record,
                reason=form.cleaned_data["reason"],
                version=form.cleaned_data["version"],
                **acting(request),
            )
        except StaleRecord as stale:
            form.refuse_as_stale(stale)
        else:
            messages.success(request, f"Strategy meeting {record.reference} cancelled")
            return _to_meeting(record)
    context = {"meeting": record, "form": form}
    return access.render_form_page(
        request, "strategy/meetings/meeting_cancel.html", record, context
    )


# Invitations and written contributions


@GET_POST
@access.guard(roles=roles.MANAGERS)
def invitation_create(request: AuthenticatedRequest, meeting: UUID) -> HttpResponse:
    record = _meeting(request, meeting, Action.CHANGE)
    if not record.is_open:
        messages.info(request, "Invitations close when the minutes are approved")
        return _to_meeting(record)
    places = list(record.meeting_children.all())
    authorities = [record.authority, *(place.referral.authority for place in places)]
    form = forms.InviteForm(
        posted(request),
        agencies=services.invitable_agencies(record.authority, authorities),
        people=services.invitable_people(authorities),
    )
    if form.is_valid():
        try:
            invitation = services.invite_to_meeting(
                meeting=record,
                agency=form.cleaned_data["agency"],
                person=form.cleaned_data["person"],
                role_in_meeting=form.cleaned_data["role_in_meeting"],
                submission=form.cleaned_data["submission"],
                **acting(request),
            )
        except services.AlreadyInvited:
            form.add_error(None, "They are already invited to this meeting")
        except tokens.AlreadySubmitted as sent:
            if tokens.is_own_resend(sent, request=request, form=form):
                return _to_meeting(record)
        else:
            messages.success(request, f"{invitation.invitee} invited")
            return _to_meeting(record)
    context = {"meeting": record, "form": form}
    return access.render_form_page(
        request, "strategy/meetings/invitation_form.html", record, context
    )


@GET_POST
@access.guard(roles=roles.MEETING_READERS)
def invitation_answer(
    request: AuthenticatedRequest, meeting: UUID, invitation: UUID
) -> HttpResponse:
    rows = selectors.invitation_for_page().filter(meeting__public_id=meeting)
    record: Invitation = access.get_or_deny(request, rows, invitation, Action.CHANGE)
    if not record.meeting.is_open:
        messages.info(request, "The minutes are approved: the meeting takes no more answers")
        return _to_meeting(record.meeting)
    reader = selectors.reader_of(record.meeting, request.membership)
    words = selectors.invitation_words(record, reader)
    form = forms.AnswerForm(
        posted(request),
        can_reply=record.meeting.is_convened,
        initial={
            "version": record.version,
            "response": record.response,
            "contribution": words.contribution,
            "risk_view": words.risk_view,
        },
    )
    if form.is_valid():
        try:
            services.answer_invitation(
                invitation=record,
                response=form.cleaned_data.get("response") or record.response,
                contribution=form.written("contribution", record.contribution),
                risk_view=form.written("risk_view", record.risk_view),
                version=form.cleaned_data["version"],
                **acting(request),
            )
        except StaleRecord as stale:
            form.refuse_as_stale(stale)
        else:
            messages.success(request, "Your answer has been sent to the chair")
            return _to_meeting(record.meeting)
    context = {
        "invitation": record,
        "meeting": record.meeting,
        "words": words,
        "form": form,
    }
    return access.render_form_page(
        request, "strategy/meetings/invitation_answer.html", record, context
    )


# Holding the meeting and recording its minutes


@GET_POST
@access.guard(roles=roles.MANAGERS)
def meeting_hold(request: AuthenticatedRequest, meeting: UUID) -> HttpResponse:
    record = _meeting(request, meeting, Action.CHANGE)
    if not record.is_convened:
        messages.info(request, "The minutes of this meeting have been started")
        return _to_meeting(record)
    scheduled = timezone.localdate(record.scheduled_for)
    form = forms.HeldForm(
        posted(request),
        initial={"version": record.version, "held_on": min(scheduled, timezone.localdate())},
    )
    if form.is_valid():
        try:
            services.record_meeting_held(
                meeting=record,
                held_on=form.cleaned_data["held_on"],
                version=form.cleaned_data["version"],
                **acting(request),
            )
        except StaleRecord as stale:
            form.refuse_as_stale(stale)
        else:
            messages.success(request, "The minutes have been started: record each child's")
            return _to_meeting(record)
    context = {"meeting": record, "form": form}
    return access.render_form_page(request, "strategy/meetings/meeting_hold.html", record, context)


@GET_POST
@access.guard(roles=roles.MANAGERS)
def minutes_attendance(request: AuthenticatedRequest, meeting: UUID) -> HttpResponse:
    record = _meeting(request, meeting, Action.CHANGE)
    draft, away = _draft_or_redirect(request, record)
    if draft is None:
        return away  # type: ignore[return-value]
    rows = selectors.attendance_of(draft)
    form = forms.AttendanceForm(
        posted(request), rows=rows, initial=forms.attendance_initial(rows, draft.version)
    )
    if form.is_valid():
        try:
            services.record_attendance(
                minutes=draft,
                answers=form.answers(),
                others=form.others(),
                version=form.cleaned_data["version"],
                **acting(request),
            )
        except StaleRecord as stale:
            form.refuse_as_stale(stale)
        except services.MinutesApproved:
            messages.info(request, services.APPROVED_MESSAGE)
            return _to_meeting(record)
        else:
            messages.success(request, "Attendance saved")
            return _to_meeting(record)
    context = {"meeting": record, "form": form}
    return access.render_form_page(
        request, "strategy/meetings/minutes_attendance.html", record, context
    )


@GET_POST
@access.guard(roles=roles.MANAGERS)
def child_record(request: AuthenticatedRequest, meeting: UUID, meeting_child: UUID) -> HttpResponse:
    places = MeetingChild.objects.filter(meeting__public_id=meeting).select_related(
        "child", "referral__authority", "meeting__authority", "meeting__chair"
    )
    place: MeetingChild = access.get_or_deny(request, places, meeting_child, Action.CHANGE)
    record = selectors.meeting_for_page().get(pk=place.meeting_id)
    draft, away = _draft_or_redirect(request, record)
    if draft is None:
        return away  # type: ignore[return-value]
    child_minutes = draft.child_records.select_related("aim_lead_person").get(meeting_child=place)
    agencies = services.information_agencies(record)
    information = {
        row.agency_id: row.information
        for row in draft.agency_information.filter(meeting_child=place)
    }
    places_all = list(record.meeting_children.all())
    people = selectors.people_for(record, places_all)
    initial = forms.child_record_initial(child_minutes, information, agencies, draft.version)
    lead = child_minutes.aim_lead_person
    initial["aim_lead_person"] = next(
        (m.pk for m in people if lead is not None and m.user_id == lead.pk), None
    )
    form = forms.ChildRecordForm(
        posted(request),
        place=place,
        meeting_day=record.meeting_day,
        agencies=agencies,
        aim_agencies=services.invitable_agencies(
            record.authority, [record.authority, place.referral.authority]
        ),
        aim_people=people,
        initial=initial,
    )
    if form.is_valid():
        try:
            services.record_child_minutes(
                minutes=draft,
                place=place,
                answers=form.answers(),
                agency_information=form.agency_information(),
                version=form.cleaned_data["version"],
                **acting(request),
            )
        except StaleRecord as stale:
            form.refuse_as_stale(stale)
        except services.MinutesApproved:
            messages.info(request, services.APPROVED_MESSAGE)
            return _to_meeting(record)
        else:
            messages.success(request, f"Minutes saved for {place.child.full_name}")
            return _to_meeting(record)
    context = {
        "meeting": record,
        "place": place,
        "form": form,
        "contributions": [i for i in record.invitations.all() if i.has_contribution],
    }
    return access.render_form_page(request, "strategy/meetings/child_record.html", place, context)


# Actions


def _action_form(
    request: AuthenticatedRequest,
    meeting: StrategyMeeting,
    *,
    initial: dict[str, Any],
    submit_label: str,
) -> forms.ActionForm:
    places = list(meeting.meeting_children.all())
    return forms.ActionForm(
        posted(request),
        places=places,
        people=selectors.people_for(meeting, places),
        meeting_day=meeting.meeting_day,
        submit_label=submit_label,
        initial=initial,
    )


@GET_POST
@access.guard(roles=roles.MANAGERS)
def action_create(request: AuthenticatedRequest, meeting: UUID) -> HttpResponse:
    record = _meeting(request, meeting, Action.CHANGE)
    draft, away = _draft_or_redirect(request, record)
    if draft is None:
        return away  # type: ignore[return-value]
    form = _action_form(
        request, record, initial={"version": draft.version}, submit_label="Add the action"
    )
    if form.is_valid():
        try:
            services.add_action(
                minutes=draft,
                action=form.action(),
                version=form.cleaned_data["version"],
                **acting(request),
            )
        except StaleRecord as stale:
            form.refuse_as_stale(stale)
        except services.MinutesApproved:
            messages.info(request, services.APPROVED_MESSAGE)
            return _to_meeting(record)
        else:
            messages.success(request, "Action added")
            return _to_meeting(record)
    context = {"meeting": record, "form": form, "title": "Add an action"}
    return access.render_form_page(request, "strategy/meetings/action_form.html", record, context)


def _draft_action(
    request: AuthenticatedRequest, meeting: UUID, action: UUID
) -> tuple[StrategyMeeting, MeetingAction]:
    """The meeting (for a change) and one action of its draft minutes. An action of approved
    minutes is refused (they do not change); an action of no version of this meeting is 404."""
    record = _meeting(request, meeting, Action.CHANGE)
    found = (
        MeetingAction.objects.filter(minutes__meeting=record, public_id=action)
        .select_related("minutes__meeting", "owner")
        .prefetch_related("children")
        .first()
    )
    if found is None:
        audit_record(
            request.user,
            Action.REFUSED,
            record,
            membership=request.membership,
            children=[place.child.public_id for place in record.meeting_children.all()],
            detail="no such action in this meeting",
        )
        raise Http404
    if not found.minutes.is_draft:
        access.refuse(request, record, detail="approved minutes do not change")
    return record, found


@GET_POST
@access.guard(roles=roles.MANAGERS)
def action_edit(request: AuthenticatedRequest, meeting: UUID, action: UUID) -> HttpResponse:
    record, found = _draft_action(request, meeting, action)
    owner = next(
        (
            m.pk
            for m in selectors.people_for(record, list(record.meeting_children.all()))
            if m.user_id == found.owner_id and m.agency_id == found.owner_agency_id
        ),
        None,
    )
    form = _action_form(
        request,
        record,
        initial={
            "version": found.minutes.version,
            "description": found.description,
            "owner": owner,
            "due_on": found.due_on,
            "children": [str(place.public_id) for place in found.children.all()],
        },
        submit_label="Save the action",
    )
    if form.is_valid():
        try:
            services.change_action(
                meeting_action=found,
                action=form.action(),
                version=form.cleaned_data["version"],
                **acting(request),
            )
        except StaleRecord as stale:
            form.refuse_as_stale(stale)
        except services.MinutesApproved:
            messages.info(request, services.APPROVED_MESSAGE)
            return _to_meeting(record)
        else:
            messages.success(request, "Action saved")
            return _to_meeting(record)
    context = {"meeting": record, "form": form, "title": "Change an action", "action": found}
    return access.render_form_page(request, "strategy/meetings/action_form.html", record, context)


@require_POST
@access.guard(roles=roles.MANAGERS)
def action_remove(request: AuthenticatedRequest, meeting: UUID, action: UUID) -> HttpResponse:
    record, found = _draft_action(request, meeting, action)
    form = forms.RemoveActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, forms.OUT_OF_DATE)
        return _to_meeting(record)
    try:
        services.remove_action(
            meeting_action=found, version=form.cleaned_data["version"], **acting(request)
        )
    except StaleRecord as stale:
        messages.error(request, stale.message)
    except services.MinutesApproved:
        messages.info(request, services.APPROVED_MESSAGE)
    else:
        messages.success(request, "Action removed")
    return _to_meeting(record)


@require_POST
@access.guard(roles=roles.MEETING_READERS)
def action_complete(request: AuthenticatedRequest, meeting: UUID, action: UUID) -> HttpResponse:
    rows = (
        MeetingAction.objects.filter(minutes__meeting__public_id=meeting)
        .select_related("minutes__meeting", "minutes__meeting__chair")
        .prefetch_related("children__child")
    )
    found: MeetingAction = access.get_or_deny(request, rows, action, Action.CHANGE)
    try:
        services.complete_action(
            meeting_action=found, completed_on=timezone.localdate(), **acting(request)
        )
    except services.InvalidTransition as refused:
        messages.info(request, str(refused))
    else:
        messages.success(request, "Action marked as done")
    if request.POST.get("next") == "home":
        return redirect("home")
    return _to_meeting(found.minutes.meeting)


# Approval, amendment and distribution


def _chair_minutes(
    request: AuthenticatedRequest, meeting: StrategyMeeting, minutes: MinutesVersion | None
) -> MinutesVersion | None:
    """The minutes, if this person chairs the meeting; otherwise a 403 (audited)."""
    if minutes is not None and not access.allows(
        request.membership,
        Action.CHANGE,
        minutes,
    ):
        access.refuse(request, minutes, detail="only the chair approves, amends and distributes")
    return minutes


@GET_POST
@access.guard(roles=roles.MANAGERS)
def minutes_approve(request: AuthenticatedRequest, meeting: UUID) -> HttpResponse:
    """Each child's minutes as their readers will see them, with what still resembles another
    child marked: the chair keeps or redacts each, then approves."""
    record = _meeting(request, meeting, Action.CHANGE)
    draft, away = _draft_or_redirect(request, record)
    if draft is None:
        return away  # type: ignore[return-value]
    _chair_minutes(request, record, draft)
    checks = services.checks_of(draft)
    form = forms.ApproveForm(posted(request), initial={"version": draft.version}, checks=checks)
    if form.is_valid():
        try:
            services.approve_minutes(
                minutes=draft,
                version=form.cleaned_data["version"],
                decided=form.decided(),
                **acting(request),
            )
        except StaleRecord as stale:
            form.refuse_as_stale(stale)
        except services.MinutesApproved:
            messages.info(request, "These minutes have already been approved")
            return _to_meeting(record)
        except services.IncompleteMinutes as incomplete:
            for problem in incomplete.problems:
                form.add_error(None, problem)
        else:
            messages.success(request, f"Minutes version {draft.number} approved")
            return _to_meeting(record)
    context = {
        "meeting": record,
        "draft": draft,
        "form": form,
        "problems": services.approval_problems(draft, checks),
        "children": selectors.children_for(record, request.membership),
        "actions": selectors.actions_of(draft, request.membership),
    }
    return access.render_form_page(
        request, "strategy/meetings/minutes_approve.html", record, context
    )


@GET_POST
@access.guard(roles=roles.MANAGERS)
def minutes_amend(request: AuthenticatedRequest, meeting: UUID) -> HttpResponse:
    record = _meeting(request, meeting, Action.CHANGE)
    latest = selectors.latest_approved_of(record)
    if latest is None or selectors.draft_of(record) is not None:
        messages.info(request, "Only approved minutes with no amendment under way are amended")
        return _to_meeting(record)
    _chair_minutes(request, record, latest)
    form = forms.AmendForm(posted(request), initial={"version": record.version})
    if form.is_valid():
        try:
            draft = services.amend_minutes(
                meeting=record,
                reason=form.cleaned_data["reason"],
                version=form.cleaned_data["version"],
                **acting(request),
            )
        except StaleRecord as stale:
            form.refuse_as_stale(stale)
        except services.InvalidTransition as refused:
            messages.info(request, str(refused))
            return _to_meeting(record)
        else:
            messages.success(
                request,
                f"Amendment started: version {draft.number}. Version {latest.number} stays as "
                "approved",
            )
            return _to_meeting(record)
    context = {"meeting": record, "latest": latest, "form": form}
    return access.render_form_page(request, "strategy/meetings/minutes_amend.html", record, context)


@GET_POST
@access.guard(roles=roles.MANAGERS)
def minutes_distribute(request: AuthenticatedRequest, meeting: UUID) -> HttpResponse:
    record = _meeting(request, meeting, Action.CHANGE)
    latest = selectors.latest_approved_of(record)
    if latest is None:
        messages.info(request, "Minutes are distributed once they are approved")
        return _to_meeting(record)
    _chair_minutes(request, record, latest)
    places = list(record.meeting_children.all())
    people = list(services.distribution_people(record))
    invitees = services.invitees_among(record, people)
    sent = services.distributed(latest)
    form = forms.DistributeForm(
        posted(request), places=places, people=people, invitees=invitees, sent=sent
    )
    if form.is_valid():
        made = services.distribute_minutes(
            minutes=latest, choices=form.choices(), **acting(request)
        )
        messages.success(
            request,
            f"Minutes sent: {len(made)} new" if made else "Those people already had the minutes",
        )
        return _to_meeting(record)
    context = {"meeting": record, "latest": latest, "form": form, "sent": sent}
    return access.render_form_page(
        request, "strategy/meetings/minutes_distribute.html", record, context
    )


# One child's minutes


@require_GET
@access.guard(roles=roles.MEETING_READERS)
def child_minutes(
    request: AuthenticatedRequest, meeting: UUID, meeting_child: UUID, minutes: UUID
) -> HttpResponse:
    place, version = access.get_child_minutes_or_deny(
        request, meeting=meeting, meeting_child=meeting_child, minutes=minutes
    )
    content = minutes_for_child(place, version)
    context = {"meeting": place.meeting, "place": place, "version": version, "minutes": content}
    return render(request, "strategy/meetings/child_minutes.html", context)


@require_GET
@access.guard(roles=roles.MEETING_READERS, fresh_second_factor=True, rate_limit=limits.EXPORTS)
def child_minutes_pdf(
    request: AuthenticatedRequest, meeting: UUID, meeting_child: UUID, minutes: UUID
) -> HttpResponse:
    place, version = access.get_child_minutes_or_deny(
        request, meeting=meeting, meeting_child=meeting_child, minutes=minutes, action=Action.EXPORT
    )
    back = redirect(
        "meetings:child-minutes",
        meeting=place.meeting.public_id,
        meeting_child=place.public_id,
        minutes=version.public_id,
    )
    if not version.is_approved:
        messages.info(request, "Minutes can be downloaded once the chair approves them")
        return back
    try:
        data = documents.child_minutes_pdf(
            place=place,
            minutes=version,
            by=request.user,
            membership=request.membership,
        )
    except DocumentFailed:
        messages.error(request, documents.FAILED_MESSAGE)
        return back
    return pdf_response(data, filename_prefix=documents.FILENAME_PREFIX)
