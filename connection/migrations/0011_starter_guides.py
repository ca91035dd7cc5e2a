"""The starter conversation guides were written here while the guides lived in
connection; they now live in the insights app, whose migration 0002 writes any that
are missing (on a database that ran this migration before, none are)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("connection", "0010_insights")]
    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
