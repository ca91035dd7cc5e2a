"""Rituals API: rituals, occurrences (attend and rate), the thread, recognition,
budgets and spends, with the pages' visibility rules."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from connection.api import VisibleTeamField
from connection.models import Team, User
from connection.rest import (
    DetailSerializer,
    JsonModelSerializer,
    QuerySerializer,
    StrictBooleanField,
    StrictCharField,
)
from rituals.models import (
    Budget,
    Occurrence,
    Recognition,
    Spend,
    TeamRitual,
    ThreadPost,
    Value,
)
from rituals.services.budgets import budget_statuses, log_spend
from rituals.services.errors import RitualError
from rituals.services.occurrences import record_attendance
from rituals.services.recognition import recognise
from rituals.services.thread import post_to_thread


class RitualSerializer(JsonModelSerializer):
    class Meta:
        model = TeamRitual
        fields = [
            "id",
            "team",
            "name",
            "format",
            "rule",
            "start_time",
            "time_zone",
            "duration",
            "participation",
            "hypothesis",
            "review_on",
            "status",
            "video_link",
        ]


class OccurrenceSerializer(JsonModelSerializer):
    class Meta:
        model = Occurrence
        fields = ["id", "ritual", "starts_at", "ends_at", "cancelled"]


class AttendanceSerializer(serializers.Serializer):
    attended = StrictBooleanField(default=True)
    worth_it = StrictBooleanField(required=False, allow_null=True, default=None)


class PostSerializer(JsonModelSerializer):
    author = serializers.CharField(source="author.display_name", read_only=True)

    class Meta:
        model = ThreadPost
        fields = [
            "id",
            "team",
            "author",
            "parent",
            "status",
            "highlight",
            "is_question",
            "created_at",
        ]
        read_only_fields = ["author", "created_at"]


class RecognitionSerializer(JsonModelSerializer):
    receivers = serializers.PrimaryKeyRelatedField(
        many=True, allow_empty=False, queryset=User.objects.active()
    )
    values = serializers.PrimaryKeyRelatedField(
        many=True, allow_empty=False, queryset=Value.objects.filter(active=True)
    )

    class Meta:
        model = Recognition
        fields = [
            "id",
            "giver",
            "receivers",
            "message",
            "values",
            "visibility",
            "notify_manager",
            "created_at",
        ]
        read_only_fields = ["giver", "created_at"]


class SpendSerializer(JsonModelSerializer):
    class Meta:
        model = Spend
        fields = ["id", "budget", "category", "amount", "hours", "spent_on", "note"]


class SpendRequestSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=Spend.Category.choices)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, default=0)
    hours = serializers.DecimalField(max_digits=8, decimal_places=1, min_value=0, default=0)
    spent_on = serializers.DateField()
    note = StrictCharField(max_length=200, required=False, default="", allow_blank=True)


class BudgetSerializer(JsonModelSerializer):
    money_spent = serializers.SerializerMethodField()
    money_left = serializers.SerializerMethodField()
    hours_spent = serializers.SerializerMethodField()
    money_projected = serializers.SerializerMethodField()

    class Meta:
        model = Budget
        fields = [
            "id",
            "team",
            "quarter",
            "hours",
            "money",
            "allow_overspend",
            "money_spent",
            "money_left",
            "hours_spent",
            "money_projected",
        ]

    def _status(self, budget):
        """Every budget on the page at once (budget_statuses: two queries), the
        first time one is asked for."""
        cache = self.context.setdefault("status", {})
        if budget.pk not in cache:
            page = self.parent.instance if self.parent is not None else [budget]
            cache.update(budget_statuses(page))
        return cache[budget.pk]

    def get_money_spent(self, budget) -> str:
        return str(self._status(budget).money_spent)

    def get_money_left(self, budget) -> str:
        return str(self._status(budget).money_left)

    def get_hours_spent(self, budget) -> str:
        return str(self._status(budget).hours_spent)

    def get_money_projected(self, budget) -> str:
        return str(self._status(budget).money_projected)


def _rejected(error: RitualError):
    raise ValidationError({"detail": str(error)})


class RitualViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = TeamRitual.objects.none()  # for the schema; requests use get_queryset
    serializer_class = RitualSerializer

    def get_queryset(self):
        return TeamRitual.objects.visible_to(self.request.user).order_by("team", "name")


@extend_schema_field(OpenApiTypes.INT)
class VisibleRitualField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return TeamRitual.objects.visible_to(self.context["request"].user)


class OccurrenceQuerySerializer(QuerySerializer):
    ritual = VisibleRitualField(
        required=False, help_text=gettext_lazy("Only this ritual's occurrences.")
    )

    def filter(self, queryset):
        ritual = self.validated_data.get("ritual")
        return queryset if ritual is None else queryset.filter(ritual=ritual)


class PostQuerySerializer(QuerySerializer):
    team = VisibleTeamField(required=False, help_text=gettext_lazy("Only this team's thread."))

    def filter(self, queryset):
        team = self.validated_data.get("team")
        return queryset if team is None else queryset.filter(team=team)


class OccurrenceViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Occurrence.objects.none()  # for the schema; requests use get_queryset
    serializer_class = OccurrenceSerializer
    query_serializer_class = OccurrenceQuerySerializer

    def get_queryset(self):
        return Occurrence.objects.filter(
            ritual__in=TeamRitual.objects.visible_to(self.request.user)
        ).order_by("starts_at", "pk")

    @extend_schema(request=AttendanceSerializer, responses={200: DetailSerializer})
    @action(detail=True, methods=["post"])
    def attend(self, request, pk=None, format=None):
        """Say whether you were there and whether it was worth your time."""
        data = AttendanceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            record_attendance(
                occurrence=self.get_object(), person=request.user, **data.validated_data
            )
        except RitualError as error:
            _rejected(error)
        return Response({"detail": _("Recorded.")})


class PostViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    queryset = ThreadPost.objects.none()  # for the schema; requests use get_queryset
    serializer_class = PostSerializer
    query_serializer_class = PostQuerySerializer

    def get_queryset(self):
        return ThreadPost.objects.filter(
            team__in=Team.objects.visible_to(self.request.user)
        ).select_related("author")

    def perform_create(self, serializer):
        data = serializer.validated_data
        team = get_object_or_404(Team.objects.visible_to(self.request.user), pk=data["team"].pk)
        try:
            serializer.instance = post_to_thread(
                author=self.request.user,
                team=team,
                status=data["status"],
                highlight=data.get("highlight", ""),
                is_question=data.get("is_question", False),
                parent=data.get("parent"),
            )
        except RitualError as error:
            _rejected(error)


class RecognitionViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Recognition.objects.none()  # for the schema; requests use get_queryset
    serializer_class = RecognitionSerializer

    def get_queryset(self):
        return (
            Recognition.objects.visible_to(self.request.user)
            .filter(hidden=False)
            .prefetch_related("receivers", "values")
        )

    def perform_create(self, serializer):
        data = serializer.validated_data
        try:
            serializer.instance = recognise(
                giver=self.request.user,
                receivers=data["receivers"],
                message=data["message"],
                values=data["values"],
                visibility=data["visibility"],
                notify_manager=data.get("notify_manager", False),
            )
        except RitualError as error:
            _rejected(error)


class BudgetViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Budget.objects.none()  # for the schema; requests use get_queryset
    serializer_class = BudgetSerializer

    def get_queryset(self):
        return Budget.objects.manageable_by(self.request.user)

    @extend_schema(request=SpendRequestSerializer, responses={201: SpendSerializer})
    @action(detail=True, methods=["post"])
    def spends(self, request, pk=None, format=None):
        """Log a spend against this budget (the team's managers): an amount, hours or both."""
        budget = self.get_object()
        data = SpendRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            created = log_spend(budget=budget, logged_by=request.user, **data.validated_data)
        except RitualError as error:
            _rejected(error)
        return Response(SpendSerializer(created).data, status=status.HTTP_201_CREATED)


# Routes, (prefix, viewset, basename), wired in connection/urls.py.
COLLECTIONS = [
    ("rituals", RitualViewSet, "ritual"),
    ("occurrences", OccurrenceViewSet, "occurrence"),
    ("thread-posts", PostViewSet, "thread-post"),
    ("recognition", RecognitionViewSet, "recognition"),
    ("budgets", BudgetViewSet, "budget"),
]
