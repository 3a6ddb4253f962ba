from django.urls import path

from triage import views

app_name = "triage"

urlpatterns = [
    path("children/", views.child_list, name="child-list"),
    path("children/<uuid:child>/", views.child_detail, name="child-detail"),
]
