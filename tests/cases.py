"""Whole cases driven through the real services, shared by the tests that need one: a concern
about Riley (12, who has harmed) and Sam (9, harmed) at school, a red Brook rating, the DSL's
decision to refer, and both referrals screened for a strategy meeting with a social worker each.
All names are fictional; family names and screening notes can be chosen (canary tests)."""

from datetime import date
from uuid import uuid4

from hsb_portal.accounts.models import LocalAuthority, Membership
from referrals import services as referrals
from referrals.models import Referral, ReferralStatus
from tests.referrals.conftest import CONTENTS
from triage import services as triage
from triage.guidance import guidance_for
from triage.models import (
    BrookBand,
    BrookBehaviour,
    Concern,
    Location,
    NextStep,
    Part,
    Sex,
    YesNoUnknown,
)
from triage.selectors import concern_for_page


def concern_version(concern: Concern) -> int:
    return Concern.objects.values_list("version", flat=True).get(pk=concern.pk)


def raise_and_rate(
    authority: LocalAuthority,
    practitioner: Membership,
    dsl: Membership,
    *,
    harmer_family_name: str = "Ashcombe",
    harmed_family_name: str = "Pellingford",
    harmer_details: dict[str, str] | None = None,
    harmed_details: dict[str, str] | None = None,
) -> Concern:
    """The practitioner's concern, rated red, sent to the DSL, who decides to refer.
    ``harmer_details`` and ``harmed_details`` add to each child's record (address, postcode,
    school)."""
    acting = {"by": practitioner.user, "membership": practitioner}
    concern = triage.raise_concern(
        submission=uuid4(),
        occurred_on=date(2026, 11, 20),
        reported_on=date(2026, 11, 20),
        location=Location.SCHOOL_OR_COLLEGE,
        authority=authority,
        what_happened="In the playground one pupil made sexual comments to a younger pupil.",
        technology_assisted=YesNoUnknown.NO,
        crime_suspected=YesNoUnknown.UNKNOWN,
        police_aware=YesNoUnknown.NO,
        **acting,
    )
    involvements = {}
    for given, family, born, part, details in (
        ("Riley", harmer_family_name, date(2014, 3, 14), Part.CHILD_WHO_HARMED, harmer_details),
        ("Sam", harmed_family_name, date(2017, 1, 20), Part.CHILD_HARMED, harmed_details),
    ):
        involvements[part] = triage.record_new_child(
            concern=concern,
            part=part,
            developmental_age=None,
            household=[],
            submission=uuid4(),
            version=concern_version(concern),
            given_name=given,
            family_name=family,
            date_of_birth=born,
            sex=Sex.NOT_KNOWN,
            authority=authority,
            **(details or {}),
            **acting,
        )
    band = BrookBand.objects.get(edition__is_current=True, code="9-13")
    rating = triage.rate_behaviour(
        involvement=involvements[Part.CHILD_WHO_HARMED],
        band=band,
        behaviours=BrookBehaviour.objects.filter(band=band, text="sexual harassment"),
        behaviour_not_listed="",
        signs=[],
        answers={},
        version=concern_version(concern),
        **acting,
    )
    triage.choose_colour(
        rating=rating,
        final_colour="red",
        colour_reason="",
        version=concern_version(concern),
        **acting,
    )
    concern = concern_for_page().get(pk=concern.pk)
    triage.submit_concern(
        concern=concern,
        guidance=guidance_for(concern),
        chosen_next_step=NextStep.REFER,
        reason="",
        version=concern.version,
        **acting,
    )
    triage.review_concern(
        concern=concern,
        decision=NextStep.REFER,
        reason="A child harmed is under 13 and the behaviour is red.",
        note="",
        version=concern.version,
        by=dsl.user,
        membership=dsl,
    )
    return concern_for_page().get(pk=concern.pk)


def refer_screen_allocate(
    concern: Concern,
    dsl: Membership,
    screener: Membership,
    workers: dict[str, Membership],
    *,
    screening_notes: dict[str, str] | None = None,
) -> dict[str, Referral]:
    """The DSL's referrals, screened red for a strategy meeting, each child's social worker
    allocated (``workers`` by part); by part, the child who has harmed first."""
    consent = referrals.Consent(parents_informed=True, sharing_agreed_by="parent")
    involvements = list(concern.involvements_in_order())
    made = referrals.make_referrals_from_concern(
        concern=concern,
        involvements=involvements,
        contents=referrals.Contents(**CONTENTS),
        consents={i.pk: consent for i in involvements},
        unpaired_reason="",
        version=concern.version,
        by=dsl.user,
        membership=dsl,
    )
    notes = screening_notes or {}
    acting = {"by": screener.user, "membership": screener}
    for referral in made:
        referrals.take_referral(referral=referral, **acting)
        rationale = " ".join(
            filter(
                None, ["Reasonable cause to suspect significant harm.", notes.get(referral.part)]
            )
        )
        referrals.record_screening_decision(
            referral=referral,
            rag="red",
            decision=ReferralStatus.STRATEGY_MEETING,
            rationale=rationale,
            version=referral.version,
            **acting,
        )
        referrals.allocate_social_worker(
            referral=referral,
            social_worker=workers[referral.part],
            same_worker_reason="",
            version=referral.version,
            **acting,
        )
    return {r.part: Referral.objects.get(pk=r.pk) for r in made}
