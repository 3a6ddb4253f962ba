"""What each role sees on its "My work" page. Later features add their lists here."""

from dataclasses import dataclass, field
from typing import Any

from hsb_portal.accounts.models import AgencyKind, Membership, Role
from referrals import selectors as referral_selectors
from strategy import selectors as strategy_selectors
from strategy.meetings import selectors as meeting_selectors
from triage import selectors

CONCERN_ROWS = "triage/includes/concern_rows.html"
REFERRAL_ROWS = "referrals/includes/referral_rows.html"
FOLLOW_UP_ROWS = "referrals/includes/follow_up_rows.html"
MEETING_ROWS = "strategy/meetings/includes/meeting_rows.html"
TO_CONVENE_ROWS = "strategy/meetings/includes/to_convene_rows.html"
ACTION_ROWS = "strategy/meetings/includes/action_rows.html"
OUTCOME_ROWS = "strategy/meetings/includes/outcome_rows.html"


@dataclass
class Section:
    title: str
    empty_text: str
    rows: list[Any] = field(default_factory=list)
    link_label: str = ""
    link_url_name: str = ""
    template: str = ""  # renders ``rows``; rows must not name children (this page is not audited)


# How many concerns My work shows; the concern list has them all.
MY_WORK_ROWS = 10


def sections_for(membership: Membership | None) -> list[Section]:
    if membership is None:
        return [
            Section(
                "No role yet",
                "You have no active role in any agency. Ask your administrator to add one.",
            )
        ]
    role = membership.role
    if role == Role.PRACTITIONER:
        return [
            Section(
                "Concerns you have filed",
                "You have not filed any concerns.",
                rows=list(selectors.concerns_filed_by(membership)[:MY_WORK_ROWS]),
                link_label="Report a concern",
                link_url_name="triage:concern-create",
                template=CONCERN_ROWS,
            ),
            *_police_notifications(membership),
            _referrals_made(membership, "Your referrals and their outcomes"),
            *_strategy_meetings(membership),
        ]
    if role == Role.DSL:
        return [
            Section(
                "Concerns for you to review",
                "There are no concerns waiting for you.",
                rows=list(selectors.concerns_to_review(membership)[:MY_WORK_ROWS]),
                link_label="See every concern in your agency",
                link_url_name="triage:concern-list",
                template=CONCERN_ROWS,
            ),
            Section(
                "Concerns to refer",
                "No concerns are waiting for their referrals to be made.",
                rows=list(referral_selectors.concerns_to_refer(membership)[:MY_WORK_ROWS]),
                template=CONCERN_ROWS,
            ),
            *_police_notifications(membership),
            _referrals_made(membership, "Referrals from your agency and their outcomes"),
            *_strategy_meetings(membership),
        ]
    if role == Role.MASH_SCREENER:
        return [
            Section(
                "Referrals to screen",
                "There are no referrals waiting for screening.",
                rows=list(referral_selectors.referrals_to_screen(membership)[:MY_WORK_ROWS]),
                link_label="Open the screening queue",
                link_url_name="referrals:screening-queue",
                template=REFERRAL_ROWS,
            ),
            Section(
                "Telephone referrals awaiting written follow-up",
                "Every telephone referral has been confirmed in writing.",
                rows=list(
                    referral_selectors.telephone_referrals_awaiting_follow_up(membership)[
                        :MY_WORK_ROWS
                    ]
                ),
                link_label="Record an urgent telephone referral",
                link_url_name="referrals:telephone-referral-create",
                template=FOLLOW_UP_ROWS,
            ),
            Section(
                "'No names' advice",
                "Advice asked of the MASH without naming the child.",
                link_label="See 'no names' advice",
                link_url_name="referrals:consultation-list",
            ),
            Section(
                "Children",
                "Children who live in your authority.",
                link_label="Find a child",
                link_url_name="triage:child-list",
            ),
            *_strategy_meetings(membership),
        ]
    if role == Role.SOCIAL_WORKER:
        return [
            Section(
                "Children allocated to you",
                "No children are allocated to you.",
                rows=list(referral_selectors.referrals_allocated_to(membership)[:MY_WORK_ROWS]),
                template=REFERRAL_ROWS,
            ),
            Section(
                "Conferences and plan reviews",
                "No conference or plan review dates have been set for your children.",
                rows=list(meeting_selectors.outcomes_for_social_worker(membership)[:MY_WORK_ROWS]),
                template=OUTCOME_ROWS,
            ),
            Section(
                "Strategy meetings you are invited to",
                "You are not invited to any strategy meeting still to be held.",
                rows=list(meeting_selectors.meetings_invited_to(membership)[:MY_WORK_ROWS]),
                link_label="See all strategy meetings",
                link_url_name="meetings:meeting-list",
                template=MEETING_ROWS,
            ),
            _actions_owned(membership, "You own no open actions."),
        ]
    if role == Role.SW_MANAGER:
        return [
            Section(
                "Strategy meetings to convene",
                "No referrals screened for a strategy meeting are waiting for one.",
                rows=meeting_selectors.referrals_to_convene(membership),
                template=TO_CONVENE_ROWS,
            ),
            Section(
                "Strategy meetings you chair",
                "You chair no strategy meetings that are still open.",
                rows=list(meeting_selectors.meetings_chaired_by(membership)[:MY_WORK_ROWS]),
                link_label="See all strategy meetings",
                link_url_name="meetings:meeting-list",
                template=MEETING_ROWS,
            ),
            Section(
                "Overdue actions",
                "No actions of the meetings you chair are overdue.",
                rows=list(meeting_selectors.overdue_actions_for_chair(membership)[:MY_WORK_ROWS]),
                template="strategy/meetings/includes/chair_action_rows.html",
            ),
            Section(
                "Conferences and plan reviews",
                "No conference or plan review dates have been set in the meetings you chair.",
                rows=list(meeting_selectors.outcomes_for_chair(membership)[:MY_WORK_ROWS]),
                template=OUTCOME_ROWS,
            ),
            *_optional(_actions_owned(membership, "")),
            Section(
                "Referrals waiting for a social worker",
                "Every referral decided for an assessment or a strategy meeting has a social "
                "worker.",
                rows=list(
                    referral_selectors.referrals_waiting_for_a_social_worker(membership)[
                        :MY_WORK_ROWS
                    ]
                ),
                template=REFERRAL_ROWS,
            ),
        ]
    if role == Role.AUDITOR:
        return [
            Section(
                "Case histories",
                "Review any child in the authorities you audit.",
                link_label="Find a child",
                link_url_name="triage:child-list",
            )
        ]
    return [
        Section(
            "Administration",
            "Add people, agencies, closure days and procedure timescales.",
            link_label="Open records administration",
            link_url_name="admin:index",
        )
    ]


def _referrals_made(membership: Membership, title: str) -> Section:
    return Section(
        title,
        "No referrals have been made.",
        rows=list(referral_selectors.referrals_made_by(membership)[:MY_WORK_ROWS]),
        link_label="See all referrals",
        link_url_name="referrals:referral-list",
        template=REFERRAL_ROWS,
    )


def _police_notifications(membership: Membership) -> list[Section]:
    # Police officers notify the MASH of children who came to police notice (CA 6.2).
    if membership.agency.kind != AgencyKind.POLICE:
        return []
    return [
        Section(
            "Police notifications",
            "Tell the MASH about children who have come to police notice, for example with "
            "a MERLIN.",
            link_label="Send a police notification",
            link_url_name="referrals:police-notification-create",
        )
    ]


def _actions_owned(membership: Membership, empty_text: str) -> Section:
    return Section(
        "Your actions from strategy meetings",
        empty_text,
        rows=list(meeting_selectors.actions_owned_by(membership)[:MY_WORK_ROWS]),
        template=ACTION_ROWS,
    )


def _optional(section: Section) -> list[Section]:
    """A section shown only when it has rows."""
    return [section] if section.rows else []


def _strategy_meetings(membership: Membership) -> list[Section]:
    # Anyone may be invited to a strategy meeting, own an action agreed at one, or read the
    # minutes the chair sent to them (CA 14); each list is shown only when it has rows.
    return [
        *_optional(
            Section(
                "Strategy meetings you are invited to",
                "",
                rows=list(meeting_selectors.meetings_invited_to(membership)[:MY_WORK_ROWS]),
                template=MEETING_ROWS,
            )
        ),
        *_optional(_actions_owned(membership, "")),
        *_optional(
            Section(
                "Strategy meeting minutes sent to you",
                "",
                rows=list(meeting_selectors.minutes_sent_to(membership)[:MY_WORK_ROWS]),
                template="strategy/meetings/includes/distributed_rows.html",
            )
        ),
    ]


def aim_assessment_sections(membership: Membership | None) -> list[Section]:
    """The draft AIM assessments this person leads or works on, whatever their role: a
    co-worker from another agency may have no other way to them. Shown only when there are
    some."""
    if membership is None:
        return []
    rows = list(strategy_selectors.aim_assessments_worked_on_by(membership)[:MY_WORK_ROWS])
    if not rows:
        return []
    return [
        Section(
            "AIM assessments you are working on",
            "",
            rows=rows,
            template="strategy/includes/aim_rows.html",
        )
    ]
