from django.urls import path

from hsb_portal.audit import views

app_name = "audit"

urlpatterns = [
    path("children/<uuid:child>/history/", views.child_history, name="child-history"),
    path("children/<uuid:child>/history.csv", views.child_history_csv, name="child-history-csv"),
    path("children/<uuid:child>/history.pdf", views.child_history_pdf, name="child-history-pdf"),
]
