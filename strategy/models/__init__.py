"""The strategy models: AIM assessments (aim.py) and strategy meetings (meetings.py)."""

from strategy.models.aim import (
    AimAssessment,
    AimFactorRating,
    AssessmentStatus,
    certification_problem,
)
from strategy.models.meetings import *  # noqa: F403  (strategy meetings: meetings.__all__)
from strategy.models.meetings import __all__ as _meetings_all

__all__ = [
    "AimAssessment",
    "AimFactorRating",
    "AssessmentStatus",
    "certification_problem",
    *_meetings_all,
]
