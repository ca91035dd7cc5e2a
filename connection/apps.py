from django.apps import AppConfig


class ConnectionConfig(AppConfig):
    name = "connection"
    verbose_name = "People and teams"
