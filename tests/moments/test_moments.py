"""Micro-moments (moments/services.py): each is opt-in for the person, can be turned
off by HR, and reaches people through the outbox with its caps and quiet hours."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from connection.models import AuditEntry, AwayPeriod, Nudge, OrgSettings, Signal
from connection.nudges import create_nudge, deliver_due_nudges
from mentorship.models import Booking, MentoringSession, OfficeHours
from moments.models import CheckinSuggestion
from moments.services import (
    anniversary_in,
    next_anniversary,
    plan_anniversaries,
    plan_moments,
    prompt_thanks,
    suggest_checkins,
    years_label,
)
from rituals.models import Recognition, ThreadPost
from rituals.services.thread import post_to_thread
from tests.helpers import make_user

UTC = dt.UTC
# A Wednesday, 15:00 UTC: working hours in New York (Alice) and Lisbon (Bob).
WED = dt.datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


@pytest.fixture
def frozen():
    with time_machine.travel(WED, tick=False) as traveller:
        yield traveller


def org(**switches) -> OrgSettings:
    settings_row = OrgSettings.load()
    for name, value in switches.items():
        setattr(settings_row, name, value)
    settings_row.save()
    return settings_row


def moments_for(person, kind="moment"):
    return list(Nudge.objects.filter(recipient=person, kind=kind).order_by("pk"))


def sharing(person, start: dt.date):
    person.start_date = start
    person.share_anniversary = True
    person.save()
    return person


# ---------------------------------------------------------------- anniversaries


def test_an_anniversary_is_marked_only_for_someone_who_chose_to_share_it(frozen, alice, bob):
    bob.start_date = dt.date(2023, 11, 25)
    bob.save()
    plan_moments(WED)
    assert not ThreadPost.objects.exists()
    assert not moments_for(alice)

    sharing(bob, dt.date(2023, 11, 25))
    report = plan_moments(WED)
    post = ThreadPost.objects.get()
    assert (post.author, post.team, post.moment) == (bob, bob.team, "anniversary")
    assert post.status == "My third work anniversary today."
    [note] = moments_for(alice)
    assert note.payload["title"] == "Bob Ferreira’s third work anniversary is today"
    assert (report.anniversary_posts, report.manager_notes) == (1, 1)

    again = plan_moments(WED + dt.timedelta(hours=1))
    assert (again.anniversary_posts, again.manager_notes) == (0, 0)
    assert ThreadPost.objects.count() == 1 and len(moments_for(alice)) == 1


def test_the_manager_hears_a_few_days_before_and_the_thread_on_the_day(frozen, alice, bob):
    sharing(bob, dt.date(2021, 11, 27))  # fifth, on Friday
    plan_anniversaries(WED)
    assert not ThreadPost.objects.exists()
    [note] = moments_for(alice)
    assert note.payload["title"] == "Bob Ferreira’s fifth work anniversary is on Friday"
    assert note.expires_at == WED + dt.timedelta(days=3)

    sharing(bob, dt.date(2021, 12, 2))  # a week away: too early for anything
    Nudge.objects.all().delete()
    plan_anniversaries(WED)
    assert not moments_for(alice) and not ThreadPost.objects.exists()


def test_the_day_is_the_persons_own_calendar_day(db, alice, team):
    # 12:00 UTC on the 24th is already the 25th in Auckland, still the 24th in Lisbon.
    noon = dt.datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    kiwi = sharing(
        make_user(team=team, manager=alice, time_zone="Pacific/Auckland"), dt.date(2025, 11, 25)
    )
    lisboeta = sharing(
        make_user(team=team, manager=alice, time_zone="Europe/Lisbon"), dt.date(2025, 11, 25)
    )
    plan_anniversaries(noon)
    assert list(ThreadPost.objects.values_list("author", flat=True)) == [kiwi.pk]
    assert ThreadPost.objects.get().status == "My first work anniversary today."
    # A set: sorted titles flip order when the made-up names cross a digit (999, 1000).
    titles = [n.payload["title"] for n in moments_for(alice)]
    assert len(titles) == 2 and set(titles) == {
        f"{kiwi.display_name}’s first work anniversary is today",
        f"{lisboeta.display_name}’s first work anniversary is tomorrow",
    }


def test_a_leap_day_start_is_marked_on_the_28th_in_other_years(db, alice, bob):
    assert [years_label(n) for n in (3, 10, 11, 12, 21, 22, 23, 111)] == [
        f"{ordinal} work anniversary"
        for ordinal in ("third", "tenth", "11th", "12th", "21st", "22nd", "23rd", "111th")
    ]
    assert anniversary_in(dt.date(2024, 2, 29), 2027) == dt.date(2027, 2, 28)
    assert anniversary_in(dt.date(2024, 2, 29), 2028) == dt.date(2028, 2, 29)
    assert next_anniversary(dt.date(2026, 11, 25), dt.date(2026, 11, 25)) == dt.date(2027, 11, 25)
    sharing(bob, dt.date(2024, 2, 29))
    plan_anniversaries(dt.datetime(2027, 2, 28, 12, 0, tzinfo=UTC))
    assert ThreadPost.objects.get().status == "My third work anniversary today."


def test_hr_turning_anniversaries_off_stops_them_and_drops_planned_notes(frozen, alice, bob):
    sharing(bob, dt.date(2021, 11, 27))
    plan_moments(WED)
    org(moments_anniversaries=False)
    report = deliver_due_nudges(now=WED)
    [note] = moments_for(alice)
    assert (note.status, note.last_error) == ("skipped", "turned off for the organisation")
    assert report.sent == 0

    Nudge.objects.all().delete()
    assert plan_moments(WED).manager_notes == 0
    assert not Nudge.objects.exists()


def test_a_person_who_stops_sharing_takes_back_the_planned_note(frozen, alice, bob):
    sharing(bob, dt.date(2021, 11, 27))
    plan_moments(WED)
    bob.share_anniversary = False
    bob.save()
    deliver_due_nudges(now=WED)
    [note] = moments_for(alice)
    assert (note.status, note.last_error) == ("skipped", "no longer shared by the person")


def test_a_moment_waits_for_the_managers_working_hours(db, alice, bob):
    # 03:00 UTC is 22:00 in New York: the note waits for Alice's next morning.
    night = dt.datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
    sharing(bob, dt.date(2021, 11, 27))
    with time_machine.travel(night, tick=False):
        plan_moments(night)
        report = deliver_due_nudges(now=night)
    [note] = moments_for(alice)
    assert report.rescheduled == 1 and note.status == "pending"
    assert note.due_at.astimezone(alice.zone).time() == alice.work_start
    with time_machine.travel(note.due_at, tick=False):
        assert deliver_due_nudges(now=note.due_at).sent == 1


def test_a_moment_counts_against_the_weekly_cap(frozen, alice, bob):
    alice.weekly_nudge_cap = 1
    alice.save()
    create_nudge(recipient=alice, kind="ritual_reminder", dedupe_key="before", payload={})
    deliver_due_nudges(now=WED)
    sharing(bob, dt.date(2021, 11, 27))
    plan_moments(WED)
    deliver_due_nudges(now=WED)
    [note] = moments_for(alice)
    assert (note.status, note.last_error) == ("skipped", "weekly limit of 1 reached")


# ---------------------------------------------------------------- wins


def post_win(client, team, **extra):
    data = {"team": team.pk, "status": "Shipped the new on-call rota", **extra}
    return client.post(f"{reverse('ritual_thread')}?team={team.pk}", data)


def test_a_win_is_marked_and_the_manager_hears_of_it(frozen, client_for, alice, bob, team):
    assert post_win(client_for(bob), team, is_win="on").status_code == 302
    post = ThreadPost.objects.get()
    assert post.moment == "win"
    [note] = moments_for(alice)
    assert note.payload["title"] == "Bob Ferreira shared a win"
    assert note.payload["url"].endswith(f"#post-{post.pk}")
    page = client_for(bob).get(f"{reverse('ritual_thread')}?team={team.pk}")
    assert "A win</span>" in page.content.decode()


def test_a_post_not_marked_as_a_win_tells_nobody(frozen, client_for, alice, bob, team):
    post_win(client_for(bob), team)
    assert ThreadPost.objects.get().moment == ""
    assert not moments_for(alice)


def test_with_wins_turned_off_the_box_is_gone_and_a_forged_one_does_nothing(
    frozen, client_for, alice, bob, team
):
    org(moments_wins=False)
    page = client_for(bob).get(f"{reverse('ritual_thread')}?team={team.pk}")
    assert 'name="is_win"' not in page.content.decode()
    post_win(client_for(bob), team, is_win="on")
    assert ThreadPost.objects.get().moment == ""
    assert not moments_for(alice)


# ---------------------------------------------------------------- check-ins


@pytest.fixture
def dan(team, alice):
    return make_user(display_name="Dan Okafor", team=team, manager=alice)


def signal_between(a, b, when):
    source = f"test:{a.pk}:{b.pk}:{when.isoformat()}"
    Signal.objects.create(actor=a, other=b, kind="booked", occurred_at=when, source=source)


def test_a_manager_who_asks_gets_the_person_longest_without_a_moment(frozen, alice, bob, dan):
    signal_between(alice, bob, WED - dt.timedelta(days=30))
    signal_between(dan, alice, WED - dt.timedelta(days=60))
    assert suggest_checkins(WED) == 0  # not asked for

    alice.checkin_suggestions = True
    alice.save()
    assert suggest_checkins(WED) == 1
    [note] = moments_for(alice, "checkin_suggestion")
    assert note.payload["title"] == "A check-in with Dan Okafor?"
    assert "score" not in note.payload["body"].lower()
    assert not Nudge.objects.exclude(recipient=alice).exists()  # Dan never hears of it
    assert CheckinSuggestion.objects.get().person == dan
    assert note.payload["url"] == f"/people/?q={dan.email.replace('@', '%40')}"


def test_one_suggestion_a_week_and_not_the_same_person_again_soon(frozen, alice, bob, dan):
    alice.checkin_suggestions = True
    alice.save()
    suggest_checkins(WED)
    assert suggest_checkins(WED + dt.timedelta(days=2)) == 0  # same week
    next_week = WED + dt.timedelta(days=7)
    assert suggest_checkins(next_week) == 1
    titles = [n.payload["title"] for n in moments_for(alice, "checkin_suggestion")]
    assert titles == ["A check-in with Bob Ferreira?", "A check-in with Dan Okafor?"]


def test_nobody_is_suggested_after_a_recent_moment_or_while_away(frozen, alice, bob, dan):
    alice.checkin_suggestions = True
    alice.save()
    signal_between(bob, alice, WED - dt.timedelta(days=3))
    AwayPeriod.objects.create(person=dan, starts_on=WED.date(), ends_on=WED.date())
    assert suggest_checkins(WED) == 0


def test_a_suggestion_turned_off_before_it_comes_due_is_dropped(frozen, alice, bob):
    alice.checkin_suggestions = True
    alice.save()
    suggest_checkins(WED)
    alice.checkin_suggestions = False
    alice.save()
    deliver_due_nudges(now=WED)
    [note] = moments_for(alice, "checkin_suggestion")
    assert (note.status, note.last_error) == ("skipped", "turned off by the person")


def test_hr_turning_check_ins_off_stops_them(frozen, alice, bob):
    alice.checkin_suggestions = True
    alice.save()
    org(moments_checkins=False)
    assert plan_moments(WED).checkins == 0


# ---------------------------------------------------------------- thanks


@pytest.fixture
def hours(alice):
    return OfficeHours.objects.create(
        host=alice, weekday=3, start_time=dt.time(9), block_minutes=20, time_zone="UTC"
    )


def test_a_reminder_to_thank_the_host_once_the_booking_has_ended(frozen, hours, bob):
    Booking.objects.create(
        office_hours=hours, starts_at=WED - dt.timedelta(minutes=30), booker=bob, topic="Deploys"
    )
    Booking.objects.create(
        office_hours=hours, starts_at=WED - dt.timedelta(minutes=10), booker=bob, topic="Later"
    )
    assert prompt_thanks(WED) == 0  # not asked for
    bob.thanks_prompts = True
    bob.save()
    assert prompt_thanks(WED) == 1  # the second has not ended yet
    [note] = moments_for(bob, "thanks_prompt")
    assert note.payload["title"] == "Say thank you to Alice Moreau?"
    assert "“Deploys”" in note.payload["body"]
    assert prompt_thanks(WED) == 0


def test_no_reminder_for_someone_who_already_said_thanks(frozen, hours, alice, bob):
    bob.thanks_prompts = True
    bob.save()
    booking = Booking.objects.create(
        office_hours=hours, starts_at=WED - dt.timedelta(hours=2), booker=bob, topic="Deploys"
    )
    thanks = Recognition.objects.create(giver=bob, message="Thank you!", created_at=WED)
    thanks.receivers.set([alice])
    assert prompt_thanks(WED) == 0
    thanks.created_at = booking.starts_at - dt.timedelta(days=1)  # thanks for something else
    thanks.save()
    assert prompt_thanks(WED) == 1


def test_a_reminder_to_thank_a_mentor_after_a_confirmed_session(frozen, alice, bob):
    bob.thanks_prompts = True
    bob.save()
    for status in ("confirmed", "pending"):
        MentoringSession.objects.create(
            mentor=alice, mentee=bob, held_on=WED.date(), minutes=30, status=status
        )
    assert prompt_thanks(WED) == 1
    [note] = moments_for(bob, "thanks_prompt")
    assert note.payload["body"].startswith("You had a session with Alice on Wednesday.")
    bob.thanks_prompts = False
    bob.save()
    deliver_due_nudges(now=WED)
    note.refresh_from_db()
    assert (note.status, note.last_error) == ("skipped", "turned off by the person")


# ---------------------------------------------------------------- choosing


def test_people_turn_moments_on_in_their_profile(frozen, client_for, alice, bob):
    page = client_for(bob).get(reverse("profile")).content.decode()
    assert 'name="share_anniversary"' in page and 'name="thanks_prompts"' in page
    assert 'name="checkin_suggestions"' not in page  # a manager's choice
    assert (
        'name="checkin_suggestions"' in client_for(alice).get(reverse("profile")).content.decode()
    )

    form = {
        "display_name": bob.display_name,
        "time_zone": bob.time_zone,
        "work_start": "09:00",
        "work_end": "17:00",
        "working_days": ["1", "2", "3", "4", "5"],
        "share_anniversary": "on",
    }
    assert client_for(bob).post(reverse("profile"), form).status_code == 302
    bob.refresh_from_db()
    assert (bob.share_anniversary, bob.thanks_prompts) == (True, False)

    org(moments_anniversaries=False)
    form.pop("share_anniversary")
    client_for(bob).post(reverse("profile"), form)
    bob.refresh_from_db()
    assert bob.share_anniversary  # kept for when HR turns it back on
    assert (
        'name="share_anniversary"' not in client_for(bob).get(reverse("profile")).content.decode()
    )


def test_hr_turns_moments_off_for_everyone_and_it_is_audited(frozen, client_for, hana, bob):
    data = {"action": "moments", "moments_anniversaries": "on", "moments_wins": "on"}
    assert client_for(bob).post(reverse("nudge_outbox"), data).status_code == 403
    assert client_for(hana).post(reverse("nudge_outbox"), data).status_code == 302
    settings_row = OrgSettings.load()
    assert (settings_row.moments_checkins, settings_row.moments_thanks) == (False, False)
    assert settings_row.moments_anniversaries and settings_row.moments_wins
    assert AuditEntry.objects.filter(action=AuditEntry.Action.MOMENTS, actor=hana).exists()


# ---------------------------------------------------------------- every moment's message


def win_note(now, alice, bob, team):
    post_to_thread(author=bob, team=team, status="Shipped it", is_win=True)
    return alice


def checkin_note(now, alice, bob, team):
    alice.checkin_suggestions = True
    alice.save()
    suggest_checkins(now)
    return alice


def thanks_note(now, alice, bob, team):
    bob.thanks_prompts = True
    bob.save()
    hours = OfficeHours.objects.create(
        host=alice, weekday=3, start_time=dt.time(9), time_zone="UTC"
    )
    Booking.objects.create(
        office_hours=hours, starts_at=now - dt.timedelta(hours=1), booker=bob, topic="Deploys"
    )
    prompt_thanks(now)
    return bob


MOMENTS = [win_note, checkin_note, thanks_note]


@pytest.mark.parametrize("make", MOMENTS, ids=lambda make: make.__name__)
def test_each_moment_waits_for_working_hours(db, alice, bob, team, make):
    night = dt.datetime(2026, 11, 25, 3, 0, tzinfo=UTC)  # 22:00 in New York, 03:00 in Lisbon
    with time_machine.travel(night, tick=False):
        recipient = make(night, alice, bob, team)
        report = deliver_due_nudges(now=night)
    note = Nudge.objects.get(recipient=recipient)
    assert (report.sent, report.rescheduled, note.status) == (0, 1, "pending")
    assert note.due_at.astimezone(recipient.zone).time() == recipient.work_start
    with time_machine.travel(note.due_at, tick=False):
        assert deliver_due_nudges(now=note.due_at).sent == 1


@pytest.mark.parametrize("make", MOMENTS, ids=lambda make: make.__name__)
def test_each_moment_counts_against_the_weekly_cap(frozen, alice, bob, team, make):
    for person in (alice, bob):
        person.weekly_nudge_cap = 1
        person.save()
        create_nudge(
            recipient=person, kind="ritual_reminder", dedupe_key=f"{person.pk}", payload={}
        )
    assert deliver_due_nudges(now=WED).sent == 2
    recipient = make(WED, alice, bob, team)
    deliver_due_nudges(now=WED)
    note = Nudge.objects.exclude(kind="ritual_reminder").get(recipient=recipient)
    assert (note.status, note.last_error) == ("skipped", "weekly limit of 1 reached")


def test_the_reminder_opens_the_thank_you_with_the_helper_filled_in(
    frozen, client_for, hours, alice, bob
):
    bob.thanks_prompts = True
    bob.save()
    Booking.objects.create(
        office_hours=hours, starts_at=WED - dt.timedelta(hours=1), booker=bob, topic="Deploys"
    )
    prompt_thanks(WED)
    [note] = moments_for(bob, "thanks_prompt")
    page = client_for(bob).get(note.payload["url"]).content.decode()
    assert f'value="{alice.pk}" selected' in page or f'value="{alice.pk}" checked' in page
    plain = client_for(bob).get(reverse("recognition")).content.decode()
    assert (
        f'value="{alice.pk}" selected' not in plain and f'value="{alice.pk}" checked' not in plain
    )
    assert client_for(bob).get(reverse("recognition") + "?to=nobody").status_code == 400
