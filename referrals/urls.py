from django.urls import include, path

from referrals import views

app_name = "referrals"

# The pages of one referral, under /referrals/<referral>/.
referral_urls = [
    path("", views.referral_detail, name="referral-detail"),
    path("take/", views.referral_take, name="referral-take"),
    path("hand-back/", views.referral_hand_back, name="referral-hand-back"),
    path("screening/", views.referral_screen, name="referral-screen"),
    path("allocation/", views.referral_allocate, name="referral-allocate"),
    path("written-follow-up/", views.referral_follow_up, name="referral-follow-up"),
]

urlpatterns = [
    path("concerns/<uuid:concern>/refer/", views.concern_refer, name="concern-refer"),
    path("referrals/", views.referral_list, name="referral-list"),
    path("referrals/screening-queue/", views.screening_queue, name="screening-queue"),
    path(
        "referrals/telephone/new/",
        views.telephone_referral_create,
        name="telephone-referral-create",
    ),
    path(
        "referrals/police-notification/new/",
        views.police_notification_create,
        name="police-notification-create",
    ),
    path("referrals/<uuid:referral>/", include(referral_urls)),
    path("no-names-advice/", views.consultation_list, name="consultation-list"),
    path("no-names-advice/new/", views.consultation_create, name="consultation-create"),
    path(
        "no-names-advice/<uuid:consultation>/",
        views.consultation_detail,
        name="consultation-detail",
    ),
]
