from importlib import import_module

from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "chat"
    verbose_name = "Chat apps: Slack and Microsoft Teams"

    def ready(self) -> None:
        # Registers this app's personal data, and how Slack and Teams deliver the
        # outbox's messages (connection.nudge_channels).
        import_module("chat.lifecycle")
        import_module("chat.delivery")
