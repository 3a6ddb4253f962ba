from django.apps import AppConfig


class SubmissionsConfig(AppConfig):
    name = "hsb_portal.submissions"
    label = "submissions"
    verbose_name = "Submitted forms"
