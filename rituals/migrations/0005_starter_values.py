from django.db import migrations

VALUES = [
    ("Helping a newcomer", "Made someone new feel at home or unstuck."),
    ("Mentoring", "Taught, coached or opened a door for someone."),
    ("Kindness", "Made a hard day easier."),
    ("Sharing knowledge", "Wrote it down, explained it, or showed how."),
    ("Teamwork", "Put the team's goal before their own."),
    ("Craft", "Did careful, thoughtful work."),
]


def add(apps, schema_editor):
    Value = apps.get_model("rituals", "Value")
    Value.objects.bulk_create(
        Value(name=name, description=description, position=(i + 1) * 10)
        for i, (name, description) in enumerate(VALUES)
    )


def remove(apps, schema_editor):
    apps.get_model("rituals", "Value").objects.filter(name__in=[v for v, _ in VALUES]).delete()


class Migration(migrations.Migration):
    dependencies = [("rituals", "0004_thread_and_recognition")]

    operations = [migrations.RunPython(add, remove)]
