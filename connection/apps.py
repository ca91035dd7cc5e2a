from importlib import import_module

from django.apps import AppConfig


class ConnectionConfig(AppConfig):
    name = "connection"
    verbose_name = "People and teams"

    def ready(self) -> None:
        # Notes each sign-in so deactivation can end its session (connection/access.py).
        import_module("connection.access")
        # The core's personal data for export, erasure and retention (docs/data-lifecycle.md).
        import_module("connection.lifecycle.core")
