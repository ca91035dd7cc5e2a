"""Alerts and quiet notes sent before they were rows: rebuilt from their nudges.

Team alerts carry their team, week and situation in the payload. Quiet notes
carried their week only in the dedupe key ("quiet:person:<id>:<week>"), which
is read here once; no code reads a key after this.
"""

import datetime as dt

from django.db import migrations

SITUATIONS = {"low", "falling"}
BATCH = 1000


def _week(text):
    try:
        return dt.date.fromisoformat(text)
    except (TypeError, ValueError):
        return None


def fill_alerts(apps, schema_editor):
    nudge_model = apps.get_model("connection", "Nudge")
    alert_model = apps.get_model("connection", "Alert")
    link = alert_model.nudges.through
    teams = set(apps.get_model("connection", "Team").objects.values_list("pk", flat=True))
    alerts = {}
    links = []
    nudges = nudge_model.objects.filter(kind="manager_alert").order_by("created_at", "pk")
    for nudge in nudges.iterator(chunk_size=BATCH):
        payload = nudge.payload if isinstance(nudge.payload, dict) else {}
        team, week = payload.get("team"), _week(payload.get("week"))
        situation = payload.get("situation")
        if team not in teams or week is None or situation not in SITUATIONS:
            continue  # a deleted team or a payload we cannot trust: no row
        key = (team, week)
        if key not in alerts:
            # Oldest nudge first, so the alert's rest starts when it was first sent.
            alerts[key], _ = alert_model.objects.get_or_create(
                team_id=team,
                week=week,
                defaults={"situation": situation, "created_at": nudge.created_at},
            )
        links.append(link(alert_id=alerts[key].pk, nudge_id=nudge.pk))
    link.objects.bulk_create(links, ignore_conflicts=True, batch_size=BATCH)


def fill_quiet_notes(apps, schema_editor):
    nudge_model = apps.get_model("connection", "Nudge")
    note_model = apps.get_model("connection", "QuietNote")
    notes = []
    tips = nudge_model.objects.filter(kind="personal_tip", dedupe_key__startswith="quiet:person:")
    for nudge in tips.order_by("created_at", "pk").iterator(chunk_size=BATCH):
        parts = nudge.dedupe_key.split(":")
        if len(parts) != 4 or parts[2] != str(nudge.recipient_id):
            continue
        week = _week(parts[3])
        if week is not None:
            notes.append(
                note_model(person_id=nudge.recipient_id, week=week, created_at=nudge.created_at)
            )
    note_model.objects.bulk_create(notes, ignore_conflicts=True, batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [("connection", "0019_alerts_and_quiet_notes")]
    operations = [
        migrations.RunPython(fill_alerts, migrations.RunPython.noop),
        migrations.RunPython(fill_quiet_notes, migrations.RunPython.noop),
    ]
