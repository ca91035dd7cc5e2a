"""HR's page for SCIM tokens."""

urlpatterns: list = []
