from importlib import import_module

from django.apps import AppConfig


class MentorshipConfig(AppConfig):
    name = "mentorship"

    def ready(self) -> None:
        # Registers this app's personal data for export, erasure and retention.
        import_module("mentorship.lifecycle")
