"""On PostgreSQL, let the retention job (and nothing else) delete approved minutes.

Replaces the trigger functions of strategy 0003: an approved minutes version and its rows
still never change, but a DELETE is let through when the transaction has run
``SET LOCAL hsb.disposal = 'on'``, which only ``retention.disposal`` does, after a reviewed,
approved disposal. UPDATE and INSERT are refused as before. The reverse restores the
originals exactly.
"""

from django.db import migrations

# COALESCE: in a session that never set it, current_setting(..., true) is NULL, and a NULL
# here would let the DELETE through.
DISPOSING = (
    "(TG_OP = 'DELETE' AND COALESCE(current_setting('hsb.disposal', true), '') = 'on')"
)

VERSION_FUNCTION = f"""
CREATE OR REPLACE FUNCTION strategy_refuse_approved_version_change() RETURNS trigger AS $$
BEGIN
    IF OLD.status = 'approved' AND NOT {DISPOSING} THEN
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

ROW_FUNCTION = f"""
CREATE OR REPLACE FUNCTION strategy_refuse_approved_row_change() RETURNS trigger AS $$
DECLARE
    minutes_ids bigint[];
BEGIN
    IF {DISPOSING} THEN
        RETURN OLD;
    END IF;
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

ACTION_CHILD_FUNCTION = f"""
CREATE OR REPLACE FUNCTION strategy_refuse_approved_action_child_change() RETURNS trigger AS $$
DECLARE
    action_ids bigint[];
BEGIN
    IF {DISPOSING} THEN
        RETURN OLD;
    END IF;
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


def allow_disposal(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for function in (VERSION_FUNCTION, ROW_FUNCTION, ACTION_CHILD_FUNCTION):
        schema_editor.execute(function, params=None)


def restore_originals(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from importlib import import_module

    original = import_module("strategy.migrations.0003_refuse_changes_to_approved_minutes")
    for function in (
        original.VERSION_FUNCTION,
        original.ROW_FUNCTION,
        original.ACTION_CHILD_FUNCTION,
    ):
        schema_editor.execute(function, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("retention", "0002_default_schedule"),
        ("strategy", "0003_refuse_changes_to_approved_minutes"),
    ]

    operations = [migrations.RunPython(allow_disposal, restore_originals, elidable=False)]
