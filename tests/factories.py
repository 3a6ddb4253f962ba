"""One factory per model, with fictional defaults."""

from datetime import date, timedelta

import factory
from django.utils import timezone

from hsb_portal.accounts.models import Agency, AgencyKind, LocalAuthority, Membership, Role, User
from referrals.models import (
    Allocation,
    NoNamesConsultation,
    Rag,
    Referral,
    ReferralGroup,
    ReferralSource,
    ReferralStatus,
    RiskLevel,
    ScreeningDecision,
    SharingAgreedBy,
)
from strategy.models import AimAssessment, AimFactorRating
from triage.models import (
    BrookBand,
    BrookRating,
    Child,
    Colour,
    Concern,
    ConcernChild,
    ConcernEvent,
    ConcernEventKind,
    GuidanceRule,
    Location,
    NextStep,
    Part,
    Sex,
    YesNoUnknown,
)

DEFAULT_PASSWORD = "a-long-test-password-for-everyone"


class LocalAuthorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LocalAuthority
        django_get_or_create = ["code"]

    name = factory.Sequence(lambda n: f"Testshire Council {n}")
    code = factory.Sequence(lambda n: f"testshire-{n}")


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Test Agency {n}")
    kind = AgencyKind.SCHOOL

    @factory.post_generation
    def authorities(self, create: bool, extracted: list[LocalAuthority] | None, **kwargs: object):
        if create:
            self.authorities.add(*(extracted or [LocalAuthorityFactory()]))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@agency.example")
    full_name = factory.Sequence(lambda n: f"Test Person {n}")
    password = factory.django.Password(DEFAULT_PASSWORD)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    agency = factory.SubFactory(AgencyFactory)
    role = Role.PRACTITIONER


class ChildFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Child

    given_name = factory.Sequence(lambda n: f"Childname{n}")
    family_name = factory.Sequence(lambda n: f"Familyname{n}")
    date_of_birth = date(2014, 5, 17)
    sex = Sex.FEMALE
    authority = factory.SubFactory(LocalAuthorityFactory)
    address = factory.Sequence(lambda n: f"{n} Fictional Street, Testshire")
    school_or_setting = "Testshire Primary"


class ConcernFactory(factory.django.DjangoModelFactory):
    """A draft concern filed by a school practitioner; the behaviour on 2 March 2026."""

    class Meta:
        model = Concern

    reported_by = factory.SubFactory(UserFactory)
    reporting_agency = factory.SubFactory(AgencyFactory)
    occurred_on = date(2026, 3, 2)
    reported_on = date(2026, 3, 3)
    location = Location.SCHOOL_OR_COLLEGE
    authority = factory.LazyAttribute(lambda o: o.reporting_agency.authorities.first())
    what_happened = "At lunch break one pupil was seen pressing another against the wall."


class ConcernChildFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConcernChild

    concern = factory.SubFactory(ConcernFactory)
    child = factory.SubFactory(
        ChildFactory, authority=factory.LazyAttribute(lambda o: o.factory_parent.concern.authority)
    )
    part = Part.CHILD_WHO_HARMED
    added_by = factory.LazyAttribute(lambda o: o.concern.reported_by)


class ConcernEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConcernEvent

    concern = factory.SubFactory(ConcernFactory)
    kind = ConcernEventKind.CREATED
    by = factory.LazyAttribute(lambda o: o.concern.reported_by)


class GuidanceRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GuidanceRule

    authority = factory.SubFactory(LocalAuthorityFactory)
    colour = Colour.RED
    advice_text = "Refer every child involved to the Testshire Front Door."
    recommended_next_step = NextStep.REFER
    source_text = "Testshire protocol, section 6.1."


class BrookRatingFactory(factory.django.DjangoModelFactory):
    """A rating in the first band offered; needs the Brook fixture loaded."""

    class Meta:
        model = BrookRating

    involvement = factory.SubFactory(ConcernChildFactory)
    band = factory.LazyAttribute(
        lambda o: BrookBand.objects.get(
            edition__is_current=True, code=o.involvement.offered_bands[0]
        )
    )
    age_on_date = factory.LazyAttribute(lambda o: o.involvement.age_on_date)
    offered_band_codes = factory.LazyAttribute(lambda o: ",".join(o.involvement.offered_bands))
    suggested_colour = Colour.GREEN
    final_colour = Colour.GREEN
    rated_by = factory.LazyAttribute(lambda o: o.involvement.concern.reported_by)


class ReferralGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReferralGroup


class ReferralFactory(factory.django.DjangoModelFactory):
    """A referral from a concern, to the authority where the child lives, received now."""

    class Meta:
        model = Referral

    group = factory.SubFactory(ReferralGroupFactory)
    concern = factory.SubFactory(ConcernFactory)
    child = factory.SubFactory(
        ChildFactory, authority=factory.LazyAttribute(lambda o: o.factory_parent.concern.authority)
    )
    part = Part.CHILD_WHO_HARMED
    source = ReferralSource.CONCERN
    authority = factory.LazyAttribute(lambda o: o.child.authority)
    happened_in = factory.LazyAttribute(lambda o: o.concern.authority)
    incident_on = factory.LazyAttribute(lambda o: o.concern.occurred_on)
    referring_agency = factory.LazyAttribute(lambda o: o.concern.reporting_agency)
    recorded_by = factory.LazyAttribute(lambda o: o.concern.reported_by)
    referrer_name = factory.LazyAttribute(lambda o: o.recorded_by.full_name)
    received_at = factory.LazyFunction(timezone.now)
    decision_due_at = factory.LazyAttribute(lambda o: o.received_at + timedelta(days=1))
    incident_details = "At lunch break one pupil was seen pressing another against the wall."
    victim_vulnerability = "Younger, and new to the school."
    coercion_or_duress = "The younger pupil was told to keep it secret."
    referrer_risk_level = RiskLevel.HIGH
    other_children_at_risk = YesNoUnknown.NO
    brook_colour = Colour.RED
    dsl_consulted = YesNoUnknown.YES
    parents_informed = True
    sharing_agreed_by = SharingAgreedBy.PARENT


class ScreeningDecisionFactory(factory.django.DjangoModelFactory):
    """A strategy meeting decided for a referral being screened (set its status to match)."""

    class Meta:
        model = ScreeningDecision

    referral = factory.SubFactory(
        ReferralFactory,
        status=ReferralStatus.STRATEGY_MEETING,
        claimed_by=factory.SubFactory(UserFactory),
    )
    rag = Rag.RED
    decision = ReferralStatus.STRATEGY_MEETING
    rationale = "Reasonable cause to suspect significant harm."
    decided_by = factory.LazyAttribute(lambda o: o.referral.claimed_by)


class AllocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Allocation

    referral = factory.SubFactory(
        ReferralFactory,
        status=ReferralStatus.STRATEGY_MEETING,
        claimed_by=factory.SubFactory(UserFactory),
    )
    social_worker = factory.SubFactory(
        MembershipFactory,
        role=Role.SOCIAL_WORKER,
        agency=factory.SubFactory(AgencyFactory, kind=AgencyKind.CHILDRENS_SOCIAL_CARE),
    )
    allocated_by = factory.LazyAttribute(lambda o: o.referral.claimed_by)


class NoNamesConsultationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NoNamesConsultation

    authority = factory.SubFactory(LocalAuthorityFactory)
    asked_by = "A class teacher at a primary school"
    asked_at = factory.LazyFunction(timezone.now)
    question = "Two pupils in year 5 were found touching each other in the toilets. Refer?"
    advice = "Speak to your designated safeguarding lead and rate it with the traffic light tool."
    advised_by = factory.SubFactory(UserFactory)


def _child_who_has_harmed() -> Child:
    concern = ConcernFactory(status="awaiting_review")
    return ConcernChildFactory(concern=concern, part=Part.CHILD_WHO_HARMED).child


class AimAssessmentFactory(factory.django.DjangoModelFactory):
    """A draft AIM3 assessment of a child who has harmed in a concern sent for review, led by
    a children's social care worker certified by the AIM Project."""

    class Meta:
        model = AimAssessment
        skip_postgeneration_save = True

    child = factory.LazyFunction(_child_who_has_harmed)
    model_version = "AIM3"
    lead_assessor = factory.SubFactory(UserFactory, aim_certified_on=date(2024, 9, 12))
    lead_agency = factory.SubFactory(AgencyFactory, kind=AgencyKind.CHILDRENS_SOCIAL_CARE)
    started_on = date(2026, 3, 10)


class AimFactorRatingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AimFactorRating

    assessment = factory.SubFactory(AimAssessmentFactory)
    factor = "AIM3.SB.1"
    value = 1
    evidence = "Seen in the school's incident log."
    rated_by = factory.LazyAttribute(lambda o: o.assessment.lead_assessor)
