from django.contrib import admin

from triage.models import GuidanceRule


@admin.register(GuidanceRule)
class GuidanceRuleAdmin(admin.ModelAdmin):
    """Each authority keeps its own guidance for the traffic light colours (domain.md §3)."""

    list_display = ["authority", "colour", "recommended_next_step"]
    list_filter = ["authority", "colour"]
    ordering = ["authority__name", "colour"]
