"""The anonymous pulse: question bank, rounds, receipts, responses, snapshots.

Who answered (`Receipt`) and what was answered (`Response`, `Answer`) live
in separate tables with nothing that joins them: a response has a random
UUID, no person, no timestamp finer than its round. Aggregates leave the
database only from snapshot rows (`RoundCell`, `CellAnswer`), and only
through `connection.privacy`.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import dateformat, timezone
from django.utils.translation import gettext_lazy as _

from connection.models import Location, Nudge, Team


class Dimension(models.TextChoices):
    BELONGING = "belonging", _("Belonging")
    SAFETY = "safety", _("Safety")
    RECOGNITION = "recognition", _("Recognition")
    BOUNDARIES = "boundaries", _("Boundaries")
    LEARNING = "learning", _("Learning")
    ENPS = "enps", "eNPS"

    @property
    def scale(self) -> list[int]:
        return list(range(0, 11)) if self == Dimension.ENPS else [1, 2, 3, 4, 5]

    @property
    def favourable_from(self) -> int:
        """Where favourable answers start in a vector of counts per scale value."""
        return self.scale.index(PROMOTER if self == Dimension.ENPS else AGREE)

    def is_favourable(self, value: int) -> bool:
        return value >= (PROMOTER if self == Dimension.ENPS else AGREE)


# The dimensions a connection score is made of, in the order pages list them.
CORE_DIMENSIONS = [d for d in Dimension if d != Dimension.ENPS]
# The favourable answers: 4 or 5 on the agreement scale, 9 or 10 (promoters) for
# eNPS; 0 to 6 detract. Every share, snapshot and guard decision reads these.
AGREE = 4
PROMOTER = 9
DETRACTOR = 6

AGREEMENT = [
    (1, _("Strongly disagree")),
    (2, _("Disagree")),
    (3, _("Neutral")),
    (4, _("Agree")),
    (5, _("Strongly agree")),
]


class TenureBand(models.TextChoices):
    NEW = "0-3m", _("Under 3 months")
    FIRST_YEAR = "3-12m", _("3 to 12 months")
    FEW_YEARS = "1-3y", _("1 to 3 years")
    LONG = "3y+", _("Over 3 years")
    UNKNOWN = "unknown", _("Unknown")

    @classmethod
    def for_start(cls, start: dt.date | None, on: dt.date) -> str:
        if start is None:
            return cls.UNKNOWN
        days = (on - start).days
        if days < 91:
            return cls.NEW
        if days < 365:
            return cls.FIRST_YEAR
        if days < 3 * 365:
            return cls.FEW_YEARS
        return cls.LONG


class QuestionQuerySet(models.QuerySet):
    def current(self) -> QuestionQuerySet:
        """The latest version of every item that is not retired."""
        return self.filter(superseded_by__isnull=True, retired=False)


class Question(models.Model):
    """One wording of a pulse item. Editing makes a new version; answers keep theirs."""

    code = models.SlugField(max_length=40, help_text=_("Stable name shared by all versions."))
    version = models.PositiveSmallIntegerField(default=1)
    dimension = models.CharField(max_length=12, choices=Dimension.choices)
    text = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField(default=100)
    always_ask = models.BooleanField(default=False)
    retired = models.BooleanField(default=False)
    superseded_by = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="previous"
    )

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="question_version_unique")
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def is_enps(self) -> bool:
        return self.dimension == Dimension.ENPS

    @property
    def scale(self) -> list[int]:
        return Dimension(self.dimension).scale


class PulseSettings(models.Model):
    """HR's pulse configuration; one row."""

    class Cadence(models.TextChoices):
        WEEKLY = "weekly", _("Every week")
        BIWEEKLY = "biweekly", _("Every two weeks")
        MONTHLY = "monthly", _("Every four weeks")

    enabled = models.BooleanField(default=True)
    cadence = models.CharField(max_length=10, choices=Cadence.choices, default=Cadence.WEEKLY)
    items_per_round = models.PositiveSmallIntegerField(default=6)
    open_days = models.PositiveSmallIntegerField(
        default=4, help_text=_("How many days a round stays open.")
    )
    audience = models.ManyToManyField(
        Team, blank=True, help_text=_("Teams asked (with their sub-teams); none means everyone.")
    )

    class Meta:
        verbose_name = verbose_name_plural = _("pulse settings")

    def __str__(self) -> str:
        return "Pulse settings"

    @classmethod
    def load(cls) -> PulseSettings:
        row, _ = cls.objects.get_or_create(pk=1)
        return row

    @property
    def interval(self) -> dt.timedelta:
        return {
            self.Cadence.WEEKLY: dt.timedelta(weeks=1),
            self.Cadence.BIWEEKLY: dt.timedelta(weeks=2),
            self.Cadence.MONTHLY: dt.timedelta(weeks=4),
        }[self.cadence]


class RoundQuerySet(models.QuerySet):
    def open(self) -> RoundQuerySet:
        return self.filter(status=Round.Status.OPEN)

    def reported(self) -> RoundQuerySet:
        return self.filter(status=Round.Status.REPORTED)

    def open_for(self, user) -> Round | None:
        """The round open now that `user` is asked to answer, if any."""
        now = timezone.now()
        round_ = (
            self.open()
            .filter(opens_at__lte=now, closes_at__gt=now)
            .annotate(question_count=models.Count("questions"))
            .first()
        )
        return round_ if round_ is not None and round_.asks(user) else None

    def waiting_for(self, user) -> Round | None:
        """The open round `user` has not answered yet (the home page's invitation)."""
        round_ = self.open_for(user)
        if round_ is None or round_.receipts.filter(person=user).exists():
            return None
        return round_


class Round(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        REPORTED = "reported", _("Reported")

    number = models.PositiveIntegerField(unique=True)
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    # Privacy thresholds in force for this round, fixed when it opened.
    min_group_size = models.PositiveSmallIntegerField()
    comment_threshold = models.PositiveSmallIntegerField()
    questions = models.ManyToManyField(Question, through="RoundQuestion", related_name="rounds")
    audience_teams = models.ManyToManyField(Team, blank=True, related_name="+")
    reminders_planned = models.BooleanField(default=False)
    rows_shuffled = models.BooleanField(default=False)

    objects = RoundQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"Pulse {self.number} ({self.opens_at:%d %b %Y})"

    @property
    def week_label(self) -> str:
        return dateformat.format(self.opens_at, "d M")  # "07 Dec", "07 Dez"

    def asks(self, person) -> bool:
        """Whether `person` is in this round's audience (everyone, or chosen teams and below)."""
        if not person.is_active:
            return False
        paths = [team.path for team in self.audience_teams.all()]
        return not paths or (
            person.team is not None and any(person.team.path.startswith(p) for p in paths)
        )

    def is_open_at(self, when: dt.datetime) -> bool:
        return self.status == self.Status.OPEN and self.opens_at <= when < self.closes_at


class RoundQuestion(models.Model):
    round = models.ForeignKey(Round, on_delete=models.CASCADE)
    question = models.ForeignKey(Question, on_delete=models.PROTECT)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["round", "question"], name="round_question_unique")
        ]

    def __str__(self) -> str:
        return f"{self.round} #{self.position}"


class Invitation(models.Model):
    """A pulse message (invitation or reminder) and the round it is about, so one
    that comes due after the person answered is skipped. Declared here, pointing
    down at the outbox, so the core's Nudge knows nothing of the pulse. It says
    only that someone was asked, as the audience does; never what they answered."""

    round = models.ForeignKey("Round", on_delete=models.CASCADE, related_name="invitations")
    nudge = models.OneToOneField(Nudge, on_delete=models.CASCADE, related_name="pulse_invitation")

    def __str__(self) -> str:
        return f"invitation {self.nudge_id} for {self.round_id}"


class Receipt(models.Model):
    """That a person answered a round; never what. Random id, no timestamp."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pulse_receipts"
    )
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="receipts")
    # Teams with pulse history are kept (PROTECT): deleting one would change
    # what old figures add up to, and differences can reveal small groups.
    team = models.ForeignKey(Team, null=True, on_delete=models.PROTECT, related_name="+")
    tenure_band = models.CharField(max_length=8, choices=TenureBand.choices, blank=True)
    location = models.CharField(max_length=10, choices=Location.choices, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "round"], name="one_receipt_per_round")
        ]

    def __str__(self) -> str:
        return f"Receipt for {self.round}"


class Response(models.Model):
    """What someone answered, with the coarse facts the round was sliced by.

    No person, no fine timestamp, a random id: nothing joins it to a receipt.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="responses")
    team = models.ForeignKey(Team, null=True, on_delete=models.PROTECT, related_name="+")
    tenure_band = models.CharField(max_length=8, choices=TenureBand.choices)
    location = models.CharField(max_length=10, choices=Location.choices)
    comment = models.TextField(blank=True)
    # The SHA-256 of the conversation key its author was given with the comment
    # (pulse/conversations.py): whoever holds the key may read the replies and answer.
    # The key itself is never stored, and nothing stores it with a person.
    reply_digest = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        # Only responses with a comment have a digest: the index holds those alone, so
        # the many submits without a comment write nothing to it.
        indexes = [
            models.Index(
                fields=["reply_digest"],
                condition=~Q(reply_digest=""),
                name="response_reply_digest",
            )
        ]

    def __str__(self) -> str:
        return f"A response to {self.round}"


class CommentReply(models.Model):
    """One message in the conversation on a pulse comment: from the organisation (a
    team's manager or an HR admin, who may read the comment) or from the comment's
    author, who is known only by holding the key. No person is stored: a message
    says which side wrote it, and the organisation's side its role."""

    class Side(models.TextChoices):
        MANAGER = "manager", _("The team's manager")
        HR = "hr", _("HR")
        AUTHOR = "author", _("The author")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="replies")
    side = models.CharField(max_length=8, choices=Side.choices)
    text = models.TextField()
    # When the other side sees it: the next batch (pulse/conversations.py), so the
    # time a message appears says nothing about when, or by whom, it was written.
    shown_at = models.DateTimeField()

    class Meta:
        ordering = ["shown_at", "id"]
        indexes = [models.Index(fields=["response", "shown_at"])]

    def __str__(self) -> str:
        return f"{self.get_side_display()} on a comment"


class Answer(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    value = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="one_answer_per_item"),
            models.CheckConstraint(condition=Q(value__lte=10), name="answer_in_range"),
        ]

    def __str__(self) -> str:
        return "An answer"


class RoundCellQuerySet(models.QuerySet):
    def for_teams(self, teams) -> RoundCellQuerySet:
        return self.filter(team__in=teams)


class RoundCell(models.Model):
    """Snapshot: one round's responses for one (team, tenure band, location).

    Every figure a page shows is a sum of cells, then passes the privacy guard.
    """

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="cells")
    team = models.ForeignKey(Team, null=True, on_delete=models.PROTECT, related_name="+")
    tenure_band = models.CharField(max_length=8, choices=TenureBand.choices)
    location = models.CharField(max_length=10, choices=Location.choices)
    respondents = models.PositiveIntegerField()
    score_sum = models.FloatField(help_text=_("Sum of each respondent's mean item score (0-100)."))
    enps_answers = models.PositiveIntegerField(default=0)
    promoters = models.PositiveIntegerField(default=0)
    detractors = models.PositiveIntegerField(default=0)

    objects = RoundCellQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["round", "team", "tenure_band", "location"], name="one_cell_per_slice"
            )
        ]

    def __str__(self) -> str:
        return f"{self.round}: {self.respondents} respondents"


class CellAnswer(models.Model):
    """Snapshot: how a cell answered one item (counts per scale value)."""

    cell = models.ForeignKey(RoundCell, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    dimension = models.CharField(max_length=12, choices=Dimension.choices)
    answers = models.PositiveIntegerField()
    favourable = models.PositiveIntegerField()
    counts = models.JSONField(help_text=_("Answers per scale value, lowest first."))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cell", "question"], name="one_stat_per_item")
        ]

    def __str__(self) -> str:
        return f"{self.answers} answers"


class RoundTeam(models.Model):
    """The team tree as it was when a round was reported, so later moves never
    change what an old figure adds up to."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="tree")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    parent_id_then = models.PositiveBigIntegerField(null=True)
    path = models.CharField(max_length=255)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "team"], name="one_tree_node_per_round")
        ]

    def __str__(self) -> str:
        return f"{self.round}: {self.path}"


class Published(models.Model):
    """What the guard published for a round about one group: a team (team empty: the
    organisation) or one tenure band or location inside it. Decided once, when the
    round is reported, by `pulse.publication` after auditing every figure together;
    pages, the API and the CSVs read these rows and nothing finer. A hidden figure is
    None, with the reason the page shows."""

    class By(models.TextChoices):
        WHOLE = "", _("Whole group")
        TENURE = "tenure_band", _("Tenure band")
        LOCATION = "location", _("Location")

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="published")
    team = models.ForeignKey(Team, null=True, on_delete=models.PROTECT, related_name="+")
    by = models.CharField(max_length=12, choices=By.choices, blank=True, default="")
    value = models.CharField(max_length=10, blank=True, default="")
    shown = models.BooleanField()
    reason = models.CharField(max_length=200, blank=True)
    respondents = models.PositiveIntegerField(null=True)
    score = models.PositiveSmallIntegerField(null=True)
    enps = models.SmallIntegerField(null=True)
    promoters = models.PositiveSmallIntegerField(
        null=True,
        # xgettext:no-python-format
        help_text=_("% of eNPS answers 9-10"),
    )
    enps_reason = models.CharField(max_length=200, blank=True)
    shares = models.JSONField(
        default=dict, help_text=_('Favourable % by "d:<dimension>" and "q:<question id>".')
    )
    response_rate = models.PositiveSmallIntegerField(null=True)
    comments_shown = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["round", "team", "by", "value"],
                name="one_published_per_group",
            )
        ]

    def __str__(self) -> str:
        return f"{self.round} {self.team_id} {self.by}={self.value}: {self.score}"
