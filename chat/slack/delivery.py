"""The outbox's Slack messages as direct messages from Hearth's Slack app.

Registered with the core (connection.nudge_channels) as the Slack channel's app
transport: a person with a linked Slack account in an installed workspace gets a DM
from the app; anyone else falls back to the incoming webhook, as before. The outbox
still decides what, when and whether (policy, caps, quiet hours, digests); this only
posts. When Slack says the app was removed (the workspace goes inactive) or the
person is gone (their link goes), the message falls back in the same delivery.

A pairing is introduced once, in a group DM of its members, when they all linked
Slack: the first member's delivery claims the group's SlackIntroduction row and
posts; the others' deliveries find the posted row and send nothing more, or, while
the claim is still being posted, try again later. A claim left unposted (a worker
that died) is taken over after a few minutes.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from chat.models import (
    SlackAccount,
    SlackIntroduction,
    SlackPrompt,
    SlackWorkspace,
    TeamSlackChannel,
)
from chat.slack import blocks
from chat.slack.client import WORKSPACE_GONE, SlackGone, call
from chat.slack.payload import obj, text
from connection.i18n import org_language, speaking
from connection.models import Nudge, OrgSettings, Team, User
from connection.models.people import shared_working_window
from connection.nudge_channels import TransientFailure
from connection.privacy import effective_k
from mentorship.models import MatchGroup
from pulse.models import Round

SLOTS = 3
CLAIM_TIMEOUT = dt.timedelta(minutes=5)


def account_of(person: User) -> SlackAccount | None:
    """The person's link, if its workspace still has the app."""
    try:
        account = person.slack_account
    except SlackAccount.DoesNotExist:
        return None
    return account if account.workspace.active else None


def deliver(group: list[Nudge], person: User, context: dict) -> bool:
    """Send `group` to `person` as a Slack DM; False when Slack doesn't reach them."""
    account = account_of(person)
    if account is None:
        return False
    try:
        with speaking(person):
            return _deliver(account, group, person, context)
    except SlackGone as gone:
        _forget(account, gone.code)
        return False


def _forget(account: SlackAccount, code: str) -> None:
    if code in WORKSPACE_GONE:
        SlackWorkspace.objects.filter(pk=account.workspace_id).update(active=False)
    else:
        account.delete()


def _deliver(account: SlackAccount, group: list[Nudge], person: User, context: dict) -> bool:
    hints = [obj(nudge.payload, "chat") for nudge in group]
    if len(group) == 1 and "intro" in hints[0] and _introduce(account, hints[0], context):
        return True
    extras = [_extra(hint) for hint in hints]
    subject, message = blocks.nudge_message(context, hints, extras)
    answer = call(
        account.workspace,
        "chat_postMessage",
        patient=True,
        channel=account.slack_user_id,
        text=subject,
        blocks=message,
        unfurl_links=False,
    )
    team_id = hints[0].get("thread_team") if len(group) == 1 else None
    channel, ts = text(answer, "channel"), text(answer, "ts")
    if team_id and channel and ts and Team.objects.filter(pk=team_id).exists():
        SlackPrompt.objects.get_or_create(
            channel_id=channel, ts=ts, defaults={"person": person, "team_id": team_id}
        )
    return True


def _extra(hint: dict) -> dict:
    if "pulse" in hint:
        round_ = Round.objects.filter(pk=hint["pulse"]).only("min_group_size").first()
        k = round_.min_group_size if round_ else OrgSettings.load().min_group_size
        return {"k": effective_k(k)}
    if "thread_team" in hint:
        shared = TeamSlackChannel.objects.filter(team_id=hint["thread_team"], share_highlights=True)
        return {"shares_highlights": shared.exists()}
    return {}


def _introduce(account: SlackAccount, hint: dict, context: dict) -> bool:
    """The group DM introduction; False to send the person's own message instead (a
    member without Slack, or a group gone)."""
    group = MatchGroup.objects.filter(pk=hint["intro"]).prefetch_related("members").first()
    if group is None:
        return False
    members = list(group.members.all())
    linked = SlackAccount.objects.filter(
        person__in=members, workspace=account.workspace, workspace__active=True
    )
    user_ids = sorted(linked.values_list("slack_user_id", flat=True))
    if len(user_ids) != len(members) or len(members) < 2:
        return False
    claim = _claim(group)
    if claim is None:
        return True  # a fellow member's delivery introduced the group
    try:
        opened = call(
            account.workspace, "conversations_open", patient=True, users=",".join(user_ids)
        )
        channel = text(obj(opened, "channel"), "id")
        with translation.override(org_language()):  # a group DM: the organisation's language
            message = blocks.introduction(
                sorted(m.get_short_name() for m in members),
                list(group.reasons),
                suggested_slots(members),
                hint.get("starter", ""),
                context["items"][0]["url"],
            )
            title = _("Meet each other")
        posted = call(
            account.workspace,
            "chat_postMessage",
            patient=True,
            channel=channel,
            text=title,
            blocks=message,
        )
    except Exception:
        claim.delete()  # not introduced: the next try (any member's) may claim again
        raise
    SlackIntroduction.objects.filter(pk=claim.pk).update(
        channel_id=channel, ts=text(posted, "ts") or "posted"
    )
    return True


def _claim(group: MatchGroup) -> SlackIntroduction | None:
    """This delivery's claim on introducing `group`; None when it was introduced.
    Raises TransientFailure while another delivery is posting it."""
    now = timezone.now()
    try:
        with transaction.atomic():
            return SlackIntroduction.objects.create(group=group, channel_id="", posted_at=now)
    except IntegrityError:
        pass
    # Taken: posted already, being posted, or left by a worker that died mid-way.
    stale = SlackIntroduction.objects.filter(
        group=group, ts="", posted_at__lt=now - CLAIM_TIMEOUT
    ).update(posted_at=now)
    if stale:
        return SlackIntroduction.objects.get(group=group)
    if SlackIntroduction.objects.filter(group=group, ts="").exists():
        problem = "the group's introduction is being posted by another delivery"  # HR's outbox
        raise TransientFailure(problem)
    return None


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
