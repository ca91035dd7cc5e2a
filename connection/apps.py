from django.apps import AppConfig


class ConnectionConfig(AppConfig):
    name = "connection"
    verbose_name = "People and teams"

    def ensure_reference_data(self) -> None:
        """Put back the starter conversation guides when the table is empty."""
        import importlib

        from django.apps import apps

        if not self.get_model("ConversationGuide").objects.exists():
            importlib.import_module("connection.migrations.0011_starter_guides").add(apps, None)
