"""The REST API for teams and people, scoped by the same rules as the pages."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from connection.models import Team, User


class TeamSerializer(serializers.ModelSerializer):
    parent = serializers.PrimaryKeyRelatedField(read_only=True)
    managers = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Team
        fields = ["id", "name", "parent", "depth", "managers"]


class PersonSerializer(serializers.ModelSerializer):
    team = serializers.PrimaryKeyRelatedField(read_only=True)

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


class PersonViewSet(viewsets.ReadOnlyModelViewSet):
    """People on the teams the caller may see."""

    serializer_class = PersonSerializer

    def get_queryset(self):
        people = User.objects.visible_to(self.request.user).order_by("display_name", "pk")
        team = self.request.query_params.get("team")
        if team and team.isdigit():
            people = people.filter(team_id=int(team))
        return people


@extend_schema(responses=MeSerializer)
@api_view(["GET"])
def me(request: Request) -> Response:
    """The caller's own profile and role."""
    return Response(MeSerializer(request.user).data)
