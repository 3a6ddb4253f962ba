from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from hsb_portal import access, views
from hsb_portal.accounts.forms import SignInForm

public = access.guard(public=True)

urlpatterns = [
    path("", views.home, name="home"),
    path("account/role/", views.role_switch, name="role-switch"),
    path(
        "account/sign-in/",
        public(
            auth_views.LoginView.as_view(
                authentication_form=SignInForm, redirect_authenticated_user=True
            )
        ),
        name="login",
    ),
    path("account/sign-out/", public(auth_views.LogoutView.as_view()), name="logout"),
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
        public(auth_views.PasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path(
        "account/password-reset/done/",
        public(auth_views.PasswordResetCompleteView.as_view()),
        name="password_reset_complete",
    ),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("privacy/", views.privacy, name="privacy"),
    path("", include("triage.urls")),
    path(settings.ADMIN_URL, admin.site.urls),
]
