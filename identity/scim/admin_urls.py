"""HR's page for SCIM tokens, under /settings/scim/."""

from django.urls import path

from identity.scim import views

urlpatterns = [
    path("", views.scim_tokens, name="scim_tokens"),
    path("<int:pk>/revoke/", views.scim_token_revoke, name="scim_token_revoke"),
]
