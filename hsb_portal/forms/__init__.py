"""The GOV.UK form kit every app's forms are built from, as tamato's ``common/forms.py`` serves
its apps: the fields (``fields``), the layout helper and ``VersionedForm`` (``versioned``).
Buttons and paragraphs that carry a stored value come from ``hsb_portal.layout``. The kit
imports no feature app."""

from hsb_portal.forms.fields import (
    YES_NO,
    GovDateField,
    check_not_in_future,
    moment_from,
    parse_time,
    text_field,
    time_field,
    yes_no_field,
)
from hsb_portal.forms.roles import RoleSwitchForm
from hsb_portal.forms.versioned import VersionedForm, helper, out_of_date

__all__ = [
    "YES_NO",
    "GovDateField",
    "RoleSwitchForm",
    "VersionedForm",
    "check_not_in_future",
    "helper",
    "moment_from",
    "out_of_date",
    "parse_time",
    "text_field",
    "time_field",
    "yes_no_field",
]
