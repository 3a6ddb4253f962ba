"""Minutes go to named people, not to whole agencies (issue 10), step 3 of 3: every
distribution names its recipient, once per child, version and person; the agency goes (it is
the recipient's)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("strategy", "0005_distribute_minutes_to_people")]

    operations = [
        migrations.RemoveIndex(model_name="distribution", name="distribution_agency_idx"),
        migrations.RemoveField(model_name="distribution", name="agency"),
        migrations.AlterField(
            model_name="distribution",
            name="recipient",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="minutes_received",
                to="accounts.membership",
            ),
        ),
        migrations.AddIndex(
            model_name="distribution",
            index=models.Index(
                fields=["recipient", "meeting_child"], name="distribution_recipient_idx"
            ),
        ),
        migrations.AddConstraint(
            model_name="distribution",
            constraint=models.UniqueConstraint(
                fields=("meeting_child", "minutes", "recipient"), name="distribution_once"
            ),
        ),
    ]
