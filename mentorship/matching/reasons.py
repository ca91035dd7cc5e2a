"""Explanations: the short sentences that tell a group why they were put together.

Each is a `Reason`: a string in English (what `MatchGroup.reasons` stores and what the
engine's tests read) that also knows its sentence, so `said` gives it in the language
being spoken, for a nudge written to one member or a page shown to one. A reason read
back from the database is plain English; `said` recognises the engine's sentences in it
and passes anything else through as it is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from django.utils.translation import gettext, gettext_noop

from mentorship.matching.hours import SLOT_MINUTES, group_minutes, shared_minutes
from mentorship.matching.participants import Group
from mentorship.matching.scoring import Scorer

# Said of a repeat within the window: the engine repeats only when it finds no other way,
# and it searches rather than proves, hence "we found".
ONLY_WAY = gettext_noop("the only way we found to seat everyone")

LEARN_PAIR = gettext_noop("one of you wants to learn %(topic)s, the other offers it")
LEARN_GROUP = gettext_noop("someone wants to learn %(topic)s and someone else here offers it")
NEWCOMER_YEAR = gettext_noop("a newcomer with someone who has been here 1 year")
NEWCOMER_YEARS = gettext_noop("a newcomer with someone who has been here %(count)d years")
SHARED_MINUTES = gettext_noop("%(minutes)d min of shared working time (your hours)")
SHARED_HOURS = gettext_noop("%(hours)d h of shared working time (your hours)")
SHARED_BOTH = gettext_noop("%(hours)d h %(minutes)d min of shared working time (your hours)")
TEAMS_PAIR = gettext_noop("different teams")
TEAMS_GROUP = gettext_noop("%(count)d different teams")
FIRST_PAIR = gettext_noop("your first time matched together")
FIRST_GROUP = gettext_noop("none of you have met here before")
MET_LAST_ROUND = gettext_noop("you met last round")
MET_ROUNDS_AGO = gettext_noop("you last met %(rounds)d rounds ago")
MET_NAMED = gettext_noop("%(a)s and %(b)s met before, in round %(round)d")
MET_UNNAMED = gettext_noop("two of you met before, in round %(round)d")

# Every sentence, the most specific first: `said` tries them in this order on English
# read back from the database.
SENTENCES = (
    LEARN_PAIR,
    LEARN_GROUP,
    NEWCOMER_YEAR,
    NEWCOMER_YEARS,
    SHARED_BOTH,
    SHARED_HOURS,
    SHARED_MINUTES,
    TEAMS_PAIR,
    TEAMS_GROUP,
    FIRST_PAIR,
    FIRST_GROUP,
    MET_LAST_ROUND,
    MET_ROUNDS_AGO,
    MET_UNNAMED,
    MET_NAMED,
)


class Reason(str):
    """One reason: its English text, and the sentence and values it was made from."""

    sentence: str
    values: Mapping[str, object]
    then: str | None

    def __new__(
        cls,
        sentence: str = "",
        values: Mapping[str, object] | None = None,
        *,
        then: str | None = None,
    ) -> Reason:
        values = dict(values or {})
        text = (sentence % values if values else sentence) + (f": {then}" if then else "")
        reason = super().__new__(cls, text)
        reason.sentence, reason.values, reason.then = sentence, values, then
        return reason

    def __getnewargs_ex__(self) -> tuple[tuple, dict]:
        return (self.sentence, self.values), {"then": self.then}

    def said(self) -> str:
        """The reason in the language being spoken."""
        text = gettext(self.sentence)
        if self.values:
            text %= self.values
        return f"{text}: {gettext(self.then)}" if self.then else text


def _pattern(sentence: str) -> re.Pattern:
    """A sentence's English as a pattern capturing its values."""
    pattern = re.escape(sentence)
    pattern = re.sub(r"%\\\((\w+)\\\)d", r"(?P<\1>\\d+)", pattern)
    pattern = re.sub(r"%\\\((\w+)\\\)s", r"(?P<\1>.+?)", pattern)
    return re.compile(pattern)


_PATTERNS = [(sentence, _pattern(sentence)) for sentence in SENTENCES]


def said(reason: str) -> str:
    """`reason` in the language being spoken: a `Reason` made by the engine, or the
    English of one read back from the database; any other text is left as it is."""
    if not isinstance(reason, Reason):
        reason = _recognised(reason) or reason
    return reason.said() if isinstance(reason, Reason) else reason


def _recognised(text: str) -> Reason | None:
    then = None
    if text.endswith(f": {ONLY_WAY}"):
        text, then = text[: -len(ONLY_WAY) - 2], ONLY_WAY
    for sentence, pattern in _PATTERNS:
        found = pattern.fullmatch(text)
        if found:
            numbers = set(re.findall(r"%\((\w+)\)d", sentence))
            values: dict[str, object] = {
                name: int(value) if name in numbers else value
                for name, value in found.groupdict().items()
            }
            return Reason(sentence, values, then=then)
    return None


def _duration(minutes: int) -> Reason:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return Reason(SHARED_MINUTES, {"minutes": rest})
    if not rest:
        return Reason(SHARED_HOURS, {"hours": hours})
    return Reason(SHARED_BOTH, {"hours": hours, "minutes": rest})


def _reasons(sc: Scorer, members: list[int]) -> tuple[Reason, ...]:
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
            reasons.append(Reason(LEARN_PAIR if pair else LEARN_GROUP, {"topic": topic}))
    if any(sc.newcomer[i] for i in members):
        veterans = [
            p.tenure_days for i, p in zip(members, people, strict=True) if sc.experienced[i]
        ]
        if veterans:
            years = max(veterans) // 365
            reasons.append(
                Reason(NEWCOMER_YEAR) if years == 1 else Reason(NEWCOMER_YEARS, {"count": years})
            )
    minutes = shared_minutes(*people) if pair else group_minutes(people)
    if minutes >= SLOT_MINUTES:
        reasons.append(_duration(minutes))
    teams = {p.team_id for p in people}
    if sc.cross_team and None not in teams and len(teams) == len(people):
        reasons.append(Reason(TEAMS_PAIR) if pair else Reason(TEAMS_GROUP, {"count": len(teams)}))
    recent, older = _met_before(sc, members)
    if not recent and not older:
        reasons.append(Reason(FIRST_PAIR if pair else FIRST_GROUP))
    # A repeat within the window is news the group should read first (the introduction
    # quotes the first two reasons); an older one is just said.
    return (*recent, *reasons, *older)


def _met_before(sc: Scorer, members: list[int]) -> tuple[list[Reason], list[Reason]]:
    """Sentences on pairs in the group who met before: within the window, then after it."""
    recent, older = [], []
    for x, i in enumerate(members):
        for j in members[x + 1 :]:
            age = sc.rounds_since(i, j)
            if age is None:
                continue
            if len(members) == 2:
                sentence, values = (
                    (MET_LAST_ROUND, {}) if age <= 1 else (MET_ROUNDS_AGO, {"rounds": age})
                )
            else:
                a, b = sc.people[i].name, sc.people[j].name
                sentence, values = (MET_NAMED, {"a": a, "b": b}) if a and b else (MET_UNNAMED, {})
                values["round"] = sc.round_number - age
            if age <= sc.repeat_window:
                recent.append(Reason(sentence, values, then=ONLY_WAY))
            else:
                older.append(Reason(sentence, values))
    return recent, older


def to_group(sc: Scorer, members: list[int]) -> Group:
    members = sorted(members, key=lambda i: sc.people[i].id)
    fits = [sc.fit(i, j) for x, i in enumerate(members) for j in members[x + 1 :]]
    return Group(
        members=tuple(sc.people[i].id for i in members),
        score=round(sum(fits) / len(fits), 3),
        reasons=_reasons(sc, members),
    )
