"""On PostgreSQL the database itself refuses any change to approved minutes.

A minutes version, once approved, is never updated or deleted, and no row of it (attendance, a
child's record, what an agency shared, an action or the children it concerns) is inserted,
updated or deleted. The services refuse first; this is the guard for everything else, such as a
script or a console session. TRUNCATE stays possible (test runs flush tables with it).
"""

from django.db import migrations

VERSION_FUNCTION = """
CREATE OR REPLACE FUNCTION strategy_refuse_approved_version_change() RETURNS trigger AS $$
BEGIN
    IF OLD.status = 'approved' THEN
        RAISE EXCEPTION 'approved minutes do not change: % on %', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""

ROW_FUNCTION = """
CREATE OR REPLACE FUNCTION strategy_refuse_approved_row_change() RETURNS trigger AS $$
DECLARE
    minutes_ids bigint[];
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        minutes_ids := array_append(minutes_ids, OLD.minutes_id);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        minutes_ids := array_append(minutes_ids, NEW.minutes_id);
    END IF;
    IF EXISTS (
        SELECT 1 FROM strategy_minutesversion
        WHERE id = ANY(minutes_ids) AND status = 'approved'
    ) THEN
        RAISE EXCEPTION 'approved minutes do not change: % on %', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""

ACTION_CHILD_FUNCTION = """
CREATE OR REPLACE FUNCTION strategy_refuse_approved_action_child_change() RETURNS trigger AS $$
DECLARE
    action_ids bigint[];
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        action_ids := array_append(action_ids, OLD.action_id);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        action_ids := array_append(action_ids, NEW.action_id);
    END IF;
    IF EXISTS (
        SELECT 1 FROM strategy_meetingaction action
        JOIN strategy_minutesversion minutes ON minutes.id = action.minutes_id
        WHERE action.id = ANY(action_ids) AND minutes.status = 'approved'
    ) THEN
        RAISE EXCEPTION 'approved minutes do not change: % on %', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""

ROW_TABLES = [
    "strategy_attendance",
    "strategy_childrecord",
    "strategy_agencyinformation",
    "strategy_meetingaction",
]


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for function in (VERSION_FUNCTION, ROW_FUNCTION, ACTION_CHILD_FUNCTION):
        schema_editor.execute(function, params=None)
    schema_editor.execute(
        "CREATE TRIGGER strategy_minutesversion_approved_is_final "
        "BEFORE UPDATE OR DELETE ON strategy_minutesversion "
        "FOR EACH ROW EXECUTE FUNCTION strategy_refuse_approved_version_change()"
    )
    for table in ROW_TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_approved_is_final "
            f"BEFORE INSERT OR UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION strategy_refuse_approved_row_change()"
        )
    schema_editor.execute(
        "CREATE TRIGGER strategy_actionchild_approved_is_final "
        "BEFORE INSERT OR UPDATE OR DELETE ON strategy_actionchild "
        "FOR EACH ROW EXECUTE FUNCTION strategy_refuse_approved_action_child_change()"
    )


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "DROP TRIGGER IF EXISTS strategy_minutesversion_approved_is_final "
        "ON strategy_minutesversion"
    )
    for table in [*ROW_TABLES, "strategy_actionchild"]:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_approved_is_final ON {table}")
    for function in (
        "strategy_refuse_approved_version_change",
        "strategy_refuse_approved_row_change",
        "strategy_refuse_approved_action_child_change",
    ):
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {function}()")


class Migration(migrations.Migration):
    dependencies = [("strategy", "0002_strategy_meetings")]

    operations = [migrations.RunPython(create_triggers, drop_triggers, elidable=False)]
