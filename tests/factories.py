"""One factory per model, with fictional defaults."""

from datetime import date

import factory

from hsb_portal.accounts.models import Agency, AgencyKind, LocalAuthority, Membership, Role, User
from triage.models import Child, Sex

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
