"""Recurrence rules within limits (at most one session a day, at least one a year,
expanded in bounded time), the builder that writes them, and the hourly tick that
skips a stored rule outside the limits instead of looping on it."""

import datetime as dt
import itertools
import logging
import re

import pytest
import time_machine
from django.core.exceptions import ValidationError
from hypothesis import example, given, settings
from hypothesis import strategies as st

from connection.models import Nudge
from rituals.api import RitualSerializer
from rituals.models import Occurrence, RitualTemplate, TeamRitual, validate_rrule
from rituals.services.occurrences import materialise_all
from rituals.services.rituals import adopt_ritual
from tests.helpers import shows_errors

UTC = dt.UTC
WEDNESDAY = dt.datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
# Seen in the review: 4,032 occurrences and 16,128 reminders from one request.
EVERY_TEN_MINUTES = (
    "FREQ=DAILY;BYHOUR=" + ",".join(map(str, range(24))) + ";BYMINUTE=0,10,20,30,40,50"
)
# Never meets: dateutil searched day by day to year 9999 (9-10 s a request).
NEVER = "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30"
A_YEAR_AND_A_WEEK = dt.timedelta(days=372)


@pytest.fixture
def clock():
    with time_machine.travel(WEDNESDAY, tick=False) as traveller:
        yield traveller


def adopt(team, alice, **overrides) -> TeamRitual:
    fields = {
        "team": team,
        "created_by": alice,
        "name": "Co-working",
        "format": "sync",
        "rule": "FREQ=WEEKLY;BYDAY=TH",
        "start_time": dt.time(10, 0),
        "time_zone": "America/New_York",
        "duration": 15,
        "hypothesis": "People will ask more small questions.",
        "confirm_outside_hours": True,
    }
    return adopt_ritual(**(fields | overrides))


def adopt_form(team, /, **overrides) -> dict:
    return {
        "team": team.pk,
        "name": "Co-working",
        "repeats": "weekly",
        "weekdays": ["TU"],
        "every": "1",
        "nth": "1",
        "nth_weekday": "MO",
        "rule": "",
        "start_time": "10:00",
        "time_zone": "America/New_York",
        "duration": "15",
        "participation": "team",
        "hypothesis": "More small questions",
        "review_on": "2026-12-23",
        "confirm_outside_hours": "on",
    } | overrides


def stored(team, rule: str, name: str) -> TeamRitual:
    """A ritual saved before today's limits: straight to the table, past the validators,
    by someone who has since left (`created_by` is empty)."""
    return TeamRitual.objects.bulk_create(
        [
            TeamRitual(
                team=team,
                name=name,
                format="sync",
                rule=rule,
                start_time=dt.time(10),
                time_zone="UTC",
                starts_on=WEDNESDAY.date(),
                duration=15,
                hypothesis="h",
                review_on=dt.date(2027, 1, 1),
                participation=TeamRitual.Participation.OPT_IN,
            )
        ]
    )[0]


# ---------------------------------------------------------------- the limits


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        (EVERY_TEN_MINUTES, "BYHOUR is not supported: a ritual meets at most once a day"),
        ("FREQ=DAILY;BYMINUTE=0,30", "BYMINUTE is not supported"),
        ("FREQ=WEEKLY;BYDAY=TU;BYSECOND=0,1", "BYSECOND is not supported"),
        (NEVER, "BYMONTH is not supported"),
        ("FREQ=WEEKLY;BYWEEKNO=20", "BYWEEKNO is not supported"),
        ("FREQ=DAILY;BYYEARDAY=60", "BYYEARDAY is not supported"),
        ("FREQ=DAILY;BYEASTER=0", "BYEASTER is not supported"),
        ("FREQ=WEEKLY;INTERVAL=0;BYDAY=TU", "INTERVAL is a whole number from 1 to 52"),
        ("FREQ=WEEKLY;INTERVAL=53;BYDAY=TU", "INTERVAL is a whole number from 1 to 52"),
        ("FREQ=WEEKLY;INTERVAL=-2", "INTERVAL is a whole number from 1 to 52"),
        ("FREQ=WEEKLY;INTERVAL=²", "INTERVAL is a whole number from 1 to 52"),
        ("FREQ=MONTHLY;INTERVAL=13;BYDAY=1MO", "INTERVAL is a whole number from 1 to 12"),
        ("FREQ=DAILY;INTERVAL=366", "INTERVAL is a whole number from 1 to 365"),
        ("FREQ=HOURLY", "A ritual repeats at most daily"),
        ("FREQ=MINUTELY;INTERVAL=10", "A ritual repeats at most daily"),
        ("FREQ=YEARLY", "FREQ=YEARLY is not supported"),
        ("BYDAY=TU", "not a valid recurrence rule"),
        # Impossible or sparse combinations that dateutil would search for years.
        ("FREQ=DAILY;INTERVAL=7;BYDAY=MO", "cannot also pick weekdays"),
        ("FREQ=MONTHLY;BYMONTHDAY=30", "BYMONTHDAY=30: use 1 to 28"),
        ("FREQ=MONTHLY;INTERVAL=12;BYMONTHDAY=-29", "BYMONTHDAY=-29: use 1 to 28"),
        ("FREQ=MONTHLY;BYDAY=5FR", "BYDAY=5FR: only the first to fourth"),
        ("FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13", "Use BYDAY or BYMONTHDAY, not both"),
        ("FREQ=MONTHLY;BYDAY=4MO,SU", "BYDAY mixes plain weekdays with positions"),
        ("FREQ=MONTHLY;BYDAY=MO;BYSETPOS=5", "BYSETPOS=5: use 1 to 4"),
        ("FREQ=MONTHLY;BYDAY=1MO;BYSETPOS=1", "BYSETPOS picks among plain weekdays"),
        ("FREQ=WEEKLY;BYDAY=MO,TU;BYSETPOS=1", "BYSETPOS needs FREQ=MONTHLY"),
        ("FREQ=WEEKLY;BYMONTHDAY=1", "BYMONTHDAY needs FREQ=MONTHLY"),
        ("FREQ=WEEKLY;BYDAY=1MO", "BYDAY=1MO needs FREQ=MONTHLY"),
        ("FREQ=MONTHLY", "Say which day of the month"),
        # Endings: a ritual ends when its team retires it.
        ("FREQ=WEEKLY;BYDAY=TU;COUNT=3", "COUNT is not supported"),
        ("FREQ=WEEKLY;BYDAY=TU;UNTIL=20270101T000000Z", "UNTIL is not supported"),
        # Malformed.
        ("FREQ=WEEKLY;BYDAY=TU;FREQ=DAILY", "FREQ appears twice"),
        ("FREQ=WEEKLY;BYDAY=²", "BYDAY lists weekdays"),
        ("FREQ=WEEKLY;BYDAY=", "is not a rule part"),
        ("FREQ=WEEKLY;WKST=XX", "WKST is one weekday"),
        ("FREQ=WEEKLY;BYDAY=TU\x00", "Write a rule like FREQ=WEEKLY;BYDAY=TU"),
        ("DTSTART:20260101T090000\nRRULE:FREQ=DAILY", "without DTSTART"),
        ("", "Write a rule like"),
    ],
)
def test_rules_beyond_the_limits_are_refused_with_the_problem_named(rule, problem):
    with pytest.raises(ValidationError, match=re.escape(problem)):
        validate_rrule(rule)


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=WEEKLY;BYDAY=TU",
        "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TH",
        "freq=weekly;byday=mo,we",
        "FREQ=WEEKLY;BYDAY=TU;",
        "FREQ=DAILY",
        "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR",
        "FREQ=MONTHLY;BYDAY=1MO",
        "FREQ=MONTHLY;BYDAY=-1FR",
        "FREQ=MONTHLY;INTERVAL=12;BYDAY=2WE",
        "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
        "FREQ=MONTHLY;BYMONTHDAY=1,15,-1",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR;WKST=SU",
    ],
)
def test_rules_inside_the_limits_are_accepted(rule):
    validate_rrule(rule)


WEEKDAY = st.sampled_from(["MO", "TU", "WE", "TH", "FR", "SA", "SU"])
INTERVALS = st.one_of(st.integers(1, 12), st.integers(-1, 400)).map(str)
WEEKDAYS_PART = st.lists(
    st.tuples(st.sampled_from(["", "", "", "1", "2", "4", "5", "-1", "-4", "-5"]), WEEKDAY),
    min_size=1,
    max_size=7,
).map(lambda days: ",".join(n + day for n, day in days))
MONTHDAYS_PART = st.lists(
    st.one_of(st.integers(-28, 28), st.integers(-31, 31)), min_size=1, max_size=3
).map(lambda days: ",".join(map(str, days)))
POSITIONS_PART = st.lists(st.sampled_from([-5, -4, -1, 1, 2, 4, 5]), min_size=1, max_size=2).map(
    lambda positions: ",".join(map(str, positions))
)


def rules(required: dict, **optional) -> st.SearchStrategy[str]:
    return st.fixed_dictionaries(required, optional=optional).map(
        lambda parts: ";".join(f"{name}={value}" for name, value in parts.items())
    )


# Mostly rules near the limits, on either side, and some with parts Hearth refuses.
RULES = st.one_of(
    rules({"FREQ": st.sampled_from(["DAILY", "WEEKLY"])}, INTERVAL=INTERVALS, BYDAY=WEEKDAYS_PART),
    rules(
        {"FREQ": st.just("MONTHLY"), "BYDAY": WEEKDAYS_PART},
        INTERVAL=INTERVALS,
        BYSETPOS=POSITIONS_PART,
    ),
    rules({"FREQ": st.just("MONTHLY"), "BYMONTHDAY": MONTHDAYS_PART}, INTERVAL=INTERVALS),
    rules(
        {
            "FREQ": st.just("MONTHLY"),
            "BYDAY": st.lists(WEEKDAY, min_size=1, max_size=7, unique=True).map(",".join),
            "BYSETPOS": POSITIONS_PART,
        },
        INTERVAL=INTERVALS,
    ),
    rules(
        {"FREQ": st.sampled_from(["DAILY", "WEEKLY", "MONTHLY", "HOURLY", "YEARLY"])},
        INTERVAL=INTERVALS,
        BYDAY=WEEKDAYS_PART,
        BYMONTHDAY=MONTHDAYS_PART,
        BYSETPOS=POSITIONS_PART,
        WKST=WEEKDAY,
        BYMONTH=st.sampled_from(["2", "6,7"]),
        BYHOUR=st.just("9,17"),
    ),
)


@settings(max_examples=300, deadline=None)
@given(
    rule=RULES,
    starts_on=st.dates(min_value=dt.date(2001, 1, 1), max_value=dt.date(2090, 12, 31)),
    start_time=st.times(),
)
@example(
    rule="FREQ=MONTHLY;INTERVAL=12;BYDAY=-1FR",
    starts_on=dt.date(2026, 1, 31),
    start_time=dt.time(9),
)
@example(
    rule="FREQ=WEEKLY;INTERVAL=52;BYDAY=MO",
    starts_on=dt.date(2026, 1, 6),
    start_time=dt.time(0, 30),
)
@example(rule="FREQ=DAILY;INTERVAL=365", starts_on=dt.date(2027, 2, 28), start_time=dt.time(1, 30))
def test_every_accepted_rule_meets_at_most_once_a_day_and_at_least_once_a_year(
    rule, starts_on, start_time
):
    try:
        validate_rrule(rule)
    except ValidationError:
        return
    ritual = TeamRitual(
        rule=rule, starts_on=starts_on, start_time=start_time, time_zone="Europe/Lisbon"
    )
    start = dt.datetime.combine(starts_on, dt.time(0), tzinfo=ritual.zone)
    end = start + dt.timedelta(days=3 * 365)
    days = [instant.astimezone(ritual.zone).date() for instant in ritual.starts_between(start, end)]
    assert days, f"{rule} never met from {starts_on}"
    bounds = [starts_on, *days, end.date()]
    assert all(a < b for a, b in itertools.pairwise(days)), f"{rule} met twice on a day"
    assert all(b - a <= A_YEAR_AND_A_WEEK for a, b in itertools.pairwise(bounds)), rule


def test_a_rule_beyond_the_limits_writes_nothing(clock, alice, bob, team):
    with pytest.raises(ValidationError, match="BYHOUR is not supported"):
        adopt(team, alice, rule=EVERY_TEN_MINUTES)
    assert not TeamRitual.objects.exists()
    assert not Occurrence.objects.exists()
    assert not Nudge.objects.exists()


def test_the_api_serializer_has_the_same_limits(db, team):
    serializer = RitualSerializer(
        data={
            "team": team.pk,
            "name": "x",
            "format": "sync",
            "rule": EVERY_TEN_MINUTES,
            "start_time": "10:00",
            "time_zone": "UTC",
            "duration": 15,
            "participation": "team",
            "hypothesis": "h",
            "review_on": "2027-01-01",
        }
    )
    assert not serializer.is_valid()
    assert "BYHOUR is not supported" in str(serializer.errors["rule"][0])


def test_the_catalogue_default_rule_has_the_same_limits(db):
    template = RitualTemplate.objects.get(slug="hallway")
    template.default_rule = NEVER
    with pytest.raises(ValidationError, match="BYMONTH is not supported"):
        template.full_clean()


# ---------------------------------------------------------------- the hourly tick


def test_tick_skips_stored_rules_beyond_the_limits_and_says_so(clock, alice, bob, team, caplog):
    good = adopt(team, alice, name="Good")
    Occurrence.objects.all().delete()
    flooding = stored(team, EVERY_TEN_MINUTES, "Every ten minutes")
    never = stored(team, NEVER, "Never")
    flooding.participants.add(bob)
    with caplog.at_level(logging.WARNING, logger="rituals.services.occurrences"):
        materialise_all()
    assert good.occurrences.count() == 4
    assert not Occurrence.objects.filter(ritual__in=[flooding, never]).exists()
    assert not Nudge.objects.filter(payload__url=f"/rituals/{flooding.pk}/").exists()
    skipped = [r.getMessage() for r in caplog.records if "no longer accepted" in r.getMessage()]
    assert len(skipped) == 2
    assert f"Ritual {flooding.pk} " in skipped[0] and "BYHOUR is not supported" in skipped[0]
    assert f"Ritual {never.pk} " in skipped[1] and "BYMONTH is not supported" in skipped[1]


def test_a_stored_rule_beyond_the_limits_asks_the_manager_for_a_new_schedule(
    client_for, clock, alice, bob, team
):
    ritual = stored(team, EVERY_TEN_MINUTES, "Every ten minutes")
    assert client_for(bob).post(f"/rituals/{ritual.pk}/join/").status_code == 302
    assert not ritual.occurrences.exists()
    page = client_for(alice).get(f"/rituals/{ritual.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "is no longer accepted: BYHOUR is not supported" in body
    assert "you choose a new schedule below" in body
    response = client_for(alice).post(
        f"/rituals/{ritual.pk}/",
        {
            "action": "schedule",
            "repeats": "weekly",
            "weekdays": ["WE"],
            "every": "1",
            "start_time": "10:00",
        },
    )
    assert response.status_code == 302
    ritual.refresh_from_db()
    assert ritual.rule == "FREQ=WEEKLY;BYDAY=WE"
    assert ritual.occurrences.count() == 4  # Wednesdays from today, four weeks ahead


# ---------------------------------------------------------------- the adopt page's input


def test_adopt_page_refuses_a_rule_beyond_the_limits(client_for, clock, alice, bob, team):
    response = client_for(alice).post(
        "/rituals/adopt/coworking/", adopt_form(team, repeats="custom", rule=NEVER)
    )
    assert shows_errors(response)
    assert "BYMONTH is not supported" in response.content.decode()
    assert not TeamRitual.objects.exists()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        *(
            (value, "That is not a team you can adopt rituals for.")
            for value in ("²", "abc", "1.5", "-1", "99999999999999999999")
        ),
        ("\x00", "Null characters are not allowed."),
    ],
)
def test_adopt_page_refuses_a_team_it_cannot_read(client_for, clock, alice, team, value, message):
    response = client_for(alice).get("/rituals/adopt/coworking/", {"team": value})
    assert response.status_code == 400
    assert message in response.content.decode()


def test_adopt_page_preselects_only_a_team_the_person_leads(
    client_for, clock, alice, team, subteam, other_team
):
    client = client_for(alice)
    page = client.get("/rituals/adopt/coworking/", {"team": subteam.pk})
    assert page.status_code == 200
    assert re.search(rf'<option value="{subteam.pk}" selected>', page.content.decode())
    assert client.get("/rituals/adopt/coworking/", {"team": other_team.pk}).status_code == 400


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("duration", "1.5", "Minutes: a whole number from 1 to 480."),
        ("duration", "²", "Minutes: a whole number from 1 to 480."),
        ("duration", "0", "greater than or equal to 1"),
        ("duration", "481", "less than or equal to 480"),
        ("every", "1.5", "Weeks: a whole number from 1 to 52."),
        ("every", "53", "less than or equal to 52"),
        ("weekdays", [], "Tick at least one day of the week."),
        ("weekdays", ["XX"], "Select a valid choice."),
        ("repeats", "hourly", "Select a valid choice."),
        ("team", "²", "Select a valid choice."),
    ],
)
def test_adopt_form_refuses_bad_input_with_a_message(
    client_for, clock, alice, team, field, value, message
):
    response = client_for(alice).post(
        "/rituals/adopt/coworking/", adopt_form(team, **{field: value})
    )
    assert shows_errors(response)
    assert message in response.content.decode()
    assert not TeamRitual.objects.exists()


@pytest.mark.parametrize(
    ("fields", "rule", "summary"),
    [
        ({"weekdays": ["TH", "TU"]}, "FREQ=WEEKLY;BYDAY=TU,TH", "Every Tuesday and Thursday"),
        (
            {"weekdays": ["FR"], "every": "2"},
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR",
            "Every 2 weeks on Friday",
        ),
        (
            {"repeats": "monthly", "nth": "1", "nth_weekday": "MO"},
            "FREQ=MONTHLY;BYDAY=1MO",
            "Monthly on the first Monday",
        ),
        (
            {"repeats": "monthly", "nth": "-1", "nth_weekday": "FR"},
            "FREQ=MONTHLY;BYDAY=-1FR",
            "Monthly on the last Friday",
        ),
        (
            {"repeats": "custom", "rule": "freq=monthly;bymonthday=15"},
            "FREQ=MONTHLY;BYMONTHDAY=15",
            "Monthly on the 15th",
        ),
    ],
)
def test_adopt_builder_writes_the_rule(client_for, clock, alice, bob, team, fields, rule, summary):
    client = client_for(alice)
    response = client.post("/rituals/adopt/coworking/", adopt_form(team, **fields))
    assert response.status_code == 302
    ritual = TeamRitual.objects.get()
    assert ritual.rule == rule
    assert summary in client.get(response["Location"]).content.decode()


def checked(page: str, name: str) -> set[str]:
    return set(re.findall(rf'name="{name}" value="([^"]*)"[^>]*checked', page))


def selected(page: str, name: str) -> str:
    select = re.search(rf'<select name="{name}".*?</select>', page, re.S)[0]
    return re.search(r'<option value="([^"]*)" selected>', select)[1]


def test_adopt_page_opens_the_builder_on_the_catalogue_rule(client_for, clock, alice, team):
    client = client_for(alice)
    page = client.get("/rituals/adopt/show-and-tell/").content.decode()  # every other Thursday
    assert checked(page, "repeats") == {"weekly"}
    assert checked(page, "weekdays") == {"TH"}
    assert re.search(r'name="every" value="2"', page)
    assert "Every 2 weeks on Thursday" in page
    page = client.get("/rituals/adopt/newcomer-welcome/").content.decode()
    assert checked(page, "repeats") == {"monthly"}
    assert selected(page, "nth") == "1" and selected(page, "nth_weekday") == "MO"
    assert "Monthly on the first Monday" in page


def test_builder_summary_follows_the_choice_live(client_for, clock, alice, team):
    client = client_for(alice)
    htmx = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "rule-summary"}
    response = client.get(
        "/rituals/adopt/coworking/",
        {"repeats": "weekly", "weekdays": ["FR"], "every": "2"},
        **htmx,
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.startswith('<p id="rule-summary"') and "Every 2 weeks on Friday" in body
    response = client.get(
        "/rituals/adopt/coworking/", {"repeats": "custom", "rule": EVERY_TEN_MINUTES}, **htmx
    )
    assert shows_errors(response)
    assert "BYHOUR is not supported" in response.content.decode()


# ---------------------------------------------------------------- a ritual's schedule


def test_schedule_form_opens_on_the_stored_rule_and_changes_it(client_for, clock, alice, bob, team):
    ritual = adopt(team, alice, rule="FREQ=MONTHLY;BYDAY=-1FR")
    client = client_for(alice)
    page = client.get(f"/rituals/{ritual.pk}/").content.decode()
    assert "Monthly on the last Friday at 10:00" in page
    assert checked(page, "repeats") == {"monthly"}
    assert selected(page, "nth") == "-1" and selected(page, "nth_weekday") == "FR"

    response = client.post(
        f"/rituals/{ritual.pk}/",
        {
            "action": "schedule",
            "repeats": "custom",
            "rule": "FREQ=DAILY;BYHOUR=9,17",
            "start_time": "10:00",
        },
    )
    assert shows_errors(response)
    assert "BYHOUR is not supported" in response.content.decode()
    ritual.refresh_from_db()
    assert ritual.rule == "FREQ=MONTHLY;BYDAY=-1FR"

    response = client.post(
        f"/rituals/{ritual.pk}/",
        {
            "action": "schedule",
            "repeats": "weekly",
            "weekdays": ["MO", "WE"],
            "every": "2",
            "start_time": "10:00",
        },
    )
    assert response.status_code == 302
    ritual.refresh_from_db()
    assert ritual.rule == "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE"
    assert (
        "Every 2 weeks on Monday and Wednesday"
        in client.get(f"/rituals/{ritual.pk}/").content.decode()
    )


def test_a_custom_rule_the_builder_cannot_say_stays_custom(client_for, clock, alice, bob, team):
    ritual = adopt(team, alice, rule="FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1")
    page = client_for(alice).get(f"/rituals/{ritual.pk}/").content.decode()
    assert checked(page, "repeats") == {"custom"}
    assert 'value="FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"' in page
    assert "Monthly on the last working day" in page


@pytest.mark.parametrize(
    ("rule", "summary"),
    [
        ("FREQ=WEEKLY;BYDAY=TU,TH", "Every Tuesday and Thursday"),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=FR", "Every 2 weeks on Friday"),
        ("FREQ=MONTHLY;BYDAY=1MO", "Monthly on the first Monday"),
        ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "Every working day"),
        ("FREQ=WEEKLY;INTERVAL=3;BYDAY=MO,TU,WE,TH,FR", "Every 3 weeks, Monday to Friday"),
        ("FREQ=DAILY", "Every day"),
        ("FREQ=DAILY;INTERVAL=3", "Every 3 days"),
        ("FREQ=WEEKLY", "Every week"),
        ("FREQ=WEEKLY;BYDAY=SU,MO,WE", "Every Monday, Wednesday and Sunday"),
        ("FREQ=MONTHLY;INTERVAL=3;BYDAY=1MO,3MO", "Every 3 months on the first and third Monday"),
        ("FREQ=MONTHLY;BYDAY=1MO,-1FR", "Monthly on the first Monday and the last Friday"),
        ("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", "Monthly on the last working day"),
        ("FREQ=MONTHLY;BYMONTHDAY=-1,1,15", "Monthly on the 1st, the 15th and the last day"),
        ("FREQ=MONTHLY;BYMONTHDAY=22;INTERVAL=12", "Every 12 months on the 22nd"),
    ],
)
def test_rules_read_as_words(db, rule, summary):
    assert TeamRitual(rule=rule).schedule_summary == summary


def test_schedule_summary_follows_the_choice_live_for_those_who_see_the_ritual(
    client_for, clock, alice, charlie, team
):
    ritual = adopt(team, alice)
    htmx = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "rule-summary"}
    choice = {"repeats": "monthly", "nth": "-1", "nth_weekday": "TH"}
    response = client_for(alice).get(f"/rituals/{ritual.pk}/", choice, **htmx)
    assert response.status_code == 200
    assert "Monthly on the last Thursday" in response.content.decode()
    assert "FREQ=MONTHLY;BYDAY=-1TH" in response.content.decode()
    assert client_for(charlie).get(f"/rituals/{ritual.pk}/", choice, **htmx).status_code == 404


def test_catalogue_says_each_rhythm_in_words(client_for, clock, alice, team):
    page = client_for(alice).get("/rituals/catalogue/").content.decode()
    assert "30 minutes · Every 2 weeks on Thursday" in page  # show-and-tell
    assert "Monthly on the second Wednesday" in page  # learning lunch
