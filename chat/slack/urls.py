from django.urls import path

from chat.slack import views

urlpatterns = [
    path("events/", views.events, name="slack_events"),
    path("interactions/", views.interactions, name="slack_interactions"),
    path("commands/", views.commands, name="slack_commands"),
    path("install/", views.install, name="slack_install"),
    path("oauth/", views.oauth_callback, name="slack_oauth"),
    path("link/<str:token>/", views.link_account, name="slack_link"),
]
