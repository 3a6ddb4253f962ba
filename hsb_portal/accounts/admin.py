from typing import Any, cast

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django_otp.admin import OTPAdminSite
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from hsb_portal.accounts import sessions, two_factor
from hsb_portal.accounts.models import (
    Agency,
    ClosureDay,
    LocalAuthority,
    Membership,
    SessionEndReason,
    Timescale,
    User,
)


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


admin.site.__class__ = RecordsAdminSite
# Nobody reads another person's authenticator key: devices are reset, never shown.
for device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(device_model):
        admin.site.unregister(device_model)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["agency", "role", "is_active"]
    autocomplete_fields = ["agency"]


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


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "agency", "role", "is_active"]
    list_filter = ["role", "is_active"]
    autocomplete_fields = ["user", "agency"]

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        # End a membership by making it inactive, so the audit trail still names the role.
        return False
