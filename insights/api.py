"""Insights over the API: the same guarded figures as the pages, nothing more."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from connection.db_router import reads_replica
from connection.models import Team
from connection.rest import DetailSerializer
from connection.roles import IsHRAdmin, IsLeadOrHR
from insights import dashboards
from insights.dashboards.common import min_group_size, org_wide

TEAMS_PER_PAGE = 100  # teams in a page of /api/insights/org/
ADOPTERS_LISTED = 50  # adopting teams an evidence card names


class FigureSerializer(serializers.Serializer):
    label = serializers.CharField()
    value = serializers.CharField(
        allow_null=True, help_text=gettext_lazy("Null when the guard hides it.")
    )
    reason = serializers.CharField()
    weak = serializers.BooleanField()
    action = serializers.SerializerMethodField()

    def get_action(self, figure) -> dict | None:
        return {"text": figure.action[0], "url": figure.action[1]} if figure.action else None


class PointSerializer(serializers.Serializer):
    week = serializers.CharField()
    score = serializers.FloatField(allow_null=True)


class TieSerializer(serializers.Serializer):
    team = serializers.CharField()
    ties = serializers.IntegerField(allow_null=True)


class TeamInsightSerializer(serializers.Serializer):
    team = serializers.IntegerField()
    week = serializers.DateField(allow_null=True)
    min_group_size = serializers.IntegerField()
    trend = PointSerializer(many=True)
    dimensions = serializers.DictField(
        child=serializers.DictField(child=serializers.FloatField(allow_null=True)),
        help_text=gettext_lazy(
            "Dimension -> week (as in `trend`) -> favourable share (null when hidden)."
        ),
    )
    figures = FigureSerializer(many=True)
    ties = TieSerializer(many=True)


class OrgRowSerializer(serializers.Serializer):
    team = serializers.CharField()
    score = serializers.FloatField(allow_null=True)
    dimensions = serializers.DictField(child=serializers.FloatField(allow_null=True))
    response_rate = serializers.IntegerField(allow_null=True)
    activity = serializers.IntegerField(allow_null=True)
    isolated = serializers.CharField(allow_null=True)
    ei = serializers.FloatField(allow_null=True)
    bridges = serializers.IntegerField(allow_null=True)


class OrgQuerySerializer(serializers.Serializer):
    level = serializers.IntegerField(
        min_value=0,
        max_value=32767,  # Team.depth is a small integer
        default=1,
        help_text=gettext_lazy("Depth in the hierarchy; a level with no teams shows the top one."),
    )
    page = serializers.IntegerField(
        min_value=1,
        max_value=1_000_000,
        default=1,
        help_text=format_lazy(
            gettext_lazy("The level's teams come {per_page} a page, in tree order."),
            per_page=TEAMS_PER_PAGE,
        ),
    )


class OrgInsightSerializer(serializers.Serializer):
    week = serializers.DateField(allow_null=True)
    level = serializers.IntegerField()
    team_count = serializers.IntegerField(
        help_text=gettext_lazy("Teams at this level, on every page.")
    )
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    trend = PointSerializer(many=True)
    teams = OrgRowSerializer(many=True)
    edges = serializers.ListField(child=serializers.ListField(child=serializers.IntegerField()))


class CardSerializer(serializers.Serializer):
    ritual = serializers.CharField()
    verdict = serializers.CharField()
    effect = serializers.FloatField(allow_null=True)
    low = serializers.FloatField(allow_null=True)
    high = serializers.FloatField(allow_null=True)
    adopters = serializers.IntegerField(
        help_text=gettext_lazy("Adopting teams the figure rests on.")
    )
    adopted_by = serializers.ListField(
        child=serializers.CharField(),
        help_text=format_lazy(
            gettext_lazy("The first {listed} teams that adopted it, in tree order."),
            listed=ADOPTERS_LISTED,
        ),
    )
    adopted_by_count = serializers.IntegerField(
        help_text=gettext_lazy("How many teams adopted it.")
    )
    comparison = serializers.IntegerField()
    rounds = serializers.IntegerField()
    respondents = serializers.IntegerField()
    trend = serializers.FloatField(
        allow_null=True,
        help_text=gettext_lazy("Pre-trend check: the same comparison before adoption."),
    )
    trend_flagged = serializers.BooleanField()
    trend_note = serializers.CharField()
    reason = serializers.CharField()
    explanation = serializers.CharField()


class ConnectionSerializer(serializers.Serializer):
    name = serializers.CharField()
    times = serializers.IntegerField()
    kinds = serializers.ListField(child=serializers.CharField())


class MyConnectionSerializer(serializers.Serializer):
    connections = ConnectionSerializer(many=True)
    attended = serializers.IntegerField()
    given = serializers.IntegerField()
    received = serializers.IntegerField()
    suggestion = serializers.CharField()


def _points(trend) -> list[dict]:
    return [{"week": label, "score": value} for label, value in trend]


class TeamInsightViewSet(viewsets.ViewSet):
    """A team the caller leads (or any, for HR): the dashboard's guarded figures."""

    lookup_value_converter = "int"

    @extend_schema(responses=TeamInsightSerializer)
    def retrieve(self, request: Request, pk: int) -> Response:
        team = get_object_or_404(Team.objects.led_by(request.user), pk=pk)
        view = dashboards.team_view(team, request.user)
        dims: dict = {}
        for (label, week), value in view.heat.items():
            dims.setdefault(label, {})[week] = value
        data = {
            "team": team.pk,
            "week": view.week,
            "min_group_size": view.k,
            "trend": _points(view.trend),
            "dimensions": dims,
            "figures": view.figures,
            "ties": [] if view.hidden else [{"team": name, "ties": n} for name, n in view.ties],
        }
        return Response(TeamInsightSerializer(data).data)


class InsightViewSet(viewsets.ViewSet):
    @extend_schema(
        parameters=[OrgQuerySerializer],
        responses={
            200: OrgInsightSerializer,
            404: OpenApiResponse(
                DetailSerializer, gettext_lazy("Past the last page of the level's teams.")
            ),
        },
    )
    @action(detail=False, permission_classes=[IsHRAdmin])
    @reads_replica
    def org(self, request: Request) -> Response:
        """HR only: teams at a level of the hierarchy (`?level=`), guarded, a page at a
        time (`?page=`)."""
        query = OrgQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        page = query.validated_data["page"]
        view = dashboards.org_view(
            level=query.validated_data["level"],
            offset=(page - 1) * TEAMS_PER_PAGE,
            limit=TEAMS_PER_PAGE,
            extras=False,
        )
        pages = max(1, -(-view.team_count // TEAMS_PER_PAGE))
        if page > pages:
            raise NotFound(_("Past the last page of this level's teams."))
        data = {
            "week": view.week,
            "level": view.level,
            "team_count": view.team_count,
            "page": page,
            "pages": pages,
            "trend": _points(view.trend),
            "teams": [{**row, "team": row["team"].name} for row in view.rows],
            "edges": [list(edge) for edge in view.edges],
        }
        return Response(OrgInsightSerializer(data).data)

    @extend_schema(responses=CardSerializer(many=True))
    @action(detail=False, url_path="rituals", permission_classes=[IsLeadOrHR])
    def evidence(self, request: Request) -> Response:
        """Which rituals work: one evidence card per adopted catalogue ritual."""
        data = [
            {
                "ritual": item["template"].name,
                **{
                    key: getattr(item["card"], key)
                    for key in (
                        "verdict",
                        "effect",
                        "low",
                        "high",
                        "adopters",
                        "comparison",
                        "rounds",
                        "respondents",
                        "trend",
                        "trend_flagged",
                        "trend_note",
                    )
                },
                "adopted_by": [r.team.name for r in item["adopted_by"][:ADOPTERS_LISTED]],
                "adopted_by_count": len(item["adopted_by"]),
                "reason": item["card"].reason,
                "explanation": item["explain"],
            }
            for item in org_wide(f"evidence:k{min_group_size()}", dashboards.evidence_cards)
        ]
        return Response(CardSerializer(data, many=True).data)


class MyConnectionViewSet(viewsets.ViewSet):
    @extend_schema(responses=MyConnectionSerializer)
    @action(detail=False)
    def connection(self, request: Request) -> Response:
        """The caller's own connections this month; nobody else's, ever."""
        me = dashboards.my_connection(request.user)
        data = {
            **me,
            "connections": me["connections"],
            "suggestion": me["suggestion"][0],
        }
        return Response(MyConnectionSerializer(data).data)


# Routes, (prefix, viewset, basename), wired in connection/urls.py.
ENDPOINTS = [
    ("insights/teams", TeamInsightViewSet, "team-insights"),  # <pk>/
    ("insights", InsightViewSet, "insights"),  # org/, rituals/
    ("me", MyConnectionViewSet, "me"),  # connection/
]
