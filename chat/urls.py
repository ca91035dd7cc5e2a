from django.urls import include, path

from chat import views

urlpatterns = [
    path("", views.chat_settings, name="chat_settings"),
    path("slack/", include("chat.slack.urls")),
    path("teams/", include("chat.teams.urls")),
]
