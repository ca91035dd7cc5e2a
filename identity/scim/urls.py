"""SCIM 2.0 routes (RFC 7644), under /scim/v2/.

No trailing slashes: providers append `/Users` to the base URL HR gives them.
"""

from django.urls import path

from identity.scim import views

urlpatterns = [
    path("Users", views.users, name="scim_users"),
    path("Users/<str:scim_id>", views.user, name="scim_user"),
    path("Groups", views.groups, name="scim_groups"),
    path("Groups/<str:scim_id>", views.group, name="scim_group"),
    path(
        "ServiceProviderConfig",
        views.service_provider_config,
        name="scim_service_provider_config",
    ),
    path("Schemas", views.schema_list, name="scim_schemas"),
    path("Schemas/<str:urn>", views.schema, name="scim_schema"),
    path("ResourceTypes", views.resource_types, name="scim_resource_types"),
    path("ResourceTypes/<str:name>", views.resource_type, name="scim_resource_type"),
]
