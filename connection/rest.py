"""What every API view shares and settings name: pagination, query filters, the
refusal body. Apart from the viewsets, because DRF imports these while it loads
its generic views."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.filters import BaseFilterBackend
from rest_framework.pagination import PageNumberPagination


class DetailSerializer(serializers.Serializer):
    """The body of a refusal, and of an action that has nothing else to say."""

    detail = serializers.CharField()


class StrictBooleanField(serializers.BooleanField):
    """JSON's true and false only: DRF's BooleanField also reads "no", "1" or 0, which
    the schema (a boolean) says are refused."""

    def to_internal_value(self, data):
        if isinstance(data, bool):
            return data
        self.fail("invalid", input=data)


class StrictCharField(serializers.CharField):
    """A JSON string: DRF's CharField also takes 0 or 1.5 and stores "0"."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class JsonModelSerializer(serializers.ModelSerializer):
    """A model serializer that reads JSON as typed: strings are strings and booleans are
    booleans, as the schema says, or the request is a 400."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
        models.BooleanField: StrictBooleanField,
    }


class PageQuerySerializer(serializers.Serializer):
    page = serializers.IntegerField(min_value=1, default=1, help_text=_("1 is the first page."))


class Pagination(PageNumberPagination):
    """DRF's page numbers with `?page=` validated: anything but a whole number from 1
    is a 400 with a message; a page past the last is DRF's 404."""

    def get_page_number(self, request, paginator) -> int:
        query = PageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return query.validated_data["page"]

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": "A page number within the paginated result set (from 1).",
                "schema": {"type": "integer", "minimum": 1},
            }
        ]


class QuerySerializer(serializers.Serializer):
    """A list's query filters: fields validate `request.query_params`, `filter` applies them."""

    def filter(self, queryset):
        raise NotImplementedError


class QueryFilter(BaseFilterBackend):
    """Narrows a list through the view's `query_serializer_class`, so a bad filter
    (`?team=²`, a NUL byte) is a 400 naming the field, never a 500."""

    def filter_queryset(self, request, queryset, view):
        query_class = getattr(view, "query_serializer_class", None)
        if query_class is None or getattr(view, "action", None) != "list":
            return queryset
        query = query_class(data=request.query_params, context=view.get_serializer_context())
        query.is_valid(raise_exception=True)
        return query.filter(queryset)
