"""The outbox's Slack messages as direct messages from Hearth's Slack app.

Registered with the core (connection.nudge_channels) as the Slack channel's app
transport: a person with a linked Slack account gets a DM from the app; anyone else
falls back to the incoming webhook, as before. The outbox still decides what, when
and whether (policy, caps, quiet hours, digests); this only posts.

A pairing is introduced once, in a group DM of its members, when they all linked
Slack: the first member's delivery claims the group's SlackIntroduction row and
posts; the others' deliveries find the row and send nothing more.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from chat.models import SlackAccount, SlackIntroduction, SlackPrompt
from chat.slack import blocks
from chat.slack.client import call
from connection.models import Nudge, OrgSettings, Team, User
from connection.models.people import shared_working_window
from connection.privacy import effective_k
from mentorship.models import MatchGroup
from pulse.models import Round

SLOTS = 3


def account_of(person: User) -> SlackAccount | None:
    try:
        return person.slack_account
    except SlackAccount.DoesNotExist:
        return None


def deliver(group: list[Nudge], person: User, context: dict) -> bool:
    """Send `group` to `person` as a Slack DM; False when they have no linked account."""
    account = account_of(person)
    if account is None:
        return False
    hints = [nudge.payload.get("chat") or {} for nudge in group]
    if (
        len(group) == 1
        and "intro" in hints[0]
        and _introduce(account, hints[0], context["items"][0])
    ):
        return True
    extras = [_extra(hint) for hint in hints]
    text, message = blocks.nudge_message(context, hints, extras)
    answer = call(
        account.workspace,
        "chat_postMessage",
        channel=account.slack_user_id,
        text=text,
        blocks=message,
        unfurl_links=False,
    )
    team_id = hints[0].get("thread_team") if len(group) == 1 else None
    if team_id and Team.objects.filter(pk=team_id).exists():
        SlackPrompt.objects.get_or_create(
            channel_id=answer["channel"],
            ts=answer["ts"],
            defaults={"person": person, "team_id": team_id},
        )
    return True


def _extra(hint: dict) -> dict:
    if "pulse" in hint:
        round_ = Round.objects.filter(pk=hint["pulse"]).only("min_group_size").first()
        k = round_.min_group_size if round_ else OrgSettings.load().min_group_size
        return {"k": effective_k(k)}
    return {}


def _introduce(account: SlackAccount, hint: dict, item: dict) -> bool:
    """The group DM introduction; False to send the person's own message instead (a
    member without Slack, or a group gone)."""
    group = MatchGroup.objects.filter(pk=hint["intro"]).prefetch_related("members").first()
    if group is None:
        return False
    members = list(group.members.all())
    linked = SlackAccount.objects.filter(person__in=members, workspace=account.workspace)
    user_ids = sorted(linked.values_list("slack_user_id", flat=True))
    if len(user_ids) != len(members) or len(members) < 2:
        return False
    try:
        with transaction.atomic():
            claim = SlackIntroduction.objects.create(group=group, channel_id="")
    except IntegrityError:
        return True  # a fellow member's delivery introduced the group
    try:
        opened = call(account.workspace, "conversations_open", users=",".join(user_ids))
        channel = opened["channel"]["id"]
        message = blocks.introduction(
            sorted(m.get_short_name() for m in members),
            list(group.reasons),
            suggested_slots(members),
            hint.get("starter", ""),
            item["url"],
        )
        posted = call(
            account.workspace,
            "chat_postMessage",
            channel=channel,
            text="Meet each other",
            blocks=message,
        )
    except Exception:
        claim.delete()  # not introduced: the next try (any member's) may claim again
        raise
    SlackIntroduction.objects.filter(pk=claim.pk).update(channel_id=channel, ts=posted["ts"])
    return True


def suggested_slots(members: list[User], now: dt.datetime | None = None) -> list[dt.datetime]:
    """Up to three half hours, on the next working day, inside everyone's hours."""
    now = now or timezone.now()
    day = now.date() + dt.timedelta(days=1)
    while day.isoweekday() > 5:
        day += dt.timedelta(days=1)
    window = shared_working_window(members, day)
    if window is None:
        return []
    start, end, working, total = window
    if working < total:
        return []
    slots = []
    slot = start
    while slot + dt.timedelta(minutes=30) <= end and len(slots) < SLOTS:
        slots.append(slot)
        slot += dt.timedelta(minutes=60)
    return slots
