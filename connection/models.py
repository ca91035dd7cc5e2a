from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from functools import cache, cached_property

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from connection.calendar import NEWCOMER_DAYS


@cache
def known_time_zones() -> frozenset[str]:
    # "localtime" and "Factory" are not places a person lives.
    return frozenset(zoneinfo.available_timezones() - {"localtime", "Factory"})


def validate_time_zone(value: str) -> None:
    if value not in known_time_zones():
        raise ValidationError(f"“{value}” is not a known IANA time zone, such as Europe/Lisbon.")


WEEKDAY_NAMES = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def validate_working_days(value: str) -> None:
    if not value or any(ch not in "1234567" for ch in value) or len(set(value)) != len(value):
        raise ValidationError("Working days are ISO weekday digits, 1 (Monday) to 7 (Sunday).")


class Location(models.TextChoices):
    REMOTE = "remote", "Remote"
    HYBRID = "hybrid", "Hybrid"
    OFFICE = "office", "Office"


class TeamQuerySet(models.QuerySet):
    def visible_to(self, user) -> TeamQuerySet:
        """Teams whose people and figures `user` may see.

        HR admins see every team; a manager sees the teams they manage and
        every team below them; everyone sees their own team.
        """
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_hr_admin:
            return self.all()
        condition = Q(pk=user.team_id) if user.team_id else Q(pk__in=[])
        for path in user.managed_team_paths:
            condition |= Q(path__startswith=path)
        return self.filter(condition)

    def led_by(self, user) -> TeamQuerySet:
        """Teams whose rituals, budgets, programmes and results `user` runs:
        every team for HR admins, the teams they manage (and below) for managers."""
        return self.all() if user.is_hr_admin else self.managed_by(user)

    def managed_by(self, user) -> TeamQuerySet:
        """The teams `user` manages, directly or through a team above."""
        condition = Q(pk__in=[])
        for path in user.managed_team_paths:
            condition |= Q(path__startswith=path)
        return self.filter(condition)

    def rebuild_paths(self) -> int:
        """Recompute every team's path and depth from its parent; returns rows changed."""
        teams = {
            team.pk: team for team in self.model.objects.only("id", "parent_id", "path", "depth")
        }
        resolved: dict[int, tuple[str, int]] = {}

        def resolve(pk: int, seen: frozenset = frozenset()) -> tuple[str, int]:
            if pk not in resolved:
                team = teams[pk]
                if team.parent_id is None or team.parent_id in seen:
                    resolved[pk] = (f"/{pk}/", 0)
                else:
                    parent_path, parent_depth = resolve(team.parent_id, seen | {pk})
                    resolved[pk] = (f"{parent_path}{pk}/", parent_depth + 1)
            return resolved[pk]

        changed = []
        for pk, team in teams.items():
            path, depth = resolve(pk)
            if (team.path, team.depth) != (path, depth):
                team.path, team.depth = path, depth
                changed.append(team)
        self.model.objects.bulk_update(changed, ["path", "depth"], batch_size=500)
        return len(changed)


class Team(models.Model):
    name = models.CharField(max_length=120, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Materialised path of ids ("/1/4/9/"): a manager's sub-teams are one
    # indexed prefix lookup instead of a recursive walk.
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="managed_teams"
    )
    members_adopt_rituals = models.BooleanField(
        default=False, help_text="Any member, not only managers, may adopt rituals for the team."
    )
    slack_webhook_url = models.URLField(
        blank=True, help_text="Incoming webhook for members who choose Slack."
    )
    teams_webhook_url = models.URLField(
        blank=True, help_text="Incoming webhook for members who choose Microsoft Teams."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        Team.objects.rebuild_paths()
        self.path, self.depth = Team.objects.values_list("path", "depth").get(pk=self.pk)

    def clean(self) -> None:
        ancestor = self.parent
        while ancestor is not None:
            if ancestor.pk == self.pk:
                raise ValidationError({"parent": "A team cannot sit below itself."})
            ancestor = ancestor.parent

    @property
    def indented_name(self) -> str:
        return "\u2003" * self.depth + self.name

    @staticmethod
    def ids_on_path(path: str | None) -> list[int]:
        """The team ids on a materialised path ("/1/4/9/"), root first; none for no path.

        Also reads the paths frozen with a pulse round, whose teams may since have moved.
        """
        return [int(part) for part in (path or "").split("/") if part]

    @property
    def lineage_ids(self) -> list[int]:
        """This team's id and those of every team above it, root first."""
        return Team.ids_on_path(self.path)


class UserQuerySet(models.QuerySet):
    def visible_to(self, user) -> UserQuerySet:
        """People `user` may see: everyone on a team they may see, and themselves."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_hr_admin:
            return self.all()
        return self.filter(Q(team__in=Team.objects.visible_to(user)) | Q(pk=user.pk))

    def active(self) -> UserQuerySet:
        return self.filter(is_active=True)

    def search(self, text: str) -> UserQuerySet:
        text = text.strip()
        if not text:
            return self
        return self.filter(Q(display_name__icontains=text) | Q(email__icontains=text))


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> User:
        if not email:
            raise ValueError("A person needs an e-mail address.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> User:
        fields.update(is_staff=True, is_superuser=True, is_hr_admin=True)
        return self.create_user(email, password, **fields)


def default_work_start() -> dt.time:
    return dt.time(9, 0)


def default_work_end() -> dt.time:
    return dt.time(17, 30)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(unique=True)
    display_name = models.CharField(max_length=120)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    work_start = models.TimeField(default=default_work_start, help_text="Local time.")
    work_end = models.TimeField(default=default_work_end, help_text="Local time.")
    working_days = models.CharField(
        max_length=7,
        default="12345",
        validators=[validate_working_days],
        help_text="ISO weekdays you work, 1 = Monday … 7 = Sunday.",
    )
    start_date = models.DateField(null=True, blank=True)
    location = models.CharField(max_length=10, choices=Location.choices, default=Location.REMOTE)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    manager = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
        help_text="Line manager.",
    )
    is_hr_admin = models.BooleanField("HR admin", default=False)
    is_senior = models.BooleanField(
        default=False, help_text="Expected to give mentoring hours each quarter."
    )
    skills = models.JSONField(default=list, blank=True, help_text="What this person can offer.")
    interests = models.JSONField(default=list, blank=True, help_text="What they want to learn.")
    # How this person wants to be nudged (the nudge outbox reads these at delivery).
    nudge_channel = models.CharField(max_length=10, default="email")
    weekly_nudge_cap = models.PositiveSmallIntegerField(default=5)
    muted_nudge_kinds = models.JSONField(default=list, blank=True)
    snoozed_until = models.DateTimeField(null=True, blank=True)
    slack_webhook_url = models.URLField(blank=True)
    teams_webhook_url = models.URLField(blank=True)
    quiet_alerts_to = models.CharField(
        "when I have been quiet for three weeks, also tell",
        max_length=8,
        choices=[
            ("nobody", "Nobody: just me"),
            ("buddy", "My buddy"),
            ("manager", "My manager"),
            ("both", "My buddy and my manager"),
        ],
        default="nobody",
        help_text="Off unless you choose it. Hearth then asks them to say hello; nothing more.",
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        ordering = ["display_name", "email"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(work_start=models.F("work_end")), name="working_hours_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.email.strip().lower()
        if self.work_start == self.work_end:
            raise ValidationError({"work_end": "Working hours must end at a different time."})

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name.split(" ")[0] if self.display_name else self.email

    @cached_property
    def managed_team_paths(self) -> list[str]:
        if not self.pk:
            return []
        return list(self.managed_teams.values_list("path", flat=True))

    @property
    def is_manager(self) -> bool:
        return bool(self.managed_team_paths)

    @property
    def role(self) -> str:
        if self.is_hr_admin:
            return "hr"
        if self.is_manager:
            return "manager"
        return "employee"

    @property
    def role_label(self) -> str:
        return {"hr": "HR admin", "manager": "Manager", "employee": "Employee"}[self.role]

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def local_now(self, now: dt.datetime | None = None) -> dt.datetime:
        return (now or timezone.now()).astimezone(self.zone)

    def is_working_at(self, when: dt.datetime) -> bool:
        """Whether the UTC instant `when` falls inside this person's working hours."""
        local = when.astimezone(self.zone)
        start, end = self.work_start, self.work_end
        clock = local.time()
        if start < end:
            return str(local.isoweekday()) in self.working_days and start <= clock < end
        # A shift across midnight belongs to the day it started on.
        if clock >= start:
            return str(local.isoweekday()) in self.working_days
        if clock < end:
            return str((local - dt.timedelta(days=1)).isoweekday()) in self.working_days
        return False

    @property
    def zone_label(self) -> str:
        """“New York” for America/New_York: the place, as people say it."""
        return self.time_zone.rsplit("/", 1)[-1].replace("_", " ")

    @property
    def local_clock(self) -> str:
        """This person's wall-clock time now, as 16:04."""
        return self.local_now().strftime("%H:%M")

    @property
    def working_days_label(self) -> str:
        days = sorted(int(d) for d in self.working_days)
        if len(days) > 2 and days == list(range(days[0], days[-1] + 1)):
            return f"{WEEKDAY_NAMES[days[0] - 1]}–{WEEKDAY_NAMES[days[-1] - 1]}"
        return ", ".join(WEEKDAY_NAMES[d - 1] for d in days)

    def tenure_days(self, today: dt.date | None = None) -> int | None:
        if self.start_date is None:
            return None
        return ((today or timezone.now().date()) - self.start_date).days

    def is_newcomer(self, today: dt.date | None = None) -> bool:
        """Still in their first NEWCOMER_DAYS; unknown when no start date is on record."""
        tenure = self.tenure_days(today)
        return tenure is not None and tenure < NEWCOMER_DAYS


class OrgImport(models.Model):
    """One uploaded org chart: previewed, then applied at most once."""

    class Status(models.TextChoices):
        PREVIEWED = "previewed", "Previewed"
        APPLIED = "applied", "Applied"

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    filename = models.CharField(max_length=255, blank=True)
    content = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREVIEWED)
    created_at = models.DateTimeField(default=timezone.now)
    applied_at = models.DateTimeField(null=True, blank=True)
    deactivated_missing = models.BooleanField(default=False)
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename or 'org chart'} ({self.get_status_display()})"


class Heartbeat(models.Model):
    """Last time a periodic task ran; /healthz shows it."""

    name = models.CharField(max_length=50, unique=True)
    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.beat_at:%Y-%m-%d %H:%M:%S}"


def shared_working_window(people, day: dt.date, step_minutes: int = 15):
    """The longest stretch of `day` (UTC) when the most of `people` are working.

    Returns (start, end, working, total) with UTC datetimes, or None for no
    people. `working` is how many are inside their hours for the whole window;
    it equals `total` when the window is shared by everyone.
    """
    people = list(people)
    if not people:
        return None
    midnight = dt.datetime.combine(day, dt.time(0), tzinfo=dt.UTC)
    slots = [midnight + dt.timedelta(minutes=m) for m in range(0, 24 * 60, step_minutes)]
    counts = [sum(1 for person in people if person.is_working_at(slot)) for slot in slots]
    best = max(counts)
    if best == 0:
        return None
    longest, run_start, best_run = 0, None, (0, 0)
    for index, count in enumerate([*counts, -1]):
        if count == best and run_start is None:
            run_start = index
        elif count != best and run_start is not None:
            if index - run_start > longest:
                longest, best_run = index - run_start, (run_start, index)
            run_start = None
    start = slots[best_run[0]]
    end = start + dt.timedelta(minutes=step_minutes * longest)
    return start, end, best, len(people)


class OrgSettings(models.Model):
    """Organisation-wide settings HR admins own; one row."""

    nudge_weekly_ceiling = models.PositiveSmallIntegerField(
        default=10,
        help_text="Nobody gets more nudges a week than this, whatever they choose.",
    )
    min_group_size = models.PositiveSmallIntegerField(
        default=5,
        validators=[MinValueValidator(3)],
        help_text="Fewer answers than this and a group shows “not enough responses”.",
    )
    comment_threshold = models.PositiveSmallIntegerField(
        default=10, help_text="Comments appear only for groups with at least this many answers."
    )
    currency = models.CharField(
        max_length=3, default="EUR", help_text="ISO 4217 code for connection budgets."
    )
    alert_low_score = models.PositiveSmallIntegerField(
        default=60,
        help_text="A team's connection score (0-100) below this counts as low for alerts.",
    )
    alert_drop = models.PositiveSmallIntegerField(
        default=8,
        help_text="A fall of this many points against the team's 4-week average counts as "
        "falling for alerts.",
    )
    webhook_hosts = models.TextField(
        blank=True,
        help_text="Hosts besides Slack's and Microsoft's that Slack or Teams webhooks may post "
        "to, one a line (*.example.com for every name under example.com).",
    )

    class Meta:
        verbose_name = "organisation settings"
        verbose_name_plural = "organisation settings"

    def __str__(self) -> str:
        return "Organisation settings"

    @classmethod
    def load(cls) -> OrgSettings:
        settings_row, _ = cls.objects.get_or_create(pk=1)
        return settings_row

    @property
    def webhook_host_list(self) -> list[str]:
        return [line.strip().lower() for line in self.webhook_hosts.splitlines() if line.strip()]


class AuditQuerySet(models.QuerySet):
    """The audit trail only grows: bulk updates and deletes are refused here, and
    on PostgreSQL a trigger refuses them too (migration 0015), so even raw SQL
    can't rewrite history."""

    def update(self, **kwargs):
        raise TypeError("The audit trail is append-only: entries are never updated.")

    def delete(self):
        raise TypeError("The audit trail is append-only: entries are never deleted.")


class AuditEntry(models.Model):
    """One HR action that changed what others see or receive: who, when, what.

    Written by `connection.audit.record` in the same transaction as the change.
    `detail` holds settings, names and counts, never pulse answers or anything
    that identifies a respondent.
    """

    class Kind(models.TextChoices):
        PRIVACY = "privacy", "Privacy thresholds"
        ROLES = "roles", "Roles, teams and managers"
        EXPORT = "export", "Exports"
        BUDGET = "budget", "Budgets"
        PROGRAMME = "programme", "Programmes"
        PULSE = "pulse", "Pulse settings and items"
        GUIDE = "guide", "Conversation guides"
        CATALOGUE = "catalogue", "Ritual catalogue and values"
        RECOGNITION = "recognition", "Recognition moderation"
        OUTBOX = "outbox", "Nudge outbox"

    class Action(models.TextChoices):
        # "kind.what": the part before the dot is the entry's kind.
        PRIVACY_CHANGED = "privacy.changed", "changed the privacy thresholds"
        PERSON_ADDED = "roles.person_added", "added a person in the admin"
        PERSON_CHANGED = "roles.person_changed", "changed a person in the admin"
        PERSON_DELETED = "roles.person_deleted", "deleted a person in the admin"
        TEAM_ADDED = "roles.team_added", "added a team in the admin"
        TEAM_CHANGED = "roles.team_changed", "changed a team in the admin"
        TEAM_DELETED = "roles.team_deleted", "deleted a team in the admin"
        ORG_IMPORTED = "roles.org_imported", "imported the org chart"
        PULSE_CSV = "export.pulse_csv", "exported the pulse results CSV"
        INSIGHTS_CSV = "export.insights_csv", "exported the insights CSV"
        BUDGET_SET = "budget.set", "set a budget"
        SPEND_LOGGED = "budget.spend", "logged a spend"
        PROGRAMME_STARTED = "programme.started", "started a programme"
        PULSE_SETTINGS = "pulse.settings", "changed the pulse settings"
        QUESTION_ADDED = "pulse.question_added", "added a pulse question"
        QUESTION_EDITED = "pulse.question_edited", "edited a pulse question"
        QUESTION_RETIRED = "pulse.question_retired", "retired a pulse question"
        QUESTIONS_REORDERED = "pulse.questions_reordered", "reordered the pulse questions"
        QUESTION_DELETED = "pulse.question_deleted", "deleted a pulse question in the admin"
        GUIDE_ADDED = "guide.added", "added a conversation guide in the admin"
        GUIDE_EDITED = "guide.edited", "edited a conversation guide"
        GUIDE_DELETED = "guide.deleted", "deleted a conversation guide in the admin"
        CATALOGUE_ADDED = "catalogue.added", "added to the ritual catalogue in the admin"
        CATALOGUE_CHANGED = "catalogue.changed", "changed the ritual catalogue in the admin"
        RECOGNITION_HIDDEN = "recognition.hidden", "hid a recognition"
        RECOGNITION_SHOWN = "recognition.shown", "showed a hidden recognition"
        NUDGES_RESENT = "outbox.resent", "queued failed nudges again"
        NUDGE_CEILING = "outbox.ceiling", "changed the weekly nudge limit"
        WEBHOOK_HOSTS = "outbox.webhook_hosts", "changed the hosts webhooks may post to"

    at = models.DateTimeField(default=timezone.now, editable=False)
    # PROTECT: deleting a person must not blank out what they did.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty when Hearth itself acted (the command line, the demo set-up).",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    action = models.CharField(max_length=40, choices=Action.choices)
    # What it acted on, kept as text: the entry outlives the row it names.
    target_type = models.CharField(max_length=60, blank=True)
    target_id = models.BigIntegerField(null=True, blank=True)
    target_label = models.CharField(max_length=200, blank=True)
    detail = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name_plural = "audit entries"
        indexes = [models.Index(fields=["kind", "at"]), models.Index(fields=["at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_id or 'Hearth'} {self.action}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise TypeError("The audit trail is append-only: entries are never updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The audit trail is append-only: entries are never deleted.")

    @property
    def lines(self) -> list[str]:
        """The detail as short lines for people: "min group size: 5 → 7"."""
        lines = []
        for key, value in self.detail.items():
            if key == "changed":
                lines += [
                    f"{name.replace('_', ' ')}: {_shown(old)} → {_shown(new)}"
                    for name, (old, new) in value.items()
                ]
            else:
                lines.append(f"{key.replace('_', ' ')}: {_shown(value)}")
        return lines


def _shown(value) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "none"
    if value in ("", None):
        return "none"
    return str(value)


class AwayPeriod(models.Model):
    """Days a person is away (holiday, leave): nothing reaches them then.

    Dates are the person's own calendar days, both ends included.
    """

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="away_periods"
    )
    starts_on = models.DateField()
    ends_on = models.DateField()
    note = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="away_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} away {self.starts_on}–{self.ends_on}"


class NudgeChannel(models.TextChoices):
    IN_APP = "in_app", "In Hearth only"
    EMAIL = "email", "E-mail"
    SLACK = "slack", "Slack"
    TEAMS = "teams", "Microsoft Teams"


class Priority(models.IntegerChoices):
    LOW = 1, "low"
    NORMAL = 2, "normal"
    HIGH = 3, "high"


@dataclass(frozen=True)
class NudgeKind:
    label: str
    priority: int
    reason: str
    # A private kind's existence says something about the person (say, that
    # they have not answered the pulse): HR's outbox shows it without its kind.
    private: bool = False


# Every kind of message Hearth sends. Low priority ones are merged into a
# daily digest; high priority ones are never held back by the weekly cap
# (they answer something the person did, such as a booking).
NUDGE_KINDS: dict[str, NudgeKind] = {
    "pulse_invite": NudgeKind(
        "Pulse invitations", Priority.NORMAL, "your team runs the weekly pulse"
    ),
    "pulse_reminder": NudgeKind(
        "Pulse reminders", Priority.LOW, "you have not answered this week's pulse yet", True
    ),
    "ritual_reminder": NudgeKind(
        "Ritual reminders", Priority.NORMAL, "you take part in this team ritual"
    ),
    "ritual_review": NudgeKind(
        "Ritual reviews", Priority.NORMAL, "you own a ritual whose review date came"
    ),
    "buddy_checkin": NudgeKind(
        "Buddy check-ins", Priority.NORMAL, "you are in the newcomer buddy programme"
    ),
    "pairing": NudgeKind(
        "Coffee chats and mentoring matches", Priority.NORMAL, "you joined a pairing programme"
    ),
    "booking": NudgeKind(
        "Office-hours bookings", Priority.HIGH, "someone booked or changed your office hours"
    ),
    "recognition": NudgeKind(
        "Recognition you received", Priority.LOW, "a colleague recognised you"
    ),
    "thread_activity": NudgeKind(
        "Replies and reactions", Priority.LOW, "someone answered you in the team thread"
    ),
    "manager_alert": NudgeKind(
        "Team alerts for managers", Priority.NORMAL, "you manage a team whose figures changed"
    ),
    "colleague_quiet": NudgeKind(
        "A colleague asked you to check on them",
        Priority.NORMAL,
        "a colleague chose you to hear when they have been quiet",
        True,
    ),
    "personal_tip": NudgeKind(
        "Suggestions just for you", Priority.LOW, "you asked Hearth for personal suggestions", True
    ),
    "announcement": NudgeKind(
        "Announcements from HR", Priority.NORMAL, "your HR admin sent it to everyone"
    ),
    "mentoring_confirm": NudgeKind(
        "Mentoring sessions to confirm",
        Priority.NORMAL,
        "a colleague logged a session naming you as their mentor",
    ),
}
NUDGE_KIND_CHOICES = [(key, kind.label) for key, kind in NUDGE_KINDS.items()]


class NudgeQuerySet(models.QuerySet):
    def inbox(self, user) -> NudgeQuerySet:
        """What the in-app notification list shows: everything delivered to `user`."""
        return self.filter(recipient=user, status=Nudge.Status.SENT).order_by("-sent_at", "-pk")

    def unread(self) -> NudgeQuerySet:
        return self.filter(read_at__isnull=True)


class Nudge(models.Model):
    """One intended message in the transactional outbox."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        SKIPPED = "skipped", "Skipped"
        FAILED = "failed", "Failed"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="nudges"
    )
    kind = models.CharField(max_length=30, choices=NUDGE_KIND_CHOICES)
    channel = models.CharField(max_length=10)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    payload = models.JSONField(default=dict)
    dedupe_key = models.CharField(max_length=200, unique=True)
    due_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # Which worker's claim this is: outcomes and sends check it, so a claim
    # released as stale and taken by another worker is never acted on twice.
    claim_token = models.CharField(max_length=32, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    digest = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="digested"
    )

    objects = NudgeQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["recipient", "status", "sent_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id} ({self.status})"

    @property
    def title(self) -> str:
        return self.payload.get("title") or NUDGE_KINDS[self.kind].label

    @property
    def body(self) -> str:
        return self.payload.get("body", "")

    @property
    def url(self) -> str:
        url = self.payload.get("url", "")
        # Only our own pages: a payload never sends someone off-site.
        return url if url.startswith("/") and not url.startswith("//") else ""

    @property
    def reason(self) -> str:
        return NUDGE_KINDS[self.kind].reason

    @property
    def is_fresh(self) -> bool:
        return bool(self.sent_at) and timezone.now() - self.sent_at < dt.timedelta(minutes=1)

    @property
    def channel_label(self) -> str:
        try:
            return NudgeChannel(self.channel).label
        except ValueError:
            return self.channel

    @property
    def kind_label_for_hr(self) -> str:
        kind = NUDGE_KINDS[self.kind]
        return "Private message" if kind.private else kind.label


class Signal(models.Model):
    """The connection ledger: one act of connecting, who with, when.

    Scores and network metrics read it later. `other` is empty for acts
    that involve the team rather than one colleague (posting to the thread).
    """

    class Kind(models.TextChoices):
        ATTENDED = "attended", "Attended a ritual"
        POSTED = "posted", "Posted to the team thread"
        ASKED = "asked", "Asked a question"
        REPLIED = "replied", "Replied or reacted"
        RECOGNISED = "recognised", "Recognised a colleague"
        BOOKED = "booked", "Booked office hours"
        CHECKED_IN = "checked_in", "Met their match"
        MENTORED = "mentored", "Mentoring session"
        SHADOWED = "shadowed", "Shadowing"

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="signals"
    )
    other = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="signals_received",
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    occurred_at = models.DateTimeField(default=timezone.now)
    # What caused it, so a retried write never records the same act twice.
    source = models.CharField(max_length=120, unique=True)

    class Meta:
        indexes = [
            models.Index(fields=["occurred_at"]),
            models.Index(fields=["team", "occurred_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.actor_id} {self.kind} {self.other_id or ''}".strip()
