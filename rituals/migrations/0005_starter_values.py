from django.db import migrations

from rituals.reference import add_values, remove_values


class Migration(migrations.Migration):
    dependencies = [("rituals", "0004_thread_and_recognition")]

    operations = [migrations.RunPython(add_values, remove_values)]
