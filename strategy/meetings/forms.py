"""The strategy meeting forms. They check input and say, in GOV.UK words, how to put it right;
the views pass what they clean to a service, which checks the same rules again."""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import Field, Fieldset, Size
from django import forms
from django.utils import timezone
from django.utils.html import format_html

from hsb_portal.accounts.models import Agency, AgencyKind, Membership
from hsb_portal.forms import (
    GovDateField,
    VersionedForm,
    helper,
    moment_from,
    out_of_date,
    text_field,
    time_field,
)
from hsb_portal.layout import Heading, Paragraph, Submit
from hsb_portal.submissions.tokens import OneTimeForm
from referrals.models import Referral
from strategy.meetings import services
from strategy.meetings.minutes import MinutesCheck
from strategy.models import (
    AimNeeded,
    Attendance,
    AttendanceStatus,
    ChildRecord,
    InvitationResponse,
    InviteeRole,
    MeetingChild,
    MeetingFormat,
    RedactionChoice,
    StrategyMeeting,
    ThresholdDecision,
    YesNoNotApplicable,
    is_later_than_due,
)
from triage.models import Part, YesNoUnknown

# The agencies DD 4 says must attend, ticked when a meeting is convened.
DEFAULT_AGENCY_KINDS = {
    AgencyKind.POLICE,
    AgencyKind.HEALTH,
    AgencyKind.SCHOOL,
    AgencyKind.YOUTH_JUSTICE,
    AgencyKind.CAMHS,
    AgencyKind.CHILDRENS_SOCIAL_CARE,
}


class MeetingVersionedForm(VersionedForm):
    """A form that changes a meeting or its draft minutes carries the version it was opened
    at (security.md §5)."""

    back_to = "the meeting"


OUT_OF_DATE = out_of_date(MeetingVersionedForm.back_to)


def _small_date(name: str) -> Field:
    return Field(name, context={"legend_size": "govuk-fieldset__legend--s"})


def _person_label(membership: Membership) -> str:
    role = membership.get_role_display().lower()
    return f"{membership.user.full_name}, {role}, {membership.agency.name}"


# Arranging the meeting


class ArrangementsFields(forms.Form):
    """When and where, and who chairs."""

    chair = forms.ModelChoiceField(
        label="Who chairs the meeting?",
        help_text="A social work manager of the convening authority (ST; DD 4).",
        queryset=Membership.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Select who chairs the meeting"},
    )
    scheduled_on = GovDateField(what="the date of the meeting", label="What date is the meeting?")
    scheduled_time = time_field("What time does it start?", "the meeting")
    meeting_format = forms.ChoiceField(
        label="How will people attend?",
        help_text="For harmful sexual behaviour, a meeting, not a telephone discussion (DD 4).",
        choices=MeetingFormat.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how people will attend"},
    )
    location = forms.CharField(
        label="Where is it, or how do people join?",
        max_length=300,
        error_messages={"required": "Enter where the meeting is, or how people join it"},
    )
    late_reason = text_field(
        "If the meeting is after the date it is due by, why?",
        max_length=5000,
        help_text="Needed only when the meeting is later than the procedure allows.",
    )

    def arrangements_layout(self) -> list[Any]:
        return [
            Field.radios("chair", legend_size=Size.SMALL),
            _small_date("scheduled_on"),
            Field.text("scheduled_time", field_width=5),
            Field.radios("meeting_format", legend_size=Size.SMALL),
            Field.text("location"),
            Field.textarea("late_reason", rows=3),
        ]

    def clean_arrangements(self, due_by: datetime | None) -> datetime | None:
        scheduled_for = moment_from(self, "scheduled_on", "scheduled_time", past_only=False)
        if (
            is_later_than_due(scheduled_for, due_by)
            and not self.cleaned_data.get("late_reason", "").strip()
        ):
            due = timezone.localtime(due_by)
            self.add_error(
                "late_reason",
                f"The meeting is after the date it is due by ({due:%-d %B %Y, %H:%M}): say why",
            )
        self.cleaned_data["scheduled_for"] = scheduled_for
        return scheduled_for


class ConveneForm(ArrangementsFields):
    referrals = forms.MultipleChoiceField(
        label="Which children is the meeting about?",
        help_text="One meeting may cover the children of one incident; everything is still "
        "recorded separately for each child (DD 4).",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select the children the meeting is about"},
    )
    agencies = forms.ModelMultipleChoiceField(
        label="Which agencies are invited?",
        help_text="Police, health, education, youth justice and CAMHS attend (ST; DD 4). The "
        "children's allocated social workers are invited by name, and a child's other local "
        "authority is always invited.",
        queryset=Agency.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        starting: Referral,
        choosable: Sequence[Referral],
        membership: Membership,
        agencies: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.starting = starting
        self.membership = membership
        self.choosable = {str(r.public_id): r for r in choosable}
        cast(forms.ChoiceField, self.fields["referrals"]).choices = [
            (
                str(r.public_id),
                f"{r.child.full_name}, {r.get_part_display().lower()} ({r.reference})",
            )
            for r in choosable
        ]
        chair = cast("forms.ModelChoiceField[Membership]", self.fields["chair"])
        chair.queryset = services.chairs_for_any(membership.authority_ids)
        # Relabels this field's choices only; mypy cannot type a method set on an instance.
        chair.label_from_instance = lambda m: f"{m.user.full_name}, {m.agency.name}"  # type: ignore[method-assign,assignment]
        cast("forms.ModelChoiceField[Agency]", self.fields["agencies"]).queryset = agencies
        self.helper = helper(
            Field.checkboxes("referrals", legend_size=Size.MEDIUM),
            *self.arrangements_layout(),
            Field.checkboxes("agencies", legend_size=Size.MEDIUM, small=True),
            Submit("submit", "Convene the meeting"),
        )

    def chosen(self) -> list[Referral]:
        return [
            self.choosable[pk]
            for pk in self.cleaned_data.get("referrals", [])
            if pk in self.choosable
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        chosen = self.chosen()
        due_by = None
        if chosen:
            problem = services.convening_problem(
                chosen, starting=self.starting, membership=self.membership
            )
            if problem:
                self.add_error("referrals", problem)
            else:
                convenor = services.convenor_for(chosen, starting=self.starting)
                due_by, _ = services.meeting_due(
                    convenor.authority, min(r.received_at for r in chosen)
                )
                chair = cleaned.get("chair")
                if (
                    chair is not None
                    and not services.chairs_for(convenor.authority).filter(pk=chair.pk).exists()
                ):
                    self.add_error(
                        "chair", f"Select a social work manager of {convenor.authority.name}"
                    )
        self.clean_arrangements(due_by)
        return cleaned


class ArrangementsForm(ArrangementsFields, MeetingVersionedForm):
    def __init__(self, *args: Any, meeting: StrategyMeeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        chair = cast("forms.ModelChoiceField[Membership]", self.fields["chair"])
        chair.queryset = services.chairs_for(meeting.authority)
        # Relabels this field's choices only; mypy cannot type a method set on an instance.
        chair.label_from_instance = lambda m: f"{m.user.full_name}, {m.agency.name}"  # type: ignore[method-assign,assignment]
        self.helper = helper(
            Field("version"), *self.arrangements_layout(), Submit("submit", "Save the arrangements")
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self.clean_arrangements(self.meeting.due_by)
        return cleaned


def arrangements_initial(meeting: StrategyMeeting) -> dict[str, Any]:
    local = timezone.localtime(meeting.scheduled_for)
    return {
        "version": meeting.version,
        "chair": meeting.chair_id,
        "scheduled_on": local.date(),
        "scheduled_time": f"{local:%H:%M}",
        "meeting_format": meeting.meeting_format,
        "location": meeting.location,
        "late_reason": meeting.late_reason,
    }


class CancelForm(MeetingVersionedForm):
    reason = text_field(
        "Why is the meeting cancelled?",
        "Enter why the meeting is cancelled",
        max_length=2000,
        help_text="Its children can then be convened again.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = helper(
            Field("version"),
            Field.textarea("reason", label_size=Size.SMALL, rows=3),
            Submit("submit", "Cancel the meeting", css_class="govuk-button--warning"),
        )


# Invitations


class InviteForm(OneTimeForm):
    agency = forms.ModelChoiceField(
        label="Which agency?",
        queryset=Agency.objects.none(),
        required=False,
        empty_label="Choose an agency",
    )
    person = forms.ModelChoiceField(
        label="Or which person, by name?",
        help_text="A named person sees the meeting as soon as they are invited; an agency "
        "invited as a whole, everyone acting for it.",
        queryset=Membership.objects.none(),
        required=False,
        empty_label="Choose a person",
    )
    role_in_meeting = forms.ChoiceField(
        label="Why are they invited?",
        choices=InviteeRole.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select why they are invited"},
    )

    def __init__(self, *args: Any, agencies: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Agency]", self.fields["agency"]).queryset = agencies
        person = cast("forms.ModelChoiceField[Membership]", self.fields["person"])
        person.queryset = people
        # Relabels this field's choices only; mypy cannot type a method set on an instance.
        person.label_from_instance = _person_label  # type: ignore[method-assign,assignment]
        self.helper = helper(
            Field("submission"),
            Field.select("agency"),
            Field.select("person"),
            Field.radios("role_in_meeting", legend_size=Size.SMALL),
            Submit("submit", "Send the invitation"),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("agency") is None and cleaned.get("person") is None and not self.errors:
            self.add_error("agency", "Select an agency or a person to invite")
        return cleaned


class AnswerForm(MeetingVersionedForm):
    response = forms.ChoiceField(
        label="Will you attend?",
        choices=InvitationResponse.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether you will attend"},
    )
    contribution = text_field(
        "What does your agency know about the children?",
        max_length=20000,
        help_text="Your written contribution. If you cannot attend, send it here (CA 14). Say "
        "which child each point is about.",
    )
    risk_view = text_field(
        "What is your agency's view of the risk? (optional)",
        max_length=10000,
        help_text="DD 4: agencies bring their concerns and their risk assessment in writing.",
    )

    def __init__(self, *args: Any, can_reply: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        layout: list[Any] = [Field("version")]
        if can_reply:
            layout.append(Field.radios("response", legend_size=Size.MEDIUM, inline=True))
        else:
            self.fields["response"].required = False
        layout += [
            Field.textarea("contribution", label_size=Size.MEDIUM, rows=8),
            Field.textarea("risk_view", label_size=Size.MEDIUM, rows=4),
            Submit("submit", "Send your answer"),
        ]
        self.helper = helper(*layout)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        problem = services.contribution_problem(
            cleaned.get("response", ""), cleaned.get("contribution", "")
        )
        if problem:
            self.add_error("contribution", problem)
        return cleaned

    def written(self, name: str, stored: str) -> str:
        """What the invitee sent in ``name``. The page shows the stored text as they may read
        it ("Child B" for a child they may not know), so text sent back as it was shown keeps
        the stored words; text they changed is saved as they sent it."""
        sent: str = self.cleaned_data[name]
        shown = str(self.initial.get(name, ""))
        return stored if sent.split() == shown.split() else sent


# Holding and recording


class HeldForm(MeetingVersionedForm):
    held_on = GovDateField(what="the date the meeting took place", label="When did it take place?")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = helper(
            Field("version"), _small_date("held_on"), Submit("submit", "Start the minutes")
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        held_on = cleaned.get("held_on")
        if held_on is not None and held_on > timezone.localdate():
            self.add_error(
                "held_on", "The date the meeting took place must be today or in the past"
            )
        return cleaned


class AttendanceForm(MeetingVersionedForm):
    other_name = forms.CharField(label="Name", max_length=150, required=False)
    other_agency = forms.CharField(label="Agency", max_length=200, required=False)
    other_role = forms.CharField(label="Role", max_length=150, required=False)

    def __init__(self, *args: Any, rows: Sequence[Attendance], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = list(rows)
        layout: list[Any] = [Field("version")]
        for row in self.rows:
            who = f"{row.agency_name}: {row.role}"
            self.fields[f"name-{row.position}"] = forms.CharField(
                label="Who attended, or was invited?",
                max_length=150,
                required=False,
                initial=row.name,
            )
            self.fields[f"status-{row.position}"] = forms.ChoiceField(
                label="Did they attend?",
                choices=AttendanceStatus.choices,
                widget=forms.RadioSelect,
                initial=row.status,
                error_messages={"required": f"Select whether {who} attended"},
            )
            layout.append(
                Fieldset(
                    Field.text(f"name-{row.position}"),
                    Field.radios(f"status-{row.position}", legend_size=Size.SMALL, inline=True),
                    legend=who,
                    legend_size=Size.SMALL,
                )
            )
        layout += [
            Fieldset(
                Field.text("other_name"),
                Field.text("other_agency"),
                Field.text("other_role"),
                legend="Anyone else who attended (optional)",
                legend_size=Size.SMALL,
            ),
            Submit("submit", "Save the attendance"),
        ]
        self.helper = helper(*layout)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for row in self.rows:
            name = cleaned.get(f"name-{row.position}", "").strip()
            if cleaned.get(f"status-{row.position}") == AttendanceStatus.PRESENT and not name:
                self.add_error(f"name-{row.position}", f"Enter who attended for {row.agency_name}")
        others = [
            cleaned.get(name, "").strip() for name in ("other_name", "other_agency", "other_role")
        ]
        if any(others) and not all(others):
            self.add_error(
                "other_name", "Enter the name, agency and role of the other person who attended"
            )
        return cleaned

    def answers(self) -> dict[int, services.AttendanceAnswer]:
        return {
            row.pk: services.AttendanceAnswer(
                name=self.cleaned_data[f"name-{row.position}"],
                status=self.cleaned_data[f"status-{row.position}"],
            )
            for row in self.rows
        }

    def others(self) -> list[tuple[str, str, str]]:
        values = tuple(
            self.cleaned_data[name].strip() for name in ("other_name", "other_agency", "other_role")
        )
        return [values] if all(values) else []


def attendance_initial(rows: Sequence[Attendance], version: int) -> dict[str, Any]:
    initial: dict[str, Any] = {"version": version}
    for row in rows:
        initial[f"name-{row.position}"] = row.name
        initial[f"status-{row.position}"] = row.status
    return initial


def _yes_no_na(label: str, what: str, **kwargs: Any) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=YesNoNotApplicable.choices,
        widget=forms.RadioSelect,
        required=False,
        **kwargs,
    )


class ChildRecordForm(MeetingVersionedForm):
    """What the meeting recorded about one child (domain.md §6)."""

    risks = text_field(
        "What are the risks?",
        max_length=20000,
        help_text="To this child, and from them: to siblings, the wider family, school and the "
        "community; how likely it is to escalate (CA 8.3).",
    )
    other_children_in_household = text_field(
        "Other children in the household: what protects them now?",
        max_length=10000,
        help_text="Other potential victims where the abuse is within the family or household (ST).",
    )
    should_leave_home = _yes_no_na(
        "Should the child who has harmed leave the home, at least for now?", "leave"
    )
    leave_home_detail = text_field("Where will they live, and who agreed it?", max_length=5000)
    school_safety_plan = _yes_no_na("Is a school safety plan needed?", "plan")
    school_safety_plan_detail = text_field("What is the plan?", max_length=5000)
    medical_checks = _yes_no_na("Are medical checks needed?", "checks")
    medical_checks_detail = text_field("Which checks, by whom?", max_length=5000)
    at_risk_of_significant_harm = forms.ChoiceField(
        label="Is the child who has harmed themselves suffering, or likely to suffer, "
        "significant harm?",
        help_text="Then Camden's protocol asks for a separate strategy meeting and conference "
        "for them (CA 8.3).",
        choices=YesNoUnknown.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    decision = forms.ChoiceField(
        label="What did the meeting decide for this child?",
        choices=ThresholdDecision.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    decision_reasons = text_field(
        "Why? (needed for no further action)",
        max_length=10000,
        help_text="For no further action, record the reasons and whether either child needs "
        "further assessment or support (DD 4).",
    )
    conference_on = GovDateField(
        what="the conference date",
        label="If the conference is booked, when is it? (optional)",
        required=False,
    )
    aim_needed = forms.ChoiceField(
        label="Is an AIM assessment needed?",
        help_text="CA 8.2, 8.3: whether to allocate an AIM assessment, and who does it.",
        choices=AimNeeded.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    aim_lead_agency = forms.ModelChoiceField(
        label="Which agency leads it?",
        queryset=Agency.objects.none(),
        required=False,
        empty_label="Choose an agency",
    )
    aim_lead_person = forms.ModelChoiceField(
        label="Who leads it? (optional if an agency leads it)",
        help_text="Only a practitioner certified by the AIM Project can lead an AIM assessment.",
        queryset=Membership.objects.none(),
        required=False,
        empty_label="Choose a person",
    )
    aim_due_on = GovDateField(
        what="the date the AIM assessment is due by",
        label="By when?",
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        place: MeetingChild,
        meeting_day: date,
        agencies: Sequence[Agency],
        aim_agencies: Any,
        aim_people: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.place = place
        self.meeting_day = meeting_day
        self.agencies = list(agencies)
        name = place.child.full_name
        harmer = place.part == Part.CHILD_WHO_HARMED
        info_layout = []
        for agency in self.agencies:
            field = f"info-{agency.public_id}"
            self.fields[field] = text_field(agency.name, max_length=20000)
            info_layout.append(Field.textarea(field, rows=3))
        aim_agency = cast("forms.ModelChoiceField[Agency]", self.fields["aim_lead_agency"])
        aim_agency.queryset = aim_agencies
        aim_lead = cast("forms.ModelChoiceField[Membership]", self.fields["aim_lead_person"])
        aim_lead.queryset = aim_people
        # Relabels this field's choices only; mypy cannot type a method set on an instance.
        aim_lead.label_from_instance = _person_label  # type: ignore[method-assign,assignment]
        layout: list[Any] = [
            Field("version"),
            Fieldset(
                Paragraph(f"What each agency shared about {name}."),
                *info_layout,
                legend="Information shared",
                legend_size=Size.MEDIUM,
            ),
            Field.textarea("risks", label_size=Size.MEDIUM, rows=5),
            Fieldset(
                Field.textarea("other_children_in_household", rows=3),
                *(
                    [
                        Field.radios("should_leave_home", legend_size=Size.SMALL, inline=True),
                        Field.textarea("leave_home_detail", rows=2),
                    ]
                    if harmer
                    else []
                ),
                Field.radios("school_safety_plan", legend_size=Size.SMALL, inline=True),
                Field.textarea("school_safety_plan_detail", rows=2),
                Field.radios("medical_checks", legend_size=Size.SMALL, inline=True),
                Field.textarea("medical_checks_detail", rows=2),
                legend="Immediate protection",
                legend_size=Size.MEDIUM,
            ),
        ]
        decision: list[Any] = []
        if harmer:
            decision.append(
                Field.radios("at_risk_of_significant_harm", legend_size=Size.SMALL, inline=True)
            )
        decision += [
            Field.radios("decision", legend_size=Size.SMALL),
            Field.textarea("decision_reasons", rows=4),
            _small_date("conference_on"),
        ]
        layout.append(Fieldset(*decision, legend="Decision", legend_size=Size.MEDIUM))
        if harmer:
            layout.append(
                Fieldset(
                    Field.radios("aim_needed", legend_size=Size.SMALL, inline=True),
                    Field.select("aim_lead_agency"),
                    Field.select("aim_lead_person"),
                    _small_date("aim_due_on"),
                    legend="AIM assessment",
                    legend_size=Size.MEDIUM,
                )
            )
        else:
            for field in ("should_leave_home", "leave_home_detail", "at_risk_of_significant_harm"):
                del self.fields[field]
            for field in ("aim_needed", "aim_lead_agency", "aim_lead_person", "aim_due_on"):
                del self.fields[field]
        layout.append(Submit("submit", f"Save the minutes for {name}"))
        self.helper = helper(*layout)

    def answers(self) -> services.ChildMinutesInput:
        data = self.cleaned_data
        person = data.get("aim_lead_person")
        return services.ChildMinutesInput(
            risks=data["risks"],
            other_children_in_household=data["other_children_in_household"],
            should_leave_home=data.get("should_leave_home", ""),
            leave_home_detail=data.get("leave_home_detail", ""),
            school_safety_plan=data["school_safety_plan"],
            school_safety_plan_detail=data["school_safety_plan_detail"],
            medical_checks=data["medical_checks"],
            medical_checks_detail=data["medical_checks_detail"],
            at_risk_of_significant_harm=data.get("at_risk_of_significant_harm", ""),
            decision=data["decision"],
            decision_reasons=data["decision_reasons"],
            conference_on=data.get("conference_on"),
            aim_needed=data.get("aim_needed", ""),
            aim_lead_person=person.user if person is not None else None,
            aim_lead_agency=data.get("aim_lead_agency")
            or (person.agency if person is not None else None),
            aim_due_on=data.get("aim_due_on"),
        )

    def agency_information(self) -> dict[Agency, str]:
        return {agency: self.cleaned_data[f"info-{agency.public_id}"] for agency in self.agencies}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        # The services state the rules; the form shows them by the field they are about.
        for field, message in services.child_minutes_problems(
            self.place, self.answers(), self.meeting_day
        ).items():
            self.add_error(field if field in self.fields else "decision", message)
        return cleaned


def child_record_initial(
    record: ChildRecord, information: dict[int, str], agencies: Sequence[Agency], version: int
) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "version": version,
        **{
            name: getattr(record, name)
            for name in (
                "risks",
                "other_children_in_household",
                "should_leave_home",
                "leave_home_detail",
                "school_safety_plan",
                "school_safety_plan_detail",
                "medical_checks",
                "medical_checks_detail",
                "at_risk_of_significant_harm",
                "decision",
                "decision_reasons",
                "conference_on",
                "aim_needed",
                "aim_lead_agency",
                "aim_due_on",
            )
        },
    }
    for agency in agencies:
        initial[f"info-{agency.public_id}"] = information.get(agency.pk, "")
    return initial


# Actions


class ActionForm(MeetingVersionedForm):
    description = text_field(
        "What is the action?",
        "Enter what the action is",
        max_length=5000,
    )
    owner = forms.ModelChoiceField(
        label="Who owns it?",
        help_text="The person responsible, acting for their agency.",
        queryset=Membership.objects.none(),
        empty_label="Choose a person",
        error_messages={"required": "Select who owns the action"},
    )
    due_on = GovDateField(what="the date the action is due by", label="By when?")
    children = forms.MultipleChoiceField(
        label="Which children does it concern?",
        help_text="The action appears only in the minutes of the children it concerns.",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select the children the action concerns"},
    )

    def __init__(
        self,
        *args: Any,
        places: Sequence[MeetingChild],
        people: Any,
        meeting_day: date,
        submit_label: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.places = {str(place.public_id): place for place in places}
        self.meeting_day = meeting_day
        cast(forms.ChoiceField, self.fields["children"]).choices = [
            (key, f"{place.child.full_name} ({place.pseudonym}, {place.part_words})")
            for key, place in self.places.items()
        ]
        owner = cast("forms.ModelChoiceField[Membership]", self.fields["owner"])
        owner.queryset = people
        # Relabels this field's choices only; mypy cannot type a method set on an instance.
        owner.label_from_instance = _person_label  # type: ignore[method-assign,assignment]
        self.helper = helper(
            Field("version"),
            Field.textarea("description", label_size=Size.SMALL, rows=3),
            Field.select("owner"),
            _small_date("due_on"),
            Field.checkboxes("children", legend_size=Size.SMALL),
            Submit("submit", submit_label),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        due_on = cleaned.get("due_on")
        if due_on is not None and due_on < self.meeting_day:
            self.add_error("due_on", "The date the action is due by must be after the meeting")
        return cleaned

    def action(self) -> services.ActionInput:
        data = self.cleaned_data
        return services.ActionInput(
            description=data["description"],
            owner=data["owner"],
            due_on=data["due_on"],
            children=[self.places[key] for key in data["children"]],
        )


class RemoveActionForm(MeetingVersionedForm):
    pass


@dataclass(frozen=True)
class CheckSection:
    """One child's minutes on the approval page, and the form's questions about them."""

    check: MinutesCheck
    helper: Any
    names: list[str]


def check_field_name(place: MeetingChild, key: str) -> str:
    """A stable field name for a piece of text marked in a child's minutes."""
    return f"check-{place.letter}-{hashlib.sha256(key.encode()).hexdigest()[:12]}"


class ApproveForm(MeetingVersionedForm):
    """Approving the draft, with the chair's answer, keep or redact, on each piece of each
    child's minutes that still resembles another child's details."""

    def __init__(self, *args: Any, checks: Sequence[MinutesCheck] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sections = []
        for check in checks:
            place, names = check.place, []
            for item in check.items:
                name = check_field_name(place, item.key)
                self.fields[name] = forms.ChoiceField(
                    label=format_html("Check {}: \u201c{}\u201d", item.number, item.text),
                    help_text=format_html(
                        "{}. In {}.", item.reason[:1].upper() + item.reason[1:], _and(item.where)
                    ),
                    choices=[
                        (RedactionChoice.KEEP, "Keep it: it does not identify another child"),
                        (
                            RedactionChoice.REDACT,
                            format_html("Redact it: show \u201c{}\u201d instead", item.replacement),
                        ),
                    ],
                    widget=forms.RadioSelect,
                    error_messages={
                        "required": f"Select keep or redact for check {item.number} in the "
                        f"minutes for {place.child.full_name}"
                    },
                )
                if item.decision:
                    self.initial.setdefault(name, item.decision)
                names.append(name)
            layout = [Field.radios(name, legend_size=Size.SMALL) for name in names]
            self.sections.append(CheckSection(check, helper(*layout, form_tag=False), names))
        self.helper = helper(
            Field("version"), Submit("submit", "Approve the minutes"), form_tag=False
        )

    def decided(self) -> dict[tuple[int, str], str]:
        """The chair's answers, by meeting child and marked text."""
        return {
            (section.check.place.pk, item.key): self.cleaned_data[name]
            for section in self.sections
            for item, name in zip(section.check.items, section.names, strict=True)
        }


def _and(words: Sequence[str]) -> str:
    return " and ".join([", ".join(words[:-1]), words[-1]]) if len(words) > 1 else words[0]


class AmendForm(MeetingVersionedForm):
    reason = text_field(
        "Why are the minutes amended?",
        "Enter why the minutes are amended",
        max_length=5000,
        help_text="The approved minutes stay as they are; the amendment is a new version.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = helper(
            Field("version"),
            Field.textarea("reason", label_size=Size.SMALL, rows=3),
            Submit("submit", "Start the amendment"),
        )


class DistributeForm(forms.Form):
    """For each child, the people who get that child's minutes (CA 14), by name and in one of
    their roles, grouped by agency (issue 10): one group of checkboxes per child and agency."""

    def __init__(
        self,
        *args: Any,
        places: Sequence[MeetingChild],
        people: Sequence[Membership],
        invitees: set[int],
        sent: set[tuple[int, int]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.places = list(places)
        self.people = {str(person.public_id): person for person in people}
        agencies: dict[int, tuple[Agency, list[Membership]]] = {}
        for person in people:
            agencies.setdefault(person.agency_id, (person.agency, []))[1].append(person)
        # (field name, child) for every group of checkboxes.
        self.groups: list[tuple[str, MeetingChild]] = []
        layout: list[Any] = []
        for place in self.places:
            whose = f"{place.child.full_name}'s minutes ({place.pseudonym})"
            layout.append(Heading(whose))
            for agency, members in agencies.values():
                name = f"{place.letter}-{agency.public_id}"
                self.fields[name] = forms.MultipleChoiceField(
                    label=format_html(
                        '<span class="govuk-visually-hidden">{}: </span>{}', whose, agency.name
                    ),
                    choices=[
                        Choice(
                            str(person.public_id),
                            person.user.full_name,
                            hint=person.get_role_display()
                            + ("; invited" if person.pk in invitees else ""),
                        )
                        for person in members
                    ],
                    widget=forms.CheckboxSelectMultiple,
                    required=False,
                )
                # Ticked: those already sent this version, or at first the invitees.
                self.initial[name] = [
                    str(person.public_id)
                    for person in members
                    if ((place.pk, person.pk) in sent if sent else person.pk in invitees)
                ]
                self.groups.append((name, place))
                layout.append(Field.checkboxes(name, legend_size=Size.SMALL, small=True))
        layout.append(Submit("submit", "Send the minutes"))
        self.helper = helper(*layout)

    def choices(self) -> dict[MeetingChild, list[Membership]]:
        chosen: dict[MeetingChild, list[Membership]] = {place: [] for place in self.places}
        for name, place in self.groups:
            chosen[place] += [self.people[key] for key in self.cleaned_data.get(name, [])]
        return chosen

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if not self.errors and not any(self.choices().values()):
            problem = "Select at least one person to send the minutes to"
            self.add_error(self.groups[0][0] if self.groups else None, problem)
        return cleaned
