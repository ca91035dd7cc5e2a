from django.db import migrations

from insights.reference import add_guides


class Migration(migrations.Migration):
    dependencies = [("insights", "0001_initial")]
    operations = [migrations.RunPython(add_guides, migrations.RunPython.noop)]
