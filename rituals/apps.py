from django.apps import AppConfig


class RitualsConfig(AppConfig):
    name = "rituals"

    def ensure_reference_data(self) -> None:
        """Put back the starter data of the data migrations when a table is empty
        (after `manage.py flush`, or a test that truncated it)."""
        import importlib

        from django.apps import apps

        for module, function, model in [
            ("0002_starter_catalogue", "add", "RitualTemplate"),
            ("0005_starter_values", "add", "Value"),
        ]:
            if not self.get_model(model).objects.exists():
                migration = importlib.import_module(f"rituals.migrations.{module}")
                getattr(migration, function)(apps, None)
