from django.urls import path

from chat.teams import views

urlpatterns = [
    path("do/<str:token>/", views.one_click, name="teams_action"),
]
