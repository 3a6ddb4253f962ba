from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "hsb_portal.retention"
    label = "retention"
    verbose_name = "Retention schedule, legal holds and reviewed disposal"
