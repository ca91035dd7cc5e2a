"""Writes of the pulse: opening and closing rounds, answering, snapshots."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from connection.audit import record
from connection.models import AuditEntry, OrgSettings, Team, User
from connection.nudges import NudgeSpec, plan_linked_nudges
from connection.privacy import effective_k
from pulse.answering import Asked, PulseError, forget, store
from pulse.conversations import in_their_language
from pulse.models import (
    DETRACTOR,
    PROMOTER,
    Dimension,
    Invitation,
    PulseSettings,
    Question,
    Receipt,
    Round,
    RoundCell,
    RoundQuestion,
    RoundTeam,
)
from pulse.publication import publish


class NoQuestions(Exception):
    """The question bank has no current items."""


# ---------------------------------------------------------------- rounds


def audience(round_: Round | None = None, settings_row: PulseSettings | None = None):
    """Active people asked in a round: everyone, or the chosen teams and below."""
    teams = list(round_.audience_teams.all() if round_ else settings_row.audience.all())
    people = User.objects.active()
    if not teams:
        return people
    condition = Q(pk__in=[])
    for team in teams:
        condition |= Q(team__path__startswith=team.path)
    return people.filter(condition)


def choose_questions(number: int, per_round: int) -> list[Question]:
    """Always-asked items, then one item per dimension, rotating with the round number.

    With three items a dimension and a weekly round the whole bank is asked
    every three weeks; eNPS is asked every round.
    """
    current = list(Question.objects.current())
    chosen = [q for q in current if q.always_ask or q.is_enps]
    by_dimension: dict[str, list[Question]] = defaultdict(list)
    for question in current:
        if question not in chosen:
            by_dimension[question.dimension].append(question)
    depth = 0
    while len(chosen) < per_round and any(len(qs) > depth for qs in by_dimension.values()):
        for dimension in Dimension.values:
            items = by_dimension.get(dimension, [])
            if len(items) > depth and len(chosen) < per_round:
                chosen.append(items[(number - 1 + depth) % len(items)])
        depth += 1
    return sorted(set(chosen), key=lambda q: (q.is_enps, q.position, q.pk))


def open_round(*, now: dt.datetime | None = None, now_anyway: bool = False) -> Round | None:
    """Open the next round when the cadence says so (or `now_anyway`, as a pilot does for
    a baseline its teams lack); invitations go out each person's morning. None when the
    pulse is off, a round is open, or it is not time yet."""
    now = now or timezone.now()
    config = PulseSettings.load()
    if not config.enabled or Round.objects.open().exists():
        return None
    last = Round.objects.first()
    # A little slack so an hourly tick opens "weekly" at the same hour each week.
    if last and not now_anyway and now < last.opens_at + config.interval - dt.timedelta(hours=1):
        return None
    org = OrgSettings.load()
    k = effective_k(org.min_group_size)
    number = (last.number if last else 0) + 1
    try:
        with transaction.atomic():
            round_ = Round.objects.create(
                number=number,
                opens_at=now,
                closes_at=now + dt.timedelta(days=config.open_days),
                min_group_size=k,
                comment_threshold=max(org.comment_threshold, k),
            )
            round_.audience_teams.set(config.audience.all())
            questions = choose_questions(number, config.items_per_round)
            if not questions:
                raise NoQuestions
            RoundQuestion.objects.bulk_create(
                RoundQuestion(round=round_, question=q, position=i) for i, q in enumerate(questions)
            )

            def invitation() -> dict:
                return {
                    "title": ngettext(
                        "This week's pulse: %(n)s questions, under a minute",
                        "This week's pulse: %(n)s questions, under a minute",
                        len(questions),
                    )
                    % {"n": len(questions)},
                    "body": _(
                        "Nobody sees your answers; your manager sees team results "
                        "only when at least %(k)s people answered."
                    )
                    % {"k": k},
                    "url": "/pulse/",
                    # For a chat app: answer in a DM (chat/).
                    "chat": {"pulse": round_.pk},
                }

            specs, made = [], {}
            # "morning" needs each person's days away: one query, not one each.
            for person in audience(settings_row=config).prefetch_related("away_periods"):
                payload = in_their_language(person, made, invitation)
                specs.append(
                    NudgeSpec(
                        recipient=person,
                        kind="pulse_invite",
                        dedupe_key=f"pulse:{number}:invite:{person.pk}",
                        payload=payload,
                        when="morning",
                        due_at=now,
                        expires_at=round_.closes_at,
                    )
                )
            _invite(round_, specs)
    except IntegrityError:
        return None  # another beat opened it first
    except NoQuestions:
        return None  # an empty question bank: nothing to ask
    return round_


def _invite(round_: Round, specs: list[NudgeSpec]) -> int:
    """Plan the round's messages, each linked to the round (pulse/nudges.py skips one
    that comes due after the person answered); how many were new."""
    new, ids = plan_linked_nudges(specs)
    Invitation.objects.bulk_create(
        [Invitation(round=round_, nudge_id=pk) for pk in ids], ignore_conflicts=True
    )
    return new


def plan_reminders(*, round_: Round, now: dt.datetime | None = None) -> int:
    """One reminder, half-way through, for those who have not answered yet."""
    now = now or timezone.now()
    halfway = round_.opens_at + (round_.closes_at - round_.opens_at) / 2
    if now < halfway or now >= round_.closes_at:
        return 0
    with transaction.atomic():
        claimed = Round.objects.filter(pk=round_.pk, reminders_planned=False).update(
            reminders_planned=True
        )
        if not claimed:
            return 0
        waiting = (
            audience(round_).exclude(pulse_receipts__round=round_).prefetch_related("away_periods")
        )

        def reminder() -> dict:
            return {
                "title": _("The pulse is still open"),
                "url": "/pulse/",
                "chat": {"pulse": round_.pk},
            }

        specs, made = [], {}
        for person in waiting:
            payload = in_their_language(person, made, reminder)
            specs.append(
                NudgeSpec(
                    recipient=person,
                    kind="pulse_reminder",
                    dedupe_key=f"pulse:{round_.number}:reminder:{person.pk}",
                    payload=payload,
                    when="morning",
                    due_at=now,
                    expires_at=round_.closes_at,
                )
            )
        return _invite(round_, specs)


def close_round(*, round_: Round, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    if now < round_.closes_at:
        return False
    closed = Round.objects.filter(pk=round_.pk, status=Round.Status.OPEN).update(
        status=Round.Status.CLOSED
    )
    forget()
    if closed or round_.status == Round.Status.CLOSED:
        aggregate_round(round_=round_)
    # Its own transaction: the snapshot is available even before this finishes.
    shuffle_round_rows(round_=round_)
    return bool(closed)


def pulse_tick(*, now: dt.datetime | None = None) -> None:
    now = now or timezone.now()
    for round_ in Round.objects.open():
        plan_reminders(round_=round_, now=now)
        close_round(round_=round_, now=now)
    for round_ in Round.objects.filter(status=Round.Status.CLOSED):
        aggregate_round(round_=round_)
    for round_ in Round.objects.reported().filter(rows_shuffled=False):
        shuffle_round_rows(round_=round_)
    open_round(now=now)


# ---------------------------------------------------------------- answering


def submit_response(
    *,
    person: User,
    round_: Round,
    answers: dict[int, int],
    comment: str = "",
    now: dt.datetime | None = None,
) -> str:
    """Store a receipt and an anonymous response to `round_` together, or nothing
    (the browser's form and the chat apps; the API answers the open round through
    `answering.answer_open_round`); the comment's conversation key, or ""."""
    return store(
        person=person,
        asked=Asked.of(round_),
        answers=answers,
        comment=comment,
        now=now or timezone.now(),
    )


LOW = 2  # an answer of 1 or 2 on belonging or safety


def needs_care(questions: list[Question], answers: dict[int, int]) -> bool:
    """Whether the thank-you page offers care: decided from this request's answers
    only, and never stored."""
    return any(
        q.dimension in (Dimension.BELONGING, Dimension.SAFETY) and answers[q.pk] <= LOW
        for q in questions
    )


# ---------------------------------------------------------------- snapshots

# One row a response (its mean item score, its eNPS answers), then one a cell: the
# round's answers are read once, through its responses.
CELL_SQL = """
INSERT INTO pulse_roundcell
    (round_id, team_id, tenure_band, location, respondents, score_sum,
     enps_answers, promoters, detractors)
SELECT %s, x.team_id, x.tenure_band, x.location, COUNT(*),
       COALESCE(SUM(x.score), 0),
       COALESCE(SUM(x.enps_answers), 0),
       COALESCE(SUM(x.promoters), 0),
       COALESCE(SUM(x.detractors), 0)
FROM (
    SELECT r.team_id, r.tenure_band, r.location,
           AVG(CASE WHEN q.dimension <> 'enps' THEN (a.value - 1) * 25.0 END) AS score,
           COUNT(CASE WHEN q.dimension = 'enps' THEN 1 END) AS enps_answers,
           SUM(CASE WHEN q.dimension = 'enps' AND a.value >= %s THEN 1 ELSE 0 END) AS promoters,
           SUM(CASE WHEN q.dimension = 'enps' AND a.value <= %s THEN 1 ELSE 0 END) AS detractors
    FROM pulse_response r
    LEFT JOIN pulse_answer a ON a.response_id = r.id
    LEFT JOIN pulse_question q ON q.id = a.question_id
    WHERE r.round_id = %s
    GROUP BY r.id, r.team_id, r.tenure_band, r.location
) x
GROUP BY x.team_id, x.tenure_band, x.location
"""


SHUFFLE_SQL = [
    "CREATE TEMP TABLE hearth_shuffle_rec AS SELECT * FROM pulse_receipt WHERE round_id = %s",
    "DELETE FROM pulse_receipt WHERE round_id = %s",
    "INSERT INTO pulse_receipt SELECT * FROM hearth_shuffle_rec ORDER BY random()",
    "DROP TABLE hearth_shuffle_rec",
]


def shuffle_round_rows(*, round_: Round) -> bool:
    """Rewrite a round's receipts in random order.

    While a round is open, receipts and responses both sit in the order
    people answered (SQLite rowids, PostgreSQL's physical order and
    transaction ids), which someone with raw database access could line up.
    Receipts are the only rows that name a person, so rewriting them in one
    transaction, shuffled and stamped with a single new transaction id,
    removes that link once the round closes: responses keep their order,
    but nothing names who stands behind it. (Rewriting the 3 million answer
    rows of a 500,000-response round as well took over three minutes.)
    """
    with transaction.atomic():
        claimed = (
            Round.objects.filter(pk=round_.pk, rows_shuffled=False)
            .exclude(status=Round.Status.OPEN)
            .update(rows_shuffled=True)
        )
        if not claimed:
            return False
        with connection.cursor() as cursor:
            for sql in SHUFFLE_SQL:
                cursor.execute(sql, [round_.pk] if "%s" in sql else [])
    return True


def aggregate_round(*, round_: Round) -> int:
    """Compute a closed round's snapshot cells, replacing any earlier run; returns cells.

    Set-based: one INSERT ... SELECT for the cells and one for the per-item counts,
    whatever the number of responses (made in Python, 263,000 counts of a
    100,000-person round took 24 s; in SQL, a few). Then the team
    tree is frozen for the round and everything it publishes is decided once
    (`pulse.publication`).
    """
    with transaction.atomic():
        RoundCell.objects.filter(round=round_).delete()
        with connection.cursor() as cursor:
            cursor.execute(CELL_SQL, [round_.pk, PROMOTER, DETRACTOR, round_.pk])
            cursor.execute(_cell_answer_sql(connection.vendor), [round_.pk])
        cells = RoundCell.objects.filter(round=round_).count()
        _freeze_tree(round_)
        publish(round_)
        Round.objects.filter(pk=round_.pk).update(status=Round.Status.REPORTED)
    return cells


def _cell_answer_sql(vendor: str) -> str:
    """One INSERT ... SELECT for every cell's counts per item: answers, favourable
    answers and the counts per scale value as a JSON array, lowest value first. Each
    dimension's scale and where its favourable answers start come from `Dimension`."""
    arms, favourable = [], []
    for dimension in Dimension:
        name = f"'{dimension.value}'"
        counts = " || ',' || ".join(
            f"SUM(CASE WHEN a.value = {value} THEN 1 ELSE 0 END)" for value in dimension.scale
        )
        arms.append(f"WHEN q.dimension = {name} THEN '[' || {counts} || ']'")
        start = dimension.scale[dimension.favourable_from]
        favourable.append(f"WHEN q.dimension = {name} AND a.value >= {start} THEN 1")
    counts = f"CASE {' '.join(arms)} END"
    if vendor == "postgresql":
        counts = f"CAST({counts} AS jsonb)"
    return f"""
INSERT INTO pulse_cellanswer (cell_id, question_id, dimension, answers, favourable, counts)
SELECT c.id, a.question_id, q.dimension, COUNT(*),
       SUM(CASE {" ".join(favourable)} ELSE 0 END), {counts}
FROM pulse_answer a
JOIN pulse_response r ON r.id = a.response_id
JOIN pulse_question q ON q.id = a.question_id
JOIN pulse_roundcell c ON c.round_id = r.round_id
    AND COALESCE(c.team_id, 0) = COALESCE(r.team_id, 0)
    AND c.tenure_band = r.tenure_band AND c.location = r.location
WHERE r.round_id = %s
GROUP BY c.id, a.question_id, q.dimension
"""


def _freeze_tree(round_: Round) -> None:
    RoundTeam.objects.filter(round=round_).delete()
    RoundTeam.objects.bulk_create(
        RoundTeam(round=round_, team_id=t["pk"], parent_id_then=t["parent_id"], path=t["path"])
        for t in Team.objects.values("pk", "parent_id", "path")
    )


def owners(path: str | None) -> list:
    """The organisation (None) and every team on a frozen path."""
    return [None, *Team.ids_on_path(path)]


def respondent_sets(round_ids: list[int]) -> dict[int, dict]:
    """{round: {team or None: set of people}} over each round's frozen tree."""
    paths = defaultdict(dict)
    for round_id, team_id, path in RoundTeam.objects.filter(round__in=round_ids).values_list(
        "round_id", "team_id", "path"
    ):
        paths[round_id][team_id] = path
    sets: dict[int, dict] = {r: defaultdict(set) for r in round_ids}
    for round_id, team_id, person_id in Receipt.objects.filter(round__in=round_ids).values_list(
        "round_id", "team_id", "person_id"
    ):
        for owner in owners(paths[round_id].get(team_id)):
            sets[round_id][owner].add(person_id)
    return sets


# ---------------------------------------------------------------- settings


def change_privacy_settings(
    *, changed_by: User, min_group_size: int, comment_threshold: int
) -> OrgSettings:
    """Change k or the comment threshold, audited; k is locked while a round is open."""
    org = OrgSettings.load()
    if min_group_size < 3:
        raise PulseError(_("The minimum group size can't be below 3."))
    if comment_threshold < min_group_size:
        raise PulseError(_("Comments need at least as many answers as the minimum group size."))
    if min_group_size != org.min_group_size and Round.objects.open().exists():
        raise PulseError(_("The minimum group size is locked while a pulse is open."))
    changed = {}
    wanted = {"min_group_size": min_group_size, "comment_threshold": comment_threshold}
    for name, value in wanted.items():
        if getattr(org, name) != value:
            changed[name] = [getattr(org, name), value]
            setattr(org, name, value)
    if not changed:
        return org
    with transaction.atomic():
        org.save(update_fields=["min_group_size", "comment_threshold"])
        record(
            actor=changed_by,
            action=AuditEntry.Action.PRIVACY_CHANGED,
            target=org,
            detail={"changed": changed},
        )
    return org


def edit_question(*, question: Question, text: str, dimension: str | None = None) -> Question:
    """A new version of an item; answers to the old one keep its wording."""
    with transaction.atomic():
        latest = Question.objects.filter(code=question.code).aggregate(v=Max("version"))["v"]
        new = Question.objects.create(
            code=question.code,
            version=latest + 1,
            dimension=dimension or question.dimension,
            text=text,
            position=question.position,
            always_ask=question.always_ask,
        )
        Question.objects.filter(pk=question.pk).update(superseded_by=new)
    return new
