from django.apps import AppConfig


class PulseConfig(AppConfig):
    name = "pulse"
