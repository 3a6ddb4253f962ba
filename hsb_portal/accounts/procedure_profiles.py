"""Two starting profiles taken from the seed procedures (domain.md §2).

An authority starts from one and then edits its own copy in records administration. Where the
seed says "days" without a unit, the profile uses calendar days, the stricter reading, and keeps
the seed's words beside the value so a manager can see why a deadline is set.
"""

from dataclasses import dataclass

from django.db import transaction

from hsb_portal.accounts.models import (
    CrossBorderConvenor,
    LocalAuthority,
    SeparateSocialWorkers,
    Timescale,
    TimescaleRule,
    TimescaleUnit,
)

R = TimescaleRule
U = TimescaleUnit


@dataclass(frozen=True)
class Rule:
    rule: TimescaleRule
    value: int | None
    unit: TimescaleUnit
    clock_starts: str
    source_text: str
    counts_back: bool = False


@dataclass(frozen=True)
class ProfileTemplate:
    procedure_name: str
    cross_border_convenor: CrossBorderConvenor
    separate_social_workers: SeparateSocialWorkers
    rules: tuple[Rule, ...]


NATIONAL = (
    Rule(
        R.SCREENING_DECISION,
        1,
        U.WORKING_DAYS,
        "the referral is received",
        "Working Together 2023: a decision about the type of response within one working day.",
    ),
    Rule(
        R.FIRST_REVIEW_CONFERENCE,
        3,
        U.MONTHS,
        "the initial child protection conference",
        "Working Together 2023: first review conference within three months of the initial one.",
    ),
    Rule(
        R.LATER_REVIEW_CONFERENCE,
        6,
        U.MONTHS,
        "the previous review conference",
        "Working Together 2023: later reviews at intervals of no more than six months.",
    ),
    Rule(
        R.FIRST_CORE_GROUP,
        10,
        U.WORKING_DAYS,
        "the initial child protection conference",
        "Common local procedure rule: first core group within 10 working days (check locally).",
    ),
    Rule(
        R.CIN_PLANNING_MEETING,
        None,
        U.AS_SOON_AS_POSSIBLE,
        "allocation to a social worker",
        "Camden 2023, 8.2: a professionals planning meeting as soon as possible.",
    ),
    Rule(
        R.REPORT_FURTHER_INCIDENT,
        None,
        U.IMMEDIATELY,
        "a further incident or increased risk",
        "Camden 2023, 6.3 and 8.2; Derby and Derbyshire, 5: report immediately.",
    ),
    Rule(
        R.ADULT_SERVICES_REFERRAL,
        6,
        U.MONTHS,
        "the 18th birthday",
        "Derby and Derbyshire, 7: refer at least 6 months before the 18th birthday.",
        counts_back=True,
    ),
    Rule(
        R.PROTOCOL_REVIEW,
        12,
        U.MONTHS,
        "the last review of the protocol",
        "Camden 2023, 16: the protocol is reviewed every 12 months.",
    ),
)

CAMDEN_LIKE = ProfileTemplate(
    procedure_name="Harmful sexual behaviour protocol (modelled on Camden 2023)",
    cross_border_convenor=CrossBorderConvenor.WHERE_CHILD_HARMED_LIVES,
    separate_social_workers=SeparateSocialWorkers.OVERRIDE_WITH_REASON,
    rules=(
        *NATIONAL,
        Rule(
            R.WRITTEN_FOLLOW_UP,
            48,
            U.HOURS,
            "the telephone referral",
            "Camden 2023, 6.1: an urgent telephone referral is confirmed in writing "
            "within 48 hours.",
        ),
        Rule(
            R.STRATEGY_MEETING,
            3,
            U.CALENDAR_DAYS,
            "the referral is received or the incident",
            'Camden 2023, 8.3: "within 3 days" (unit not stated; read as calendar days).',
        ),
        Rule(
            R.INITIAL_CP_CONFERENCE,
            15,
            U.WORKING_DAYS,
            "the strategy discussion at which the s47 enquiry began",
            "Working Together 2023: within 15 working days of the strategy discussion.",
        ),
        Rule(
            R.CHILD_AND_FAMILY_ASSESSMENT,
            35,
            U.CALENDAR_DAYS,
            "the referral is received",
            'Camden 2023, 8.2 and 8.3: assessment "within 35 days" (unit not stated).',
        ),
        Rule(
            R.FIRST_CIN_REVIEW,
            3,
            U.MONTHS,
            "the network meeting",
            "Not stated in the Camden protocol: 3 months, as Derby and Derbyshire, 4.",
        ),
        Rule(
            R.LATER_CIN_REVIEW,
            6,
            U.MONTHS,
            "the previous review of the child in need plan",
            "Camden 2023, 8.2: the child in need plan is reviewed every 6 months.",
        ),
        Rule(
            R.RESETTLEMENT_PANEL,
            3,
            U.MONTHS,
            "the release date",
            "Camden 2023, 10: refer to the Resettlement Panel 3 months before release.",
            counts_back=True,
        ),
        Rule(
            R.PRE_RELEASE_MEETING,
            10,
            U.WORKING_DAYS,
            "the release date",
            "Camden 2023, 10: pre-release meeting 10 working days before release.",
            counts_back=True,
        ),
    ),
)

DERBY_LIKE = ProfileTemplate(
    procedure_name=(
        "Children who display harmful sexual behaviour (modelled on Derby and Derbyshire)"
    ),
    cross_border_convenor=CrossBorderConvenor.WHERE_BEHAVIOUR_OCCURRED,
    separate_social_workers=SeparateSocialWorkers.OVERRIDE_WITH_REASON,
    rules=(
        *NATIONAL,
        Rule(
            R.WRITTEN_FOLLOW_UP,
            48,
            U.HOURS,
            "the telephone referral",
            "Not stated in the Derby procedure: 48 hours, as Camden 2023, 6.1.",
        ),
        Rule(
            R.STRATEGY_MEETING,
            5,
            U.CALENDAR_DAYS,
            "the referral is received",
            'Derby and Derbyshire, 4: a single multi-agency strategy meeting "within 5 days" '
            "(unit not stated; read as calendar days).",
        ),
        Rule(
            R.INITIAL_CP_CONFERENCE,
            15,
            U.CALENDAR_DAYS,
            "the strategy meeting at which the s47 enquiry began",
            'Derby and Derbyshire, 4: "within 15 days" (Working Together 2023 allows 15 working '
            "days; the stricter reading is kept).",
        ),
        Rule(
            R.CHILD_AND_FAMILY_ASSESSMENT,
            45,
            U.WORKING_DAYS,
            "the referral is received",
            "Working Together 2023: within 45 working days; record why if exceeded.",
        ),
        Rule(
            R.FIRST_CIN_REVIEW,
            3,
            U.MONTHS,
            "the network meeting",
            "Derby and Derbyshire, 4: first review of the child in need plan within 3 months.",
        ),
        Rule(
            R.LATER_CIN_REVIEW,
            4,
            U.MONTHS,
            "the previous review of the child in need plan",
            "Derby and Derbyshire, 4: later reviews every 4 months.",
        ),
    ),
)

TEMPLATES = {"camden-like": CAMDEN_LIKE, "derby-like": DERBY_LIKE}


@transaction.atomic
def apply_profile(authority: LocalAuthority, template: ProfileTemplate) -> None:
    """Give ``authority`` the template's choices and timescales, replacing its own."""
    authority.procedure_name = template.procedure_name
    authority.cross_border_convenor = template.cross_border_convenor
    authority.separate_social_workers = template.separate_social_workers
    authority.save(
        update_fields=["procedure_name", "cross_border_convenor", "separate_social_workers"]
    )
    authority.timescales.all().delete()
    Timescale.objects.bulk_create(
        Timescale(
            authority=authority,
            rule=rule.rule,
            value=rule.value,
            unit=rule.unit,
            counts_back=rule.counts_back,
            clock_starts=rule.clock_starts,
            source_text=rule.source_text,
        )
        for rule in template.rules
    )
