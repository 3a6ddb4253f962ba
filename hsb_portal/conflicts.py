"""Two people changing one record: the version check every service makes, and the one refusal
it raises (security.md §5).

Every form that changes a record carries the version it was opened at
(``hsb_portal.forms.VersionedForm``); the service takes the record's next version with
``claim_version`` and, when someone else saved first, raises ``StaleRecord``, which the view
hands to ``form.refuse_as_stale``: the person's input is shown again with the one message below.
"""

from typing import Any

from django.db import models

STALE_MESSAGE = (
    "Someone else changed {this} after you opened this page, so your changes have not been "
    "saved. Your answers are shown below: check {the}, then save again."
)


class StaleRecord(Exception):
    """The record was saved by someone else after this form was opened."""

    def __init__(self, record: models.Model, *, what: str) -> None:
        # ``what`` names the record as the page does: "this concern", "these minutes".
        self.record = record
        self.what = what
        super().__init__(self.message)

    @property
    def message(self) -> str:
        the = "the " + self.what.split(" ", 1)[1]
        return STALE_MESSAGE.format(this=self.what, the=the)


def claim_version(record: Any, version: int, *, what: str, **still: Any) -> None:
    """Take ``record``'s next version, or raise ``StaleRecord``.

    A conditional UPDATE, not a read then a write, so that two saves from the same version
    cannot both succeed. ``still`` adds conditions the row must meet as well (minutes still a
    draft); a caller that needs to tell those apart checks them after a refusal.
    """
    rows = type(record)._default_manager.filter(pk=record.pk, version=version, **still)
    if rows.update(version=version + 1) != 1:
        raise StaleRecord(record, what=what)
    record.version = version + 1
