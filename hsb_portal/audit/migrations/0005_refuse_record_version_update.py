"""On PostgreSQL the database refuses UPDATE on record versions, as on the audit log.

DELETE stays allowed on purpose: the retention job (``hsb_portal/retention``) must be able to
erase the snapshots of the records it disposes of. The audit events themselves stay.
"""

from django.db import migrations

TABLE = "audit_recordversion"

FUNCTION = """
CREATE OR REPLACE FUNCTION audit_refuse_version_update() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'record versions are never changed: % on % is refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    schema_editor.execute(
        f"CREATE TRIGGER {TABLE}_no_update BEFORE UPDATE ON {TABLE} "
        "FOR EACH ROW EXECUTE FUNCTION audit_refuse_version_update()"
    )


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_update ON {TABLE}")
    schema_editor.execute("DROP FUNCTION IF EXISTS audit_refuse_version_update()")


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_add_record_version")]

    operations = [migrations.RunPython(create_trigger, drop_trigger, elidable=False)]
