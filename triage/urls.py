from django.urls import URLPattern, URLResolver, include, path

from triage import views

app_name = "triage"

# The pages of one child involved in a concern, under /concerns/<concern>/children/<involvement>/.
involvement_urls = [
    path("", views.involvement_edit, name="involvement-edit"),
    path("remove/", views.involvement_remove, name="involvement-remove"),
    path("rating/", views.rating_edit, name="rating-edit"),
    path("rating/colour/", views.rating_colour, name="rating-colour"),
    path("rating/context/", views.rating_context, name="rating-context"),
]

# The pages of one concern, under /concerns/<concern>/.
concern_urls: list[URLPattern | URLResolver] = [
    path("", views.concern_detail, name="concern-detail"),
    path("edit/", views.concern_edit, name="concern-edit"),
    path("children/find/", views.child_find, name="concern-child-find"),
    path("children/choose/", views.child_choose, name="concern-child-choose"),
    path("children/new/", views.child_new, name="concern-child-new"),
    path("children/<uuid:involvement>/", include(involvement_urls)),
    path("next-step/", views.concern_next_step, name="concern-next-step"),
    path("review/", views.concern_review, name="concern-review"),
]

urlpatterns = [
    path("children/", views.child_list, name="child-list"),
    path("children/<uuid:child>/", views.child_detail, name="child-detail"),
    path("concerns/", views.concern_list, name="concern-list"),
    path("concerns/new/", views.concern_create, name="concern-create"),
    path("concerns/<uuid:concern>/", include(concern_urls)),
]
