from django.db import migrations

from pulse.reference import add_bank, remove_bank


class Migration(migrations.Migration):
    dependencies = [("pulse", "0001_initial")]

    operations = [migrations.RunPython(add_bank, remove_bank)]
