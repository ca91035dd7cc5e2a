from importlib import import_module

from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "identity"
    verbose_name = "Identity: single sign-on, SCIM and the org sync"

    def ready(self) -> None:
        # Registers this app's personal data for export, erasure and retention.
        import_module("identity.lifecycle")
