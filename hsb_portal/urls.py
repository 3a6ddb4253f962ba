from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from hsb_portal import access, health, metrics, views
from hsb_portal import account_pages as account_views
from hsb_portal.accounts.forms import SignInForm

public = access.guard(public=True)

urlpatterns = [
    path("", views.home, name="home"),
    path("account/role/", views.role_switch, name="role-switch"),
    path("account/two-factor/", account_views.two_factor_verify, name="two-factor"),
    path("account/two-factor/set-up/", account_views.two_factor_setup, name="two-factor-setup"),
    path(
        "account/two-factor/recovery-codes/",
        account_views.two_factor_recovery_codes,
        name="two-factor-recovery-codes",
    ),
    path(
        "account/sign-in/",
        public(
            auth_views.LoginView.as_view(
                authentication_form=SignInForm, redirect_authenticated_user=True
            )
        ),
        name="login",
    ),
    path("account/sign-out/", public(views.SignOutView.as_view()), name="logout"),
    path("account/sessions/", account_views.session_list, name="sessions"),
    path(
        "account/sessions/end-others/",
        account_views.sessions_end_others,
        name="sessions-end-others",
    ),
    path("account/sessions/<uuid:session>/end/", account_views.session_end, name="session-end"),
    path(
        "account/password-reset/",
        public(auth_views.PasswordResetView.as_view()),
        name="password_reset",
    ),
    path(
        "account/password-reset/sent/",
        public(auth_views.PasswordResetDoneView.as_view()),
        name="password_reset_done",
    ),
    path(
        "account/password-reset/<uidb64>/<token>/",
        public(account_views.PasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path(
        "account/password-reset/done/",
        public(auth_views.PasswordResetCompleteView.as_view()),
        name="password_reset_complete",
    ),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("privacy/", views.privacy, name="privacy"),
    path("csp-report/", views.csp_report, name="csp-report"),
    # Probes and the scraper (hsb_portal/health.py, metrics.py): no sign-in, no session.
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("", include("triage.urls")),
    path("", include("referrals.urls")),
    path("", include("strategy.urls")),
    path("", include("strategy.meetings.urls")),
    path("", include("hsb_portal.retention.urls")),
    path("", include("hsb_portal.audit.urls")),
    path(settings.ADMIN_URL, admin.site.urls),
]

handler500 = "hsb_portal.views.server_error"
