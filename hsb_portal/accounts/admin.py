from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django_otp.admin import OTPAdminSite
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from hsb_portal.accounts import changes, grants, roles, sessions, two_factor
from hsb_portal.accounts.models import (
    Agency,
    ClosureDay,
    GrantStatus,
    LocalAuthority,
    Membership,
    MembershipGrant,
    SessionEndReason,
    Timescale,
    User,
)
from hsb_portal.http import MembershipRequest


class RecordsAdminSite(OTPAdminSite):
    """The records admin needs both factors, like every other page (V13.4.5), and people
    sign in to it through the portal's own sign-in and second-factor pages."""

    def login(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        wanted = request.GET.get("next", request.get_full_path())
        if not request.user.is_authenticated:
            return redirect_to_login(wanted)
        if not request.user.is_verified():
            return redirect_to_login(wanted, login_url="two-factor")
        raise PermissionDenied  # signed in with both factors, but not an administrator

    def admin_view(self, view: Callable[..., Any], cacheable: bool = False) -> Callable[..., Any]:
        inner = super().admin_view(view, cacheable)

        # Every change made here to a person's memberships and powers is audited as this
        # administrator's, in the role they are acting in (accounts/changes.py).
        @wraps(inner)
        def as_administrator(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            person = request.user if request.user.is_authenticated else None
            acting = cast(MembershipRequest, request).membership
            with changes.made_by(person, acting):
                return cast(HttpResponse, inner(request, *args, **kwargs))

        return as_administrator


admin.site.__class__ = RecordsAdminSite
# Nobody reads another person's authenticator key: devices are reset, never shown.
for device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(device_model):
        admin.site.unregister(device_model)


def _refusal(
    by: User, before: grants.MembershipState | None, after: grants.MembershipState
) -> None:
    try:
        grants.check_membership_change(by=by, before=before, after=after)
    except grants.GrantRefused as refused:
        raise ValidationError(refused.message) from None


class CheckedMembershipFormSet(forms.BaseInlineFormSet):
    """A person's memberships on their page: nobody gives themselves one, and the roles that
    need a second administrator go through a role request."""

    changed_by: User

    def clean(self) -> None:
        super().clean()
        person = cast(User, self.instance)
        for form in self.forms:
            if not form.has_changed() or not getattr(form, "cleaned_data", None):
                continue
            after = grants.MembershipState(
                person,
                getattr(form.cleaned_data.get("agency"), "pk", None),
                form.cleaned_data.get("role", ""),
                bool(form.cleaned_data.get("is_active")),
            )
            before = None
            if form.initial.get("id") is not None:
                before = grants.MembershipState(
                    person,
                    form.initial.get("agency"),
                    form.initial.get("role", ""),
                    bool(form.initial.get("is_active")),
                )
            _refusal(self.changed_by, before, after)


class MembershipInline(admin.TabularInline):
    model = Membership
    formset = CheckedMembershipFormSet
    extra = 0
    fields = ["agency", "role", "is_active"]
    autocomplete_fields = ["agency"]
    # End a membership by making it inactive, so the audit trail still names the role.
    can_delete = False

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (formset,), {"changed_by": request.user})


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    # Administrators invite people and trigger password resets; nobody sets another's password.
    ordering = ["full_name"]
    list_display = ["full_name", "email", "is_active", "aim_certified_on"]
    search_fields = ["full_name", "email"]
    list_filter = ["is_active", "is_staff"]
    fieldsets = [
        (None, {"fields": ["email", "full_name", "job_title", "is_active"]}),
        ("AIM", {"fields": ["aim_certified_on"]}),
        ("Records administration", {"fields": ["is_staff"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["email", "full_name", "job_title", "usable_password"]}),
    ]
    filter_horizontal = []
    inlines = [MembershipInline]
    readonly_fields = ["last_login"]
    actions = ["reset_second_factor", "end_all_sessions"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # An administrator does not certify themselves or widen their own administration.
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and grants.is_same_person(cast(User, request.user), obj):
            fields += ["aim_certified_on", "is_staff"]
        return fields

    @admin.action(description="Reset two-factor sign-in (lost phone)", permissions=["change"])
    def reset_second_factor(self, request: HttpRequest, queryset: "QuerySet[User]") -> None:
        # The admin site lets in only signed-in staff, so request.user is a User here.
        for person in queryset:
            two_factor.reset(person, by=cast(User, request.user))
        self.message_user(
            request, f"{queryset.count()} people will set up a new authenticator at next sign-in"
        )

    @admin.action(description="End all sessions", permissions=["change"])
    def end_all_sessions(self, request: HttpRequest, queryset: "QuerySet[User]") -> None:
        # The administrator's own browser stays signed in, so they can finish their work.
        ended = sum(
            sessions.end_sessions_of(
                person,
                by=cast(User, request.user),
                reason=SessionEndReason.ENDED_BY_ADMINISTRATOR,
                keep_key=request.session.session_key,
            )
            for person in queryset
        )
        self.message_user(request, f"{ended} sessions ended; those people must sign in again")

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        # A deactivated person is already refused (Django checks is_active on every request,
        # V7.4.2); ending their sessions also clears them from the register.
        if change and "is_active" in form.changed_data and not obj.is_active:
            sessions.end_sessions_of(
                obj,
                by=cast(User, request.user),
                reason=SessionEndReason.DEACTIVATED,
            )


class TimescaleInline(admin.TabularInline):
    model = Timescale
    extra = 0
    fields = ["rule", "value", "unit", "counts_back", "clock_starts", "source_text"]


class ClosureDayInline(admin.TabularInline):
    model = ClosureDay
    extra = 1
    fields = ["day", "reason"]


@admin.register(LocalAuthority)
class LocalAuthorityAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "cross_border_convenor", "separate_social_workers"]
    search_fields = ["name"]
    fieldsets = [
        (None, {"fields": ["name", "code"]}),
        (
            "Procedure profile",
            {"fields": ["procedure_name", "cross_border_convenor", "separate_social_workers"]},
        ),
    ]
    inlines = [TimescaleInline, ClosureDayInline]


@admin.register(ClosureDay)
class ClosureDayAdmin(admin.ModelAdmin):
    list_display = ["day", "reason", "authority"]
    list_filter = ["authority"]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "kind"]
    list_filter = ["kind", "authorities"]
    search_fields = ["name"]
    filter_horizontal = ["authorities"]


class CheckedMembershipForm(forms.ModelForm):
    changed_by: User

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        person = cleaned.get("user")
        if person is not None and self.has_changed():
            before = grants.MembershipState.of(self.instance) if self.instance.pk else None
            after = grants.MembershipState(
                person,
                getattr(cleaned.get("agency"), "pk", None),
                cleaned.get("role", ""),
                bool(cleaned.get("is_active")),
            )
            _refusal(self.changed_by, before, after)
        return cleaned


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    form = CheckedMembershipForm
    list_display = ["user", "agency", "role", "is_active"]
    list_filter = ["role", "is_active"]
    autocomplete_fields = ["user", "agency"]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"changed_by": request.user})

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        # End a membership by making it inactive, so the audit trail still names the role.
        return False


class RoleRequestForm(forms.ModelForm):
    proposed_by: User

    class Meta:
        model = MembershipGrant
        fields = ["user", "agency", "role", "reason"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "role" in self.fields:
            cast(forms.ChoiceField, self.fields["role"]).choices = [
                ("", "---------"),
                *((role.value, role.label) for role in roles.NEEDING_SECOND_APPROVAL),
            ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if all(cleaned.get(name) for name in ("user", "agency", "role")):
            try:
                grants.check_proposal(
                    by=self.proposed_by,
                    user=cleaned["user"],
                    agency=cleaned["agency"],
                    role=cleaned["role"],
                )
            except grants.GrantRefused as refused:
                raise ValidationError(refused.message) from None
        return cleaned


@admin.register(MembershipGrant)
class MembershipGrantAdmin(admin.ModelAdmin):
    """Role requests: one administrator proposes, a different one approves or refuses."""

    form = RoleRequestForm
    list_display = ["user", "role", "agency", "status", "proposed_by", "proposed_at", "decided_by"]
    list_filter = ["status", "role"]
    search_fields = ["user__full_name", "user__email"]
    autocomplete_fields = ["user", "agency"]
    actions = ["approve_role_requests", "refuse_role_requests"]
    DECIDED = ["status", "proposed_by", "proposed_at", "decided_by", "decided_at", "membership"]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"proposed_by": request.user})

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # A request is never edited: it is approved or refused, by the actions.
        if obj is None:
            return []
        return ["user", "agency", "role", "reason", *self.DECIDED]

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: MembershipGrant, form: Any, change: bool
    ) -> None:
        if change:
            return
        grants.propose_grant(
            grant=obj,
            by=cast(User, request.user),
            membership=cast(MembershipRequest, request).membership,
        )
        self.message_user(
            request,
            f"The role request for {obj.user} waits for a second administrator to approve it",
        )

    def _decide(
        self, request: HttpRequest, queryset: "QuerySet[MembershipGrant]", decide: Any, done: str
    ) -> None:
        by = cast(User, request.user)
        acting = cast(MembershipRequest, request).membership
        for grant in queryset.filter(status=GrantStatus.AWAITING_APPROVAL):
            try:
                decide(grant=grant, by=by, membership=acting)
            except grants.GrantRefused as refused:
                self.message_user(request, f"{grant}: {refused.message}", messages.ERROR)
            else:
                self.message_user(request, f"{grant}: {done}")

    @admin.action(description="Approve the selected role requests", permissions=["change"])
    def approve_role_requests(
        self, request: HttpRequest, queryset: "QuerySet[MembershipGrant]"
    ) -> None:
        self._decide(request, queryset, grants.approve_grant, "approved; the role is given")

    @admin.action(description="Refuse the selected role requests", permissions=["change"])
    def refuse_role_requests(
        self, request: HttpRequest, queryset: "QuerySet[MembershipGrant]"
    ) -> None:
        self._decide(request, queryset, grants.refuse_grant, "refused")
