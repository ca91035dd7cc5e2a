from django.urls import path

from pulse import views

urlpatterns = [
    path("", views.answer, name="pulse_answer"),
    path("results/", views.team_results, name="pulse_results"),
    path("org/", views.org_results, name="pulse_org"),
    path("org.csv", views.org_results_csv, name="pulse_org_csv"),
    path("settings/", views.pulse_settings, name="pulse_settings"),
    path("questions/<int:pk>/", views.question_edit, name="pulse_question_edit"),
    path("questions/<int:pk>/action/", views.question_action, name="pulse_question_action"),
    path("comments/<uuid:pk>/reply/", views.comment_reply, name="pulse_comment_reply"),
    path("conversations/", views.conversations, name="pulse_conversations"),
    path("conversations/read/", views.conversations_read, name="pulse_conversations_read"),
    path("conversations/answer/", views.conversations_answer, name="pulse_conversations_answer"),
]
