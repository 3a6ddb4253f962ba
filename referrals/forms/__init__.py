"""The referral forms. They check input and say, in GOV.UK words, how to put it right; the
views pass what they clean to a service."""

from referrals.forms.common import ReferralVersionedForm
from referrals.forms.consultations import ConsultationForm
from referrals.forms.making import (
    NEW_CHILD,
    CallerForm,
    ChildForm,
    ConsentForm,
    ContentsForm,
    IncidentForm,
    PoliceForm,
    ReferConcernForm,
    concern_contents_initial,
    referable_involvements,
)
from referrals.forms.screening import (
    AllocationForm,
    FollowUpForm,
    HandBackForm,
    QueueFilterForm,
    ScreeningForm,
)

__all__ = [
    "NEW_CHILD",
    "AllocationForm",
    "CallerForm",
    "ChildForm",
    "ConsentForm",
    "ConsultationForm",
    "ContentsForm",
    "FollowUpForm",
    "HandBackForm",
    "IncidentForm",
    "PoliceForm",
    "QueueFilterForm",
    "ReferConcernForm",
    "ReferralVersionedForm",
    "ScreeningForm",
    "concern_contents_initial",
    "referable_involvements",
]
