"""10,000 Slack DMs planned and delivered by two workers through the outbox, while the
local Slack Web API (tests/chat/slack_api.py, in a process of its own) answers every
150th call with Slack's 429 and `Retry-After: 1`; count the duplicates.

Everyone in the bench org gets Slack, has linked a Slack account, and is reachable at
one instant (bench/nudges.py makes them so). A duplicate is a DM channel that got more
than one message, or a nudge that did not end up 'sent'. Both must be 0.
"""

from __future__ import annotations

import json
import multiprocessing
import time
import urllib.request

from django.conf import settings

from bench.measure import Section, print_section
from bench.nudges import NOW, WORKERS, deliver, make_everyone_reachable
from chat.models import SlackAccount, SlackWorkspace
from connection.models import Nudge, User
from connection.nudges import NudgeSpec, plan_nudges
from tests.chat.slack_api import BOT_TOKEN, TEAM_ID, FakeSlack

RATE_LIMIT_EVERY = 150
KEY_PREFIX = "bench-slack"


def _serve(ready) -> None:
    server = FakeSlack()
    server.state.rate_limit_every = RATE_LIMIT_EVERY
    server.state.retry_after = 1
    ready.put(server.url)
    server.server.serve_forever()


def start_slack() -> tuple[multiprocessing.Process, str]:
    ready = multiprocessing.get_context("fork").Queue()
    process = multiprocessing.get_context("fork").Process(target=_serve, args=(ready,), daemon=True)
    process.start()
    return process, ready.get(timeout=30)


def stats(url: str) -> dict:
    with urllib.request.urlopen(url + "_stats", timeout=30) as answer:
        return json.load(answer)


def link_everyone(ids: list[int]) -> None:
    SlackAccount.objects.all().delete()
    SlackWorkspace.objects.all().delete()
    workspace = SlackWorkspace(team_id=TEAM_ID, name="Bench", bot_user_id="U0BOT")
    workspace.bot_token = BOT_TOKEN
    workspace.save()
    SlackAccount.objects.bulk_create(
        SlackAccount(workspace=workspace, person_id=pk, slack_user_id=f"U{pk:08d}") for pk in ids
    )
    User.objects.filter(pk__in=ids).update(nudge_channel="slack")


def plan(ids: list[int]) -> tuple[float, int]:
    started = time.perf_counter()
    specs = [
        NudgeSpec(
            recipient=person,
            kind="booking",  # high priority: the weekly cap never holds it
            dedupe_key=f"{KEY_PREFIX}:{person.pk}",
            payload={"title": "Bench booking", "body": f"DM for person {person.pk}", "url": "/"},
            due_at=NOW,
        )
        for person in User.objects.filter(pk__in=ids).order_by("pk")
    ]
    created = plan_nudges(specs)
    return time.perf_counter() - started, created


def run(people: int) -> list[str]:
    ids = make_everyone_reachable(people)
    link_everyone(ids)
    process, url = start_slack()
    settings.HEARTH_SLACK_API_URL = url
    try:
        plan_seconds, created = plan(ids)
        deliver_seconds, reports, errors = deliver()
        seen = stats(url)
    finally:
        process.terminate()
    ours = Nudge.objects.filter(dedupe_key__startswith=KEY_PREFIX)
    sent = ours.filter(status=Nudge.Status.SENT).count()
    not_sent = ours.exclude(status=Nudge.Status.SENT).count()
    refused = sum(seen["refused"].values())
    duplicates = seen["repeated"] + not_sent
    headers = ["DMs", "workers", "plan s", "deliver s", "DMs/s", "sent", "429s", "duplicates"]
    row = [
        f"{created:,}",
        str(WORKERS),
        f"{plan_seconds:.1f}",
        f"{deliver_seconds:.1f}",
        f"{sent / deliver_seconds:,.0f}" if deliver_seconds else "-",
        f"{sent:,}",
        f"{refused:,}",
        str(duplicates),
    ]
    notes = [
        f"the local Slack API answered every {RATE_LIMIT_EVERY}th call 429 with Retry-After: 1; "
        f"it received {seen['calls'].get('chat.postMessage', 0):,} chat.postMessage in "
        f"{seen['dm_channels']:,} DM channels",
    ]
    section: Section = (headers, [row], notes, [])
    problems = list(errors)
    if created != len(ids):
        problems.append(f"slack: planned {created:,} DMs of {len(ids):,}")
    if duplicates:
        problems.append(f"slack: {seen['repeated']} repeated DMs, {not_sent} nudges not sent")
    if not refused:
        problems.append("slack: the local API sent no 429, so the bench proved nothing")
    return print_section(section) + problems
