"""A benchmark world on PostgreSQL: authorities, agencies, people, and as many cases as asked
for, built in minutes with bulk SQL (issue 18, item 1).

How it stays valid: a handful of **template cases** are made through the real services (the
same helpers the tests use), so every row, status, step, deadline and audit event is one the
application itself wrote. Then each template case is copied many times with
``INSERT ... SELECT ... FROM generate_series``: every copy gets new ids, new public ids (an md5
of the template's and the copy's number), children with other names, another authority, school
and set of people, and its times moved back by whole weeks (so a working day stays a working
day); the screening deadline is worked out again with the authority's profile. The audit log is
then laid again in time order and its hash chain computed in one Python pass, so
``verify_audit_chain`` passes on the world.

Deterministic from ``--seed``: the choice of case, authority, school, people and weeks for every
copy, and every public id. Times are relative to the day the world was built.
"""

import csv
import hashlib
import io
import json
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.db import connection, models, transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from hsb_portal.accounts import two_factor
from hsb_portal.accounts.models import (
    Agency,
    AgencyKind,
    LocalAuthority,
    Membership,
    Role,
    User,
)
from hsb_portal.accounts.procedure_profiles import CAMDEN_LIKE, DERBY_LIKE, apply_profile
from hsb_portal.audit.models import (
    GENESIS,
    HASHED_FIELDS,
    AuditChainHead,
    AuditEvent,
    content_hash,
)

# The people who sign in to measure the pages: index 0 of each role in the first authority.
PASSWORD = "benchmark-password-not-for-any-real-deployment"
AUTHORITIES = 4
SCHOOLS = 46
# Agencies other than schools, one each per authority; with the schools and the MASH and
# children's social care, about 54 agencies serve each authority (the queue's filter lists them).
OTHER_AGENCIES = [
    AgencyKind.POLICE,
    AgencyKind.HEALTH,
    AgencyKind.YOUTH_JUSTICE,
    AgencyKind.CAMHS,
    AgencyKind.EARLY_HELP,
    AgencyKind.VOLUNTARY,
]
PEOPLE = {
    # kind: (role, agency kind, how many per authority)
    "practitioner": (Role.PRACTITIONER, AgencyKind.SCHOOL, 2 * SCHOOLS),
    "dsl": (Role.DSL, AgencyKind.SCHOOL, SCHOOLS),
    "screener": (Role.MASH_SCREENER, AgencyKind.MASH, 12),
    "social_worker": (Role.SOCIAL_WORKER, AgencyKind.CHILDRENS_SOCIAL_CARE, 60),
    "manager": (Role.SW_MANAGER, AgencyKind.CHILDRENS_SOCIAL_CARE, 6),
    "auditor": (Role.AUDITOR, AgencyKind.CHILDRENS_SOCIAL_CARE, 2),
    "administrator": (Role.ADMINISTRATOR, AgencyKind.CHILDRENS_SOCIAL_CARE, 2),
    "police": (Role.PRACTITIONER, AgencyKind.POLICE, 4),
}
GIVEN_NAMES = [
    "Riley",
    "Sam",
    "Alex",
    "Jordan",
    "Casey",
    "Morgan",
    "Taylor",
    "Jamie",
    "Robin",
    "Quinn",
    "Avery",
    "Rowan",
    "Kit",
    "Charlie",
    "Drew",
    "Ellis",
    "Finley",
    "Harley",
    "Jesse",
    "Logan",
    "Marley",
    "Noel",
    "Oakley",
    "Parker",
    "Reese",
    "Sasha",
    "Skyler",
    "Tate",
    "Wren",
    "Zion",
]
FAMILY_STEMS = [
    "Ash",
    "Bram",
    "Cal",
    "Dun",
    "Elm",
    "Fen",
    "Gar",
    "Hal",
    "Ives",
    "Kel",
    "Lor",
    "Mar",
    "Nor",
    "Orr",
    "Pel",
    "Quay",
    "Ros",
    "Tam",
]
FAMILY_ENDS = [
    "combe",
    "ford",
    "ley",
    "wick",
    "more",
    "ridge",
    "stead",
    "thorpe",
    "well",
    "worth",
    "by",
    "dale",
    "field",
    "gate",
]
# A child whose case history is long: this many views of their record, spread over three years.
BUSY_CHILD_EVENTS = 12_000
# Tables the copies never touch: the audit log is laid again separately; the rest are people,
# sessions, counters and one-time tokens, not cases.
NOT_COPIED = {
    "audit_auditevent",
    "audit_auditeventchild",
    "audit_recordversion",
    "audit_auditchainhead",
    "submissions_submittedform",
    "django_session",
    "accounts_signedinsession",
    "hsb_cache",
    "axes_accesslog",
    "axes_accessattempt",
    "axes_accessfailurelog",
}
# Whose rows are people and places, mapped to the copy's own people and places.
MAPPED = {"accounts.user": "usr", "accounts.membership": "mem", "accounts.agency": "ag"}
CHILD_NAME_FIELDS = {"given_name", "family_name", "known_as"}


def say(message: str) -> None:
    print(message, flush=True)


@dataclass
class Template:
    """One template case, and the id range its rows took in every table."""

    name: str
    # How many copies in every hundred are of this case.
    share: int
    # Copies go back at most this many weeks (open work is recent, closed work older).
    weeks: int
    ranges: dict[str, tuple[int, int]] = field(default_factory=dict)
    referrals: int = 0


# ---------------------------------------------------------------------------------------------
# The people and places


@dataclass
class World:
    seed: int
    referrals: int
    templates: list[Template] = field(default_factory=list)
    # (authority index, kind, index) -> (user id, membership id, agency id)
    people: dict[tuple[int, str, int], tuple[int, int, int]] = field(default_factory=dict)
    # (authority index, agency kind, index) -> agency id
    agencies: dict[tuple[int, str, int], int] = field(default_factory=dict)
    authorities: list[int] = field(default_factory=list)


def totp_key(seed: int, email: str) -> str:
    """The benchmark people's authenticator keys: 20 bytes in hex, from the seed."""
    return hashlib.sha256(f"hsb-benchmark:{seed}:{email}".encode()).hexdigest()[:40]


def make_people(world: World) -> None:
    call_command("loaddata", "brook_traffic_light", verbosity=0)
    from hsb_portal.retention.schedule import seed_default_schedule

    password = make_password(PASSWORD)
    for a in range(AUTHORITIES):
        authority = LocalAuthority.objects.create(
            name=f"Benchmark Borough {a + 1}", code=f"bench{a + 1}"
        )
        apply_profile(authority, CAMDEN_LIKE if a % 2 == 0 else DERBY_LIKE)
        seed_default_schedule(authority)
        world.authorities.append(authority.pk)
        kinds = [(AgencyKind.SCHOOL, i) for i in range(SCHOOLS)]
        kinds += [(kind, 0) for kind in [*OTHER_AGENCIES, AgencyKind.MASH]]
        kinds += [(AgencyKind.CHILDRENS_SOCIAL_CARE, 0)]
        for kind, index in kinds:
            label = f"School {index + 1}" if kind == AgencyKind.SCHOOL else kind.label
            agency = Agency.objects.create(name=f"Benchmark {a + 1} {label}", kind=kind)
            agency.authorities.add(authority)
            world.agencies[(a, kind, index)] = agency.pk
        users = []
        for kind, (_role, _agency_kind, count) in PEOPLE.items():
            for index in range(count):
                email = f"{kind}{index}.a{a + 1}@benchmark.example"
                users.append(
                    User(
                        email=email,
                        full_name=f"{kind.replace('_', ' ').title()} {index} of {a + 1}",
                        job_title=kind.replace("_", " "),
                        password=password,
                        aim_certified_on=date(2024, 1, 1) if kind == "social_worker" else None,
                    )
                )
        User.objects.bulk_create(users)
        by_email = {
            u.email: u for u in User.objects.filter(email__endswith=f".a{a + 1}@benchmark.example")
        }
        memberships = []
        for kind, (role, agency_kind, count) in PEOPLE.items():
            for index in range(count):
                user = by_email[f"{kind}{index}.a{a + 1}@benchmark.example"]
                school = index // 2 if kind == "practitioner" else index
                agency_index = school if agency_kind == AgencyKind.SCHOOL else 0
                memberships.append(
                    Membership(
                        user=user,
                        role=role,
                        agency_id=world.agencies[(a, agency_kind, agency_index)],
                    )
                )
        Membership.objects.bulk_create(memberships)
        for membership in Membership.objects.filter(user__in=by_email.values()).select_related(
            "user"
        ):
            local = membership.user.email.split("@")[0].split(".")[0]
            kind = local.rstrip("0123456789")
            index = int(local[len(kind) :])
            world.people[(a, kind, index)] = (
                membership.user_id,
                membership.pk,
                membership.agency_id,
            )
        TOTPDevice.objects.bulk_create(
            TOTPDevice(
                user=user,
                name=two_factor.AUTHENTICATOR,
                confirmed=True,
                key=totp_key(world.seed, user.email),
            )
            for user in by_email.values()
        )


# ---------------------------------------------------------------------------------------------
# The template cases, through the services


def case_tables() -> list[type[models.Model]]:
    """Every model whose rows belong to cases: the candidates for copying."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        if model._meta.app_label not in {"triage", "referrals", "strategy", "guardian"}:
            continue
        found.append(model)
    return found


def _max_ids(tables: list[str]) -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            " UNION ALL ".join(
                f"SELECT '{table}', COALESCE(MAX(id), 0) FROM {table}" for table in tables
            )
        )
        return dict(cursor.fetchall())


ALL_TRACKED = [
    *[m._meta.db_table for m in case_tables()],
    "audit_auditevent",
    "audit_auditeventchild",
    "audit_recordversion",
]


def make_templates(world: World) -> None:
    """The template cases, each through the services, in the first authority, by index 0 of
    each role (the copies map them to other people)."""
    from referrals import services as referral_services
    from referrals.models import Referral, ReferralStatus
    from tests import cases
    from tests.referrals.conftest import CONTENTS
    from tests.strategy.meetings import conftest as meetings

    authority = LocalAuthority.objects.get(pk=world.authorities[0])

    def member(kind: str, index: int = 0) -> Membership:
        return Membership.objects.select_related("user", "agency").get(
            pk=world.people[(0, kind, index)][1]
        )

    practitioner, dsl, screener = member("practitioner"), member("dsl"), member("screener")
    workers = [member("social_worker", i) for i in range(3)]
    manager = member("manager")
    by_part = {"child_who_harmed": workers[0], "child_harmed": workers[1]}
    invited = [
        Agency.objects.get(pk=world.agencies[(0, AgencyKind.POLICE, 0)]),
        Agency.objects.get(pk=world.agencies[(0, AgencyKind.HEALTH, 0)]),
    ]

    def concern(n: int) -> Any:
        return cases.raise_and_rate(
            authority,
            practitioner,
            dsl,
            harmer_family_name=f"Templateharmer{n}",
            harmed_family_name=f"Templateharmed{n}",
            harmer_details={"school_or_setting": "Benchmark 1 School 1"},
        )

    def referred(n: int) -> list[Referral]:
        made = referral_services.make_referrals_from_concern(
            concern=(c := concern(n)),
            involvements=list(c.involvements_in_order()),
            contents=referral_services.Contents(**CONTENTS),
            consents={
                i.pk: referral_services.Consent(parents_informed=True, sharing_agreed_by="parent")
                for i in c.involvements_in_order()
            },
            unpaired_reason="",
            version=c.version,
            by=dsl.user,
            membership=dsl,
        )
        return [Referral.objects.get(pk=r.pk) for r in made]

    acting = {"by": screener.user, "membership": screener}

    def take(referrals: list[Referral]) -> list[Referral]:
        for referral in referrals:
            referral_services.take_referral(referral=referral, **acting)
        return [Referral.objects.get(pk=r.pk) for r in referrals]

    def decide(referral: Referral, decision: str, **extra: Any) -> Referral:
        referral_services.record_screening_decision(
            referral=referral,
            rag="amber",
            decision=decision,
            rationale="Screened against the thresholds with the information held.",
            version=referral.version,
            **extra,
            **acting,
        )
        return Referral.objects.get(pk=referral.pk)

    def allocate(referral: Referral, worker: Membership) -> Referral:
        referral_services.allocate_social_worker(
            referral=referral,
            social_worker=worker,
            same_worker_reason="",
            version=referral.version,
            **acting,
        )
        return Referral.objects.get(pk=referral.pk)

    def waiting(n: int) -> None:
        referred(n)

    def in_screening(n: int) -> None:
        take(referred(n))

    def closed(n: int) -> None:
        harmer, harmed = take(referred(n))
        decide(harmer, ReferralStatus.ADVICE_SIGNPOSTING, signposted_to="Local HSB service")
        decide(harmed, ReferralStatus.SPECIALIST_SERVICE)

    def child_in_need(n: int) -> None:
        harmer, harmed = take(referred(n))
        harmer = allocate(decide(harmer, ReferralStatus.CIN_ASSESSMENT), workers[0])
        allocate(decide(harmed, ReferralStatus.CIN_ASSESSMENT), workers[1])
        # A change of social worker: the first allocation ends.
        allocate(harmer, workers[2])

    def meeting_held(n: int) -> None:
        made = cases.refer_screen_allocate(concern(n), dsl, screener, by_part)
        incident = meetings.Incident(list(made.values()), workers[:2])
        meeting = meetings.convene(incident, manager, agencies=invited)
        meetings.hold(meeting, manager)
        for place in meeting.meeting_children.select_related("child"):
            meetings.record(meeting, manager, place.child.given_name)
        meetings.approve(meeting, manager)

    def meeting_convened(n: int) -> None:
        made = cases.refer_screen_allocate(concern(n), dsl, screener, by_part)
        incident = meetings.Incident(list(made.values()), workers[:2])
        meetings.convene(incident, manager, agencies=invited)

    makers: list[tuple[Template, Callable[[int], None]]] = [
        (Template("waiting", share=2, weeks=3), waiting),
        (Template("in screening", share=1, weeks=2), in_screening),
        (Template("closed at screening", share=45, weeks=156), closed),
        (Template("child in need, social worker changed", share=25, weeks=156), child_in_need),
        (Template("strategy meeting held, minutes approved", share=24, weeks=156), meeting_held),
        (Template("strategy meeting convened", share=3, weeks=4), meeting_convened),
    ]
    for n, (template, make) in enumerate(makers):
        before = _max_ids(ALL_TRACKED)
        make(n)
        after = _max_ids(ALL_TRACKED)
        template.ranges = {
            table: (before[table] + 1, after[table])
            for table in ALL_TRACKED
            if after[table] > before[table]
        }
        template.referrals = after["referrals_referral"] - before["referrals_referral"]
        world.templates.append(template)
        say(
            f"  template {template.name!r}: {template.referrals} referrals, "
            f"{after['audit_auditevent'] - before['audit_auditevent']} audit events"
        )


# ---------------------------------------------------------------------------------------------
# The copies


def _run(sql: str, params: Any = None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _template_people(world: World) -> dict[str, dict[int, tuple[str, int]]]:
    """Each template person or agency by id: its kind and index."""
    mapped: dict[str, dict[int, tuple[str, int]]] = {"usr": {}, "mem": {}, "ag": {}}
    for (a, kind, index), (user_id, membership_id, _agency) in world.people.items():
        if a == 0 and index < 3:
            mapped["usr"][user_id] = (kind, index)
            mapped["mem"][membership_id] = (kind, index)
    for (a, kind, index), agency_id in world.agencies.items():
        if a == 0 and index == 0:
            mapped["ag"][agency_id] = (kind, index)
    return mapped


def make_copy_plan(world: World) -> int:
    """The table ``bench_copy``: for each copy, its case, weeks back, authority and the ids of
    the people and agencies that stand for the template's. Returns the number of copies."""
    plan = [n for n, t in enumerate(world.templates) for _ in range(t.share)]
    per_round = sum(world.templates[n].referrals for n in plan)
    copies = max(0, -(-(world.referrals * len(plan)) // per_round) - 1)
    rng = random.Random(world.seed)
    mapped = _template_people(world)
    columns = ["k int PRIMARY KEY", "case_no int", "weeks int", "a int"]
    columns += [f"{prefix}_{pk} bigint" for prefix, ids in mapped.items() for pk in ids]
    columns += [f"agn_{pk} text" for pk in mapped["usr"]]
    _run("DROP TABLE IF EXISTS bench_copy")
    _run(f"CREATE UNLOGGED TABLE bench_copy ({', '.join(columns)})")
    counts = {kind: spec[2] for kind, spec in PEOPLE.items()}
    agency_names = dict(Agency.objects.values_list("pk", "name"))
    rows = []
    for k in range(1, copies + 1):
        case_no = plan[rng.randrange(len(plan))]
        a = k % AUTHORITIES
        turn = k // AUTHORITIES
        school = rng.randrange(SCHOOLS)
        row: list[Any] = [k, case_no, rng.randrange(world.templates[case_no].weeks + 1), a]

        def person(
            kind: str, index: int, a: int = a, turn: int = turn, school: int = school
        ) -> tuple[int, int, int]:
            if kind == "practitioner":
                number = school * 2 + turn % 2
            elif kind == "dsl":
                number = school
            else:
                number = (turn * 3 + index) % counts[kind]
            return world.people[(a, kind, number)]

        for prefix, ids in mapped.items():
            for kind, index in ids.values():
                if prefix == "ag":
                    row.append(
                        world.agencies[(a, kind, school if kind == AgencyKind.SCHOOL else 0)]
                    )
                else:
                    row.append(person(kind, index)[0 if prefix == "usr" else 1])
        for kind, index in mapped["usr"].values():
            row.append(agency_names[person(kind, index)[2]])
        rows.append(row)
    _copy_rows("bench_copy", None, rows)
    return copies


def _copy_rows(table: str, columns: list[str] | None, rows: list[list[Any]]) -> None:
    """COPY rows into a table, in batches."""
    raw = connection.cursor().cursor  # type: ignore[attr-defined]
    target = f"{table} ({', '.join(columns)})" if columns else table
    for start in range(0, len(rows), 50_000):
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for row in rows[start : start + 50_000]:
            writer.writerow(["\\N" if value is None else value for value in row])
        buffer.seek(0)
        raw.copy_expert(f"COPY {target} FROM STDIN WITH (FORMAT csv, NULL '\\N')", buffer)


def _expression(
    world: World, model: type[models.Model], f: "models.Field[Any, Any]", spans: dict[str, int]
) -> str:
    column = f"t.{connection.ops.quote_name(f.column)}"
    if f.primary_key:
        return f"{column} + c.k * {spans[model._meta.db_table]}"
    if f.is_relation and f.related_model is not None:
        target = f.related_model._meta.db_table  # type: ignore[union-attr]
        label = f.related_model._meta.label_lower  # type: ignore[union-attr]
        if target in spans:
            return f"{column} + c.k * {spans[target]}"
        if label in MAPPED:
            prefix = MAPPED[label]
            ids = _template_people(world)[prefix]
            if not ids:
                return column
            cases = " ".join(f"WHEN {pk} THEN c.{prefix}_{pk}" for pk in ids)
            return f"CASE {column} {cases} ELSE {column} END"
        if label == "accounts.localauthority":
            authorities = ", ".join(str(pk) for pk in world.authorities)
            return f"(ARRAY[{authorities}]::bigint[])[c.a + 1]"
        return column
    if isinstance(f, models.UUIDField):
        return f"bench_uuid({column}, c.k)"
    if isinstance(f, models.DateTimeField):
        return f"{column} - c.weeks * interval '7 days'"
    if isinstance(f, models.DateField):
        return f"{column} - c.weeks * 7"
    if model._meta.label_lower == "triage.child" and f.name in CHILD_NAME_FIELDS:
        given = ", ".join(f"'{name}'" for name in GIVEN_NAMES)
        stems = ", ".join(f"'{name}'" for name in FAMILY_STEMS)
        ends = ", ".join(f"'{name}'" for name in FAMILY_ENDS)
        if f.name == "given_name":
            return f"(ARRAY[{given}])[1 + bench_pick(t.id, c.k, 1, {len(GIVEN_NAMES)})]"
        if f.name == "family_name":
            return (
                f"(ARRAY[{stems}])[1 + bench_pick(t.id, c.k, 2, {len(FAMILY_STEMS)})] || "
                f"(ARRAY[{ends}])[1 + bench_pick(t.id, c.k, 3, {len(FAMILY_ENDS)})]"
            )
        return "''"
    return column


FUNCTIONS = """
CREATE OR REPLACE FUNCTION bench_uuid(value uuid, k int) RETURNS uuid
    LANGUAGE sql IMMUTABLE AS $$ SELECT md5(value::text || ':' || k)::uuid $$;
CREATE OR REPLACE FUNCTION bench_uuid_text(value text, k int) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$ SELECT md5(value || ':' || k)::uuid::text $$;
CREATE OR REPLACE FUNCTION bench_pick(id bigint, k int, salt int, n int) RETURNS int
    LANGUAGE sql IMMUTABLE AS $$ SELECT abs(hashtext(id || ':' || k || ':' || salt)) % n $$;
"""


def copy_cases(world: World) -> None:
    """Every case table's template rows, once for each copy of their case."""
    _run(FUNCTIONS)
    tables = {m._meta.db_table: m for m in case_tables()}
    spans: dict[str, int] = {}
    for table in tables:
        ranges = [t.ranges[table] for t in world.templates if table in t.ranges]
        if ranges:
            spans[table] = max(high for _, high in ranges) - min(low for low, _ in ranges) + 1
    for table in sorted(spans):
        model = tables[table]
        fields = list(model._meta.concrete_fields)
        names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        expressions = ", ".join(_expression(world, model, f, spans) for f in fields)
        started = time.monotonic()
        rows = 0
        for case_no, template in enumerate(world.templates):
            if table not in template.ranges:
                continue
            low, high = template.ranges[table]
            rows += _run(
                f"INSERT INTO {table} ({names}) SELECT {expressions} FROM {table} t "
                f"JOIN bench_copy c ON c.case_no = %s WHERE t.id BETWEEN %s AND %s",
                [case_no, low, high],
            )
        say(f"  {table}: {rows} rows copied in {time.monotonic() - started:.1f} s")


def recompute_screening_deadlines(world: World) -> None:
    """The screening deadline of every copied referral from its authority's profile (a week
    back can cross a bank holiday)."""
    from referrals import services as referral_services

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT authority_id, received_at FROM referrals_referral "
            "WHERE status IN ('received', 'in_screening')"
        )
        pairs = cursor.fetchall()
    authorities = {a.pk: a for a in LocalAuthority.objects.filter(pk__in={p[0] for p in pairs})}
    rows = [
        [
            authority_id,
            received_at.isoformat(),
            referral_services.screening_due(authorities[authority_id], received_at).isoformat(),
        ]
        for authority_id, received_at in pairs
    ]
    _run(
        "CREATE TEMPORARY TABLE bench_due "
        "(authority_id bigint, received_at timestamptz, due timestamptz)"
    )
    _copy_rows("bench_due", None, rows)
    changed = _run(
        "UPDATE referrals_referral r SET decision_due_at = d.due FROM bench_due d "
        "WHERE r.authority_id = d.authority_id AND r.received_at = d.received_at "
        "AND r.decision_due_at <> d.due"
    )
    _run("DROP TABLE bench_due")
    say(f"  screening deadlines worked out again for {len(pairs)} receipts, {changed} changed")


def reset_sequences() -> None:
    from django.core.management.color import no_style

    models_ = [m for m in apps.get_models(include_auto_created=True) if m._meta.managed]
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), models_):
            cursor.execute(statement)


# ---------------------------------------------------------------------------------------------
# The audit log, in time order, with its chain


CASE_KINDS_SQL = ", ".join(
    f"'{m._meta.label_lower}'"
    for m in case_tables()
    if any(f.name == "public_id" for f in m._meta.fields)
)


def _column_names(model: type[models.Model]) -> list[str]:
    return [f.column for f in model._meta.concrete_fields]


def stage_audit_log(world: World) -> None:
    """``bench_event_stage``: every event (the template's, the copies' and the busy child's),
    numbered in time order, with its children; versions and children beside it."""
    mapped = _template_people(world)

    def user_case(column: str, prefix: str) -> str:
        cases = " ".join(f"WHEN {pk} THEN c.{prefix}_{pk}" for pk in mapped["usr"])
        return f"CASE {column} {cases} ELSE {column} END"

    agency_names = " ".join(f"WHEN {pk} THEN c.agn_{pk}" for pk in mapped["usr"])
    ranges = []
    for case_no, template in enumerate(world.templates):
        low, high = template.ranges.get("audit_auditevent", (1, 0))
        ranges.append(f"WHEN e.id BETWEEN {low} AND {high} THEN {case_no}")
    case_of = f"CASE {' '.join(ranges)} END"
    object_id = (
        f"CASE WHEN e.object_kind IN ({CASE_KINDS_SQL}) AND e.object_id <> '' "
        "THEN bench_uuid_text(e.object_id, c.k) ELSE e.object_id END"
    )
    _run(
        "DROP TABLE IF EXISTS bench_event_source, bench_event_stage, bench_child_stage, "
        "bench_version_stage"
    )
    _run(
        "CREATE UNLOGGED TABLE bench_event_source AS "
        "SELECT 0 AS k, e.id AS template_id, e.occurred_at, e.actor_id, e.actor_email, e.role, "
        "e.agency_name, e.action, e.object_kind, e.object_id, e.detail, e.path, e.request_id, "
        "e.ip_address FROM audit_auditevent e"
    )
    _run(
        "INSERT INTO bench_event_source "
        f"SELECT c.k, e.id, e.occurred_at - c.weeks * interval '7 days', "
        f"{user_case('e.actor_id', 'usr')}, COALESCE(u.email, e.actor_email), e.role, "
        f"CASE e.actor_id {agency_names} ELSE e.agency_name END, e.action, e.object_kind, "
        f"{object_id}, e.detail, e.path, e.request_id, e.ip_address "
        f"FROM audit_auditevent e JOIN bench_copy c ON c.case_no = {case_of} "
        f"LEFT JOIN accounts_user u ON u.id = ({user_case('e.actor_id', 'usr')})"
    )
    busy = busy_child()
    if busy is not None:
        auditor_user, _membership, auditor_agency = world.people[(0, "auditor", 1)]
        email, agency = (
            User.objects.get(pk=auditor_user).email,
            Agency.objects.get(pk=auditor_agency).name,
        )
        _run(
            "INSERT INTO bench_event_source "
            "SELECT -1, n, now() - (n * interval '1 hour' * 26280 / %s), %s, %s, 'auditor', %s, "
            "'view', 'triage.child', %s, '', %s, '', '127.0.0.1' FROM generate_series(1, %s) n",
            [
                BUSY_CHILD_EVENTS,
                auditor_user,
                email,
                agency,
                str(busy),
                f"/children/{busy}/",
                BUSY_CHILD_EVENTS,
            ],
        )
    _run(
        "CREATE UNLOGGED TABLE bench_event_stage AS SELECT row_number() OVER "
        "(ORDER BY occurred_at, k, template_id) AS new_id, * FROM bench_event_source"
    )
    _run("CREATE INDEX ON bench_event_stage (k, template_id)")
    _run(
        "CREATE UNLOGGED TABLE bench_child_stage AS "
        "SELECT s.new_id AS event_id, CASE WHEN s.k = 0 THEN ec.child_id "
        "ELSE bench_uuid(ec.child_id, s.k) END AS child_id "
        "FROM audit_auditeventchild ec JOIN bench_event_stage s "
        "ON s.template_id = ec.event_id AND s.k >= 0"
    )
    if busy is not None:
        _run(
            "INSERT INTO bench_child_stage SELECT new_id, %s FROM bench_event_stage WHERE k = -1",
            [str(busy)],
        )
    _run("CREATE INDEX ON bench_child_stage (event_id)")
    snapshot = "v.snapshot"
    for name in ("harmer", "harmed"):
        snapshot = (
            f"CASE WHEN s.k = 0 THEN {snapshot} ELSE "
            f"replace({snapshot}::text, 'Template{name}', 'Copy' || s.k)::jsonb END"
        )
    _run(
        "CREATE UNLOGGED TABLE bench_version_stage AS "
        "SELECT s.new_id AS event_id, v.id AS template_id, v.object_kind, "
        "CASE WHEN s.k = 0 THEN v.object_id ELSE bench_uuid_text(v.object_id, s.k) END "
        f"AS object_id, {snapshot} AS snapshot, s.occurred_at FROM audit_recordversion v "
        "JOIN bench_event_stage s ON s.template_id = v.event_id AND s.k >= 0"
    )


def busy_child() -> uuid.UUID | None:
    """The child of the case history measured: one with a strategy meeting, chosen by id."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.public_id FROM triage_child c JOIN strategy_meetingchild m "
            "ON m.child_id = c.id JOIN accounts_localauthority a ON a.id = c.authority_id "
            "WHERE a.code = 'bench1' ORDER BY c.id DESC LIMIT 1"
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _months_for_the_log() -> None:
    """Where the log is partitioned by month (PostgreSQL, audit migration 0006), every month
    the world's events span gets its partition before they are laid."""
    try:
        from hsb_portal.audit import partitions
    except ImportError:  # a tree from before the partitioning
        return
    if not partitions.is_partitioned():
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT MIN(occurred_at), MAX(occurred_at) FROM bench_event_stage")
        first, last = cursor.fetchone()
    month = partitions.Month.of(first)
    while month.starts <= last:
        partitions.create_month(month)
        month = month.next()


def lay_audit_log() -> int:
    """Empty the audit tables and lay the staged events again in order, each chained to the
    one before it. Returns the number of events."""
    event_columns = _column_names(AuditEvent)
    child_model = apps.get_model("audit", "AuditEventChild")
    version_model = apps.get_model("audit", "RecordVersion")
    _run("TRUNCATE audit_auditevent, audit_auditeventchild, audit_recordversion")
    _months_for_the_log()
    source = (
        "SELECT s.new_id, s.occurred_at, s.actor_id, s.actor_email, s.role, s.agency_name, "
        "s.action, s.object_kind, s.object_id, s.detail, s.path, s.request_id, s.ip_address, "
        "c.children FROM bench_event_stage s LEFT JOIN (SELECT event_id, "
        "array_agg(child_id::text) AS children FROM bench_child_stage GROUP BY event_id) c "
        "ON c.event_id = s.new_id ORDER BY s.new_id"
    )
    names = ("id", *HASHED_FIELDS[:-1])
    order = [f.attname for f in AuditEvent._meta.concrete_fields]
    previous = GENESIS
    count = 0
    batch: list[list[Any]] = []
    with transaction.atomic():
        cursor = connection.connection.cursor(name="bench_chain")  # type: ignore[union-attr]
        cursor.itersize = 50_000
        cursor.execute(source)
        for row in cursor:
            values = dict(zip(names, row[:-1], strict=True))
            values["previous_hash"] = previous
            values["hash"] = previous = content_hash(values, row[-1] or [])
            values["occurred_at"] = values["occurred_at"].isoformat()
            batch.append([values[name] for name in order])
            count += 1
            if len(batch) >= 50_000:
                _copy_rows("audit_auditevent", event_columns, batch)
                batch = []
        cursor.close()
    _copy_rows("audit_auditevent", event_columns, batch)
    child_columns = _column_names(child_model)
    child_select = {
        "id": "row_number() OVER ()",
        "event_id": "cs.event_id",
        "child_id": "cs.child_id",
        "occurred_at": "s.occurred_at",
        "action": "s.action",
        "object_kind": "s.object_kind",
    }
    _run(
        f"INSERT INTO audit_auditeventchild ({', '.join(child_columns)}) "
        f"SELECT {', '.join(child_select[c] for c in child_columns)} FROM bench_child_stage cs "
        "JOIN bench_event_stage s ON s.new_id = cs.event_id"
    )
    version_columns = _column_names(version_model)
    version_select = {
        "id": "row_number() OVER (ORDER BY event_id, template_id)",
        "event_id": "event_id",
        "object_kind": "object_kind",
        "object_id": "object_id",
        "snapshot": "snapshot",
        "occurred_at": "occurred_at",
    }
    _run(
        f"INSERT INTO audit_recordversion ({', '.join(version_columns)}) "
        f"SELECT {', '.join(version_select[c] for c in version_columns)} FROM bench_version_stage"
    )
    AuditChainHead.objects.update_or_create(pk=1, defaults={"hash": previous})
    _run(
        "DROP TABLE bench_event_source, bench_event_stage, bench_child_stage, "
        "bench_version_stage, bench_copy"
    )
    return count


# ---------------------------------------------------------------------------------------------
# The whole build


MARKER = "bench_world"


def existing(referrals: int, seed: int) -> dict[str, Any] | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [MARKER])
        if cursor.fetchone()[0] is None:
            return None
        cursor.execute(f"SELECT referrals, seed, built_at, build_seconds, counts FROM {MARKER}")
        row = cursor.fetchone()
    if row is None or row[0] != referrals or row[1] != seed:
        return None
    found = row[4] if isinstance(row[4], dict) else json.loads(row[4])
    return {
        "referrals": row[0],
        "seed": row[1],
        "built_at": row[2],
        "build_seconds": row[3],
        "counts": found,
    }


COUNTED = [
    "triage_child",
    "triage_concern",
    "triage_brookrating",
    "referrals_referral",
    "referrals_referralevent",
    "referrals_screeningdecision",
    "referrals_allocation",
    "strategy_strategymeeting",
    "strategy_minutesversion",
    "audit_auditevent",
    "audit_auditeventchild",
    "audit_recordversion",
    "accounts_user",
]


def counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        result = {}
        for table in COUNTED:
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            result[table] = cursor.fetchone()[0]
        cursor.execute("SELECT COUNT(*) FROM referrals_allocation WHERE ended_at IS NOT NULL")
        result["allocations ended"] = cursor.fetchone()[0]
    return result


def build(referrals: int, seed: int) -> dict[str, Any]:
    """Build the world in the (empty, migrated) database Django is connected to."""
    started = time.monotonic()
    world = World(seed=seed, referrals=referrals)
    # Public ids from the seed, so the world is the same every time.
    rng = random.Random(seed)
    for model in apps.get_models():
        for f in model._meta.fields:
            if isinstance(f, models.UUIDField) and f.default is uuid.uuid4:
                f.default = lambda: uuid.UUID(int=rng.getrandbits(128), version=4)
    step = time.monotonic()
    make_people(world)
    say(f"people and places: {time.monotonic() - step:.1f} s")
    step = time.monotonic()
    make_templates(world)
    say(f"template cases through the services: {time.monotonic() - step:.1f} s")
    step = time.monotonic()
    copies = make_copy_plan(world)
    say(f"copy plan: {copies} copies in {time.monotonic() - step:.1f} s")
    with transaction.atomic():
        # Bulk load: no triggers or foreign-key checks while copying rows the services wrote
        # (check constraints still apply to every row).
        _run("SET LOCAL session_replication_role = replica")
        step = time.monotonic()
        copy_cases(world)
        say(f"cases copied: {time.monotonic() - step:.1f} s")
        step = time.monotonic()
        recompute_screening_deadlines(world)
        stage_audit_log(world)
        say(f"audit log staged: {time.monotonic() - step:.1f} s")
        step = time.monotonic()
        events = lay_audit_log()
        say(f"audit log laid and chained: {events} events in {time.monotonic() - step:.1f} s")
        reset_sequences()
    step = time.monotonic()
    old = connection.connection.autocommit  # type: ignore[union-attr]
    connection.connection.autocommit = True  # type: ignore[union-attr]
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    connection.connection.autocommit = old  # type: ignore[union-attr]
    say(f"vacuum and analyse: {time.monotonic() - step:.1f} s")
    seconds = time.monotonic() - started
    result = counts()
    _run(
        f"CREATE TABLE {MARKER} (referrals int, seed int, built_at timestamptz, "
        "build_seconds float, counts jsonb)"
    )
    _run(
        f"INSERT INTO {MARKER} VALUES (%s, %s, now(), %s, %s)",
        [referrals, seed, seconds, json.dumps(result)],
    )
    return {"referrals": referrals, "seed": seed, "build_seconds": seconds, "counts": result}


def benchmark_people() -> dict[str, tuple[str, str]]:
    """The person who signs in for each role: e-mail and role (index 0, first authority)."""
    return {
        kind: (f"{kind}0.a1@benchmark.example", spec[0])
        for kind, spec in PEOPLE.items()
        if kind != "police"
    }
