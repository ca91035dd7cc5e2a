# The audit trail stays append-only, with one narrow exception for the data lifecycle
# (docs/data-lifecycle.md): inside a transaction that set
# `SET LOCAL hearth.audit_maintenance = 'on'` (connection.lifecycle.audit_maintenance,
# used only by erasure and retention), the trigger lets UPDATE and DELETE through.
# Any other UPDATE or DELETE is still refused, raw SQL included.

from django.db import migrations

ALLOW_MAINTENANCE = """
CREATE OR REPLACE FUNCTION connection_auditentry_append_only() RETURNS trigger AS $$
BEGIN
    IF current_setting('hearth.audit_maintenance', true) = 'on' THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'The audit trail is append-only: % on connection_auditentry is refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""

REFUSE_ALWAYS = """
CREATE OR REPLACE FUNCTION connection_auditentry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'The audit trail is append-only: % on connection_auditentry is refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


class PostgreSQLOnly(migrations.RunSQL):
    """RunSQL for PostgreSQL only, as in 0015: SQLite has no trigger to change."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [
        ("connection", "0022_identity_lifecycle"),
    ]

    operations = [PostgreSQLOnly(ALLOW_MAINTENANCE, reverse_sql=REFUSE_ALWAYS)]
