"""Pulse API: my open round, submitting a response, guarded team results."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response as ApiResponse

from connection.models import Team
from connection.rest import DetailSerializer, StrictCharField
from pulse import results
from pulse.answering import COMMENT_MAX, PulseError, answer_open_round
from pulse.models import Round


class QuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    dimension = serializers.CharField()
    scale = serializers.ListField(child=serializers.IntegerField())


class CurrentRoundSerializer(serializers.Serializer):
    number = serializers.IntegerField(allow_null=True)
    closes_at = serializers.DateTimeField(allow_null=True)
    min_group_size = serializers.IntegerField(allow_null=True)
    answered = serializers.BooleanField()
    questions = QuestionSerializer(many=True)


class SubmissionSerializer(serializers.Serializer):
    answers = serializers.DictField(child=serializers.IntegerField(), allow_empty=False)
    comment = StrictCharField(required=False, allow_blank=True, max_length=COMMENT_MAX)

    def validate(self, attrs):
        extra = set(self.initial_data) - set(self.fields)
        if extra:
            raise serializers.ValidationError(
                _("Unexpected field(s): %(fields)s. Your team and tenure come from your profile.")
                % {"fields": ", ".join(sorted(extra))}
            )
        try:
            attrs["answers"] = {int(k): v for k, v in attrs["answers"].items()}
        except ValueError:
            raise serializers.ValidationError(_("Answer keys are question ids.")) from None
        return attrs


class TeamResultSerializer(serializers.Serializer):
    team = serializers.IntegerField()
    round = serializers.IntegerField(allow_null=True)
    shown = serializers.BooleanField()
    reason = serializers.CharField()
    respondents = serializers.IntegerField(allow_null=True)
    connection_score = serializers.FloatField(allow_null=True)
    enps = serializers.IntegerField(allow_null=True)
    favourable = serializers.DictField(child=serializers.FloatField(allow_null=True))


NO_ROUND = {"number": None, "closes_at": None, "min_group_size": None, "answered": False}
NO_RESULT = {
    "team": None,
    "round": None,
    "shown": False,
    "reason": "",
    "respondents": None,
    "connection_score": None,
    "enps": None,
    "favourable": {},
}


class PulseViewSet(viewsets.ViewSet):
    @extend_schema(responses=CurrentRoundSerializer)
    @action(detail=False)
    def current(self, request: Request) -> ApiResponse:
        """The pulse open for me now, its questions, and whether I answered."""
        round_ = Round.objects.open_for(request.user)
        if round_ is None:
            return ApiResponse({**NO_ROUND, "questions": []})
        questions = round_.questions.order_by("roundquestion__position")
        return ApiResponse(
            CurrentRoundSerializer(
                {
                    "number": round_.number,
                    "closes_at": round_.closes_at,
                    "min_group_size": round_.min_group_size,
                    "answered": round_.receipts.filter(person=request.user).exists(),
                    "questions": [
                        {"id": q.pk, "text": q.text, "dimension": q.dimension, "scale": q.scale}
                        for q in questions
                    ],
                }
            ).data
        )


class SubmittedSerializer(DetailSerializer):
    conversation_key = serializers.CharField(
        required=False,
        help_text=gettext_lazy(
            "With a comment only: the key to the conversation on it, given once and "
            "stored nowhere. Whoever holds it reads the replies and answers them "
            "(POST /pulse/conversations/read/)."
        ),
    )


class ResponseViewSet(viewsets.ViewSet):
    """Answer the open pulse. 409 when already answered or closed; nothing is stored on error."""

    @extend_schema(
        request=SubmissionSerializer,
        responses={
            201: SubmittedSerializer,
            409: OpenApiResponse(
                DetailSerializer, "Already answered, or no pulse is open for you."
            ),
        },
    )
    def create(self, request: Request) -> ApiResponse:
        data = SubmissionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            key = answer_open_round(person=request.user, **data.validated_data)
        except PulseError as error:
            return ApiResponse({"detail": str(error)}, status=error.status)
        body = {"detail": _("Thank you. Your answers are stored without your name.")}
        if key:
            body["conversation_key"] = key
        return ApiResponse(body, status=status.HTTP_201_CREATED)


class TeamResultViewSet(viewsets.ViewSet):
    lookup_value_converter = "int"

    @extend_schema(responses=TeamResultSerializer)
    @action(detail=True)
    def results(self, request: Request, pk: int) -> ApiResponse:
        """The latest closed round for a team I manage (or any team, for HR), guarded."""
        teams = Team.objects.led_by(request.user)
        if not teams.exists():
            raise PermissionDenied(_("Pulse results are for managers and HR admins."))
        team = get_object_or_404(teams, pk=pk)
        rounds = results.latest_rounds(2)
        if not rounds:
            return ApiResponse({**NO_RESULT, "team": pk, "reason": _("No closed round yet")})
        result = results.detail(results.OrgSnapshot(rounds), rounds[0], team)
        return ApiResponse(
            TeamResultSerializer(
                {
                    "team": pk,
                    "round": rounds[0].number,
                    "shown": result.shown,
                    "reason": result.reason,
                    "respondents": result.respondents,
                    "connection_score": result.score,
                    "enps": result.enps,
                    "favourable": {d.value: s for d, s in result.dimensions.items()},
                }
            ).data
        )


# Routes, (prefix, viewset, basename), wired in connection/urls.py.
ENDPOINTS = [
    ("pulse", PulseViewSet, "pulse"),  # current/
    ("pulse/responses", ResponseViewSet, "pulse-response"),
    ("pulse/teams", TeamResultViewSet, "pulse-team"),  # <pk>/results/
]
