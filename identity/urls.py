"""Identity's routes: single sign-on (identity/sso), SCIM 2.0 (identity/scim) and the
scheduled org sync (identity/views.py)."""

from django.urls import include, path

from identity import views

urlpatterns = [
    path("sso/", include("identity.sso.urls")),
    path("scim/v2/", include("identity.scim.urls")),
    path("settings/scim/", include("identity.scim.admin_urls")),
    path("settings/org-sync/", views.org_sync, name="org_sync"),
    path("settings/org-sync/runs/<int:pk>/", views.org_sync_run, name="org_sync_run"),
]
