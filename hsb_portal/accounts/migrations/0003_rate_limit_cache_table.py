"""The database cache table the rate limits count in (hsb_portal/limits.py), made by
``migrate`` so that no deployment can forget it: without it every limited page would fail."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    # Creates the table of every database cache in settings.CACHES, on this database only;
    # nothing when the cache is not the database (as in the tests).
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_signed_in_session_register")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
