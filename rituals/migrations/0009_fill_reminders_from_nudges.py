"""Reminders planned before the link existed: linked to their occurrence from
their dedupe key ("ritual:<occurrence id>:<person id>"), read here once; no
code reads a key after this."""

from django.db import migrations

BATCH = 1000


def fill(apps, schema_editor):
    nudge_model = apps.get_model("connection", "Nudge")
    occurrence_model = apps.get_model("rituals", "Occurrence")
    reminder_model = apps.get_model("rituals", "Reminder")
    found = {}
    nudges = nudge_model.objects.filter(kind="ritual_reminder", dedupe_key__startswith="ritual:")
    for pk, key in nudges.values_list("pk", "dedupe_key").iterator(chunk_size=BATCH):
        parts = key.split(":")
        if len(parts) == 3 and parts[1].isdecimal():
            found[pk] = int(parts[1])
    # Occurrences deleted since (a rescheduled ritual) leave their nudges unlinked.
    existing = set()
    wanted = sorted(set(found.values()))
    for start in range(0, len(wanted), BATCH):
        chunk = wanted[start : start + BATCH]
        existing |= set(
            occurrence_model.objects.filter(pk__in=chunk).values_list("pk", flat=True)
        )
    reminder_model.objects.bulk_create(
        [
            reminder_model(occurrence_id=occurrence, nudge_id=nudge)
            for nudge, occurrence in found.items()
            if occurrence in existing
        ],
        ignore_conflicts=True,
        batch_size=BATCH,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("rituals", "0008_occurrence_reminders"),
        ("connection", "0018_audit_webhook_hosts"),
    ]
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
