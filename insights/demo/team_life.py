"""Twelve weeks of team life in the demo, through the rituals app's services at the
time each thing happened (clock.py): Platform's daily thread, recognition across the
org, and each quarter's connection budgets with what teams spent from them.

Left for the people of the journeys: Bob's post and recognition of Nia today.
The isolated people of the story (ledger.isolated_people) take no part: they have
no ties in 90 days.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from connection.calendar import monday, quarter_end, quarter_start
from connection.models import Team, User
from insights.demo.clock import at, local, weekdays
from insights.demo.ledger import isolated_people, silent_newcomers, story_weeks, takes_part
from insights.demo.story import DOMAIN, HISTORY_WEEKS
from rituals.models import Budget, Spend, TeamRitual, ThreadPost, Value
from rituals.services.budgets import budget_status, log_spend, set_budget
from rituals.services.errors import RitualError
from rituals.services.recognition import recognise
from rituals.services.thread import post_to_thread, toggle_reaction

STATUSES = [
    "Pairing on the flaky deploy test today.",
    "Reviewing the cache design doc, comments welcome.",
    "Writing the on-call handbook page for the queue alerts.",
    "Migrating the last service to the new build images.",
    "Profiling the slow report query; looks like a missing index.",
    "Tidying the alert rules after last week's noisy night.",
    "Drafting the quarter's reliability goals.",
    "Shadowing the release with the mobile folks.",
    "Cleaning up feature flags nobody has touched since spring.",
]
QUESTIONS = [
    "Does anyone know why staging needs a manual restart after migrations?",
    "Who owns the certificate renewal job these days?",
    "Is there a runbook for rotating the queue credentials?",
    "Which dashboard do you use to spot a slow deploy?",
]
REPLIES = [
    "I hit that last month, happy to pair on it.",
    "It's in the wiki under operations; I'll link it.",
    "Ask me after stand-up, I can show you.",
]
HIGHLIGHTS = [
    "Finally finished my sourdough starter",
    "Ran 8 km along the river",
    "First swim of the year",
    "My daughter read her first book aloud",
    "Found a great ramen place near the office",
    "",
    "",
    "",
]
THANKS = [
    ("Walked me through the deploy pipeline twice, patiently.", "Helping a newcomer"),
    ("Stayed late to get the release out with us.", "Teamwork"),
    ("Wrote the clearest postmortem I have read.", "Sharing knowledge"),
    ("Covered my on-call shift when my kid was ill.", "Kindness"),
    ("Spent an hour showing me how the billing model works.", "Mentoring"),
    ("Took the time to make the migration safe, not fast.", "Craft"),
]
SPEND_KINDS = [
    (Spend.Category.GATHERING, "Team lunch at the offsite"),
    (Spend.Category.LEARNING_PAIR, "Learning pair: two tickets for a workshop"),
    (Spend.Category.TRAVEL, "Travel stipend to meet the team"),
    (Spend.Category.ONBOARDING, "Onboarding coach for the new starters"),
    (Spend.Category.FACILITATION, "Facilitation training for the retro"),
]


def thread_history(ritual: TeamRitual, *, today: dt.date, now: dt.datetime, rng) -> int:
    """Platform's daily updates on each weekday before today: about half post
    (fewer in the weeks its story drifts), questions get a teammate's reply, and
    posts get a reaction or two. How many posts were written."""
    team = ritual.team
    quiet, silent = isolated_people(today), silent_newcomers(today)
    weeks = story_weeks(now)
    members = User.objects.active().filter(team=team).order_by("pk")
    people = [p for p in members if p.pk not in quiet]
    first = monday(today) - dt.timedelta(weeks=HISTORY_WEEKS)
    written = 0
    for day in weekdays(max(first, ritual.starts_on), today - dt.timedelta(days=1)):
        noon = dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)
        here = [p for p in people if _started(p, day) and takes_part(weeks, p, noon)]
        for person in here:
            # Nia's first post (joining the thread, a step of her first week) is hers.
            if person.email != f"nia@{DOMAIN}" and rng.random() < 0.55:
                with at(min(local(person, day, rng.uniform(8.5, 10.5)), now)):
                    post = _daily_update(person, team, rng, may_ask=person.pk not in silent)
                _answer_and_react(post, here, day, now, rng)
                written += 1
    return written


def _daily_update(person: User, team: Team, rng, *, may_ask: bool) -> ThreadPost:
    asking = may_ask and rng.random() < 0.1
    return post_to_thread(
        author=person,
        team=team,
        status=rng.choice(QUESTIONS if asking else STATUSES),
        highlight=rng.choice(HIGHLIGHTS),
        is_question=asking,
    )


def _answer_and_react(post: ThreadPost, people: list[User], day, now, rng) -> None:
    others = [p for p in people if p.pk != post.author_id]
    if not others:
        return
    if post.is_question:
        helper = rng.choice(others)
        with at(min(local(helper, day, 12), now)):
            post_to_thread(author=helper, team=post.team, status=rng.choice(REPLIES), parent=post)
    for person in rng.sample(others, min(len(others), rng.randint(0, 2))):
        with at(min(local(person, day, rng.uniform(11, 16)), now)):
            toggle_reaction(person=person, post=post, kind=rng.choice(["thanks", "love", "same"]))


def recognition(*, today: dt.date, now: dt.datetime, rng) -> int:
    """About five recognitions a week across the org, mostly within a team, public
    or for the teams. Bob's recognition of Nia is his to give."""
    quiet = isolated_people(today)
    people = [
        p
        for p in User.objects.active().exclude(team__isnull=True).order_by("pk")
        if p.pk not in quiet
    ]
    by_team: dict[int, list[User]] = {}
    for person in people:
        by_team.setdefault(person.team_id, []).append(person)
    values = {value.name: value for value in Value.objects.filter(active=True)}
    weeks = story_weeks(now)
    first = monday(today) - dt.timedelta(weeks=HISTORY_WEEKS)
    given = 0
    for day in weekdays(first, today - dt.timedelta(days=1)):
        noon = dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)
        for _ in range(rng.choice([0, 1, 1, 2])):
            giver = rng.choice(people)
            mates = [
                p
                for p in by_team[giver.team_id]
                if p.pk != giver.pk and _started(p, day) and takes_part(weeks, p, noon)
            ]
            if not mates or not _started(giver, day) or not takes_part(weeks, giver, noon):
                continue
            receiver = rng.choice(mates)
            if giver.email == f"bob@{DOMAIN}" and receiver.email == f"nia@{DOMAIN}":
                continue
            message, value = rng.choice(THANKS)
            with at(min(local(giver, day, rng.uniform(10, 17)), now)):
                recognise(
                    giver=giver,
                    receivers=[receiver],
                    message=message,
                    values=[values[value]],
                    visibility=rng.choice(["public", "public", "team"]),
                )
            given += 1
    return given


def _started(person: User, day: dt.date) -> bool:
    return person.start_date is None or person.start_date <= day


def budgets_and_spends(*, today: dt.date, now: dt.datetime, rng) -> int:
    """Each quarter of the history, HR set every team's budget on its first morning
    (two hours and 100 a head); each team then logged a few spends in it, which with
    the hours its rituals took, used a part of it. How many spends were logged."""
    first = monday(today) - dt.timedelta(weeks=HISTORY_WEEKS)
    quarters = sorted({quarter_start(first), quarter_start(today)})
    teams = list(Team.objects.filter(depth__gte=1).prefetch_related("managers"))
    heads = {team.pk: User.objects.active().filter(team=team).count() for team in teams}
    logged = 0
    for quarter in quarters:
        opened = max(quarter, first)
        with at(dt.datetime.combine(opened, dt.time(8), tzinfo=dt.UTC)):
            for team in teams:
                set_budget(
                    team=team,
                    quarter=quarter,
                    hours=Decimal(max(10, 2 * heads[team.pk])),
                    money=Decimal(max(500, 100 * heads[team.pk])),
                )
        last = min(quarter_end(quarter), today)
        for team in teams:
            logged += _spends(team, quarter, opened, last, now, rng)
    return logged


def _spends(team: Team, quarter, opened: dt.date, last: dt.date, now, rng) -> int:
    lead = next(iter(team.managers.all()), None)
    if lead is None:
        return 0
    budget = Budget.objects.get(team=team, quarter=quarter)
    days = sorted(rng.sample(range((last - opened).days + 1), k=min(3, (last - opened).days + 1)))
    logged = 0
    for offset in days[: rng.randint(1, 3)]:
        day = opened + dt.timedelta(days=offset)
        moment = min(local(lead, day, 15), now)
        category, note = rng.choice(SPEND_KINDS)
        with at(moment):
            left = budget_status(budget, today=day).money_left
            amount = (left * Decimal(rng.uniform(0.1, 0.35))).quantize(Decimal("1"))
            try:
                log_spend(
                    budget=budget,
                    category=category,
                    amount=amount,
                    hours=Decimal(rng.choice([0, 1, 2, 3])),
                    spent_on=day,
                    note=note,
                    logged_by=lead,
                )
            except RitualError:
                continue  # over the hours left: the lead would have kept it for later
        logged += 1
    return logged
