"""The 30-day pilot (insights/pilots.py): HR starts it, time moves through it, and the
report says before and after against comparable teams, through the views."""

import datetime as dt
import io
import math
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from connection.models import AuditEntry, Nudge
from insights.models import Pilot, TeamWeek
from insights.pilots import send_pilot_reports
from pulse.models import Round
from rituals import reference as rituals_reference
from rituals.models import Attendance, Occurrence, RitualTemplate, TeamRitual
from tests.helpers import make_team, make_user

pytestmark = pytest.mark.django_db

START = dt.date(2026, 11, 2)  # a Monday
PLANNED = dt.datetime(2026, 10, 29, 9, 0, tzinfo=dt.UTC)  # the Thursday before
OVER = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)  # the day after its 30 days
BEFORE_WEEKS = [START - dt.timedelta(weeks=i) for i in range(8, 0, -1)]
DURING_WEEKS = [START + dt.timedelta(weeks=i) for i in range(1, 5)]


@pytest.fixture
def templates():
    rituals_reference.ensure_reference_data()
    return list(RitualTemplate.objects.filter(active=True).order_by("position")[:2])


@pytest.fixture
def clock():
    with time_machine.travel(PLANNED, tick=False) as traveller:
        yield traveller


def _weeks(team, *, before: float, during: float, members: int = 8, hide=()):
    for j, week in enumerate(BEFORE_WEEKS + DURING_WEEKS):
        wobble = ((team.pk * 7 + j * 3) % 5) - 2  # deterministic noise of ±2 points
        score = (before if week < START else during) + wobble
        TeamWeek.objects.create(
            team=team,
            week=week,
            members=members,
            people_shown=members >= 5,
            round_number=j + 1,
            respondents=None if week in hide else 6,
            score=None if week in hide else score,
            active_members=members // 2 if week < START else members - 2,
        )


def _org(pilot_teams: int = 3, *, effect: float = 12.0, scored=True):
    """`pilot_teams` leaf teams and six comparison teams; the pilot teams gain
    `effect` points during the pilot when `scored`."""
    pilot = [make_team(name=f"Pilot {i}") for i in range(pilot_teams)]
    others = [make_team(name=f"Other {i}") for i in range(6)]
    if scored:
        for team in pilot:
            _weeks(team, before=60, during=60 + effect)
        for team in others:
            _weeks(team, before=62, during=62)
    return pilot, others


def _start(client, teams, templates, change=None):
    data = {
        "name": "Autumn pilot",
        "teams": [t.pk for t in teams],
        "templates": [t.pk for t in templates],
        "starts_on": START.isoformat(),
        **(change or {}),
    }
    return client.post("/insights/pilots/", data)


def half_up(value: float) -> int:
    """As the page rounds a figure to whole points."""
    return math.floor(value + 0.5)


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_hr_starts_a_pilot_that_adopts_each_ritual_in_each_team(client_for, clock, hana, templates):
    pilot_teams, _ = _org()
    client = client_for(hana)
    response = _start(client, pilot_teams, templates)
    pilot = Pilot.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/insights/pilots/{pilot.pk}/"
    assert pilot.ends_on == START + dt.timedelta(days=30)
    rituals = TeamRitual.objects.filter(pilots=pilot)
    assert sorted((r.team.name, r.template_id) for r in rituals) == sorted(
        (t.name, template.pk) for t in pilot_teams for template in templates
    )
    assert {r.review_on for r in rituals} == {pilot.ends_on}
    assert {r.starts_on for r in rituals} == {START}
    # Each ritual runs with its reminders, as any adoption.
    assert Occurrence.objects.filter(ritual__in=rituals).exists()
    # The teams have scored rounds in the last weeks: that is the baseline, no new round.
    assert pilot.first_round is None and not Round.objects.exists()
    entry = AuditEntry.objects.get(action=AuditEntry.Action.PILOT_STARTED)
    assert entry.actor == hana and entry.detail["teams"] == ["Pilot 0", "Pilot 1", "Pilot 2"]
    listing = _text(client.get("/insights/pilots/"))
    assert "Autumn pilot" in listing and "Planned" in listing


def test_teams_without_a_recent_round_get_a_first_round_as_their_baseline(
    client_for, clock, hana, templates
):
    pilot_teams, _ = _org(scored=False)
    make_user(team=pilot_teams[0])  # someone to ask
    response = _start(client_for(hana), pilot_teams, templates[:1])
    pilot = Pilot.objects.get()
    assert response.status_code == 302
    assert pilot.first_round == Round.objects.get()
    assert pilot.first_round.is_open_at(PLANNED)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"starts_on": "2026-10-01"}, "A pilot starts between today and 60 days from now."),
        ({"templates": "__four__"}, "Choose at most 3 rituals."),
        ({"teams": "__parent__"}, "Choose teams without sub-teams from the list."),
        ({"teams": "__running__"}, "Pilot 0 already runs"),
        ({"teams": "abc"}, "“abc” is not a valid value."),
        ({"name": ""}, "This field is required."),
    ],
)
def test_a_pilot_that_cannot_run_is_refused_with_nothing_written(
    client_for, clock, hana, templates, change, message
):
    pilot_teams, _ = _org()
    if change.get("templates") == "__four__":
        change["templates"] = list(
            RitualTemplate.objects.filter(active=True).values_list("pk", flat=True)[:4]
        )
    if change.get("teams") == "__parent__":
        change.pop("teams")
        make_team(name="Child", parent=pilot_teams[0])
    if change.get("teams") == "__running__":
        change.pop("teams")
        TeamRitual.objects.create(
            team=pilot_teams[0],
            template=templates[0],
            name="Already",
            format=templates[0].format,
            rule=templates[0].default_rule,
            start_time=dt.time(10),
            time_zone="UTC",
            duration=30,
            hypothesis="-",
            review_on=START,
        )
    rituals = TeamRitual.objects.count()
    response = _start(client_for(hana), pilot_teams, templates, change)
    assert response.status_code == 200  # the form again, with its message
    assert message in response.content.decode().replace("&quot;", "“").replace("&#x27;", "'")
    assert not Pilot.objects.exists() and TeamRitual.objects.count() == rituals
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.PILOT_STARTED).exists()


def _started(client, teams, templates):
    assert _start(client, teams, templates).status_code == 302
    return Pilot.objects.get()


def _attend(pilot, *, worth: int):
    """Each team's five people come to every past session of its ritual; `worth` of
    them find it worth it."""
    people = {team.pk: [make_user(team=team) for _ in range(5)] for team in pilot.teams.all()}
    for occurrence in Occurrence.objects.filter(
        ritual__pilots=pilot, starts_at__lt=OVER
    ).select_related("ritual"):
        for i, person in enumerate(people[occurrence.ritual.team_id]):
            Attendance.objects.create(
                occurrence=occurrence, person=person, attended=True, worth_it=i < worth
            )


def test_after_the_pilot_the_report_compares_each_team_with_comparable_teams(
    client_for, clock, hana, templates
):
    pilot_teams, others = _org(effect=12)
    client = client_for(hana)
    pilot = _started(client, pilot_teams, templates[:1])
    clock.move_to(OVER)
    client = client_for(hana)  # signed in again: a month has passed
    _attend(pilot, worth=4)

    page = _text(client.get(f"/insights/pilots/{pilot.pk}/"))
    assert "It is over." in page and "Helps" in page
    # Before and during, each from the published weekly scores only.
    for team in pilot_teams:
        weeks = TeamWeek.objects.filter(team=team)
        before = [w.score for w in weeks if BEFORE_WEEKS[-4] <= w.week < START]
        # The round of 30 November ran before the pilot's end on 2 December.
        during = [w.score for w in weeks if w.week in DURING_WEEKS]
        row = re.search(rf"{team.name} (\S+) \(4 rounds\) (\S+) \(4 rounds\)", page)
        assert row, page
        assert float(row[1]) == half_up(sum(before) / 4)
        assert float(row[2]) == half_up(sum(during) / 4)
    assert "Comparable teams: 6 teams" in page
    assert "What to do: Roll it out to more teams" in page
    assert "Came, across the pilot’s sessions 100%" in page
    assert "“Worth it” taps 80% of 60" in page  # 4 of 5, at 4 sessions in 3 teams

    pdf = client.get(f"/insights/pilots/{pilot.pk}/report.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Pilot report: Autumn pilot" in text and "Helps" in text
    assert "Pilot 0" in text and "Roll it out to more teams" in text


def test_a_pilot_of_two_teams_is_too_small_to_tell(client_for, clock, hana, templates):
    pilot_teams, _ = _org(2, effect=12)
    client = client_for(hana)
    pilot = _started(client, pilot_teams, templates[:1])
    clock.move_to(OVER)
    client = client_for(hana)  # signed in again: a month has passed
    page = _text(client.get(f"/insights/pilots/{pilot.pk}/"))
    assert "Too small to tell" in page
    assert "With 2 teams in the pilot, a change can't be told from chance" in page.replace(
        "&#x27;", "'"
    )
    assert "points on the connection score beyond comparable teams" not in page


def test_no_effect_is_no_clear_effect(client_for, clock, hana, templates):
    pilot_teams, _ = _org(4, effect=0)
    client = client_for(hana)
    pilot = _started(client, pilot_teams, templates[:1])
    clock.move_to(OVER)
    client = client_for(hana)  # signed in again: a month has passed
    page = _text(client.get(f"/insights/pilots/{pilot.pk}/"))
    assert "No clear effect" in page and "Helps" not in page


def test_a_round_whose_figure_is_hidden_stays_hidden_in_the_report(
    client_for, clock, hana, templates
):
    """The report shows only what the dashboards publish: a withheld round is left out
    of the team's mean, and a team under k people shows no activity share."""
    pilot_teams, _ = _org(3)
    small = make_team(name="Pilot small")
    _weeks(small, before=50, during=70, members=4, hide={BEFORE_WEEKS[-1], DURING_WEEKS[0]})
    client = client_for(hana)
    pilot = _started(client, [*pilot_teams, small], templates[:1])
    clock.move_to(OVER)
    client = client_for(hana)  # signed in again: a month has passed
    page = _text(client.get(f"/insights/pilots/{pilot.pk}/"))
    shown = TeamWeek.objects.filter(team=small, score__isnull=False)
    # The last four rounds before the start, of which the team's last is withheld.
    before = [w.score for w in shown if BEFORE_WEEKS[-4] <= w.week < START]
    row = re.search(
        r"Pilot small (\S+) \((\d) rounds\) (\S+) \((\d) rounds\) \S+ \S+ (\S+) (\S+)", page
    )
    assert row, page
    assert row[2] == "3" and float(row[1]) == half_up(sum(before) / 3)
    assert row[4] == "3"  # of the pilot's four rounds
    assert (row[5], row[6]) == ("–", "–")  # 4 people: no activity share


def test_extending_moves_the_end_and_the_reviews(client_for, clock, hana, templates):
    pilot_teams, _ = _org()
    client = client_for(hana)
    pilot = _started(client, pilot_teams, templates[:1])
    response = client.post(f"/insights/pilots/{pilot.pk}/extend/", {"weeks": "2"})
    assert response.status_code == 302
    pilot.refresh_from_db()
    assert pilot.ends_on == START + dt.timedelta(days=44)
    assert set(TeamRitual.objects.filter(pilots=pilot).values_list("review_on", flat=True)) == {
        pilot.ends_on
    }
    refused = client.post(f"/insights/pilots/{pilot.pk}/extend/", {"weeks": "52"})
    assert refused.status_code == 400
    pilot.refresh_from_db()
    assert pilot.ends_on == START + dt.timedelta(days=44)


def test_rolling_out_adopts_the_rituals_in_more_teams_in_one_step(
    client_for, clock, hana, templates
):
    pilot_teams, others = _org()
    client = client_for(hana)
    pilot = _started(client, pilot_teams, templates)
    clock.move_to(OVER)
    client = client_for(hana)  # signed in again: a month has passed
    response = client.post(f"/insights/pilots/{pilot.pk}/roll-out/", {"teams": [others[0].pk]})
    assert response.status_code == 302
    adopted = TeamRitual.objects.filter(team=others[0])
    assert {r.template_id for r in adopted} == {t.pk for t in templates}
    assert {r.starts_on for r in adopted} == {OVER.date()}
    assert list(pilot.rolled_out_to.all()) == [others[0]]
    page = _text(client.get(f"/insights/pilots/{pilot.pk}/"))
    assert "Rolled out since to Other 0" in page
    # A team of the pilot, or one already running them: refused, nothing adopted.
    for team in (pilot_teams[0], others[0]):
        before = TeamRitual.objects.count()
        refused = client.post(f"/insights/pilots/{pilot.pk}/roll-out/", {"teams": [team.pk]})
        assert refused.status_code == 400 and TeamRitual.objects.count() == before


def test_whoever_started_it_is_told_once_when_the_report_is_ready(
    client_for, clock, hana, templates
):
    pilot_teams, _ = _org()
    pilot = _started(client_for(hana), pilot_teams, templates[:1])
    assert send_pilot_reports() == 0  # not over yet
    clock.move_to(OVER)
    assert send_pilot_reports() == 1
    assert send_pilot_reports() == 0
    nudge = Nudge.objects.get(kind="pilot_report")
    assert nudge.recipient == hana and nudge.payload["url"] == f"/insights/pilots/{pilot.pk}/"


def test_pilots_are_for_hr_admins(client_for, clock, hana, alice, templates):
    pilot_teams, _ = _org()
    pilot = _started(client_for(hana), pilot_teams, templates[:1])
    client = client_for(alice)
    for url in (
        "/insights/pilots/",
        f"/insights/pilots/{pilot.pk}/",
        f"/insights/pilots/{pilot.pk}/report.pdf",
    ):
        assert client.get(url).status_code == 403
    assert client.post(f"/insights/pilots/{pilot.pk}/extend/", {"weeks": "2"}).status_code == 403
    assert client_for(hana).get("/insights/pilots/999999/").status_code == 404


def test_the_pilot_pages_cost_the_same_queries_for_a_bigger_org(client_for, clock, hana, templates):
    """The list and the report run a fixed number of queries, however many teams and
    pilots the organisation has (the house's bound is 15)."""
    pilot_teams, _ = _org()
    client = client_for(hana)
    pilot = _started(client, pilot_teams, templates[:1])
    clock.move_to(OVER)
    client = client_for(hana)
    urls = ["/insights/pilots/", f"/insights/pilots/{pilot.pk}/"]
    for url in urls:  # the first views make the settings rows
        client.get(url)
    counts = []
    for _ in range(2):
        seen = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            seen.append(len(queries))
        counts.append(seen)
        for i in range(8):  # a bigger org: more comparison teams, more pilots
            _weeks(make_team(name=f"More {len(counts)}-{i}"), before=61, during=61)
            Pilot.objects.create(
                name=f"Old {len(counts)}-{i}", starts_on=START, ends_on=OVER.date()
            ).teams.set(pilot_teams)
    assert counts[0] == counts[1], counts
    assert max(counts[0]) <= 15, counts
