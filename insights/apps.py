from importlib import import_module

from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "insights"
    verbose_name = "Insights"

    def ready(self) -> None:
        # Registers this app's personal data for export, erasure and retention.
        import_module("insights.lifecycle")
