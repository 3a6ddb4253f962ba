"""What the referral forms share beyond the kit (``hsb_portal.forms``)."""

from hsb_portal.forms import VersionedForm


class ReferralVersionedForm(VersionedForm):
    """A form that changes a referral carries the version it was opened at."""

    back_to = "the referral"
