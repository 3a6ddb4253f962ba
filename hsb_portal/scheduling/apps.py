from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "hsb_portal.scheduling"
    label = "scheduling"
    verbose_name = "Scheduled jobs"
