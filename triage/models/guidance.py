"""Each authority's guidance for a traffic light colour: data from its procedure, not code."""

from django.db import models

from hsb_portal.accounts.models import LocalAuthority
from triage.models.brook import Colour
from triage.models.concerns import NextStep


class GuidanceRule(models.Model):
    """What an authority's procedure says to do after a rating of one colour (domain.md §3)."""

    authority = models.ForeignKey(
        LocalAuthority, on_delete=models.CASCADE, related_name="guidance_rules"
    )
    colour = models.CharField(max_length=5, choices=Colour.choices)
    advice_text = models.TextField(help_text="The advice shown to the practitioner.")
    recommended_next_step = models.CharField(max_length=20, choices=NextStep.choices)
    source_text = models.TextField(help_text="The procedure's own words, and where they are.")

    class Meta:
        ordering = ["authority", "colour"]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "colour"], name="one_guidance_rule_per_colour"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.authority}: {self.get_colour_display()}"
