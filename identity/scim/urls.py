"""SCIM 2.0 routes (RFC 7644)."""

urlpatterns: list = []
