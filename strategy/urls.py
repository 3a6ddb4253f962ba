from django.urls import include, path

from strategy import views

app_name = "strategy"

# The pages of one AIM assessment, under /aim-assessments/<assessment>/.
aim_assessment_urls = [
    path("", views.aim_assessment_detail, name="aim-assessment-detail"),
    path("domains/<str:domain>/", views.aim_domain_rate, name="aim-domain-rate"),
    path("complete/", views.aim_assessment_complete, name="aim-assessment-complete"),
    path("review/", views.aim_assessment_review, name="aim-assessment-review"),
]

urlpatterns = [
    path(
        "children/<uuid:child>/aim-assessments/",
        views.aim_assessment_list,
        name="aim-assessment-list",
    ),
    path(
        "children/<uuid:child>/aim-assessments/new/",
        views.aim_assessment_start,
        name="aim-assessment-start",
    ),
    path("aim-assessments/<uuid:assessment>/", include(aim_assessment_urls)),
]
