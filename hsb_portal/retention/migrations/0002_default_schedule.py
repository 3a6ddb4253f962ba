"""Give every existing authority the default retention schedule of domain.md §9.

A frozen copy of ``retention.schedule.DEFAULT_SCHEDULE`` as it was when this migration was
written; new authorities get the current defaults from ``seed_default_schedule``.
"""

from django.db import migrations

DEFAULTS = [
    (
        "child_protection",
        "closure",
        35,
        "No national statutory period; set locally. Northumberland's 35 years after closure was "
        "held lawful in R (C) v Northumberland CC [2015] EWHC 2134 (Admin); Blackpool keeps "
        "35 years after last contact (domain.md §9).",
    ),
    (
        "child_in_need",
        "date_of_birth",
        21,
        "Devon schedule: until 18 + 3 years of inactivity (domain.md §9). Read as two rules, "
        "the later date winning: kept at least until the 21st birthday...",
    ),
    (
        "child_in_need",
        "last_contact",
        3,
        "Devon schedule: until 18 + 3 years of inactivity (domain.md §9). ...and at least 3 "
        "years after the last contact.",
    ),
    (
        "looked_after",
        "date_of_birth",
        75,
        "Until the 75th birthday: Care Planning, Placement and Case Review (England) Regulations "
        "2010 reg 50 (Salford, Merton CS procedures; domain.md §9). A child protection record "
        "of a child who becomes looked after is kept this long too (longest rule wins).",
    ),
    (
        "early_help",
        "closure",
        6,
        "Local: domain.md §9 sets no period for Early Help, advice or no further action. "
        "HSB Portal default of 6 years after closure, for the authority to confirm against its "
        "published schedule.",
    ),
    (
        "concern_not_referred",
        "last_contact",
        6,
        "Local: domain.md §9 sets no period for a concern that was never referred. HSB Portal "
        "default of 6 years after the last contact, for the authority to confirm against its "
        "published schedule.",
    ),
]


def seed(apps, schema_editor):
    LocalAuthority = apps.get_model("accounts", "LocalAuthority")
    RetentionRule = apps.get_model("retention", "RetentionRule")
    for authority in LocalAuthority.objects.all():
        for record_class, anchor, years, source in DEFAULTS:
            RetentionRule.objects.get_or_create(
                authority=authority,
                record_class=record_class,
                anchor=anchor,
                defaults={"years": years, "source": source},
            )


class Migration(migrations.Migration):
    dependencies = [("retention", "0001_retention_schedule_holds_and_reviews")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop, elidable=False)]
