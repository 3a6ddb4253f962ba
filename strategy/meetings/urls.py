from django.urls import URLPattern, URLResolver, include, path

from strategy.meetings import views

app_name = "meetings"

# One child's part of a meeting, under /strategy-meetings/<meeting>/children/<meeting_child>/.
child_urls = [
    path("record/", views.child_record, name="child-record"),
    path("minutes/<uuid:minutes>/", views.child_minutes, name="child-minutes"),
    path("minutes/<uuid:minutes>/pdf/", views.child_minutes_pdf, name="child-minutes-pdf"),
]

# One action of a meeting's minutes, under /strategy-meetings/<meeting>/actions/<action>/.
action_urls = [
    path("", views.action_edit, name="action-edit"),
    path("remove/", views.action_remove, name="action-remove"),
    path("done/", views.action_complete, name="action-complete"),
]

# The pages of one meeting, under /strategy-meetings/<meeting>/.
meeting_urls: list[URLPattern | URLResolver] = [
    path("", views.meeting_detail, name="meeting-detail"),
    path("arrangements/", views.meeting_edit, name="meeting-edit"),
    path("cancel/", views.meeting_cancel, name="meeting-cancel"),
    path("invitations/new/", views.invitation_create, name="invitation-create"),
    path("invitations/<uuid:invitation>/", views.invitation_answer, name="invitation-answer"),
    path("held/", views.meeting_hold, name="meeting-hold"),
    path("minutes/attendance/", views.minutes_attendance, name="minutes-attendance"),
    path("minutes/approve/", views.minutes_approve, name="minutes-approve"),
    path("minutes/amend/", views.minutes_amend, name="minutes-amend"),
    path("minutes/distribute/", views.minutes_distribute, name="minutes-distribute"),
    path("actions/new/", views.action_create, name="action-create"),
    path("actions/<uuid:action>/", include(action_urls)),
    path("children/<uuid:meeting_child>/", include(child_urls)),
]

urlpatterns = [
    path("strategy-meetings/", views.meeting_list, name="meeting-list"),
    path(
        "strategy-meetings/convene/<uuid:referral>/",
        views.meeting_convene,
        name="meeting-convene",
    ),
    path("strategy-meetings/<uuid:meeting>/", include(meeting_urls)),
]
