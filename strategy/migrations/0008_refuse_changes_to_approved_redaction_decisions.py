"""On PostgreSQL the database refuses any change to the chair's decisions of approved minutes,
as it does for every other row of them (migration 0003; disposal may still delete them,
retention migration 0003)."""

from django.db import migrations

TABLE = "strategy_redactiondecision"


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE TRIGGER {TABLE}_approved_is_final "
        f"BEFORE INSERT OR UPDATE OR DELETE ON {TABLE} "
        "FOR EACH ROW EXECUTE FUNCTION strategy_refuse_approved_row_change()"
    )


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_approved_is_final ON {TABLE}")


class Migration(migrations.Migration):
    dependencies = [
        ("strategy", "0007_redaction_decisions"),
        ("retention", "0003_let_disposal_delete_approved_minutes"),
    ]

    operations = [migrations.RunPython(create_trigger, drop_trigger, elidable=False)]
