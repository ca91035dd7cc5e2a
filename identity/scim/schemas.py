"""What /Schemas, /ResourceTypes and /ServiceProviderConfig say (RFC 7643 §5-§8.7).

The schemas list only the attributes Hearth keeps, so a provider reading them knows
what it can map; the tests check every response against these same definitions.
"""

from __future__ import annotations

from identity.scim.protocol import (
    ENTERPRISE,
    GROUP,
    HEARTH_GROUP,
    MAX_COUNT,
    RESOURCE_TYPE,
    SCHEMA,
    SERVICE_PROVIDER_CONFIG,
    USER,
    location,
)


def attr(name: str, kind: str = "string", description: str = "", **options) -> dict:
    """One attribute definition with RFC 7643 §7's defaults spelled out."""
    definition = {
        "name": name,
        "type": kind,
        "multiValued": options.pop("multi", False),
        "description": description or name,
        "required": options.pop("required", False),
        "caseExact": options.pop("case_exact", False),
        "mutability": options.pop("mutability", "readWrite"),
        "returned": options.pop("returned", "default"),
        "uniqueness": options.pop("uniqueness", "none"),
    }
    if "sub" in options:
        definition["subAttributes"] = options.pop("sub")
    if "refs" in options:
        definition["referenceTypes"] = options.pop("refs")
    if "canonical" in options:
        definition["canonicalValues"] = options.pop("canonical")
    if options:
        raise TypeError(f"Unknown attribute options: {sorted(options)}")
    return definition


def _reference(target: str, *, mutability: str = "readWrite") -> list[dict]:
    return [
        attr("value", description=f"The {target}'s id in Hearth.", mutability=mutability),
        attr("$ref", "reference", f"The {target}'s URI.", refs=[target], mutability=mutability),
        attr("display", description=f"The {target}'s name.", mutability="readOnly"),
    ]


USER_ATTRIBUTES = [
    attr(
        "userName",
        description="The person's e-mail address: how they sign in to Hearth.",
        required=True,
        uniqueness="server",
    ),
    attr(
        "name",
        "complex",
        "The person's name; Hearth shows `formatted`, or given and family name.",
        sub=[
            attr("formatted", description="The full name as Hearth shows it."),
            attr("familyName", description="Family name."),
            attr("givenName", description="Given name."),
        ],
    ),
    attr("displayName", description="The name Hearth shows."),
    attr(
        "emails",
        "complex",
        "The one address Hearth keeps: userName.",
        multi=True,
        mutability="readOnly",
        sub=[
            attr("value", description="The address.", mutability="readOnly"),
            attr("type", canonical=["work"], mutability="readOnly"),
            attr("primary", "boolean", mutability="readOnly"),
        ],
    ),
    attr("timezone", description="An IANA time zone such as Europe/Lisbon."),
    attr("active", "boolean", "Whether the person can sign in and receives messages."),
    attr(
        "groups",
        "complex",
        "The one team the person is on.",
        multi=True,
        mutability="readOnly",
        sub=[
            *_reference("Group", mutability="readOnly"),
            attr("type", canonical=["direct"], mutability="readOnly"),
        ],
    ),
]

ENTERPRISE_ATTRIBUTES = [
    attr(
        "manager",
        "complex",
        "The person's line manager.",
        sub=[
            attr("value", description="The manager's id in Hearth."),
            attr("$ref", "reference", "The manager's URI.", refs=["User"]),
            attr("displayName", description="The manager's name.", mutability="readOnly"),
        ],
    ),
]

GROUP_ATTRIBUTES = [
    attr(
        "displayName",
        description="The team's name (unique in Hearth).",
        required=True,
        uniqueness="server",
    ),
    attr(
        "members",
        "complex",
        "The team's people. A person is on one team: adding them here moves them.",
        multi=True,
        sub=[*_reference("User"), attr("type", canonical=["User"])],
    ),
]

HEARTH_GROUP_ATTRIBUTES = [
    attr("parent", "complex", "The team this team sits below.", sub=_reference("Group")),
]

SCHEMAS = {
    USER: ("User", "A person in Hearth.", USER_ATTRIBUTES),
    ENTERPRISE: ("EnterpriseUser", "The enterprise extension: a manager.", ENTERPRISE_ATTRIBUTES),
    GROUP: ("Group", "A team in Hearth.", GROUP_ATTRIBUTES),
    HEARTH_GROUP: ("HearthGroup", "Where a team sits in the tree.", HEARTH_GROUP_ATTRIBUTES),
}


def schema_resource(urn: str) -> dict:
    name, description, attributes = SCHEMAS[urn]
    return {
        "schemas": [SCHEMA],
        "id": urn,
        "name": name,
        "description": description,
        "attributes": attributes,
        "meta": {"resourceType": "Schema", "location": location("scim_schema", urn)},
    }


RESOURCE_TYPES = {
    "User": ("/Users", USER, ENTERPRISE, "People"),
    "Group": ("/Groups", GROUP, HEARTH_GROUP, "Teams"),
}


def resource_type(name: str) -> dict:
    endpoint, schema, extension, description = RESOURCE_TYPES[name]
    return {
        "schemas": [RESOURCE_TYPE],
        "id": name,
        "name": name,
        "endpoint": endpoint,
        "description": description,
        "schema": schema,
        "schemaExtensions": [{"schema": extension, "required": False}],
        "meta": {"resourceType": "ResourceType", "location": location("scim_resource_type", name)},
    }


def service_provider_config() -> dict:
    return {
        "schemas": [SERVICE_PROVIDER_CONFIG],
        "patch": {"supported": True},
        "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": True, "maxResults": MAX_COUNT},
        "changePassword": {"supported": False},
        "sort": {"supported": False},
        "etag": {"supported": False},
        "authenticationSchemes": [
            {
                "type": "oauthbearertoken",
                "name": "Bearer token",
                "description": "A token HR issues in Hearth at Settings → SCIM.",
                "primary": True,
            }
        ],
        "meta": {
            "resourceType": "ServiceProviderConfig",
            "location": location("scim_service_provider_config"),
        },
    }
