"""What each role sees on its "My work" page. Later features add their lists here."""

from dataclasses import dataclass, field
from typing import Any

from hsb_portal.accounts.models import Membership, Role
from triage import selectors

CONCERN_ROWS = "triage/includes/concern_rows.html"


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
            )
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
            )
        ]
    if role == Role.MASH_SCREENER:
        return [
            Section("Referrals to screen", "There are no referrals waiting for screening."),
            Section(
                "Children",
                "Children who live in your authority.",
                link_label="Find a child",
                link_url_name="triage:child-list",
            ),
        ]
    if role == Role.SOCIAL_WORKER:
        return [Section("Children allocated to you", "No children are allocated to you.")]
    if role == Role.SW_MANAGER:
        return [
            Section("Strategy meetings", "You have no strategy meetings to convene or chair."),
            Section("Overdue actions", "No actions are overdue."),
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
