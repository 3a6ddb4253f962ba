"""The triage forms. They check input and say, in GOV.UK words, how to put it right; the views
pass what they clean to a service."""

from triage.forms.children import (
    NEW_CHILD,
    ChooseChildForm,
    FindChildForm,
    InvolvementForm,
    NewChildForm,
)
from triage.forms.concerns import (
    ConcernForm,
    NextStepForm,
    RemoveChildForm,
    ReviewForm,
)
from triage.forms.ratings import (
    OPTIONAL_SECTIONS,
    ColourForm,
    ContextForm,
    RatingForm,
    behaviours_field_name,
    context_initial,
)

__all__ = [
    "NEW_CHILD",
    "OPTIONAL_SECTIONS",
    "ChooseChildForm",
    "ColourForm",
    "ConcernForm",
    "ContextForm",
    "FindChildForm",
    "InvolvementForm",
    "NewChildForm",
    "NextStepForm",
    "RatingForm",
    "RemoveChildForm",
    "ReviewForm",
    "behaviours_field_name",
    "context_initial",
]
