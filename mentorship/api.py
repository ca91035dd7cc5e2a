"""Mentorship API: programmes, my groups and check-ins, office hours and bookings,
the mentoring log and case notes."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from connection.models import User
from connection.rest import DetailSerializer, JsonModelSerializer, QuerySerializer, StrictCharField
from mentorship.matching.reasons import said
from mentorship.models import (
    MAX_SESSION_MINUTES,
    Booking,
    CaseNote,
    CheckIn,
    MatchGroup,
    MentoringSession,
    OfficeHours,
    Programme,
)
from mentorship.services.errors import MentorshipError
from mentorship.services.mentoring_log import log_session, publish_note
from mentorship.services.office_hours import book
from mentorship.services.programmes import check_in, join_programme


def _rejected(error: Exception):
    raise ValidationError({"detail": str(error)})


class ProgrammeSerializer(JsonModelSerializer):
    class Meta:
        model = Programme
        fields = [
            "id",
            "kind",
            "name",
            "description",
            "team",
            "cadence_weeks",
            "group_size",
            "max_group_size",
            "cross_team",
            "topic",
            "weeks",
        ]


class GroupSerializer(JsonModelSerializer):
    programme = serializers.CharField(source="round.programme.name")
    run_on = serializers.DateField(source="round.run_on")
    members = serializers.SlugRelatedField(many=True, read_only=True, slug_field="display_name")

    class Meta:
        model = MatchGroup
        fields = ["id", "programme", "run_on", "members", "reasons"]

    def to_representation(self, instance: MatchGroup) -> dict:
        data = super().to_representation(instance)
        data["reasons"] = [said(reason) for reason in data["reasons"]]
        return data


class CheckInSerializer(serializers.Serializer):
    answer = serializers.ChoiceField(choices=CheckIn.Answer.choices)
    week = serializers.IntegerField(min_value=1, max_value=52, default=1)


class OfficeHoursSerializer(JsonModelSerializer):
    host = serializers.CharField(source="host.display_name", read_only=True)

    class Meta:
        model = OfficeHours
        fields = [
            "id",
            "host",
            "weekday",
            "start_time",
            "minutes",
            "block_minutes",
            "time_zone",
            "about",
        ]


BOOKING_HORIZON = dt.timedelta(days=365)


class BookingRequestSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    topic = StrictCharField(max_length=120)

    def validate_starts_at(self, value: dt.datetime) -> dt.datetime:
        # Also keeps the block arithmetic away from the end of the calendar.
        if value > timezone.now() + BOOKING_HORIZON:
            raise serializers.ValidationError(_("Book a block within the next year."))
        return value


class BookingSerializer(JsonModelSerializer):
    class Meta:
        model = Booking
        fields = ["id", "office_hours", "starts_at", "topic", "status"]


class SessionSerializer(JsonModelSerializer):
    class Meta:
        model = MentoringSession
        fields = ["id", "mentor", "mentee", "kind", "held_on", "minutes", "note", "status"]
        read_only_fields = fields


class SessionRequestSerializer(serializers.Serializer):
    """A session the caller mentored; every field but the note is required."""

    mentee = serializers.PrimaryKeyRelatedField(queryset=User.objects.active())
    kind = serializers.ChoiceField(choices=MentoringSession.Kind.choices)
    held_on = serializers.DateField()
    minutes = serializers.IntegerField(min_value=1, max_value=MAX_SESSION_MINUTES)
    note = StrictCharField(max_length=200, required=False, allow_blank=True, default="")


class CaseNoteSerializer(JsonModelSerializer):
    class Meta:
        model = CaseNote
        fields = ["id", "author", "topic", "tried", "failed", "learned", "visibility", "created_at"]
        read_only_fields = ["author", "created_at"]


class ProgrammeViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Programme.objects.none()
    serializer_class = ProgrammeSerializer

    def get_queryset(self):
        return Programme.objects.visible_to(self.request.user).select_related("team")

    @extend_schema(request=None, responses={200: DetailSerializer})
    @action(detail=True, methods=["post"])
    def join(self, request, pk=None, format=None):
        try:
            join_programme(programme=self.get_object(), person=request.user)
        except MentorshipError as error:
            _rejected(error)
        return Response({"detail": _("Joined.")})


class GroupViewSet(viewsets.ReadOnlyModelViewSet):
    """My groups, newest first."""

    queryset = MatchGroup.objects.none()
    serializer_class = GroupSerializer

    def get_queryset(self):
        return (
            MatchGroup.objects.of(self.request.user)
            .select_related("round__programme")
            .prefetch_related("members")
            .order_by("-round__run_on", "-pk")
        )

    @extend_schema(request=CheckInSerializer, responses={200: DetailSerializer})
    @action(detail=True, methods=["post"], url_path="check-in")
    def check_in(self, request, pk=None, format=None):
        data = CheckInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            check_in(group=self.get_object(), person=request.user, **data.validated_data)
        except MentorshipError as error:
            _rejected(error)
        return Response({"detail": _("Thanks.")})


class OfficeHoursViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = OfficeHours.objects.none()
    serializer_class = OfficeHoursSerializer

    def get_queryset(self):
        return OfficeHours.objects.filter(active=True).select_related("host")

    @extend_schema(request=BookingRequestSerializer, responses={201: BookingSerializer})
    @action(detail=True, methods=["post"])
    def book(self, request, pk=None, format=None):
        data = BookingRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            booking = book(
                office_hours=self.get_object(), booker=request.user, **data.validated_data
            )
        except MentorshipError as error:
            _rejected(error)
        return Response(BookingSerializer(booking).data, status=status.HTTP_201_CREATED)


class SessionViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Sessions I mentored or was mentored in; I log as the mentor."""

    queryset = MentoringSession.objects.none()
    serializer_class = SessionSerializer

    def get_queryset(self):
        return MentoringSession.objects.involving(self.request.user)

    @extend_schema(request=SessionRequestSerializer, responses={201: SessionSerializer})
    def create(self, request, *args, **kwargs):
        data = SessionRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            session = log_session(
                mentor=request.user, logged_by=request.user, **data.validated_data
            )
        except MentorshipError as error:
            _rejected(error)
        return Response(SessionSerializer(session).data, status=status.HTTP_201_CREATED)


class CaseNoteQuerySerializer(QuerySerializer):
    # `?topic=` (blank) lists every note, as leaving the search box empty does.
    topic = serializers.CharField(
        required=False, allow_blank=True, max_length=CaseNote._meta.get_field("topic").max_length
    )

    def filter(self, queryset):
        topic = self.validated_data.get("topic")
        return queryset.filter(topic__icontains=topic) if topic else queryset


class CaseNoteViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    queryset = CaseNote.objects.none()
    serializer_class = CaseNoteSerializer
    query_serializer_class = CaseNoteQuerySerializer

    def get_queryset(self):
        return CaseNote.objects.visible_to(self.request.user)

    def perform_create(self, serializer):
        data = serializer.validated_data
        try:
            serializer.instance = publish_note(
                author=self.request.user,
                topic=data["topic"],
                tried=data["tried"],
                failed=data.get("failed", ""),
                learned=data["learned"],
                visibility=data.get("visibility", CaseNote.Visibility.TEAM),
            )
        except MentorshipError as error:
            _rejected(error)


# Routes, (prefix, viewset, basename), wired in connection/urls.py.
COLLECTIONS = [
    ("programmes", ProgrammeViewSet, "programme"),
    ("my-groups", GroupViewSet, "my-group"),
    ("office-hours", OfficeHoursViewSet, "office-hours"),
    ("mentoring-sessions", SessionViewSet, "mentoring-session"),
    ("case-notes", CaseNoteViewSet, "case-note"),
]
