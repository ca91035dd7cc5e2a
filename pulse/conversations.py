"""Conversations on pulse comments, with the author kept anonymous (docs/privacy.md).

A comment comes with a conversation key (pulse/answering.py): shown once on the
thank-you page and kept in the author's browser, never stored; the response keeps its
SHA-256. Whoever may read the comment on the results page (a manager of a team whose
comments include it, an HR admin) may reply. Whoever holds the key may read the
conversation and answer, as "the author". The author's browser sends its keys without
cookies (static/js/conversations.js), so the server is never given a key and a
session in one request, and no row holds a person: a message stores which side wrote
it, never who.

Timing gives nobody away: a message becomes visible to the other side at the next
batch (every BATCH_HOURS, on the hour in UTC), whenever it was written, and the note
that replies are waiting goes, at that batch, to everyone who answered that round in
the team, not to the author alone.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from connection.i18n import speaking
from connection.models import Team, User
from connection.nudges import NudgeSpec, plan_nudges
from pulse.answering import PulseError, digest_of
from pulse.models import CommentReply, Published, Receipt, Response

BATCH_HOURS = 6
TEXT_MAX = 1000
KEYS_MAX = 50  # keys one browser may ask about at once
KEY_SHAPE = re.compile(r"^[A-Za-z0-9_-]{43}$")


class ConversationError(PulseError):
    pass


def in_their_language(person: User, made: dict, build) -> dict:
    """What `build()` writes, in `person`'s language (`speaking`): made once for each
    language choice among the recipients, since everyone who chose none reads the
    organisation's, so a large audience costs a few translations, not one each."""
    if person.language not in made:
        with speaking(person):
            made[person.language] = build()
    return dict(made[person.language])


def next_batch(now: dt.datetime) -> dt.datetime:
    """The first batch time after `now`: 00:00, 06:00, 12:00 or 18:00 UTC."""
    now = now.astimezone(dt.UTC)
    start = now.replace(minute=0, second=0, microsecond=0, hour=now.hour - now.hour % BATCH_HOURS)
    return start + dt.timedelta(hours=BATCH_HOURS)


@dataclass
class Thread:
    """A comment and the messages one side may see; `key` is the author's, on their side."""

    response: Response
    messages: list[CommentReply] = field(default_factory=list)
    key: str = ""


def _text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ConversationError(_("Write a few words first."))
    if len(text) > TEXT_MAX:
        raise ConversationError(_("Keep it to %(max)s characters.") % {"max": TEXT_MAX})
    return text


# ---------------------------------------------------------------- the organisation's side


def can_reply(person: User, response: Response) -> bool:
    """Whether `person` may read this comment on a results page, and so reply: a
    team they lead whose published comments include it (HR: also the organisation's)."""
    if not response.comment or not person.is_active:
        return False
    teams = Team.objects.led_by(person)
    if response.team_id is not None:
        teams = teams.filter(pk__in=Team.objects.get(pk=response.team_id).lineage_ids)
    shown = Published.objects.filter(
        round_id=response.round_id, by=Published.By.WHOLE, comments_shown=True
    )
    scope = Q(team__in=teams)
    if person.is_hr_admin:
        scope |= Q(team__isnull=True)
    return shown.filter(scope).exists()


def reply(*, person: User, response: Response, text: str, now: dt.datetime | None = None):
    """The organisation's message on a comment, seen by the author at the next batch."""
    text = _text(text)
    if not can_reply(person, response):
        raise ConversationError(_("You can reply only to comments you can read."))
    side = CommentReply.Side.HR if person.is_hr_admin else CommentReply.Side.MANAGER
    return CommentReply.objects.create(
        response=response, side=side, text=text, shown_at=next_batch(now or timezone.now())
    )


def organisation_sees(side: str, shown_at: dt.datetime, now: dt.datetime) -> bool:
    """Whether the organisation's side sees a message now: its own at once, the
    author's from their batch on."""
    return side != CommentReply.Side.AUTHOR or shown_at <= now


# ---------------------------------------------------------------- the author's side


def _digests(keys: list[str]) -> dict[str, str]:
    return {digest_of(key): key for key in keys[:KEYS_MAX] if KEY_SHAPE.match(key or "")}


def author_threads(keys: list[str], now: dt.datetime) -> list[Thread]:
    """The conversations of the comments these keys belong to, as their author sees
    them (the organisation's messages from their batch on), newest comment first."""
    digests = _digests(keys)
    if not digests:
        return []
    responses = (
        Response.objects.filter(reply_digest__in=digests)
        .exclude(reply_digest="")  # the partial index's condition, so it is used
        .select_related("round")
    )
    threads = {r.pk: Thread(r, key=digests[r.reply_digest]) for r in responses}
    for message in CommentReply.objects.filter(response_id__in=threads).filter(
        Q(side=CommentReply.Side.AUTHOR) | Q(shown_at__lte=now)
    ):
        threads[message.response_id].messages.append(message)
    return sorted(threads.values(), key=lambda t: -t.response.round.number)


def answer_as_author(*, key: str, text: str, now: dt.datetime | None = None) -> CommentReply:
    """The author's answer, seen by the organisation at the next batch. Only once
    someone replied: a comment alone is not a conversation yet."""
    text = _text(text)
    digests = _digests([key])
    found = Response.objects.filter(reply_digest__in=digests).exclude(reply_digest="")
    response = found.first() if digests else None
    if response is None:
        raise ConversationError(_("This conversation key isn't known. Keys come with a comment."))
    if not response.replies.exclude(side=CommentReply.Side.AUTHOR).exists():
        raise ConversationError(_("Nobody has replied to this comment yet."))
    return CommentReply.objects.create(
        response=response,
        side=CommentReply.Side.AUTHOR,
        text=text,
        shown_at=next_batch(now or timezone.now()),
    )


# ---------------------------------------------------------------- the batch's note


def announce_replies(now: dt.datetime | None = None) -> int:
    """At a batch: for each round and team with organisation replies that became
    visible in the batch just past, a note to everyone who answered that round in
    that team, so the one who wrote the comment is not singled out."""
    now = now or timezone.now()
    batch = next_batch(now) - dt.timedelta(hours=BATCH_HOURS)
    pairs = set(
        CommentReply.objects.filter(
            shown_at__gt=batch - dt.timedelta(hours=BATCH_HOURS), shown_at__lte=batch
        )
        .exclude(side=CommentReply.Side.AUTHOR)
        .values_list("response__round_id", "response__team_id")
    )
    if not pairs:
        return 0
    scope = Q(pk__in=[])
    for round_id, team_id in pairs:
        scope |= Q(round_id=round_id, team_id=team_id)

    def note() -> dict:
        return {
            "title": _("Replies to comments on your team’s pulse"),
            "body": _(
                "Someone replied to a comment on your team’s pulse. Everyone who "
                "answered it gets this note; if you left a comment, open your conversations "
                "to read the reply."
            ),
            "url": reverse("pulse_conversations"),
        }

    specs, made = [], {}
    for receipt in Receipt.objects.filter(scope).select_related("person"):
        payload = in_their_language(receipt.person, made, note)
        specs.append(
            NudgeSpec(
                recipient=receipt.person,
                kind="pulse_conversation",
                dedupe_key=f"conversation:{receipt.round_id}:{receipt.team_id}:{batch.isoformat()}"
                f":{receipt.person_id}",
                payload=payload,
                due_at=now,
            )
        )
    with transaction.atomic():
        return plan_nudges(specs)
