"""The REST API for teams and people, scoped by the same rules as the pages."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from connection.models import Team, User
from connection.rest import JsonModelSerializer, QuerySerializer


@extend_schema_field(OpenApiTypes.INT)
class VisibleTeamField(serializers.PrimaryKeyRelatedField):
    """A team id among the teams the caller may see; any other id is refused alike."""

    def get_queryset(self):
        return Team.objects.visible_to(self.context["request"].user)


class TeamSerializer(JsonModelSerializer):
    parent = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    managers = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Team
        fields = ["id", "name", "parent", "depth", "managers"]


class PersonSerializer(JsonModelSerializer):
    team = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "display_name",
            "team",
            "time_zone",
            "work_start",
            "work_end",
            "working_days",
            "start_date",
            "location",
            "is_active",
        ]


class MeSerializer(PersonSerializer):
    role = serializers.CharField(read_only=True)

    class Meta(PersonSerializer.Meta):
        fields = [*PersonSerializer.Meta.fields, "role"]


class TeamViewSet(viewsets.ReadOnlyModelViewSet):
    """Teams the caller may see: their own, those they manage and below, or all for HR."""

    serializer_class = TeamSerializer

    def get_queryset(self):
        return (
            Team.objects.visible_to(self.request.user)
            .select_related("parent")
            .prefetch_related("managers")
            .order_by("path")
        )


class PeopleQuerySerializer(QuerySerializer):
    team = VisibleTeamField(required=False, help_text=_("Only people on this team."))

    def filter(self, queryset):
        team = self.validated_data.get("team")
        return queryset if team is None else queryset.filter(team=team)


class PersonViewSet(viewsets.ReadOnlyModelViewSet):
    """People on the teams the caller may see."""

    serializer_class = PersonSerializer
    query_serializer_class = PeopleQuerySerializer

    def get_queryset(self):
        return User.objects.visible_to(self.request.user).order_by("display_name", "pk")


class MeViewSet(viewsets.ViewSet):
    @extend_schema(responses=MeSerializer)
    @action(detail=False)
    def me(self, request: Request) -> Response:
        """The caller's own profile and role."""
        return Response(MeSerializer(request.user).data)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """An address no route matches (`/api/budgets/0.5/`): JSON under /api/, as the API's
    own 404s are, and the site's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": gettext("Not found.")}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": gettext("Server error.")}, status=500)
    return defaults.server_error(request)


# Routes, (prefix, viewset, basename), wired in connection/urls.py: collections are listed
# at /api/ and answer a `.json` suffix too, endpoints do neither.
COLLECTIONS = [("teams", TeamViewSet, "team"), ("people", PersonViewSet, "person")]
ENDPOINTS = [("", MeViewSet, "api")]  # /api/me/
