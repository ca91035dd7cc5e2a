"""Explanations: the short sentences that tell a group why they were put together."""

from __future__ import annotations

from mentorship.matching.hours import SLOT_MINUTES, group_minutes, shared_minutes
from mentorship.matching.participants import Group
from mentorship.matching.scoring import Scorer

# Said of a repeat within the window: the engine repeats only when it finds no other way,
# and it searches rather than proves, hence "we found".
ONLY_WAY = "the only way we found to seat everyone"


def _duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h" if not rest else f"{hours} h {rest} min"


def _reasons(sc: Scorer, members: list[int]) -> tuple[str, ...]:
    people = [sc.people[i] for i in members]
    pair = len(members) == 2
    reasons = []
    if sc.learning:
        offered = set()
        for a in people:
            for b in people:
                if a is not b:
                    offered.update(a.interests & b.skills)
        for topic in sorted(offered)[:2]:
            if pair:
                reasons.append(f"one of you wants to learn {topic}, the other offers it")
            else:
                reasons.append(f"someone wants to learn {topic} and someone else here offers it")
    if any(sc.newcomer[i] for i in members):
        veterans = [
            p.tenure_days for i, p in zip(members, people, strict=True) if sc.experienced[i]
        ]
        if veterans:
            years = max(veterans) // 365
            unit = "year" if years == 1 else "years"
            reasons.append(f"a newcomer with someone who has been here {years} {unit}")
    minutes = shared_minutes(*people) if pair else group_minutes(people)
    if minutes >= SLOT_MINUTES:
        reasons.append(f"{_duration(minutes)} of shared working time (your hours)")
    teams = {p.team_id for p in people}
    if sc.cross_team and None not in teams and len(teams) == len(people):
        reasons.append("different teams" if pair else f"{len(teams)} different teams")
    recent, older = _met_before(sc, members)
    if not recent and not older:
        reasons.append(
            "your first time matched together" if pair else "none of you have met here before"
        )
    # A repeat within the window is news the group should read first (the introduction
    # quotes the first two reasons); an older one is just said.
    return (*recent, *reasons, *older)


def _met_before(sc: Scorer, members: list[int]) -> tuple[list[str], list[str]]:
    """Sentences on pairs in the group who met before: within the window, then after it."""
    recent, older = [], []
    for x, i in enumerate(members):
        for j in members[x + 1 :]:
            age = sc.rounds_since(i, j)
            if age is None:
                continue
            if len(members) == 2:
                sentence = "you met last round" if age <= 1 else f"you last met {age} rounds ago"
            else:
                a, b = sc.people[i].name, sc.people[j].name
                who = f"{a} and {b}" if a and b else "two of you"
                sentence = f"{who} met before, in round {sc.round_number - age}"
            if age <= sc.repeat_window:
                recent.append(f"{sentence}: {ONLY_WAY}")
            else:
                older.append(sentence)
    return recent, older


def to_group(sc: Scorer, members: list[int]) -> Group:
    members = sorted(members, key=lambda i: sc.people[i].id)
    fits = [sc.fit(i, j) for x, i in enumerate(members) for j in members[x + 1 :]]
    return Group(
        members=tuple(sc.people[i].id for i in members),
        score=round(sum(fits) / len(fits), 3),
        reasons=_reasons(sc, members),
    )
