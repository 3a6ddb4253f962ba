"""The default retention schedule of domain.md §9, and the date arithmetic of a rule.

The defaults are a starting point each authority edits (UK GDPR Art. 5(1)(e): each authority
publishes its own schedule). Where §9 names no period (Early Help, concerns never referred)
the default is this app's choice, and its source text says so.
"""

from datetime import date, timedelta
from typing import NamedTuple

from hsb_portal import calendar
from hsb_portal.accounts.models import LocalAuthority
from hsb_portal.retention.models import Anchor, RecordClass, RetentionRule


class DefaultRule(NamedTuple):
    record_class: RecordClass
    anchor: Anchor
    years: int
    source: str


# The data migration 0002 keeps a frozen copy of these rows; change both together.
DEFAULT_SCHEDULE = (
    DefaultRule(
        RecordClass.CHILD_PROTECTION,
        Anchor.CLOSURE,
        35,
        "No national statutory period; set locally. Northumberland's 35 years after closure was "
        "held lawful in R (C) v Northumberland CC [2015] EWHC 2134 (Admin); Blackpool keeps "
        "35 years after last contact (domain.md §9).",
    ),
    DefaultRule(
        RecordClass.CHILD_IN_NEED,
        Anchor.DATE_OF_BIRTH,
        21,
        "Devon schedule: until 18 + 3 years of inactivity (domain.md §9). Read as two rules, "
        "the later date winning: kept at least until the 21st birthday...",
    ),
    DefaultRule(
        RecordClass.CHILD_IN_NEED,
        Anchor.LAST_CONTACT,
        3,
        "Devon schedule: until 18 + 3 years of inactivity (domain.md §9). ...and at least 3 "
        "years after the last contact.",
    ),
    DefaultRule(
        RecordClass.LOOKED_AFTER,
        Anchor.DATE_OF_BIRTH,
        75,
        "Until the 75th birthday: Care Planning, Placement and Case Review (England) Regulations "
        "2010 reg 50 (Salford, Merton CS procedures; domain.md §9). A child protection record "
        "of a child who becomes looked after is kept this long too (longest rule wins).",
    ),
    DefaultRule(
        RecordClass.EARLY_HELP,
        Anchor.CLOSURE,
        6,
        "Local: domain.md §9 sets no period for Early Help, advice or no further action. "
        "HSB Portal default of 6 years after closure, for the authority to confirm against its "
        "published schedule.",
    ),
    DefaultRule(
        RecordClass.CONCERN_NOT_REFERRED,
        Anchor.LAST_CONTACT,
        6,
        "Local: domain.md §9 sets no period for a concern that was never referred. HSB Portal "
        "default of 6 years after the last contact, for the authority to confirm against its "
        "published schedule.",
    ),
)


def seed_default_schedule(authority: LocalAuthority) -> list[RetentionRule]:
    """Give ``authority`` the default rules it lacks; rules it has (perhaps edited) stay."""
    rules = []
    for default in DEFAULT_SCHEDULE:
        rule, _ = RetentionRule.objects.get_or_create(
            authority=authority,
            record_class=default.record_class,
            anchor=default.anchor,
            defaults={"years": default.years, "source": default.source},
        )
        rules.append(rule)
    return rules


def retained_until(anchor: date, years: int) -> date:
    """The last day a record anchored on ``anchor`` is kept under a rule of ``years``; it is
    past retention from the day after. 29 February anchors clamp to 28 February."""
    return calendar.add_months(anchor, 12 * years)


def earliest_retained_anchor(today: date, years: int) -> date:
    """The earliest anchor still retained on ``today``: a record is past retention under a
    rule of ``years`` exactly when its anchor falls before this date.

    ``retained_until`` never decreases as the anchor moves later, so this boundary exists; it
    is found from a year-shifted guess, corrected day by day around 29 February.
    """
    boundary = calendar.add_months(today, -12 * years)
    while retained_until(boundary - timedelta(days=1), years) >= today:
        boundary -= timedelta(days=1)
    while retained_until(boundary, years) < today:
        boundary += timedelta(days=1)
    return boundary
