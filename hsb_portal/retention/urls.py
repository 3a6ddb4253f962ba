from django.urls import path

from hsb_portal.retention import views

app_name = "retention"

urlpatterns = [
    path("retention/", views.retention_report, name="report"),
    path("retention/schedule/", views.schedule, name="schedule"),
    path("retention/schedule/<uuid:rule>/", views.rule_edit, name="rule-edit"),
    path(
        "retention/schedule/changes/<uuid:change>/",
        views.rule_change_decide,
        name="rule-change-decide",
    ),
    path("retention/holds/", views.hold_list, name="hold-list"),
    path("retention/children/<uuid:child>/hold/", views.hold_place, name="hold-place"),
    path("retention/holds/<uuid:hold>/lift/", views.hold_lift, name="hold-lift"),
    path("retention/reviews/", views.review_list, name="review-list"),
    path("retention/reviews/new/", views.review_propose, name="review-propose"),
    path("retention/reviews/<uuid:review>/", views.review_detail, name="review-detail"),
    path("retention/reviews/<uuid:review>/decide/", views.review_decide, name="review-decide"),
]
