"""Strategy meetings on "My work" (issue 5, items 1 and 7): meetings to convene with when they
are due, meetings chaired, overdue actions, each owner's actions, conference and plan review
dates, invitations and minutes sent to an agency. No child is named (the page is not audited as
a view of a child), and each list costs the same number of queries for 1 row or many."""

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hsb_portal.accounts.models import AgencyKind
from strategy.meetings import services
from strategy.models import MinutesVersion
from tests.conftest import signed_in
from tests.factories import ChildFactory
from tests.strategy.meetings.conftest import (
    add_action,
    approve,
    approved_meeting,
    convene,
    hold,
    london,
    make_incident,
    record,
)

pytestmark = pytest.mark.django_db


def test_the_manager_sees_meetings_to_convene_with_when_they_are_due(
    incident, manager_client: Client
) -> None:
    response = manager_client.get(reverse("home"))

    text = response.text
    assert "Strategy meetings to convene" in text
    assert f"Convene for {incident.riley.reference}" in text
    assert f"Convene for {incident.sam.reference}" in text
    assert "Meeting due by Monday 23 November 2026, 10:00" in text
    assert ('govuk-tag--red">Overdue</strong>' in text) == (
        timezone.now() > london(2026, 11, 23, 10, 0)
    )
    assert "Riley" not in text and "Sam" not in text


def test_a_meeting_not_convened_in_time_is_marked_overdue(
    camden, agency_for, manager_client: Client
) -> None:
    make_incident(
        harmer_lives=camden,
        harmed_lives=camden,
        happened_in=camden,
        agency_for=agency_for,
        received_at=timezone.now() - timedelta(days=4),
    )

    text = manager_client.get(reverse("home")).text

    assert text.count('govuk-tag--red">Overdue</strong>') == 2


def test_once_convened_the_manager_sees_the_meeting_they_chair(
    incident, manager, manager_client: Client
) -> None:
    meeting = convene(incident, manager)

    text = manager_client.get(reverse("home")).text

    assert "Convene for" not in text
    assert "Strategy meetings you chair" in text
    assert meeting.reference in text
    assert "2 children" in text


def test_overdue_actions_show_to_their_owner_and_the_chair(
    incident, manager, manager_client: Client, police
) -> None:
    meeting = convene(incident, manager)
    hold(meeting, manager)
    record(meeting, manager, "Riley")
    record(meeting, manager, "Sam")
    add_action(
        meeting,
        manager,
        owner=police,
        description="Share the police record with Sam's school.",
        children=["Sam"],
        due_on=timezone.localdate() - timedelta(days=1),
    )
    add_action(
        meeting,
        manager,
        owner=police,
        description="Review in a year.",
        children=["Riley"],
        due_on=timezone.localdate() + timedelta(days=365),
    )
    approve(meeting, manager)

    chair = manager_client.get(reverse("home")).text
    owner = signed_in(Client(), police).get(reverse("home")).text

    assert "Overdue actions" in chair
    assert "owned by Pat Constable" in chair
    assert chair.count("Action of") == 1  # only the overdue one
    assert "Your actions from strategy meetings" in owner
    assert owner.count("Action of") == 2
    assert owner.count('govuk-tag--red">Overdue</strong>') == 1
    assert "Sam" not in owner and "police record" not in owner


def test_social_workers_see_their_childrens_conference_and_review_dates(incident, manager) -> None:
    approved_meeting(incident, manager)
    sols = signed_in(Client(), incident.workers[0])  # Riley's: a child in need plan
    jos = signed_in(Client(), incident.workers[1])  # Sam's: a conference

    riley = sols.get(reverse("home")).text
    sam = jos.get(reverse("home")).text

    assert "first review of the child in need plan due by 23 February 2027" in riley
    assert "initial child protection conference" not in riley
    assert "initial child protection conference due by 14 December 2026" in sam
    # Overdue once the date passes with no conference booked.
    assert ('govuk-tag--red">Overdue</strong>' in sam) == (
        timezone.localdate() > date(2026, 12, 14)
    )
    assert "Sam" not in sam


def test_the_chair_sees_the_conference_and_review_dates_too(
    incident, manager, manager_client: Client
) -> None:
    approved_meeting(incident, manager)

    text = manager_client.get(reverse("home")).text

    assert "initial child protection conference due by 14 December 2026" in text
    assert "first review of the child in need plan due by 23 February 2027" in text


def test_an_invited_agency_sees_the_meeting_until_it_is_held(
    incident, manager, police, agencies
) -> None:
    meeting = convene(
        incident,
        manager,
        agencies=[agencies[AgencyKind.POLICE]],
        scheduled_for=timezone.now() + timedelta(days=1),
        late_reason="Rearranged.",
    )
    client = signed_in(Client(), police)

    before = client.get(reverse("home")).text
    hold(meeting, manager, held_on=timezone.localdate())
    after = client.get(reverse("home")).text

    assert "Strategy meetings you are invited to" in before
    assert meeting.reference in before
    assert "Strategy meetings you are invited to" not in after


# Query counts: the same for 1 row or many (style.md §7). Each request also costs: 1 the
# session, 2 the user, 3 their second factor (django-otp's device), 4 their memberships (agency
# joined), 5 the memberships' authorities, and at the end the session saved for the idle
# timeout (savepoint, update, release).

# The manager's My work: 6 referrals to convene (access policy as one subquery), 7 the
# strategy meeting timescales of their authorities, 8 closure days, 9 meetings they chair
# (children counted, draft minutes flagged), 10 overdue actions of those meetings (latest
# approved minutes, not done), 11 conference and review dates of their children, 12 their own
# actions, 13 referrals waiting for a social worker, 14 AIM assessments they work on,
# 15-17 the session saved.
MANAGER_MY_WORK_QUERIES = 17
# The social worker's: 6 children allocated, 7 conference and review dates, 8 meetings they
# are invited to, 9 their actions, 10 AIM assessments, 11-13 the session saved.
SOCIAL_WORKER_MY_WORK_QUERIES = 13
# A police officer's: 6 concerns filed, 7 referrals made, 8 meetings invited to, 9 their
# actions, 10 minutes sent to their agency, 11 AIM assessments, 12-14 the session saved.
PRACTITIONER_MY_WORK_QUERIES = 14
# 6 the count for the pagination, 7 the page of meetings (authority and chair joined, children
# counted), 8-10 the session saved.
MEETING_LIST_QUERIES = 10


@pytest.fixture
def busy(camden, agency_for, manager, police, agencies, member):
    """Meetings and their lists, ``make(count)`` at a time: each incident's meeting covers the
    child who has harmed (allocated to one social worker, who owns an overdue action with the
    police officer) while the child harmed still waits for a meeting; its minutes go to the
    police."""
    from hsb_portal.accounts.models import Role
    from referrals.models import Allocation
    from tests.factories import AllocationFactory

    worker = member(Role.SOCIAL_WORKER)

    def make(count: int) -> None:
        for n in range(count):
            incident = make_incident(
                harmer_lives=camden,
                harmed_lives=camden,
                happened_in=camden,
                agency_for=agency_for,
                received_at=london(2026, 11, 1 + n, 9, 0),
            )
            Allocation.objects.filter(referral=incident.riley).update(ended_at=timezone.now())
            AllocationFactory(referral=incident.riley, social_worker=worker)
            meeting = convene(
                incident,
                manager,
                referrals=incident.referrals[:1],
                agencies=[agencies[AgencyKind.POLICE]],
                scheduled_for=london(2026, 11, 1 + n, 9, 0),
            )
            hold(meeting, manager, held_on=date(2026, 11, 1 + n))
            overdue = timezone.localdate() - timedelta(days=1 + n)
            record(meeting, manager, "Riley")
            for owner in (police, worker):
                add_action(
                    meeting,
                    manager,
                    owner=owner,
                    description="Visit.",
                    children=["Riley"],
                    due_on=overdue,
                )
            minutes = approve(meeting, manager)
            services.distribute_minutes(
                minutes=minutes,
                choices={meeting.meeting_children.get(): [police]},
                by=manager.user,
                membership=manager,
            )

    return make, worker


@pytest.mark.parametrize("count", [1, 5])
def test_my_work_costs_the_same_whatever_the_number_of_meetings(
    count, busy, manager_client: Client, police, django_assert_num_queries
) -> None:
    make, worker = busy
    make(count)
    clients = [
        # The chair sees both owners' overdue actions; each owner their own.
        (manager_client, MANAGER_MY_WORK_QUERIES, 2 * count),
        (signed_in(Client(), worker), SOCIAL_WORKER_MY_WORK_QUERIES, count),
        (signed_in(Client(), police), PRACTITIONER_MY_WORK_QUERIES, count),
    ]
    for client, _, _ in clients:
        client.get(reverse("home"))  # the session is warm, as in use

    for client, queries, actions in clients:
        with django_assert_num_queries(queries):
            response = client.get(reverse("home"))
        assert response.text.count("Action of") == actions
        assert response.text.count('govuk-tag--red">Overdue</strong>') >= actions


@pytest.mark.parametrize("count", [1, 5])
def test_the_meeting_list_costs_the_same_whatever_the_number_of_meetings(
    count, busy, manager_client: Client, django_assert_num_queries
) -> None:
    make, _ = busy
    make(count)
    manager_client.get(reverse("home"))

    with django_assert_num_queries(MEETING_LIST_QUERIES):
        response = manager_client.get(reverse("meetings:meeting-list"))

    assert response.context["page"].paginator.count == count


# The meeting page: 6 the meeting (authority, chair and convener joined), 7 its children, 8 its
# invitations, 9 its minutes versions (whether each is superseded), 10-13 the audit event (lock
# the chain's head, the event, the children it names, move the head), 14 which children this
# person may know (the rest are redacted in every word shown), 15 which they see whole, 16 the
# minutes sent to them, 17 the children's records, 18 the actions (owner, agency and meeting
# joined; done or not), 19 the children they concern, 20 the attendance, 21-23 the session
# saved. The same for a reader who may know every child (the chair) and one who may know only
# their own (a child's social worker), whatever the number of children and actions.
MEETING_PAGE_QUERIES = 23
# One child's minutes: 6-7 the child's place and the version are of this meeting (the guard
# refuses an address that mixes two meetings), 8 the child's place in the meeting (child,
# referral, meeting, authority and chair joined), 9 whether this person sees the whole record,
# 10 the version, 11-14 the audit event, 15 the meeting's children, 16 the attendance, 17 the
# child's record, 18 whether a later version supersedes this one, 19 the actions about the
# child (owner and agency joined), 20 the children they concern, 21 which are done, 22 what
# each agency shared, 23 the other children named in the case (redacted too), 24 the chair's
# redactions, 25-27 the session saved.
CHILD_MINUTES_QUERIES = 27
# More children harmed in the same incident, for the bigger case.
MORE_CHILDREN = ["Casey", "Drew", "Ellis", "Frankie"]


@pytest.mark.parametrize("count", [1, 5])
def test_the_meeting_and_minutes_pages_cost_the_same_whatever_the_number_of_rows(
    count,
    camden,
    agency_for,
    manager,
    manager_client: Client,
    police,
    agencies,
    django_assert_num_queries,
) -> None:
    more = MORE_CHILDREN[: count - 1]
    incident = make_incident(
        harmer_lives=camden,
        harmed_lives=camden,
        happened_in=camden,
        agency_for=agency_for,
        extra=[
            (ChildFactory(given_name=name, family_name="Quillon", authority=camden), "child_harmed")
            for name in more
        ],
    )
    meeting = convene(incident, manager, agencies=list(agencies.values())[:count])
    hold(meeting, manager)
    information = dict.fromkeys(list(agencies.values())[:count], "What the agency knows.")
    record(meeting, manager, "Riley", information=information)
    for name in ["Sam", *more]:
        record(meeting, manager, name)
    everyone = ["Riley", "Sam", *more]
    for n in range(count):
        add_action(
            meeting,
            manager,
            owner=police,
            description=f"Action {n}: visit Sam Pellingford.",
            children=everyone,
        )
    minutes = approve(meeting, manager)
    place = meeting.meeting_children.get(letter="A")
    rileys_worker = signed_in(Client(), incident.workers[0])
    for client in (manager_client, rileys_worker):
        client.get(reverse("home"))

    with django_assert_num_queries(MEETING_PAGE_QUERIES):
        page = manager_client.get(reverse("meetings:meeting-detail", args=[meeting.public_id]))
    with django_assert_num_queries(MEETING_PAGE_QUERIES):
        redacted = rileys_worker.get(reverse("meetings:meeting-detail", args=[meeting.public_id]))
    with django_assert_num_queries(CHILD_MINUTES_QUERIES):
        child = manager_client.get(
            reverse(
                "meetings:child-minutes",
                args=[meeting.public_id, place.public_id, minutes.public_id],
            )
        )

    assert page.text.count("Riley Ashcombe and Sam Pellingford") == count
    assert page.text.count("visit Sam Pellingford.") == count
    assert redacted.text.count("Riley Ashcombe and Child B") == count
    assert redacted.text.count("visit Child B.") == count
    assert "Pellingford" not in redacted.text
    assert child.text.count("Riley Ashcombe and Child B") == count
    assert child.text.count("What the agency knows.") == count
    assert MinutesVersion.objects.filter(meeting=meeting).count() == 1
