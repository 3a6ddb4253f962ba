"""Minutes go to named people, not to whole agencies (issue 10), step 1 of 3: a distribution
gets a recipient (a person in one of their roles), still optional, and the agency becomes
optional, so that the data migration (0005) can turn each agency-wide distribution into one per
person before 0006 requires the recipient and drops the agency."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_rate_limit_cache_table"),
        ("strategy", "0003_refuse_changes_to_approved_minutes"),
    ]

    operations = [
        # One agency-wide row becomes several rows for the same agency, one per person.
        migrations.RemoveConstraint(model_name="distribution", name="distribution_once"),
        migrations.AddField(
            model_name="distribution",
            name="recipient",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="minutes_received",
                to="accounts.membership",
            ),
        ),
        migrations.AlterField(
            model_name="distribution",
            name="agency",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.agency",
            ),
        ),
    ]
