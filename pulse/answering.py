"""Storing an answer to the pulse: the hot path of the Monday-morning burst.

Thousands of people answer within minutes, and every answer used to re-read the
open round, its questions and its audience through the ORM, in seven transactions.
Here the round as it is asked (`Asked`) is read once per process for a few seconds
(CACHE_SECONDS), and the write is one statement on PostgreSQL that stores the
receipt, the response and its answers only if the round is still open then:
the database, not the cache, decides. A round closed meanwhile is refused, and a
round opened meanwhile (with the same questions or others) is found on the retry
that follows.

Nothing here links an answer to a person: the receipt says who answered, the
response what, and neither carries the other's id (rows are shuffled at close).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import threading
import time
import uuid
from contextlib import nullcontext
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from connection.models import Team
from pulse.models import Answer, Question, Receipt, Response, Round, TenureBand

COMMENT_MAX = 1000
CACHE_SECONDS = 5.0


class PulseError(Exception):
    """An answer that cannot be stored; the message is for the person."""

    status = 400


class AlreadyAnswered(PulseError):
    status = 409


class RoundClosed(PulseError):
    status = 409


@dataclass(frozen=True)
class Item:
    pk: int
    text: str
    scale: frozenset[int]


@dataclass(frozen=True)
class Asked:
    """An open round as the answer form needs it: its window, items and audience."""

    pk: int
    opens_at: dt.datetime
    closes_at: dt.datetime
    items: dict[int, Item]
    # The teams asked (the chosen teams and every team below), or None for everyone.
    teams: frozenset[int] | None

    @classmethod
    def of(cls, round_: Round) -> Asked:
        chosen = [team.path for team in round_.audience_teams.all()]
        teams = None
        if chosen:
            below = Q()
            for path in chosen:
                below |= Q(path__startswith=path)
            teams = frozenset(Team.objects.filter(below).values_list("pk", flat=True))
        return cls(
            pk=round_.pk,
            opens_at=round_.opens_at,
            closes_at=round_.closes_at,
            items={
                q.pk: Item(q.pk, q.text, frozenset(q.scale))
                for q in Question.objects.filter(roundquestion__round=round_)
            },
            teams=teams,
        )

    def asks(self, person) -> bool:
        return person.is_active and (self.teams is None or person.team_id in self.teams)

    def is_open_at(self, when: dt.datetime) -> bool:
        return self.opens_at <= when < self.closes_at


class _Cache(threading.local):
    asked: Asked | None = None
    until: float = 0.0


_cache = _Cache()


def forget() -> None:
    """Drop this process's copy of the open round (a round opened or closed here)."""
    _cache.asked, _cache.until = None, 0.0


def open_round_at(now: dt.datetime) -> Asked | None:
    """The round open at `now`, from this process's copy when it is fresh.

    No round open is never remembered: a round that opens is seen at once."""
    asked = _cache.asked
    if asked is not None and time.monotonic() < _cache.until and asked.is_open_at(now):
        return asked
    round_ = (
        Round.objects.open()
        .filter(opens_at__lte=now, closes_at__gt=now)
        .prefetch_related("audience_teams")
        .first()
    )
    if round_ is None:
        forget()
        return None
    _cache.asked, _cache.until = Asked.of(round_), time.monotonic() + CACHE_SECONDS
    return _cache.asked


def answer_open_round(
    *, person, answers: dict[int, int], comment: str = "", now: dt.datetime | None = None
) -> str:
    """Store `person`'s answers to the round open now (the API's submit); the
    comment's conversation key, or ""."""
    now = now or timezone.now()
    asked = open_round_at(now)
    if asked is None or not asked.asks(person):
        raise RoundClosed(_("No pulse is open for you."))
    try:
        return store(person=person, asked=asked, answers=answers, comment=comment, now=now)
    except AlreadyAnswered:
        raise
    except PulseError:
        # This process's copy may be of a round closed meanwhile: the write found it
        # closed, or the answers are to the questions of a round opened since (which
        # the copy cannot know). Look again, once.
        forget()
        fresh = open_round_at(now)
        if fresh is None or fresh.pk == asked.pk or not fresh.asks(person):
            raise
        return store(person=person, asked=fresh, answers=answers, comment=comment, now=now)


def check(asked: Asked, answers: dict[int, int], comment: str) -> str:
    """The answers fit the round's items; the comment, trimmed."""
    unknown = set(answers) - set(asked.items)
    if unknown:
        raise PulseError(_("Some answers are for questions this pulse doesn't ask."))
    missing = len(asked.items) - len(answers)
    if missing:
        raise PulseError(
            _("Please answer every question (%(missing)s left).") % {"missing": missing}
        )
    for pk, value in answers.items():
        if value not in asked.items[pk].scale:
            raise PulseError(
                _("“%(value)s” is not an answer to “%(question)s”.")
                % {"value": value, "question": asked.items[pk].text}
            )
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise PulseError(_("Comments can be up to %(max)s characters.") % {"max": COMMENT_MAX})
    return comment


def store(*, person, asked: Asked, answers: dict[int, int], comment: str, now: dt.datetime) -> str:
    """A receipt and an anonymous response together, or nothing; the conversation
    key of its comment ("" without one), which only the author is ever given.

    The receipt's unique (person, round) makes a second submission, even a
    simultaneous one, fail; the round must still be open when the row is written."""
    if not asked.is_open_at(now):
        raise RoundClosed(_("This pulse has closed. The next one opens soon."))
    if not asked.asks(person):
        raise PulseError(_("This pulse isn't open to your team."))
    comment = check(asked, answers, comment)
    facts = {
        "team": person.team_id,
        "band": TenureBand.for_start(person.start_date, asked.opens_at.date()),
        "location": person.location,
    }
    # A comment comes with a key to its conversation: only its digest is written.
    key = new_key() if comment else ""
    write = _write_postgresql if connection.vendor == "postgresql" else _write_orm
    try:
        stored = write(person.pk, asked.pk, facts, answers, comment, digest_of(key), now)
    except IntegrityError:
        raise AlreadyAnswered(_("You've already answered this pulse. Thank you!")) from None
    if not stored:
        raise RoundClosed(_("This pulse has closed. The next one opens soon."))
    return key


def new_key() -> str:
    """A conversation key: 32 random bytes, as URL-safe text."""
    return secrets.token_urlsafe(32)


def digest_of(key: str) -> str:
    """What the response keeps of a key ("" for none)."""
    return hashlib.sha256(key.encode()).hexdigest() if key else ""


# One statement, so one round trip and its own transaction: the round row is read
# FOR SHARE, so closing the round (an UPDATE of it) waits for answers being written
# and answers that come after it find the round closed and write nothing.
WRITE_SQL = f"""
WITH still_open AS (
    SELECT id FROM {Round._meta.db_table}
    WHERE id = %(round)s AND status = %(open)s AND opens_at <= %(now)s AND closes_at > %(now)s
    FOR SHARE
), receipt AS (
    INSERT INTO {Receipt._meta.db_table} (id, person_id, round_id, team_id, tenure_band, location)
    SELECT %(receipt)s, %(person)s, id, %(team)s, %(band)s, %(location)s FROM still_open
    RETURNING round_id
), response AS (
    INSERT INTO {Response._meta.db_table}
        (id, round_id, team_id, tenure_band, location, comment, reply_digest)
    SELECT %(response)s, round_id, %(team)s, %(band)s, %(location)s, %(comment)s, %(digest)s
    FROM receipt
    RETURNING id
)
INSERT INTO {Answer._meta.db_table} (id, response_id, question_id, value)
SELECT item.id, response.id, item.question, item.value
FROM response, unnest(%(ids)s::uuid[], %(questions)s::bigint[], %(values)s::int[])
    AS item (id, question, value)
"""


def _write_postgresql(
    person: int, round_: int, facts: dict, answers: dict[int, int], comment: str, digest: str, now
) -> bool:
    # Alone, the statement is its own transaction; inside a caller's, a savepoint
    # keeps a duplicate's error from spoiling the rest of it.
    inside = transaction.atomic() if connection.in_atomic_block else nullcontext()
    with inside, connection.cursor() as cursor:
        cursor.execute(
            WRITE_SQL,
            {
                "round": round_,
                "open": Round.Status.OPEN,
                "now": now,
                "receipt": uuid.uuid4(),
                "person": person,
                "response": uuid.uuid4(),
                "comment": comment,
                "digest": digest,
                "ids": [uuid.uuid4() for _ in answers],
                "questions": list(answers),
                "values": list(answers.values()),
                **facts,
            },
        )
        return cursor.rowcount == len(answers)


def _write_orm(
    person: int, round_: int, facts: dict, answers: dict[int, int], comment: str, digest: str, now
) -> bool:
    """Elsewhere (SQLite, whose transactions here take the write lock when they begin,
    so nothing closes the round between the check and the rows)."""
    with transaction.atomic():
        still_open = Round.objects.open().filter(pk=round_, opens_at__lte=now, closes_at__gt=now)
        if not still_open.exists():
            return False
        kept = {"team_id": facts["team"], "tenure_band": facts["band"]}
        kept["location"] = facts["location"]
        Receipt.objects.create(person_id=person, round_id=round_, **kept)
        response = Response.objects.create(
            round_id=round_, comment=comment, reply_digest=digest, **kept
        )
        Answer.objects.bulk_create(
            Answer(response=response, question_id=pk, value=value) for pk, value in answers.items()
        )
    return True
