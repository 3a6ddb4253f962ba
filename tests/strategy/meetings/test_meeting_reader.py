"""A meeting's words, read per reader (issue 10, item 2): every page that shows what was typed
into a meeting shows each reader what their per-child minutes would: a child they may not know
is "Child B", their name, date of birth, address and school redacted; a child they may know is
named. An invitee who sends back their agency's contribution as the page showed it loses none
of the words it was written with. (The canary walk, tests/security/test_canaries.py, checks
every page of every role.)"""

import pytest
from django.test import Client
from django.urls import reverse

from hsb_portal.accounts.models import AgencyKind, Membership, Role
from strategy.meetings import selectors, services
from strategy.models import Invitation, StrategyMeeting
from tests.conftest import signed_in
from tests.factories import ChildFactory, MembershipFactory
from tests.strategy.meetings.conftest import (
    add_action,
    approve,
    convene,
    fresh,
    hold,
    make_incident,
    record,
)

pytestmark = pytest.mark.django_db

# How people write about Sam (Sam Pellingford, born 20 January 2017, 17 Capstan Close,
# Anchorage Primary) when they mean both children.
ABOUT_BOTH = (
    "Riley Ashcombe of Quayside Academy approached Sam Pellingford (born 20/01/2017, "
    "17 Capstan Close) at Anchorage Primary."
)
SAMS = ["Sam", "Pellingford", "20/01/2017", "Capstan Close", "Anchorage Primary"]


def meeting_page(client: Client, meeting: StrategyMeeting) -> str:
    return client.get(reverse("meetings:meeting-detail", args=[meeting.public_id])).text


def answer_url(meeting: StrategyMeeting, invitation: Invitation) -> str:
    return reverse("meetings:invitation-answer", args=[meeting.public_id, invitation.public_id])


def answer(invitation: Invitation, person: Membership, contribution: str) -> None:
    invitation.refresh_from_db()
    services.answer_invitation(
        invitation=invitation,
        response="apologies",
        contribution=contribution,
        risk_view="",
        version=invitation.version,
        by=person.user,
        membership=person,
    )


def test_rileys_social_worker_reads_sam_only_as_child_b_in_every_word_of_the_meeting(
    incident, manager, police, manager_client: Client
) -> None:
    meeting = convene(incident, manager)
    hold(meeting, manager)
    record(meeting, manager, "Riley")
    record(meeting, manager, "Sam")
    add_action(meeting, manager, owner=police, description=ABOUT_BOTH, children=["Riley", "Sam"])
    approve(meeting, manager)
    services.amend_minutes(
        meeting=fresh(meeting),
        reason=f"Corrected: {ABOUT_BOTH}",
        version=fresh(meeting).version,
        by=manager.user,
        membership=manager,
    )
    rileys_worker = signed_in(Client(), incident.workers[0])

    theirs = meeting_page(rileys_worker, meeting)
    chairs = meeting_page(manager_client, meeting)

    assert "Riley Ashcombe of Quayside Academy approached Child B (born [redacted]" in theirs
    assert "Corrected: Riley Ashcombe of Quayside Academy approached Child B" in theirs
    for identifier in SAMS:
        assert identifier not in theirs
    # The chair may know both children: both stay, everywhere.
    assert chairs.count(ABOUT_BOTH) == 2
    assert "Sam Pellingford (Child B)" in chairs


def test_someone_who_may_see_both_childrens_records_knows_both(incident, manager, member) -> None:
    meeting = fresh(convene(incident, manager))
    # The MASH of the authority both children live in sees their records (access policy).
    screener = member(Role.MASH_SCREENER)

    reader = selectors.reader_of(meeting, screener)

    assert reader.known == {place.pk for place in meeting.meeting_children.all()}
    assert reader(ABOUT_BOTH) == ABOUT_BOTH


def test_nobody_in_particular_knows_neither(incident, manager, member) -> None:
    meeting = fresh(convene(incident, manager))

    reader = selectors.reader_of(meeting, member(Role.PRACTITIONER))

    assert reader.known == frozenset()
    assert reader(ABOUT_BOTH) == (
        "Child A of [redacted] approached Child B (born [redacted]) at [redacted]."
    )


def test_an_invitee_who_may_know_neither_child_sees_only_their_letters(
    incident, manager, police, agencies
) -> None:
    meeting = convene(incident, manager, agencies=[agencies[AgencyKind.POLICE]])
    invitation = meeting.invitations.get(agency=police.agency)

    page = signed_in(Client(), police).get(answer_url(meeting, invitation)).text

    assert "It is about: Child A, child who has harmed; Child B, child harmed." in page
    assert "Riley" not in page and "Sam" not in page


def test_a_contribution_sent_back_as_the_page_showed_it_keeps_the_words_it_was_written_with(
    incident, manager, agencies
) -> None:
    health = agencies[AgencyKind.HEALTH]
    meeting = convene(incident, manager, agencies=[health])
    invitation = meeting.invitations.get(agency=health)
    nurse, colleague = (MembershipFactory(role=Role.PRACTITIONER, agency=health) for _ in "ab")
    answer(invitation, nurse, ABOUT_BOTH)
    client = signed_in(Client(), colleague)
    page = client.get(answer_url(meeting, invitation)).text
    shown = "Child A of [redacted] approached Child B (born [redacted]) at [redacted]."
    invitation.refresh_from_db()

    sent = client.post(
        answer_url(meeting, invitation),
        {
            "version": invitation.version,
            "response": "apologies",
            "contribution": shown.replace(" ", "\r\n", 1),  # a browser's line breaks
            "risk_view": "Low.",
        },
        follow=True,
    )

    assert shown in page
    assert "names a child whose record you may not see" in page
    assert "Your answer has been sent to the chair" in sent.text
    invitation.refresh_from_db()
    assert invitation.contribution == ABOUT_BOTH
    assert invitation.risk_view == "Low."


def test_a_contribution_changed_is_saved_as_it_was_sent(incident, manager, agencies) -> None:
    health = agencies[AgencyKind.HEALTH]
    meeting = convene(incident, manager, agencies=[health])
    invitation = meeting.invitations.get(agency=health)
    nurse, colleague = (MembershipFactory(role=Role.PRACTITIONER, agency=health) for _ in "ab")
    answer(invitation, nurse, ABOUT_BOTH)
    invitation.refresh_from_db()
    changed = "Child A approached Child B. The nurse saw Child B on 2 December."

    signed_in(Client(), colleague).post(
        answer_url(meeting, invitation),
        {"version": invitation.version, "response": "apologies", "contribution": changed},
    )

    invitation.refresh_from_db()
    assert invitation.contribution == changed


# The invitation page: 1-5 as every page (session, user, second factor, memberships, their
# authorities), 6 the invitation is of this meeting (the guard refuses an address that mixes two
# meetings), 7 the invitation (agency, person, meeting, chair and authority joined), 8 the
# meeting's children (their records joined), 9-12 the audit event (lock the chain's head, the
# event, the children it names, move the head), 13 which children this person may know,
# 14-16 the session saved. Whatever the number of children.
INVITATION_PAGE_QUERIES = 16


@pytest.mark.parametrize("more", [0, 3])
def test_the_invitation_page_costs_the_same_whatever_the_number_of_children(
    more, camden, agency_for, manager, police, agencies, django_assert_num_queries
) -> None:
    extra = [
        (ChildFactory(given_name=name, family_name="Quillon", authority=camden), "child_harmed")
        for name in ["Casey", "Drew", "Ellis"][:more]
    ]
    incident = make_incident(
        harmer_lives=camden,
        harmed_lives=camden,
        happened_in=camden,
        agency_for=agency_for,
        extra=extra,
    )
    meeting = convene(incident, manager, agencies=[agencies[AgencyKind.POLICE]])
    invitation = meeting.invitations.get(agency=police.agency)
    answer(invitation, police, ABOUT_BOTH)
    client = signed_in(Client(), police)
    client.get(reverse("home"))

    with django_assert_num_queries(INVITATION_PAGE_QUERIES):
        page = client.get(answer_url(meeting, invitation)).text

    assert page.count("Child ") >= 2 + more
    assert "Pellingford" not in page
