"""The pulse app's part of the demo, added by `seed_demo` in order (see
insights/demo/__init__.py)."""

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from connection.models import Team, User
from insights.demo.clock import at
from insights.demo.story import DRIFTING, HISTORY_WEEKS, story_shift
from pulse.models import Answer, Receipt, Response, Round, TenureBand
from pulse.services import audience, close_round, open_round


def seed(*, today) -> str:
    """Twelve reported weekly rounds and an open one, so the demo has results to read.

    Each person's answers follow their team's level plus noise, shifted by the demo's
    story (`story_shift` in insights/demo/story.py): steady teams,
    four that rose after adopting the co-working window, Alice's Platform drifting down.
    """
    if Round.objects.exists():
        return ""
    rng = random.Random(11)
    teams = {team.pk: team for team in Team.objects.all()}
    people = list(User.objects.active().exclude(team__isnull=True).order_by("pk"))
    names = {team.pk: {teams[pk].name for pk in team.lineage_ids} for team in teams.values()}
    level = {pk: rng.uniform(66, 76) for pk in teams}  # each team's usual score
    lift = {pk: rng.uniform(0.85, 1.2) for pk in teams}  # how strongly the story moves it
    offset = {person.pk: rng.gauss(0, 7) for person in people}
    now = timezone.now()
    for weeks_ago in range(HISTORY_WEEKS, 0, -1):
        opened = now - dt.timedelta(weeks=weeks_ago)
        with at(opened):  # its invitations were written then
            round_ = open_round(now=opened)
        if round_ is None:
            return ""
        questions = list(round_.questions.all())
        asked = set(audience(round_).values_list("pk", flat=True))
        eligible = [
            p
            for p in people
            if p.pk in asked and (p.start_date is None or p.start_date <= opened.date())
        ]
        answered = []
        for person in _respondents(eligible, teams, HISTORY_WEEKS - weeks_ago, rng):
            team = person.team_id
            score = (
                level[team]
                + offset[person.pk]
                + lift[team] * story_shift(names[team], weeks_ago)
                + rng.gauss(0, 5)
            )
            # Alice's team's drift shows most in belonging.
            dip = 8 if story_shift(names[team], weeks_ago) < 0 else 0
            answered.append((person, _answers(questions, score, dip, rng)))
        _store_responses(round_, answered, rng)
        with at(min(round_.closes_at, now)):
            close_round(round_=round_, now=round_.closes_at)
    open_round(now=now)
    return f"{HISTORY_WEEKS} weeks of pulse results and an open pulse"


def _answers(questions, score: float, belonging_dip: float, rng) -> dict[int, int]:
    """One person's answers for a 0-100 `score`: items 1-5 around it, eNPS 0-10."""
    answers = {}
    for question in questions:
        if question.is_enps:
            value = round(score / 10 + 0.8 + rng.gauss(0, 1.3))
            answers[question.pk] = min(10, max(0, value))
        else:
            here = score - (belonging_dip if question.dimension == "belonging" else 0)
            answers[question.pk] = min(5, max(1, round(1 + (here + rng.gauss(0, 12)) / 25)))
    return answers


def _respondents(people, teams: dict, week: int, rng) -> list:
    """Who answers this week: 76-92 % of each team.

    In each department the smallest sub-team answers a little less than the others,
    and which one that is rotates from week to week among the similar-sized ones, as
    it would with real people; Alice's team, whose story the demo tells, is never it.
    """
    by_team: dict = {}
    for person in people:
        by_team.setdefault(person.team_id, []).append(person)
    count = {pk: round(len(members) * rng.uniform(0.76, 0.92)) for pk, members in by_team.items()}
    children: dict = {}
    for team in teams.values():
        children.setdefault(team.parent_id, []).append(team)

    def subtree(team, values) -> int:
        return values.get(team.pk, 0) + sum(subtree(c, values) for c in children.get(team.pk, []))

    headcount = {pk: len(members) for pk, members in by_team.items()}
    for parent_id, kids in children.items():
        if parent_id is None or not count.get(parent_id):
            continue
        leaves = [
            t
            for t in kids
            if t.pk not in children and t.name != DRIFTING and headcount.get(t.pk, 0)
        ]
        if len(kids) < 2 or not leaves:
            continue
        smallest = min(headcount[t.pk] for t in leaves)
        candidates = sorted(
            (t for t in leaves if headcount[t.pk] <= 1.25 * smallest), key=lambda t: t.name
        )
        chosen = candidates[week % len(candidates)]
        others = min(subtree(t, count) for t in kids if t.pk != chosen.pk)
        count[chosen.pk] = max(0, min(count[chosen.pk], others - 1))
    chosen_people = []
    for pk, members in by_team.items():
        chosen_people.extend(rng.sample(members, min(count[pk], len(members))))
    return chosen_people


def _store_responses(round_, answered: list, rng) -> None:
    """What `submit_response` stores for each person, written in three bulk inserts.

    A receipt per person (who answered), and a response with its answers (what was
    answered) in a separately shuffled order, with nothing that joins the two;
    `close_round` then rewrites the receipts in random order, as for any round.
    (Per-person submits made seeding the demo 12 weeks of history several times slower.)
    """
    on = round_.opens_at.date()
    receipts = [
        Receipt(
            person=person,
            round=round_,
            team_id=person.team_id,
            tenure_band=TenureBand.for_start(person.start_date, on),
            location=person.location,
        )
        for person, _ in answered
    ]
    responses, answers = [], []
    for person, values in rng.sample(answered, len(answered)):
        response = Response(
            round=round_,
            team_id=person.team_id,
            tenure_band=TenureBand.for_start(person.start_date, on),
            location=person.location,
        )
        responses.append(response)
        answers.extend(
            Answer(response=response, question_id=pk, value=value) for pk, value in values.items()
        )
    with transaction.atomic():
        Receipt.objects.bulk_create(receipts, batch_size=1000)
        Response.objects.bulk_create(responses, batch_size=1000)
        Answer.objects.bulk_create(answers, batch_size=2000)


def one_round(*, opened, rng) -> Round:
    """One closed round opened at `opened` in which 76-92 % of each team answer around
    their team's usual level (for benchmarks of an org of any size)."""
    round_ = open_round(now=opened)
    questions = list(round_.questions.all())
    teams = {team.pk: team for team in Team.objects.all()}
    asked = set(audience(round_).values_list("pk", flat=True))
    people = [
        p
        for p in User.objects.active().exclude(team__isnull=True).order_by("pk")
        if p.pk in asked and (p.start_date is None or p.start_date <= opened.date())
    ]
    level = {pk: rng.uniform(60, 80) for pk in teams}
    answered = [
        (person, _answers(questions, level[person.team_id] + rng.gauss(0, 8), 0, rng))
        for person in _respondents(people, teams, 0, rng)
    ]
    _store_responses(round_, answered, rng)
    close_round(round_=round_, now=round_.closes_at)
    return Round.objects.get(pk=round_.pk)
