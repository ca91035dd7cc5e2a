from django.db import migrations

from rituals.reference import add_catalogue, remove_catalogue


class Migration(migrations.Migration):
    dependencies = [("rituals", "0001_initial")]

    operations = [migrations.RunPython(add_catalogue, remove_catalogue)]
