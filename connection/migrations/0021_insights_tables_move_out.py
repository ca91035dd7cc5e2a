"""The nightly figures, alerts, quiet notes and conversation guides move to the insights
app (the top floor that reads every app). Their tables and indexes are renamed here and
the models leave connection's state; insights 0001 takes them over without touching the
database, so no row is copied or lost."""

from django.db import migrations

MOVED = ["alert", "quietnote", "teamtie", "teamweek", "conversationguide"]
INDEXES = [
    ("teamweek", "connection__week_a8f759_idx", "insights_teamweek_week_team"),
    ("teamtie", "connection__week_263086_idx", "insights_teamtie_week_depth"),
    ("alert", "connection__team_id_885337_idx", "insights_alert_team_created"),
    ("quietnote", "connection__person__e12962_idx", "insights_qn_person_created"),
]


class Migration(migrations.Migration):
    dependencies = [("connection", "0020_fill_alerts_from_nudges")]

    operations = [
        *(
            migrations.RenameIndex(model_name=model, old_name=old, new_name=new)
            for model, old, new in INDEXES
        ),
        *(migrations.AlterModelTable(name=model, table=f"insights_{model}") for model in MOVED),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name=model) for model in MOVED]
        ),
    ]
