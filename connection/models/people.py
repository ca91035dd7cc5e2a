"""People and teams: the org chart every app reads, who works when, and where."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from functools import cache, cached_property
from importlib import resources
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from connection.calendar import NEWCOMER_DAYS


@cache
def known_time_zones() -> frozenset[str]:
    # "localtime" and "Factory" are not places a person lives.
    return frozenset(zoneinfo.available_timezones() - {"localtime", "Factory"})


ZONE_TABLES = ("/usr/share/zoneinfo/zone.tab",)


@cache
def listed_time_zones() -> tuple[str, ...]:
    """The zones people pick from: each place's current name in tzdata's zone.tab
    (Africa/Asmara, not the old Africa/Asmera), and UTC. Older names stay valid for
    what is stored, they are just not offered."""
    names: set[str] = set()
    try:
        text = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text()
    except (ModuleNotFoundError, FileNotFoundError):
        existing = [Path(path) for path in ZONE_TABLES if Path(path).exists()]
        text = existing[0].read_text() if existing else ""
    for line in text.splitlines():
        fields = line.split("\t")
        if len(fields) >= 3 and not line.startswith("#"):
            names.add(fields[2])
    names &= known_time_zones()
    return tuple(sorted(names | {"UTC"})) if names else tuple(sorted(known_time_zones()))


def validate_time_zone(value: str) -> None:
    if value not in known_time_zones():
        raise ValidationError(
            gettext("“%(value)s” is not a known IANA time zone, such as Europe/Lisbon.")
            % {"value": value}
        )


WEEKDAY_NAMES = [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]


def validate_working_days(value: str) -> None:
    if not value or any(ch not in "1234567" for ch in value) or len(set(value)) != len(value):
        raise ValidationError(
            gettext("Working days are ISO weekday digits, 1 (Monday) to 7 (Sunday).")
        )


class Location(models.TextChoices):
    REMOTE = "remote", _("Remote")
    HYBRID = "hybrid", _("Hybrid")
    OFFICE = "office", _("Office")


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
        default=False, help_text=_("Any member, not only managers, may adopt rituals for the team.")
    )
    slack_webhook_url = models.URLField(
        blank=True, help_text=_("Incoming webhook for members who choose Slack.")
    )
    teams_webhook_url = models.URLField(
        blank=True, help_text=_("Incoming webhook for members who choose Microsoft Teams.")
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # The identity provider's id for the group this team mirrors (SCIM externalId).
    external_id = models.CharField(max_length=255, blank=True, db_index=True)

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
                raise ValidationError({"parent": gettext("A team cannot sit below itself.")})
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

    def to_pick(self, *, besides: User) -> UserQuerySet:
        """What a people picker lists for `besides`: everyone else active, by name, with
        their team (for `User.picker_label`)."""
        return self.active().exclude(pk=besides.pk).select_related("team").order_by("display_name")

    def matching(self, text: str) -> UserQuerySet:
        """People whose name, team or city holds `text` (a picker's search box)."""
        text = text.strip()
        if not text:
            return self
        return self.filter(
            Q(display_name__icontains=text)
            | Q(team__name__icontains=text)
            | Q(time_zone__icontains=text.replace(" ", "_"))
        )

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
    # Blank: the organisation's default (OrgSettings.default_language).
    language = models.CharField(max_length=8, blank=True, default="", choices=settings.LANGUAGES)
    work_start = models.TimeField(default=default_work_start, help_text=_("Local time."))
    work_end = models.TimeField(default=default_work_end, help_text=_("Local time."))
    working_days = models.CharField(
        max_length=7,
        default="12345",
        validators=[validate_working_days],
        help_text=_("ISO weekdays you work, 1 = Monday … 7 = Sunday."),
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
        help_text=_("Line manager."),
    )
    is_hr_admin = models.BooleanField(_("HR admin"), default=False)
    # The identity provider's own id for this person (SCIM externalId, OIDC subject link).
    external_id = models.CharField(max_length=255, blank=True, db_index=True)
    is_senior = models.BooleanField(
        default=False, help_text=_("Expected to give mentoring hours each quarter.")
    )
    skills = models.JSONField(default=list, blank=True, help_text=_("What this person can offer."))
    interests = models.JSONField(default=list, blank=True, help_text=_("What they want to learn."))
    # How this person wants to be nudged (the nudge outbox reads these at delivery).
    nudge_channel = models.CharField(max_length=10, default="email")
    weekly_nudge_cap = models.PositiveSmallIntegerField(default=5)
    muted_nudge_kinds = models.JSONField(default=list, blank=True)
    snoozed_until = models.DateTimeField(null=True, blank=True)
    slack_webhook_url = models.URLField(blank=True)
    teams_webhook_url = models.URLField(blank=True)
    quiet_alerts_to = models.CharField(
        _("when I have been quiet for three weeks, also tell"),
        max_length=8,
        choices=[
            ("nobody", _("Nobody: just me")),
            ("buddy", _("My buddy")),
            ("manager", _("My manager")),
            ("both", _("My buddy and my manager")),
        ],
        default="nobody",
        help_text=_("Off unless you choose it. Hearth then asks them to say hello; nothing more."),
    )
    # Micro-moments (moments/): each is off until the person turns it on.
    share_anniversary = models.BooleanField(
        _("share my work anniversary with my team"),
        default=False,
        help_text=_(
            "On the day, your team's thread marks it, and your manager hears a few days "
            "before. Only the years, never your birthday or anything else."
        ),
    )
    checkin_suggestions = models.BooleanField(
        _("suggest someone I could check in with"),
        default=False,
        help_text=_(
            "For managers: at most one a week, someone on your team you have not had a "
            "one-to-one moment with in a while. Nobody is scored, and they never hear of it."
        ),
    )
    thanks_prompts = models.BooleanField(
        _("remind me to say thank you"),
        default=False,
        help_text=_(
            "The day after a mentoring session or an office-hours booking, a reminder "
            "to thank the person who helped."
        ),
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
        # The people list, the pickers and the API read active people by name a page at
        # a time, and count them: at 100,000 people a walk of this index, not a sort of
        # the table (is_active last: SQLite tests a boolean as is, not as an equality).
        indexes = [models.Index(fields=["display_name", "id", "is_active"], name="user_by_name")]

    def __str__(self) -> str:
        return self.display_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.email.strip().lower()
        if self.work_start == self.work_end:
            raise ValidationError(
                {"work_end": gettext("Working hours must end at a different time.")}
            )

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
        labels = {"hr": _("HR admin"), "manager": _("Manager"), "employee": _("Employee")}
        return str(labels[self.role])

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
    def picker_label(self) -> str:
        """How a people picker names someone, so two Ana Silvas can be told apart:
        “Ana Silva · Payments · Lisbon”. (Select their team with them.)"""
        return f"{self.display_name} · {self.picker_place}"

    @property
    def picker_place(self) -> str:
        """Team and city, as a picker shows them after the name: “Payments · Lisbon”."""
        team = self.team.name if self.team_id else gettext("no team")
        return f"{team} · {self.zone_label}"

    @property
    def local_clock(self) -> str:
        """This person's wall-clock time now, as 16:04."""
        return self.local_now().strftime("%H:%M")

    @property
    def working_days_label(self) -> str:
        days = sorted(int(d) for d in self.working_days)
        names = [str(name) for name in WEEKDAY_NAMES]
        if len(days) > 2 and days == list(range(days[0], days[-1] + 1)):
            return f"{names[days[0] - 1]}–{names[days[-1] - 1]}"
        return ", ".join(names[d - 1] for d in days)

    def moment_managers(self) -> list[User]:
        """Who hears of a moment this person shares (moments/): their line manager, or
        else their team's managers; never themselves, never someone deactivated."""
        if self.manager_id and self.manager_id != self.pk and self.manager.is_active:
            return [self.manager]
        if not self.team_id:
            return []
        return list(self.team.managers.filter(is_active=True).exclude(pk=self.pk))

    def tenure_days(self, today: dt.date | None = None) -> int | None:
        if self.start_date is None:
            return None
        return ((today or timezone.now().date()) - self.start_date).days

    def is_newcomer(self, today: dt.date | None = None) -> bool:
        """Still in their first NEWCOMER_DAYS; unknown when no start date is on record."""
        tenure = self.tenure_days(today)
        return tenure is not None and tenure < NEWCOMER_DAYS


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


LOOK_AHEAD_DAYS = 7  # how far ahead a first meeting is looked for


def next_shared_slot(people: list[User], now: dt.datetime):
    """The first half hour, from the next hour on, that falls in everyone's working
    hours (and days), looked for a week ahead; (start, end) in UTC, or None."""
    first_day = now.astimezone(dt.UTC).date()
    for offset in range(LOOK_AHEAD_DAYS + 1):
        window = shared_working_window(people, first_day + dt.timedelta(days=offset))
        if window is None or window[2] < window[3]:
            continue
        start = max(window[0], _next_half_hour(now + dt.timedelta(hours=1)))
        if start + dt.timedelta(minutes=30) <= window[1]:
            return start, start + dt.timedelta(minutes=30)
    return None


def _next_half_hour(moment: dt.datetime) -> dt.datetime:
    moment = moment.astimezone(dt.UTC).replace(second=0, microsecond=0)
    extra = (30 - moment.minute % 30) % 30
    return moment + dt.timedelta(minutes=extra)
