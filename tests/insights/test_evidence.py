"""Which rituals work: the difference in differences on synthetic teams with a planted effect."""

import datetime as dt
import random

import pytest

from insights.evidence import (
    HELPS,
    MAY_HURT,
    NO_CLEAR_EFFECT,
    TOO_EARLY,
    Card,
    difference_in_differences,
    explain,
    judge_together,
)
from insights.evidence.wording import points

FIRST_MONDAY = dt.date(2026, 1, 5)
WEEKS = [FIRST_MONDAY + dt.timedelta(weeks=i) for i in range(20)]


def synthetic(
    *,
    adopters=12,
    comparison=30,
    effect=10.0,
    noise=1.5,
    trend=0.8,
    lead=0.0,
    seed=1,
    weeks=WEEKS,
):
    """Teams on a shared upward trend; adopters gain `effect` from the week after adopting,
    and rise `lead` points a week more than the others all along (a pre-trend).

    Adopters start from a lower level than the rest (teams that pick a ritual up often
    need it), which a plain before/after or adopters-vs-others comparison would confuse.
    """
    rng = random.Random(seed)
    scores, respondents, adopted = {}, {}, {}
    for team in range(1, adopters + comparison + 1):
        is_adopter = team <= adopters
        base = rng.uniform(40, 55) if is_adopter else rng.uniform(55, 70)
        start = rng.randrange(5, 12) if is_adopter else None
        if is_adopter:
            adopted[team] = weeks[start]
        scores[team], respondents[team] = {}, {}
        for i, week in enumerate(weeks):
            value = base + trend * i + rng.gauss(0, noise)
            if is_adopter:
                value += lead * i
            if is_adopter and i > start:
                value += effect
            scores[team][week] = value
            respondents[team][week] = rng.randint(5, 12)
    return scores, respondents, adopted


def test_planted_effect_is_recovered_and_the_common_trend_cancels():
    card = difference_in_differences(*synthetic(effect=10.0, trend=1.5))

    assert card.verdict == HELPS
    assert card.effect == pytest.approx(10, abs=2)
    assert card.low > 0
    assert card.low <= card.effect <= card.high
    assert card.adopters == 12
    # The 30 teams that never adopted it, and adopters whose adoption came after some
    # adopter's window had ended (not yet adopted, so still comparable then).
    assert 30 < card.comparison <= 41
    assert "10 points" in card.reason
    assert f"over {card.rounds} pulse rounds" in card.reason


def test_no_effect_is_not_called_a_help():
    card = difference_in_differences(*synthetic(effect=0.0, trend=1.5, seed=3))

    assert card.verdict != HELPS
    if card.verdict != TOO_EARLY:
        assert card.verdict == NO_CLEAR_EFFECT
        assert card.low <= 0 <= card.high
        assert "includes no change" in card.reason


def test_negative_effect_may_hurt():
    card = difference_in_differences(*synthetic(effect=-8.0))

    assert card.verdict == MAY_HURT
    assert card.effect == pytest.approx(-8, abs=2)
    assert card.high < 0
    assert "fell about 8 points" in card.reason


def test_two_adopters_is_too_early_and_says_how_many():
    card = difference_in_differences(*synthetic(adopters=2))

    assert card.verdict == TOO_EARLY
    assert card.effect is None and card.low is None and card.high is None
    assert card.reason == "Only 2 teams have adopted it so far; we need at least 3."


def test_one_adopter_reads_in_the_singular():
    card = difference_in_differences(*synthetic(adopters=1))

    assert card.reason == "Only 1 team has adopted it so far; we need at least 3."


def test_nobody_adopted():
    card = difference_in_differences(*synthetic(adopters=0))

    assert card.verdict == TOO_EARLY
    assert card.adopters == 0
    assert "No team has adopted it yet" in card.reason


def test_very_noisy_scores_give_a_wide_interval_and_too_early():
    scores, respondents, adopted = synthetic(adopters=5, comparison=8, noise=30.0, effect=5.0)

    card = difference_in_differences(scores, respondents, adopted)

    assert card.verdict == TOO_EARLY
    assert card.effect is None
    assert card.adopters == 5
    assert "too wide" in card.reason
    # With a looser limit the same data gives a figure, and its interval really is wide.
    loose = difference_in_differences(scores, respondents, adopted, max_width=1000)
    assert loose.high - loose.low > 20


def test_the_interval_widens_with_fewer_adopting_teams():
    """Student's t with one degree of freedom fewer than adopters: three teams leave a
    wide interval, twelve a narrow one, on the same kind of data."""
    few = difference_in_differences(*synthetic(adopters=3, effect=4.0, noise=4.0), max_width=100)
    many = difference_in_differences(*synthetic(adopters=12, effect=4.0, noise=4.0))

    assert few.high - few.low > 2 * (many.high - many.low)
    assert few == difference_in_differences(
        *synthetic(adopters=3, effect=4.0, noise=4.0), max_width=100
    )


def test_adopters_without_enough_weeks_before_are_dropped():
    scores, respondents, adopted = synthetic(adopters=12)
    # Team 13 adopts in the second week: one scored week before it, not two.
    adopted[13] = WEEKS[1]
    # Team 1's weeks before adopting were suppressed (too few responses to show).
    for k in range(1, 5):
        scores[1].pop(adopted[1] - dt.timedelta(weeks=k), None)
    # Team 2 keeps exactly two of its four weeks before: that is enough.
    for k in (1, 3):
        scores[2].pop(adopted[2] - dt.timedelta(weeks=k))

    card = difference_in_differences(scores, respondents, adopted)

    assert card.adopters == 11  # 12 planted, minus team 1 (and team 13, too early)
    assert card.comparison > 29
    assert card.verdict == HELPS


def test_adopters_with_too_few_weeks_each_side_say_so():
    scores, respondents, adopted = synthetic(adopters=4)
    for team in (1, 2):
        adopted[team] = WEEKS[-1]  # nothing after yet

    card = difference_in_differences(scores, respondents, adopted)

    assert card.verdict == TOO_EARLY
    assert card.reason.startswith(
        "4 teams have adopted it, but only 2 have scores in at least 2 pulse rounds"
    )


def test_too_few_comparison_teams():
    scores, respondents, adopted = synthetic(adopters=6, comparison=2)
    adopted = dict.fromkeys(adopted, WEEKS[8])  # all at once: none is "not yet" for another

    card = difference_in_differences(scores, respondents, adopted)

    assert card.verdict == TOO_EARLY
    assert card.reason == (
        "Only 2 teams that adopted no ritual over the same rounds have enough scores to "
        "compare against; we need at least 3."
    )


def test_respondents_are_summed_over_the_scores_used_each_once():
    monday = dt.date(2026, 3, 2)
    weeks = [monday + dt.timedelta(weeks=i) for i in range(8)]
    adoption = weeks[3]
    scores, respondents = {}, {}
    for team in range(1, 8):
        scores[team] = {
            week: 60.0 + (5.0 if team <= 3 and week > adoption else 0.0) for week in weeks
        }
        respondents[team] = {week: team * 10 + i for i, week in enumerate(weeks)}
    # Team 7 never adopted but has only one week after: it can't be compared.
    for week in weeks[5:]:
        del scores[7][week]
    adopted = {1: adoption, 2: adoption, 3: adoption + dt.timedelta(days=2)}  # a Wednesday

    card = difference_in_differences(scores, respondents, adopted, before=2, after=2, min_rounds=2)

    # Weeks 1, 2 before and 4, 5 after (week 3 is the adoption week), teams 1-6.
    used = (1, 2, 4, 5)
    assert card.respondents == sum(team * 10 + i for team in range(1, 7) for i in used)
    assert (card.adopters, card.comparison) == (3, 3)
    assert card.effect == pytest.approx(5.0)
    assert card.low == pytest.approx(5.0) and card.high == pytest.approx(5.0)
    assert card.verdict == HELPS


def test_missing_respondent_counts_count_as_zero():
    scores, respondents, adopted = synthetic()
    full = difference_in_differences(scores, respondents, adopted)
    del respondents[1]

    card = difference_in_differences(scores, respondents, adopted)

    assert 0 < card.respondents < full.respondents


def test_bad_settings_are_refused():
    data = synthetic()
    with pytest.raises(ValueError):
        difference_in_differences(*data, min_rounds=5)
    with pytest.raises(ValueError):
        difference_in_differences(*data, min_teams=1)


@pytest.mark.parametrize(
    ("verdict", "expected"),
    [
        (HELPS, "rise about 10 points"),
        (MAY_HURT, "fall about 10 points"),
        (NO_CLEAR_EFFECT, "about as much"),
        (TOO_EARLY, "isn't enough to go on yet"),
    ],
)
def test_explain_says_what_it_means_and_what_it_does_not_prove(verdict, expected):
    effect = -10.0 if verdict == MAY_HURT else 10.0
    card = Card(effect, effect - 3, effect + 3, 12, 30, 900, verdict, "")

    text = explain(card)

    assert expected in text
    assert "chose" in text or "can't tell" in text
    assert text.count(". ") + text.count(": ") <= 3
    for jargon in ("difference", "bootstrap", "confidence", "significan", "causal"):
        assert jargon not in text.lower()


def test_two_hundred_teams_twenty_weeks_finds_the_planted_effect():
    # Speed is measured by `make bench`, not here; this checks the large case's answer.
    data = synthetic(adopters=60, comparison=140, noise=5.0)
    card = difference_in_differences(*data)
    assert card.verdict == HELPS


def test_a_team_that_adopted_another_ritual_is_not_a_comparison_then():
    """Other teams adopt another ritual that lifts them 15 points: compared with them,
    this ritual (no effect) would look like it hurts. Told about them, the card leaves
    them out of the windows their adoption falls in."""
    scores, respondents, adopted = synthetic(adopters=8, comparison=30, effect=0.0, trend=0.0)
    others = {}
    for team in range(9, 29):  # twenty of the comparison teams adopt the other ritual
        others[team] = [WEEKS[7]]
        for week in WEEKS[8:]:
            scores[team][week] += 15.0

    fooled = difference_in_differences(scores, respondents, adopted)
    card = difference_in_differences(scores, respondents, adopted, others=others)

    assert fooled.high < 0  # it would say "may hurt", but the pre-trend check catches it:
    assert fooled.trend_high < 0 and fooled.verdict == NO_CLEAR_EFFECT
    assert card.verdict == NO_CLEAR_EFFECT and not card.trend_flagged
    assert card.effect == pytest.approx(0, abs=1.0)
    assert card.comparison <= 30 - 20 + 8


def test_the_weeks_behind_an_alert_are_left_out_of_the_before():
    """Adopters had one low week (the alert) just before adopting: with that week in
    their "before", any ritual looks like it helped."""
    scores, respondents, adopted = synthetic(adopters=8, effect=0.0, trend=0.0, noise=1.0)
    alerted = {}
    for team, start in adopted.items():
        alert = start - dt.timedelta(weeks=1)
        scores[team][alert] -= 15.0
        alerted[team] = alert

    fooled = difference_in_differences(scores, respondents, adopted)
    card = difference_in_differences(scores, respondents, adopted, alerted=alerted)

    assert fooled.low > 0  # it would say "helps", but the low week shows as a pre-trend:
    assert fooled.trend_high < 0 and fooled.verdict == NO_CLEAR_EFFECT
    assert card.verdict == NO_CLEAR_EFFECT and not card.trend_flagged
    assert card.effect == pytest.approx(0, abs=1.0)


def test_rituals_judged_together_need_more_to_say_helps():
    """Five rituals at once: a card that alone would just say "helps" says no clear
    effect with the other four beside it, and says why; a clear one keeps its verdict."""
    borderline = Card(3.0, 0.2, 5.8, 4, 30, 900, HELPS, "", rounds=10, p=0.04)
    clear = Card(9.0, 6.0, 12.0, 12, 30, 900, HELPS, "", rounds=10, p=0.0001)
    nothing = Card(0.5, -2.0, 3.0, 6, 30, 900, NO_CLEAR_EFFECT, "", rounds=10, p=0.6)
    early = Card(None, None, None, 1, 30, 90, TOO_EARLY, "Only 1 team", rounds=3)

    judged = judge_together([borderline, clear, nothing, nothing, early])

    assert [card.verdict for card in judged] == [
        NO_CLEAR_EFFECT,
        HELPS,
        NO_CLEAR_EFFECT,
        NO_CLEAR_EFFECT,
        TOO_EARLY,
    ]
    assert "4 rituals judged at once" in judged[0].reason
    assert judge_together([borderline])[0].verdict == HELPS  # alone, it stands


# ------------------------------------------------------------- the pre-trend check


def test_parallel_trends_pass_the_pre_trend_check():
    card = difference_in_differences(*synthetic(effect=10.0, trend=1.5))

    assert card.verdict == HELPS
    assert not card.trend_flagged
    assert card.trend_low <= 0 <= card.trend_high
    assert card.trend == pytest.approx(0, abs=1.5)
    assert card.trend_note == (
        f"Before adopting, these teams moved like the others ({points(card.trend)} points, "
        "within noise)."
    )


def test_a_planted_pre_trend_is_flagged_and_the_verdict_is_not_called():
    """Adopters rise a point a week more than the others all along, the ritual does
    nothing: before and after alone it looks like it helps."""
    data = synthetic(effect=0.0, lead=1.0, noise=1.5)

    card = difference_in_differences(*data)

    assert card.low > 0  # alone, this would say "helps"
    assert card.trend_flagged and card.trend_low > 0
    assert 2 <= card.trend <= 4  # the halves' middles are two to four rounds apart
    assert card.verdict == NO_CLEAR_EFFECT
    assert card.trend_note == (
        f"Before adopting, these teams were already rising by {card.trend:.1f} points more "
        "than the others: part of this change may not be the ritual's."
    )
    assert "already rising" in card.reason and "can't tell" in card.reason
    assert "already moving differently" in explain(card)
    assert judge_together([card])[0] == card


def test_a_pre_trend_against_a_falling_effect_reads_falling():
    card = difference_in_differences(*synthetic(effect=0.0, lead=-1.0, noise=1.5))

    assert card.trend_high < 0 and card.verdict == NO_CLEAR_EFFECT
    assert "already falling by" in card.trend_note
    assert "Connection fell" in card.reason


def test_too_few_rounds_before_adoption_says_so_and_keeps_the_verdict():
    """Every adopter's pulse started two rounds before it adopted: enough for its own
    "before", nothing earlier to check the trend against."""
    scores, respondents, adopted = synthetic(effect=10.0)
    for team, start in adopted.items():
        for week in list(scores[team]):
            if week < start - dt.timedelta(weeks=2):
                del scores[team][week]

    card = difference_in_differences(scores, respondents, adopted)

    assert card.verdict == HELPS
    assert card.trend is None and card.trend_low is None and not card.trend_flagged
    assert card.trend_note == "Not enough rounds before adoption to check the trend."


def test_the_pre_trend_uses_only_rounds_before_adoption():
    """A ritual that works (+10) changes nothing before adoption: the check sees only
    the rounds before, so the effect itself can't look like a pre-trend."""
    scores, respondents, adopted = synthetic(effect=10.0, noise=0.0, trend=0.0)

    card = difference_in_differences(scores, respondents, adopted)

    assert card.trend == pytest.approx(0, abs=1e-9)
    assert card.effect == pytest.approx(10)
