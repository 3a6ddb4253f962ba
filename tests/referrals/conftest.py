"""Fixtures for the referral tests: a concern the DSL decided to refer (Riley Ashcombe, 12, who
has harmed; Sam Pellingford, 9, harmed; a red rating), and the people who work on it."""

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from hsb_portal.accounts.models import AgencyKind, LocalAuthority, Membership, Role
from hsb_portal.accounts.procedure_profiles import CAMDEN_LIKE, apply_profile
from hsb_portal.calendar import LONDON
from referrals import services
from referrals.models import Referral, ReferralStatus
from tests.conftest import signed_in
from tests.factories import (
    BrookRatingFactory,
    ChildFactory,
    ConcernChildFactory,
    ConcernFactory,
    MembershipFactory,
)
from triage.models import BrookBehaviour, Colour, Concern, ConcernStatus, NextStep, Part
from triage.selectors import concern_for_page


def london(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=LONDON)


@pytest.fixture
def brook(db: None) -> None:
    call_command("loaddata", "brook_traffic_light", verbosity=0)


@pytest.fixture
def profiled(authority: LocalAuthority) -> LocalAuthority:
    """The home authority with the Camden-like procedure profile (1 working day; 48 hours)."""
    apply_profile(authority, CAMDEN_LIKE)
    return authority


@pytest.fixture
def practitioner(member: Callable[..., Membership]) -> Membership:
    return member(Role.PRACTITIONER)


@pytest.fixture
def dsl(member: Callable[..., Membership]) -> Membership:
    return member(Role.DSL)


@pytest.fixture
def screener(member: Callable[..., Membership]) -> Membership:
    return member(Role.MASH_SCREENER)


@pytest.fixture
def manager(member: Callable[..., Membership]) -> Membership:
    return member(Role.SW_MANAGER)


@pytest.fixture
def social_workers(agency_for: Callable[..., Any]) -> list[Membership]:
    csc = agency_for(AgencyKind.CHILDRENS_SOCIAL_CARE)
    return [
        MembershipFactory(role=Role.SOCIAL_WORKER, agency=csc, user__full_name=name)
        for name in ("Sol Worker", "Jo Fieldworker")
    ]


@pytest.fixture
def dsl_client(dsl: Membership) -> Client:
    return signed_in(Client(), dsl)


@pytest.fixture
def screener_client(screener: Membership) -> Client:
    return signed_in(Client(), screener)


@pytest.fixture
def concern_to_refer(
    brook: None, profiled: LocalAuthority, practitioner: Membership, dsl: Membership
) -> Concern:
    """The state issue 3's journey ends in: a red concern about Riley (12) and Sam (9) that
    the DSL decided to refer."""
    concern = ConcernFactory(
        reported_by=practitioner.user,
        reporting_agency=practitioner.agency,
        authority=profiled,
        occurred_on=date(2026, 11, 20),
        reported_on=date(2026, 11, 20),
        what_happened="In the playground one pupil made sexual comments to a younger pupil.",
        status=ConcernStatus.TO_BE_REFERRED,
        decision=NextStep.REFER,
        decided_by=dsl.user,
        under_13_rule_applied=True,
    )
    riley = ConcernChildFactory(
        concern=concern,
        part=Part.CHILD_WHO_HARMED,
        child=ChildFactory(
            given_name="Riley",
            family_name="Ashcombe",
            date_of_birth=date(2014, 3, 14),
            authority=profiled,
        ),
    )
    ConcernChildFactory(
        concern=concern,
        part=Part.CHILD_HARMED,
        child=ChildFactory(
            given_name="Sam",
            family_name="Pellingford",
            date_of_birth=date(2017, 1, 20),
            authority=profiled,
        ),
    )
    rating = BrookRatingFactory(
        involvement=riley, suggested_colour=Colour.RED, final_colour=Colour.RED
    )
    rating.behaviours.set(BrookBehaviour.objects.filter(band=rating.band, text="sexual harassment"))
    return concern_for_page().get(pk=concern.pk)


CONTENTS = {
    "incident_details": "In the playground Riley made sexual comments to Sam and touched them.",
    "victim_vulnerability": "Sam is 9 and new to the school.",
    "coercion_or_duress": "Riley told Sam to keep it secret.",
    "referrer_risk_level": "high",
    "referrer_risk_details": "",
    "other_children_at_risk": "no",
    "other_children_details": "",
}


def consent_fields(prefix: str, **overrides: str) -> dict[str, str]:
    fields = {"parents_informed": "yes", "sharing_agreed_by": "parent", "sharing_note": ""}
    fields.update(overrides)
    return {f"{prefix}-{name}": value for name, value in fields.items()}


def refer_post(concern: Concern, **overrides: Any) -> dict[str, Any]:
    """What the DSL posts on 'Make the referrals' to refer both children."""
    involvements = list(concern.involvements_in_order())
    data: dict[str, Any] = {
        "version": concern.version,
        "children": [str(i.public_id) for i in involvements],
        "unpaired_reason": "",
        **CONTENTS,
    }
    for involvement in involvements:
        data.update(consent_fields(f"consent-{involvement.public_id}"))
    data.update(overrides)
    return data


def make_referrals(concern: Concern, dsl: Membership) -> list[Referral]:
    """The DSL makes both referrals through the service."""
    involvements = list(concern.involvements_in_order())
    consent = services.Consent(parents_informed=True, sharing_agreed_by="parent")
    return services.make_referrals_from_concern(
        concern=concern,
        involvements=involvements,
        contents=services.Contents(**CONTENTS),
        consents={i.pk: consent for i in involvements},
        unpaired_reason="",
        version=concern.version,
        by=dsl.user,
        membership=dsl,
    )


@pytest.fixture
def referrals(concern_to_refer: Concern, dsl: Membership) -> list[Referral]:
    """Riley's and Sam's referrals, made together, waiting to be screened."""
    return make_referrals(concern_to_refer, dsl)


def take(referral: Referral, screener: Membership) -> Referral:
    return services.take_referral(referral=referral, by=screener.user, membership=screener)


def decide(
    referral: Referral, screener: Membership, decision: str = ReferralStatus.STRATEGY_MEETING
) -> Referral:
    if referral.is_received:
        take(referral, screener)
    services.record_screening_decision(
        referral=referral,
        rag="red",
        decision=decision,
        rationale="Reasonable cause to suspect significant harm.",
        nfa_reasons=["managed_elsewhere"] if decision == ReferralStatus.NO_FURTHER_ACTION else [],
        support_needed="no" if decision == ReferralStatus.NO_FURTHER_ACTION else "",
        version=referral.version,
        by=screener.user,
        membership=screener,
    )
    return referral
