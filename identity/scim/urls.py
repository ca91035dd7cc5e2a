"""SCIM 2.0 routes (RFC 7644), under /scim/v2/.

No trailing slashes: providers append `/Users` to the base URL HR gives them.
"""

from django.urls import path

from identity.scim import endpoints

urlpatterns = [
    path("Users", endpoints.users, name="scim_users"),
    path("Users/<str:pk>", endpoints.user, name="scim_user"),
    path("Groups", endpoints.groups, name="scim_groups"),
    path("Groups/<str:pk>", endpoints.group, name="scim_group"),
    path(
        "ServiceProviderConfig",
        endpoints.service_provider_config,
        name="scim_service_provider_config",
    ),
    path("Schemas", endpoints.schema_list, name="scim_schemas"),
    path("Schemas/<str:urn>", endpoints.schema, name="scim_schema"),
    path("ResourceTypes", endpoints.resource_types, name="scim_resource_types"),
    path("ResourceTypes/<str:name>", endpoints.resource_type, name="scim_resource_type"),
]
