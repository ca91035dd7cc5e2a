"""The OpenAPI schema says what the API really does: every status code an operation
can answer, query filters from the serializers that validate them, and local times
as the wall-clock strings they are."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import AllowAny

from connection.rest import DetailSerializer

# DRF's TimeField writes "09:00:00": a wall-clock time without an offset, which
# JSON Schema's `time` format (RFC 3339, offset required) refuses.
LOCAL_TIME = {
    "type": "string",
    "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?$",
    "example": "09:00:00",
}

# A 400 body: {"detail": "why"} for a refused action or unreadable JSON, or each
# field's messages (nested serializers and dict fields nest the same shape).
VALIDATION_ERROR = {
    "type": "object",
    "description": "What was wrong: `detail`, or each field named with its messages.",
    "example": {"team": ['Invalid pk "9" - object does not exist.']},
    "additionalProperties": {
        "oneOf": [
            {"type": "string"},
            {"type": "array", "items": {"type": "string"}},
            {"type": "object"},
        ]
    },
}


class HearthAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema plus the refusals DRF gives without being asked."""

    def get_override_parameters(self):
        # A list's query filters are the fields of the serializer that validates them.
        parameters = list(super().get_override_parameters())
        query = getattr(self.view, "query_serializer_class", None)
        if query is not None and self._is_list_view():
            parameters.append(query)
        return parameters

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, serializers.TimeField):
            schema.pop("format", None)
            schema.update(LOCAL_TIME)
        return schema

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code, (body, description) in self._refusals().items():
            responses.setdefault(
                code,
                self._get_response_for_code(OpenApiResponse(body, description), code),
            )
        return responses

    def _refusals(self) -> dict[str, tuple[object, str]]:
        error = DetailSerializer
        refusals: dict[str, tuple[object, str]] = {}
        takes_input = self.method in ("POST", "PUT", "PATCH") or bool(self._query_parameters())
        if takes_input:
            refusals["400"] = (self._validation_error_ref(), "The request was refused: see why.")
        if not all(isinstance(p, AllowAny) for p in self.view.get_permissions()):
            # Session authentication comes first, so DRF answers 403 (not 401) to a
            # missing or wrong token as well as to a caller without the right role.
            refusals["403"] = (error, "Not signed in, or not allowed.")
        if "{" in self.path or (self._is_list_view() and self._get_paginator()):
            refusals["404"] = (error, "Not found, not visible to you, or past the last page.")
        if self.method in ("POST", "PUT", "PATCH"):
            refusals["415"] = (error, "The body is not JSON.")
        return refusals

    def _query_parameters(self) -> list:
        return [
            *self._get_filter_parameters(),
            *self._get_pagination_parameters(),
            *self.get_override_parameters(),
        ]

    def _validation_error_ref(self) -> dict:
        component = ResolvedComponent(
            name="ValidationError",
            type=ResolvedComponent.SCHEMA,
            object="ValidationError",
            schema=VALIDATION_ERROR,
        )
        self.registry.register_on_missing(component)
        return component.ref
