from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from connection import api, views
from connection.forms import EmailAuthenticationForm
from insights import api as insights_api
from mentorship import api as mentorship_api
from pulse import api as pulse_api
from rituals import api as rituals_api

router = DefaultRouter()
router.register("teams", api.TeamViewSet, basename="team")
router.register("people", api.PersonViewSet, basename="person")
router.register("rituals", rituals_api.RitualViewSet, basename="ritual")
router.register("occurrences", rituals_api.OccurrenceViewSet, basename="occurrence")
router.register("thread-posts", rituals_api.PostViewSet, basename="thread-post")
router.register("recognition", rituals_api.RecognitionViewSet, basename="recognition")
router.register("budgets", rituals_api.BudgetViewSet, basename="budget")
router.register("programmes", mentorship_api.ProgrammeViewSet, basename="programme")
router.register("my-groups", mentorship_api.GroupViewSet, basename="my-group")
router.register("office-hours", mentorship_api.OfficeHoursViewSet, basename="office-hours")
router.register("mentoring-sessions", mentorship_api.SessionViewSet, basename="mentoring-session")
router.register("case-notes", mentorship_api.CaseNoteViewSet, basename="case-note")

urlpatterns = [
    path("", include("insights.urls")),
    path("people/", views.people, name="people"),
    path("profile/", views.profile, name="profile"),
    path("profile/api-token/", views.api_token, name="api_token"),
    path("org/import/", views.org_import, name="org_import"),
    path("org/import/<int:pk>/apply/", views.org_import_apply, name="org_import_apply"),
    path("audit/", views.audit, name="audit"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("notifications/<int:pk>/", views.notification_open, name="notification_open"),
    path("nudges/preferences/", views.nudge_preferences, name="nudge_preferences"),
    path("nudges/snooze/", views.nudge_snooze, name="nudge_snooze"),
    path("nudges/away/", views.away_add, name="away_add"),
    path("nudges/away/<int:pk>/delete/", views.away_delete, name="away_delete"),
    path("nudges/unsubscribe/<str:token>/", views.nudge_unsubscribe, name="nudge_unsubscribe"),
    path("nudges/outbox/", views.nudge_outbox, name="nudge_outbox"),
    path("pulse/", include("pulse.urls")),
    path("rituals/", include("rituals.urls")),
    path("mentorship/", include("mentorship.urls")),
    path("healthz", views.healthz, name="healthz"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            authentication_form=EmailAuthenticationForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password-reset/",
        auth_views.PasswordResetView.as_view(
            email_template_name="emails/password_reset.txt",
            html_email_template_name="emails/password_reset.html",
            subject_template_name="emails/password_reset_subject.txt",
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("api/", include(router.urls)),
    path("api/me/", api.me, name="api_me"),
    path("api/me/connection/", insights_api.my_connection, name="api_my_connection"),
    path("api/insights/teams/<int:pk>/", insights_api.team_insights, name="api_team_insights"),
    path("api/insights/org/", insights_api.org_insights, name="api_org_insights"),
    path("api/insights/rituals/", insights_api.evidence, name="api_evidence"),
    path("api/pulse/current/", pulse_api.current_round, name="api_pulse_current"),
    path("api/pulse/responses/", pulse_api.submit, name="api_pulse_submit"),
    path("api/pulse/teams/<int:pk>/results/", pulse_api.team_result, name="api_pulse_team"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api_docs"),
    path("admin/", admin.site.urls),
]

# Errors under /api/ answer JSON, like the API itself.
handler404 = api.not_found
handler500 = api.server_error
