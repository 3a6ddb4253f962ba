"""The strategy models: AIM assessments (aim.py), strategy meetings (meetings.py) and the chair's
check of each child's minutes (checks.py)."""

from strategy.models.aim import (
    AimAssessment,
    AimFactorRating,
    AssessmentStatus,
    certification_problem,
)
from strategy.models.checks import RedactionChoice, RedactionDecision
from strategy.models.meetings import *  # noqa: F403  (strategy meetings: meetings.__all__)
from strategy.models.meetings import __all__ as _meetings_all

__all__ = [
    "AimAssessment",
    "AimFactorRating",
    "AssessmentStatus",
    "certification_problem",
    "RedactionChoice",
    "RedactionDecision",
    *_meetings_all,
]
