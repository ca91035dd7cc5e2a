from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter, SimpleRouter

from connection import api, views
from connection.break_glass import EmailPasswordResetForm
from connection.forms import EmailAuthenticationForm
from connection.lifecycle import views as lifecycle_views
from insights import api as insights_api
from mentorship import api as mentorship_api
from pulse import api as pulse_api
from rituals import api as rituals_api

# The API. Collections (a list and its items) are listed at /api/ and also answer with a
# `.json` suffix; the other endpoints (me, insights, pulse) do neither.
router = DefaultRouter()
for route in (*api.COLLECTIONS, *rituals_api.COLLECTIONS, *mentorship_api.COLLECTIONS):
    router.register(*route)
endpoints = SimpleRouter(use_regex_path=False)
for route in (*api.ENDPOINTS, *insights_api.ENDPOINTS, *pulse_api.ENDPOINTS):
    endpoints.register(*route)

# The health checks and the API come first: Django tries the patterns in order, and
# these answer the most requests (probes every few seconds, the pulse burst's submits).
# The endpoints (me, insights, pulse) before the collections, whose router has a
# pattern for each list, item and format suffix.
urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("api/", include(endpoints.urls)),
    path("api/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api_docs"),
    path("", include("insights.urls")),
    path("people/", views.people, name="people"),
    path("people/pick/", views.people_pick, name="people_pick"),
    path("teams/pick/", views.teams_pick, name="teams_pick"),
    path("profile/", views.profile, name="profile"),
    path("profile/api-token/", views.api_token, name="api_token"),
    path("profile/data/", lifecycle_views.my_data, name="my_data"),
    path("profile/data.json", lifecycle_views.my_data_json, name="my_data_json"),
    path("profile/erase/", lifecycle_views.erase_self, name="erase_self"),
    path("people/<int:pk>/data/", lifecycle_views.person_data, name="person_data"),
    path("people/<int:pk>/data.json", lifecycle_views.person_data_json, name="person_data_json"),
    path("people/<int:pk>/erase/", lifecycle_views.person_erase, name="person_erase"),
    path("org/import/", views.org_import, name="org_import"),
    path("org/export.csv", views.org_export, name="org_export"),
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
    path("", include("identity.urls")),
    path("chat/", include("chat.urls")),
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
            form_class=EmailPasswordResetForm,
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
    path("admin/", admin.site.urls),
]

# Errors under /api/ answer JSON, like the API itself.
handler404 = api.not_found
handler500 = api.server_error
