from importlib import import_module

from django.apps import AppConfig


class RitualsConfig(AppConfig):
    name = "rituals"

    def ready(self) -> None:
        # Registers this app's personal data for export, erasure and retention.
        import_module("rituals.lifecycle")
