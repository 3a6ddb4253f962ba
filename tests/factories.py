"""One factory per model, with fictional defaults."""

from datetime import date

import factory

from hsb_portal.accounts.models import Agency, AgencyKind, LocalAuthority, Membership, Role, User
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
