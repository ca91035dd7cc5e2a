from importlib import import_module

from django.apps import AppConfig


class MomentsConfig(AppConfig):
    name = "moments"
    verbose_name = "Micro-moments"

    def ready(self) -> None:
        # Registers this app's personal data for export, erasure and retention.
        import_module("moments.lifecycle")
