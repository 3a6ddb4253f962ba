"""Fictional demo data: two authorities, agencies of every kind, one person per role, children,
the Brook traffic light tool and each authority's guidance for its colours.

Safe to run again: every row is looked up by a natural key before it is created.

Its people sign in with a password and authenticator keys that anyone can read in the source,
so it refuses to run unless DEBUG is on, or ``--throwaway-demo`` (or ``HSB_THROWAWAY_DEMO=1``)
says the database is a throwaway one, and even then its people cannot sign in unless DEBUG is
on.
"""

import os
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from hsb_portal.accounts import demo
from hsb_portal.accounts.models import Agency, AgencyKind, LocalAuthority, Membership, Role, User
from hsb_portal.accounts.procedure_profiles import CAMDEN_LIKE, DERBY_LIKE, apply_profile
from hsb_portal.retention.schedule import seed_default_schedule
from triage.models import Child, Colour, GuidanceRule, NextStep, Sex, YesNoUnknown

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

# The demo social worker is certified by the AIM Project, so may lead AIM assessments
# (domain.md §7); nobody else in the demo is.
AIM_CERTIFIED = {"socialworker": date(2024, 9, 12)}

# (e-mail, name, job title, role, agency kind); every demo person works in Harbourside.
PEOPLE = [
    ("practitioner", "Morgan Practitioner", "Class teacher", Role.PRACTITIONER, AgencyKind.SCHOOL),
    ("dsl", "Dana Safeguarding-Lead", "Designated safeguarding lead", Role.DSL, AgencyKind.SCHOOL),
    ("screener", "Sasha Screener", "MASH screener", Role.MASH_SCREENER, AgencyKind.MASH),
    # A police officer, who sends police notifications such as a MERLIN (CA 6.2).
    (
        "police",
        "Pat Constable",
        "Police safeguarding officer",
        Role.PRACTITIONER,
        AgencyKind.POLICE,
    ),
    (
        "socialworker",
        "Sol Worker",
        "Social worker",
        Role.SOCIAL_WORKER,
        AgencyKind.CHILDRENS_SOCIAL_CARE,
    ),
    # A second social worker, so that the child harmed and the child who has harmed can have
    # different ones (ST; domain.md §6).
    (
        "socialworker2",
        "Jo Fieldworker",
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
    (
        "accounts",
        [
            "user",
            "agency",
            "localauthority",
            "membership",
            "membershipgrant",
            "timescale",
            "closureday",
        ],
    ),
    ("triage", ["guidancerule"]),
]

# Each demo authority's guidance for a traffic light colour, from the colour and action table
# of domain.md §3 in its procedure's words: (colour, advice, recommended next step, source).
GUIDANCE = {
    "harbourside": [
        (
            Colour.GREEN,
            "Respond within your school or setting and record it. Green behaviour is a chance "
            "for positive feedback, information and talk. A low-level one-off incident may be "
            "handled under the school's behaviour policy, with the parents or carers.",
            NextStep.HANDLE_IN_SETTING,
            "Harbourside protocol (Camden-like): CA 12, a school may handle a low-level one-off "
            "incident under its own behaviour policy; CA 7, no threshold, or Early Help if the "
            "context is a concern.",
        ),
        (
            Colour.AMBER,
            "Consult your designated safeguarding lead first. Monitor, record and give targeted "
            "support. Use professional judgement on a referral to the Harbourside MASH and "
            "Contact Service; Early Help through First Stop may fit.",
            NextStep.EARLY_HELP,
            "Harbourside protocol (Camden-like): CA 6.1, the DSL is consulted before a "
            "referral; CA 7, amber usually meets the child in need (s17) threshold; CA 8.1, "
            "First Stop Early Help.",
        ),
        (
            Colour.RED,
            "Refer every child involved to the Harbourside MASH and Contact Service by e-CAF: "
            "one referral for each child harmed and each child who has harmed. Make an urgent "
            "child protection referral by phone and confirm it in writing within 48 hours.",
            NextStep.REFER,
            "Harbourside protocol (Camden-like): CA 3, all harmful sexual behaviour with a "
            "victim is referred; CA 6.1, one referral per child, urgent referrals by phone "
            "confirmed within 48 hours; CA 7, red usually meets the child protection (s47) "
            "threshold.",
        ),
    ],
    "eastmoor": [
        (
            Colour.GREEN,
            "Respond within your setting and record it. Talk with the child, and with their "
            "parents or carers.",
            NextStep.HANDLE_IN_SETTING,
            "Eastmoor procedure (Derby-like): DD 3; Brook traffic light tool, green.",
        ),
        (
            Colour.AMBER,
            "Discuss it with your designated safeguarding lead. Where needs are emerging, start "
            "an Early Help Assessment. Use professional judgement on a referral to Eastmoor "
            "Children's Social Care.",
            NextStep.EARLY_HELP,
            "Eastmoor procedure (Derby-like): DD 3, an Early Help Assessment when needs are "
            "emerging; ST, professional judgement on referral.",
        ),
        (
            Colour.RED,
            "Refer every child involved to the Eastmoor MASH and Contact Service: one referral "
            "for each child harmed and each child who has harmed. Do not dismiss abusive "
            "behaviour as normal, and do not wait for a high threshold before acting.",
            NextStep.REFER,
            "Eastmoor procedure (Derby-like): DD 4, a referral for each child; DD 5, do not set "
            "high thresholds before acting.",
        ),
    ],
}


class Command(BaseCommand):
    help = "Create fictional demo authorities, agencies, people and children (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--throwaway-demo",
            action="store_true",
            help="Run with DEBUG off, for a database that is thrown away (such as a scan's).",
        )

    @transaction.atomic
    def handle(self, *args: Any, throwaway_demo: bool = False, **options: Any) -> None:
        throwaway = throwaway_demo or os.environ.get("HSB_THROWAWAY_DEMO") == "1"
        if not settings.DEBUG and not throwaway:
            raise CommandError(
                "seed_demo refuses to run because DEBUG is off: demo people have a published "
                "password. Run it only on a development machine (DEBUG=1), or pass "
                "--throwaway-demo for a database you will throw away."
            )
        authorities = {}
        for code, name, template in AUTHORITIES:
            authority, _ = LocalAuthority.objects.get_or_create(code=code, defaults={"name": name})
            apply_profile(authority, template)
            seed_default_schedule(authority)
            authorities[code] = authority
            place = name.split()[0]
            for kind, pattern in AGENCY_NAMES.items():
                agency, _ = Agency.objects.get_or_create(
                    name=pattern.format(place=place), kind=kind
                )
                agency.authorities.add(authority)

        # The Brook traffic light tool, and each authority's guidance for its colours.
        call_command("loaddata", "brook_traffic_light", verbosity=0)
        for code, rules in GUIDANCE.items():
            for colour, advice, step, source in rules:
                GuidanceRule.objects.update_or_create(
                    authority=authorities[code],
                    colour=colour,
                    defaults={
                        "advice_text": advice,
                        "recommended_next_step": step,
                        "source_text": source,
                    },
                )

        harbourside = authorities["harbourside"]
        for local_part, full_name, job_title, role, kind in PEOPLE:
            user, created = User.objects.get_or_create(
                email=f"{local_part}@harbourside.example",
                defaults={"full_name": full_name, "job_title": job_title, "is_demo": True},
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            elif not user.is_demo:
                User.objects.filter(pk=user.pk).update(is_demo=True)
            agency = Agency.objects.get(kind=kind, authorities=harbourside)
            Membership.objects.get_or_create(user=user, agency=agency, role=role)
            demo.give_authenticator(user)
            if role == Role.ADMINISTRATOR:
                self.grant_administration(user)
            certified_on = AIM_CERTIFIED.get(local_part)
            if certified_on is not None and user.aim_certified_on is None:
                user.aim_certified_on = certified_on
                user.save(update_fields=["aim_certified_on"])

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
        self.stdout.write(
            "and then a security code: `make demo-code EMAIL=<address>` prints the one their "
            "authenticator shows now."
        )

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
