"""Fictional demo data: two authorities, agencies of every kind, one person per role, children.

Safe to run again: every row is looked up by a natural key before it is created.
"""

from datetime import date
from typing import Any

from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand
from django.db import transaction

from hsb_portal.accounts.models import Agency, AgencyKind, LocalAuthority, Membership, Role, User
from hsb_portal.accounts.procedure_profiles import CAMDEN_LIKE, DERBY_LIKE, apply_profile
from triage.models import Child, Sex, YesNoUnknown

DEMO_PASSWORD = "hsb-demo-password-2026"  # noqa: S105  (printed for the demo; never in production)

AUTHORITIES = [
    ("harbourside", "Harbourside Borough Council", CAMDEN_LIKE),
    ("eastmoor", "Eastmoor City Council", DERBY_LIKE),
]

AGENCY_NAMES = {
    AgencyKind.CHILDRENS_SOCIAL_CARE: "{place} Children's Social Care",
    AgencyKind.MASH: "{place} MASH and Contact Service",
    AgencyKind.POLICE: "{place} Police Safeguarding Unit",
    AgencyKind.HEALTH: "{place} Community Health Trust",
    AgencyKind.SCHOOL: "{place} Academy",
    AgencyKind.EARLY_HELP: "{place} Early Help",
    AgencyKind.YOUTH_JUSTICE: "{place} Youth Justice Service",
    AgencyKind.CAMHS: "{place} CAMHS",
    AgencyKind.VOLUNTARY: "{place} Children's Charity HSB Service",
    AgencyKind.ADULT_SERVICES: "{place} Adult Social Care",
    AgencyKind.FOSTERING: "{place} Fostering Service",
}

# (e-mail, name, job title, role, agency kind); every demo person works in Harbourside.
PEOPLE = [
    ("practitioner", "Morgan Practitioner", "Class teacher", Role.PRACTITIONER, AgencyKind.SCHOOL),
    ("dsl", "Dana Safeguarding-Lead", "Designated safeguarding lead", Role.DSL, AgencyKind.SCHOOL),
    ("screener", "Sasha Screener", "MASH screener", Role.MASH_SCREENER, AgencyKind.MASH),
    (
        "socialworker",
        "Sol Worker",
        "Social worker",
        Role.SOCIAL_WORKER,
        AgencyKind.CHILDRENS_SOCIAL_CARE,
    ),
    (
        "manager",
        "Mo Manager",
        "Team manager",
        Role.SW_MANAGER,
        AgencyKind.CHILDRENS_SOCIAL_CARE,
    ),
    (
        "auditor",
        "Avery Auditor",
        "Quality assurance officer",
        Role.AUDITOR,
        AgencyKind.CHILDRENS_SOCIAL_CARE,
    ),
    (
        "admin",
        "Ari Administrator",
        "Systems administrator",
        Role.ADMINISTRATOR,
        AgencyKind.CHILDRENS_SOCIAL_CARE,
    ),
]

# Fictional children: (given, family, date of birth, sex, authority code, school, address).
CHILDREN = [
    (
        "Riley",
        "Ashcombe",
        date(2014, 3, 14),
        Sex.MALE,
        "harbourside",
        "Harbourside Academy",
        "4 Lanyard Row, Harbourside",
    ),
    (
        "Jordan",
        "Ashcombe",
        date(2018, 9, 2),
        Sex.FEMALE,
        "harbourside",
        "Quayside Primary",
        "4 Lanyard Row, Harbourside",
    ),
    (
        "Sam",
        "Pellingford",
        date(2017, 1, 20),
        Sex.FEMALE,
        "harbourside",
        "Harbourside Academy",
        "17 Capstan Close, Harbourside",
    ),
    (
        "Casey",
        "Morrowdale",
        date(2012, 6, 30),
        Sex.MALE,
        "harbourside",
        "Harbourside Academy",
        "2 Beacon Walk, Harbourside",
    ),
    (
        "Taylor",
        "Brennockby",
        date(2013, 11, 5),
        Sex.NOT_KNOWN,
        "eastmoor",
        "Eastmoor Academy",
        "31 Moorgate Lane, Eastmoor",
    ),
]

ADMIN_PERMISSIONS = [
    ("accounts", ["user", "agency", "localauthority", "membership", "timescale", "closureday"]),
]


class Command(BaseCommand):
    help = "Create fictional demo authorities, agencies, people and children (idempotent)."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        authorities = {}
        for code, name, template in AUTHORITIES:
            authority, _ = LocalAuthority.objects.get_or_create(code=code, defaults={"name": name})
            apply_profile(authority, template)
            authorities[code] = authority
            place = name.split()[0]
            for kind, pattern in AGENCY_NAMES.items():
                agency, _ = Agency.objects.get_or_create(
                    name=pattern.format(place=place), kind=kind
                )
                agency.authorities.add(authority)

        harbourside = authorities["harbourside"]
        for local_part, full_name, job_title, role, kind in PEOPLE:
            user, created = User.objects.get_or_create(
                email=f"{local_part}@harbourside.example",
                defaults={"full_name": full_name, "job_title": job_title},
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            agency = Agency.objects.get(kind=kind, authorities=harbourside)
            Membership.objects.get_or_create(user=user, agency=agency, role=role)
            if role == Role.ADMINISTRATOR:
                self.grant_administration(user)

        for given, family, born, sex, code, school, address in CHILDREN:
            Child.objects.get_or_create(
                given_name=given,
                family_name=family,
                date_of_birth=born,
                defaults={
                    "sex": sex,
                    "authority": authorities[code],
                    "school_or_setting": school,
                    "address": address,
                    "known_to_childrens_social_care": YesNoUnknown.NO,
                },
            )
        ashcombes = Child.objects.filter(family_name="Ashcombe")
        for child in ashcombes:
            child.household.add(*ashcombes.exclude(pk=child.pk))

        self.stdout.write("Demo data is ready. Every demo person signs in with the password")
        self.stdout.write(f"  {DEMO_PASSWORD}")
        for local_part, _, _, role, _ in PEOPLE:
            self.stdout.write(f"  {local_part}@harbourside.example  ({role.label})")

    def grant_administration(self, user: User) -> None:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        for app_label, models in ADMIN_PERMISSIONS:
            user.user_permissions.add(
                *Permission.objects.filter(
                    content_type__app_label=app_label, content_type__model__in=models
                )
            )
        user.user_permissions.add(
            *Permission.objects.filter(content_type__app_label="audit", codename__startswith="view")
        )
