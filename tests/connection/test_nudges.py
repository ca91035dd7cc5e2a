import datetime as dt
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from django.core import mail
from django.db import connection, transaction
from django.test import Client

from connection import nudge_channels, nudge_claims, nudges
from connection.models import AwayPeriod, Nudge, OrgSettings, Team, User
from connection.nudges import create_nudge, deliver_due_nudges
from connection.working_hours import next_working_start
from tests.helpers import make_team, make_user, shows_errors

UTC = dt.UTC
WEDNESDAY_10_UTC = dt.datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def nudge_for(person, key="k1", kind="ritual_reminder", **extra):
    payload = extra.pop("payload", {"title": f"Reminder {key}", "url": "/"})
    return create_nudge(recipient=person, kind=kind, dedupe_key=key, payload=payload, **extra)


@pytest.fixture
def frozen():
    with time_machine.travel(WEDNESDAY_10_UTC, tick=False) as traveller:
        yield traveller


# ---------------------------------------------------------------- outbox


def test_same_dedupe_key_is_a_no_op(db, frozen):
    person = make_user()
    assert nudge_for(person, key="pulse:7:person") is not None
    assert nudge_for(person, key="pulse:7:person") is None
    assert Nudge.objects.count() == 1


def test_a_duplicate_does_not_spoil_the_callers_transaction(db, frozen):
    person = make_user()
    nudge_for(person, key="same")
    with transaction.atomic():
        assert nudge_for(person, key="same") is None
        person.display_name = "Still saved"
        person.save(update_fields=["display_name"])
    assert User.objects.get(pk=person.pk).display_name == "Still saved"


def test_nudge_written_with_a_domain_change_vanishes_when_it_rolls_back(db, frozen):
    person = make_user()
    with pytest.raises(RuntimeError), transaction.atomic():
        nudge_for(person)
        raise RuntimeError("the domain write failed")
    assert not Nudge.objects.exists()


def test_unknown_kind_is_refused(db):
    with pytest.raises(ValueError, match="Unknown nudge kind"):
        nudge_for(make_user(), kind="spam")


def test_running_the_tick_twice_sends_once(db, frozen):
    nudge_for(make_user(email="lisbon@example.com"))
    first = deliver_due_nudges()
    second = deliver_due_nudges()
    assert (first.sent, second.claimed) == (1, 0)
    assert len(mail.outbox) == 1
    assert Nudge.objects.get().status == Nudge.Status.SENT


def test_the_link_says_what_the_person_goes_to_do(db, frozen):
    nudge_for(make_user(), key="invite", kind="pulse_invite")
    nudge_for(make_user(), key="reminder", kind="ritual_reminder")
    deliver_due_nudges()
    links = sorted(
        re.search(r'font-weight:600;">([^<]+)</a>', m.alternatives[0][0]).group(1)
        for m in mail.outbox
    )
    assert links == ["Answer the pulse", "Open in Hearth"]


def test_crash_between_claim_and_send_delivers_exactly_once(db, frozen):
    nudge_for(make_user())
    claimed = nudge_claims.claim_due(WEDNESDAY_10_UTC, batch_size=10)  # the worker dies here
    assert [n.status for n in claimed] == ["sending"]
    assert deliver_due_nudges().claimed == 0  # another worker leaves the live claim alone
    frozen.shift(dt.timedelta(minutes=31))
    report = deliver_due_nudges()
    assert report.sent == 1
    assert len(mail.outbox) == 1
    assert deliver_due_nudges().claimed == 0
    assert len(mail.outbox) == 1


def test_worker_down_means_nudges_wait_and_then_go_once(db, frozen):
    person = make_user()
    for i in range(3):
        nudge_for(person, key=f"k{i}", kind="booking")
    # Nothing delivers for an hour: the rows wait in the database.
    frozen.shift(dt.timedelta(hours=1))
    assert Nudge.objects.filter(status="pending").count() == 3
    deliver_due_nudges()
    deliver_due_nudges()
    assert len(mail.outbox) == 3


# ---------------------------------------------------------------- when


def test_quiet_hours_in_three_zones(db, frozen):
    lisbon = make_user(time_zone="Europe/Lisbon")  # 10:00, working
    kolkata = make_user(time_zone="Asia/Kolkata")  # 15:30, working
    new_york = make_user(time_zone="America/New_York")  # 05:00, asleep
    for person in (lisbon, kolkata, new_york):
        nudge_for(person, key=f"k{person.pk}")
    report = deliver_due_nudges()
    assert (report.sent, report.rescheduled) == (2, 1)
    waiting = Nudge.objects.get(recipient=new_york)
    assert waiting.status == "pending"
    assert waiting.due_at == at(2026, 11, 25, 14, 0)  # 09:00 in New York
    frozen.move_to(at(2026, 11, 25, 14, 0))
    assert deliver_due_nudges().sent == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        p.email for p in (lisbon, kolkata, new_york)
    )


def test_morning_means_the_next_working_days_start(db, frozen):
    berlin = make_user(time_zone="Europe/Berlin")
    nudge = nudge_for(berlin, when="morning")
    assert nudge.due_at == at(2026, 11, 26, 8, 0)  # Thursday 09:00 in Berlin


def test_morning_on_friday_evening_lands_on_monday(db):
    person = make_user(time_zone="Asia/Kolkata")
    friday_evening = at(2026, 11, 27, 14, 0)  # 19:30 in Kolkata
    assert next_working_start(person, friday_evening, strictly_new_day=True) == at(
        2026, 11, 30, 3, 30
    )


def test_nothing_on_days_off(db):
    person = make_user(time_zone="Europe/Lisbon", working_days="1234")  # no Fridays
    with time_machine.travel(at(2026, 11, 27, 10, 0), tick=False):  # Friday
        nudge_for(person)
        report = deliver_due_nudges()
    assert report.rescheduled == 1
    assert Nudge.objects.get().due_at == at(2026, 11, 30, 9, 0)  # Monday 09:00


@pytest.mark.parametrize(
    ("zone", "friday_before", "monday_after", "expected_utc"),
    [
        # Europe switches to summer time on Sunday 29 March 2026.
        ("Europe/Berlin", at(2026, 3, 27, 17, 0), at(2026, 3, 30, 7, 0), 7),
        # The United States switch on Sunday 8 March 2026.
        ("America/New_York", at(2026, 3, 6, 23, 0), at(2026, 3, 9, 13, 0), 13),
    ],
)
def test_morning_across_a_daylight_saving_switch(
    db, zone, friday_before, monday_after, expected_utc
):
    person = make_user(time_zone=zone)
    with time_machine.travel(friday_before, tick=False):
        nudge = nudge_for(person, when="morning")
    # 09:00 local on Monday, one hour earlier in UTC than the Friday before.
    assert nudge.due_at == monday_after
    assert nudge.due_at.hour == expected_utc
    with time_machine.travel(monday_after, tick=False):
        assert deliver_due_nudges().sent == 1


def test_expired_nudge_is_skipped_not_sent_late(db, frozen):
    person = make_user(time_zone="America/New_York")  # asleep until 14:00 UTC
    nudge_for(person, expires_at=at(2026, 11, 25, 12, 0))
    deliver_due_nudges()
    nudge = Nudge.objects.get()
    assert (nudge.status, nudge.last_error) == ("skipped", "no working hours before it expired")


# ---------------------------------------------------------------- how many


def test_weekly_cap_skips_lower_priority_but_not_bookings(db, frozen):
    person = make_user(weekly_nudge_cap=2)
    for i in range(3):
        nudge_for(person, key=f"ritual{i}")
    nudge_for(person, key="booking", kind="booking")
    deliver_due_nudges()
    statuses = dict(Nudge.objects.values_list("dedupe_key", "status"))
    assert statuses == {
        "ritual0": "sent",
        "ritual1": "sent",
        "ritual2": "skipped",
        "booking": "sent",
    }
    assert Nudge.objects.get(dedupe_key="ritual2").last_error == "weekly limit of 2 reached"


def test_org_ceiling_lowers_everyones_cap(db, frozen):
    OrgSettings.objects.update_or_create(pk=1, defaults={"nudge_weekly_ceiling": 1})
    person = make_user(weekly_nudge_cap=5)
    nudge_for(person, key="a")
    nudge_for(person, key="b")
    report = deliver_due_nudges()
    assert (report.sent, report.skipped) == (1, 1)


def test_cap_counts_the_last_seven_days(db, frozen):
    person = make_user(weekly_nudge_cap=1)
    nudge_for(person, key="monday")
    deliver_due_nudges()
    frozen.shift(dt.timedelta(days=7, minutes=1))
    nudge_for(person, key="next week")
    assert deliver_due_nudges().sent == 1


def test_snooze_skips_and_nothing_waits_for_the_return(db, frozen):
    person = make_user(snoozed_until=at(2026, 12, 2, 0, 0))
    nudge_for(person)
    report = deliver_due_nudges()
    assert report.reasons == {"snoozed": 1}
    frozen.move_to(at(2026, 12, 2, 10, 0))
    assert deliver_due_nudges().claimed == 0
    assert mail.outbox == []


def test_away_days_hold_everything(db, frozen):
    person = make_user()
    AwayPeriod.objects.create(
        person=person, starts_on=dt.date(2026, 11, 23), ends_on=dt.date(2026, 11, 27)
    )
    nudge_for(person)
    assert deliver_due_nudges().reasons == {"away": 1}
    assert mail.outbox == []


def test_morning_nudge_skips_over_days_away(db, frozen):
    person = make_user(time_zone="Europe/Lisbon")
    AwayPeriod.objects.create(
        person=person, starts_on=dt.date(2026, 11, 26), ends_on=dt.date(2026, 11, 30)
    )
    assert nudge_for(person, when="morning").due_at == at(2026, 12, 1, 9, 0)


def test_turned_off_kind_is_skipped(client_for, bob, frozen):
    client_for(bob).post(
        "/nudges/preferences/",
        {
            "nudge_channel": "email",
            "weekly_nudge_cap": 5,
            "enabled_kinds": ["pulse_invite", "booking"],
        },
    )
    bob.refresh_from_db()
    assert "ritual_reminder" in bob.muted_nudge_kinds
    nudge_for(bob)
    nudge_for(bob, key="b", kind="booking")
    deliver_due_nudges()
    assert dict(Nudge.objects.values_list("kind", "status")) == {
        "ritual_reminder": "skipped",
        "booking": "sent",
    }


# ---------------------------------------------------------------- digest


def test_low_priority_nudges_of_one_day_become_one_digest(db, frozen):
    person = make_user()
    for i in range(3):
        nudge_for(
            person, key=f"thanks{i}", kind="recognition", payload={"title": f"Kudos number {i}"}
        )
    # Due later today: still part of today's digest.
    nudge_for(
        person,
        key="later",
        kind="thread_activity",
        due_at=at(2026, 11, 25, 16, 0),
        payload={"title": "A reply"},
    )
    nudge_for(
        person,
        key="tomorrow",
        kind="recognition",
        due_at=at(2026, 11, 26, 10, 0),
        payload={"title": "Tomorrow's"},
    )
    report = deliver_due_nudges()
    assert (report.sent, report.messages) == (4, 1)
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert all(f"Kudos number {i}" in body for i in range(3)) and "A reply" in body
    assert "Tomorrow's" not in body
    assert mail.outbox[0].subject == "4 small things from Hearth today"
    assert Nudge.objects.get(dedupe_key="tomorrow").status == "pending"


def test_a_muted_kind_never_rides_along_in_a_digest(db, frozen):
    person = make_user(muted_nudge_kinds=["thread_activity"])
    nudge_for(person, key="kudos", kind="recognition", payload={"title": "Kudos"})
    nudge_for(
        person,
        key="reply",
        kind="thread_activity",
        payload={"title": "A reply"},
        due_at=at(2026, 11, 25, 16, 0),
    )
    deliver_due_nudges()
    assert "A reply" not in mail.outbox[0].body
    frozen.move_to(at(2026, 11, 25, 16, 0))
    deliver_due_nudges()
    assert Nudge.objects.get(dedupe_key="reply").status == "skipped"
    assert len(mail.outbox) == 1


def test_a_digest_counts_once_against_the_cap(db, frozen):
    person = make_user(weekly_nudge_cap=2)
    for i in range(4):
        nudge_for(person, key=f"low{i}", kind="recognition")
    nudge_for(person, key="normal")
    report = deliver_due_nudges()
    assert (report.messages, report.skipped) == (2, 0)


# ---------------------------------------------------------------- channels


def test_email_has_text_html_why_and_one_click_stop(db, frozen):
    person = make_user(display_name="Bob Ferreira")
    nudge_for(
        person, payload={"title": "Co-working at 15:00", "body": "Bring a coffee.", "url": "/"}
    )
    deliver_due_nudges()
    message = mail.outbox[0]
    assert message.subject == "Co-working at 15:00"
    assert "Bring a coffee." in message.body
    assert "You get this because you take part in this team ritual." in message.body
    html, mime = message.alternatives[0]
    assert mime == "text/html" and "Bring a coffee." in html
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_unsubscribe_link_works_logged_out_with_one_button(client, db, frozen):
    person = make_user()
    nudge_for(person)
    deliver_due_nudges()
    link = re.search(r"http://\S+/nudges/unsubscribe/\S+/", mail.outbox[0].body).group(0)
    path = link.split("8000", 1)[1] if "8000" in link else link
    asked = client.get(path)  # what a mail scanner following the link does
    assert asked.status_code == 200
    assert "Stop ritual reminders?" in asked.content.decode()
    assert f'<form method="post" action="{path}">' in asked.content.decode()
    person.refresh_from_db()
    assert person.muted_nudge_kinds == []
    response = client.post(path, {"action": "unsubscribe"})
    assert response.status_code == 200
    assert "no more ritual reminders" in response.content.decode()
    person.refresh_from_db()
    assert person.muted_nudge_kinds == ["ritual_reminder"]
    nudge_for(person, key="next")
    assert deliver_due_nudges().skipped == 1


def test_one_click_unsubscribe_from_the_mail_client_works_without_a_csrf_token(db, frozen):
    person = make_user()
    nudge_for(person)
    deliver_due_nudges()
    header = mail.outbox[0].extra_headers
    assert header["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = header["List-Unsubscribe"].strip("<>")
    path = url.split("8000", 1)[1] if "8000" in url else url
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    person.refresh_from_db()
    assert person.muted_nudge_kinds == ["ritual_reminder"]


def test_unsubscribe_can_be_undone_and_refuses_forged_tokens(client, db):
    person = make_user()
    token = nudges.unsubscribe_token(person, "pulse_invite")
    client.post(f"/nudges/unsubscribe/{token}/")
    client.post(f"/nudges/unsubscribe/{token}/", {"action": "undo"})
    person.refresh_from_db()
    assert person.muted_nudge_kinds == []
    forged = token[:-3] + "abc"
    assert client.get(f"/nudges/unsubscribe/{forged}/").status_code == 400


def test_in_app_nudges_fill_the_notification_list(client_for, bob, frozen):
    bob.nudge_channel = "in_app"
    bob.save(update_fields=["nudge_channel"])
    nudge_for(bob, payload={"title": "Your buddy is Nia", "url": "/people/"})
    deliver_due_nudges()
    assert mail.outbox == []
    client = client_for(bob)
    page = client.get("/").content.decode()
    assert "1 unread" in page
    menu = client.get("/notifications/?menu=1", HTTP_HX_REQUEST="true").content.decode()
    assert "Your buddy is Nia" in menu and "<html" not in menu
    nudge = Nudge.objects.get()
    assert client.get(f"/notifications/{nudge.pk}/").url == "/people/"
    nudge.refresh_from_db()
    assert nudge.read_at is not None


def test_mark_all_read(client_for, bob, frozen):
    bob.nudge_channel = "in_app"
    bob.save(update_fields=["nudge_channel"])
    for i in range(2):
        nudge_for(bob, key=f"k{i}")
    deliver_due_nudges()
    response = client_for(bob).post("/notifications/read/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert not Nudge.objects.filter(read_at__isnull=True).exists()


def test_someone_elses_notification_is_not_found(client_for, bob, charlie, frozen):
    charlie.nudge_channel = "in_app"
    charlie.save(update_fields=["nudge_channel"])
    nudge = nudge_for(charlie)
    deliver_due_nudges()
    assert client_for(bob).get(f"/notifications/{nudge.pk}/").status_code == 404


class Hook:
    """A local webhook: records JSON bodies, answers with `status` after `delay`."""

    def __init__(self, status=200, delay=0.0, location=None):
        self.bodies, self.status, self.delay = [], status, delay
        self.requests = 0
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                hook.requests += 1
                length = int(self.headers["Content-Length"])
                hook.bodies.append(json.loads(self.rfile.read(length)))
                time.sleep(hook.delay)
                self.send_response(hook.status)
                if location:
                    self.send_header("Location", location)
                self.end_headers()
                self.wfile.write(b"ok")

            def do_GET(self):
                hook.requests += 1
                self.send_response(hook.status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hook(settings):
    # The servers listen on 127.0.0.1, which only tests may reach.
    settings.HEARTH_WEBHOOK_ALLOW_LOOPBACK = True
    hooks = []

    def start(**kwargs):
        hooks.append(Hook(**kwargs))
        return hooks[-1]

    yield start
    for h in hooks:
        h.close()


# Slack's webhook gets text in its own markup; Teams' an Adaptive Card (chat/teams/cards.py).
@pytest.mark.parametrize(
    ("channel", "marker"), [("slack", "*Stand-up*"), ("teams", '"text": "Stand-up"')]
)
def test_chat_webhooks_post_to_a_local_server(db, frozen, hook, channel, marker):
    server = hook()
    team = make_team(**{})
    setattr(team, f"{channel}_webhook_url", server.url)
    team.save()
    person = make_user(team=team, nudge_channel=channel)
    nudge_for(person, payload={"title": "Stand-up", "url": "/"})
    assert deliver_due_nudges().sent == 1
    assert marker in json.dumps(server.bodies[0])


def test_personal_webhook_wins_over_the_teams(db, frozen, hook):
    team_hook, own_hook = hook(), hook()
    team = make_team()
    Team.objects.filter(pk=team.pk).update(slack_webhook_url=team_hook.url)
    person = make_user(team=team, nudge_channel="slack", slack_webhook_url=own_hook.url)
    nudge_for(person)
    deliver_due_nudges()
    assert (len(team_hook.bodies), len(own_hook.bodies)) == (0, 1)


def test_private_nudge_never_goes_to_a_team_channel(db, frozen, hook):
    team_hook = hook()
    team = make_team()
    Team.objects.filter(pk=team.pk).update(slack_webhook_url=team_hook.url)
    person = make_user(team=team, nudge_channel="slack")
    nudge_for(person, kind="pulse_reminder")
    deliver_due_nudges()
    assert team_hook.bodies == []
    assert Nudge.objects.get().status == "sent"  # in the person's own list


def test_webhook_500_retries_with_backoff_then_fails(db, frozen, hook):
    server = hook(status=500)
    person = make_user(nudge_channel="slack", slack_webhook_url=server.url)
    nudge_for(person)
    assert deliver_due_nudges().retrying == 1
    nudge = Nudge.objects.get()
    assert nudge.due_at == WEDNESDAY_10_UTC + dt.timedelta(minutes=2)
    assert nudge.last_error == "webhook answered 500"
    for _ in range(nudges.MAX_ATTEMPTS):
        frozen.shift(dt.timedelta(hours=1))
        deliver_due_nudges()
    nudge.refresh_from_db()
    assert (nudge.status, nudge.attempts) == ("failed", nudges.MAX_ATTEMPTS)
    assert nudge.last_error == "gave up: webhook answered 500"


def test_webhook_timeout_is_a_retry_not_a_crash(db, frozen, hook, monkeypatch):
    monkeypatch.setattr(nudge_channels, "WEBHOOK_TIMEOUT", 0.2)
    server = hook(delay=1.0)
    slow = make_user(nudge_channel="slack", slack_webhook_url=server.url)
    fine = make_user()
    nudge_for(slow, key="slow")
    nudge_for(fine, key="fine")
    report = deliver_due_nudges()
    assert (report.retrying, report.sent) == (1, 1)
    assert "unreachable" in Nudge.objects.get(dedupe_key="slow").last_error


def test_webhook_404_fails_at_once_with_the_reason(db, frozen, hook):
    server = hook(status=404)
    person = make_user(nudge_channel="teams", teams_webhook_url=server.url)
    nudge_for(person)
    deliver_due_nudges()
    nudge = Nudge.objects.get()
    assert (nudge.status, nudge.last_error) == ("failed", "webhook refused the message (404)")


@pytest.mark.parametrize(
    ("change", "status", "reason"),
    [
        ({"nudge_channel": "pigeon"}, "failed", "unknown channel “pigeon”"),
        ({"email": "not-an-address"}, "failed", "“not-an-address” is not a valid e-mail address"),
        (
            {"nudge_channel": "slack"},
            "failed",
            "no Slack webhook is set for this person or their team",
        ),
        ({"is_active": False}, "skipped", "recipient deactivated"),
    ],
)
def test_faults_end_in_a_clear_status_and_spare_the_batch(db, frozen, change, status, reason):
    broken = make_user()
    healthy = make_user()
    nudge_for(broken, key="broken")
    nudge_for(healthy, key="healthy")
    User.objects.filter(pk=broken.pk).update(**change)
    Nudge.objects.filter(recipient=broken).update(channel=change.get("nudge_channel", "email"))
    deliver_due_nudges()
    nudge = Nudge.objects.get(dedupe_key="broken")
    assert (nudge.status, nudge.last_error) == (status, reason)
    assert Nudge.objects.get(dedupe_key="healthy").status == "sent"


def test_smtp_outage_is_retried(db, frozen, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1
    nudge_for(make_user())
    assert deliver_due_nudges().retrying == 1
    assert Nudge.objects.get().last_error.startswith("e-mail server:")


# ---------------------------------------------------------------- HR and preferences


def test_hr_sees_failed_nudges_and_resends_them(client_for, hana, bob, frozen):
    nudge_for(bob)
    User.objects.filter(pk=bob.pk).update(email="broken")
    deliver_due_nudges()
    client = client_for(hana)
    page = client.get("/nudges/outbox/").content.decode()
    assert "Bob Ferreira" in page and "is not a valid e-mail address" in page
    User.objects.filter(pk=bob.pk).update(email="bob@example.com")
    nudge = Nudge.objects.get()
    response = client.post("/nudges/outbox/", {"action": "resend", "nudge": [nudge.pk]})
    assert response.status_code == 302
    assert deliver_due_nudges().sent == 1
    assert mail.outbox[0].to == ["bob@example.com"]


def test_hr_outbox_hides_what_a_private_nudge_was(client_for, hana, bob, frozen):
    nudge_for(bob, kind="pulse_reminder")
    User.objects.filter(pk=bob.pk).update(email="broken")
    deliver_due_nudges()
    page = client_for(hana).get("/nudges/outbox/").content.decode()
    assert "Private message" in page
    assert "Pulse reminders" not in page


def test_only_hr_reaches_the_outbox(client_for, alice):
    assert client_for(alice).get("/nudges/outbox/").status_code == 403


def test_hr_sets_the_org_ceiling(client_for, hana):
    client = client_for(hana)
    assert shows_errors(
        client.post("/nudges/outbox/", {"action": "ceiling", "nudge_weekly_ceiling": 0})
    )
    assert OrgSettings.load().nudge_weekly_ceiling != 0
    client.post("/nudges/outbox/", {"action": "ceiling", "nudge_weekly_ceiling": 3})
    assert OrgSettings.load().nudge_weekly_ceiling == 3


def test_preferences_refuse_a_cap_above_the_ceiling(client_for, bob):
    response = client_for(bob).post(
        "/nudges/preferences/", {"nudge_channel": "email", "weekly_nudge_cap": 40}
    )
    assert shows_errors(response)
    assert "Choose a number from 1 to 10." in response.content.decode()


def test_preferences_refuse_slack_without_any_webhook(client_for, bob):
    response = client_for(bob).post(
        "/nudges/preferences/", {"nudge_channel": "slack", "weekly_nudge_cap": 5}
    )
    assert shows_errors(response)
    assert "Your team has no Slack webhook" in response.content.decode()
    bob.refresh_from_db()
    assert bob.nudge_channel == "email"


def test_snooze_from_the_preferences_page_ends_after_the_chosen_day(client_for, bob, frozen):
    client = client_for(bob)
    client.post("/nudges/snooze/", {"until": "2026-12-04"})
    bob.refresh_from_db()
    assert bob.snoozed_until == at(2026, 12, 5, 0, 0)  # midnight in Lisbon (UTC in winter)
    assert shows_errors(client.post("/nudges/snooze/", {"until": "2026-11-01"}))
    client.post("/nudges/snooze/", {"action": "resume"})
    bob.refresh_from_db()
    assert bob.snoozed_until is None


def test_away_days_are_added_and_removed(client_for, bob, charlie, frozen):
    client = client_for(bob)
    client.post(
        "/nudges/away/", {"starts_on": "2026-12-21", "ends_on": "2026-12-31", "note": "Holiday"}
    )
    period = AwayPeriod.objects.get(person=bob)
    assert shows_errors(
        client.post("/nudges/away/", {"starts_on": "2026-12-21", "ends_on": "2026-12-01"})
    )
    other = AwayPeriod.objects.create(
        person=charlie, starts_on=dt.date(2026, 12, 1), ends_on=dt.date(2026, 12, 2)
    )
    assert client.post(f"/nudges/away/{other.pk}/delete/").status_code == 404
    client.post(f"/nudges/away/{period.pk}/delete/")
    assert not AwayPeriod.objects.filter(person=bob).exists()


# ---------------------------------------------------------------- concurrency


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locking")
@pytest.mark.django_db(transaction=True)
def test_two_workers_never_send_the_same_nudge():
    people = [make_user(time_zone="UTC") for _ in range(10)]
    with time_machine.travel(WEDNESDAY_10_UTC, tick=False):
        for i in range(60):
            nudge_for(people[i % 10], key=f"n{i}", kind="booking")
        barrier = threading.Barrier(2)

        def worker():
            try:
                barrier.wait()
                deliver_due_nudges(batch_size=7)
            finally:
                connection.close()

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    sent_keys = [m.extra_headers["X-Hearth-Nudge"] for m in mail.outbox]
    assert len(sent_keys) == 60
    assert len(set(sent_keys)) == 60
    assert Nudge.objects.filter(status="sent").count() == 60


def test_night_shift_ending_in_a_dst_gap_does_not_loop(db):
    # Berlin springs forward on 29 March 2026 at 01:00 UTC (02:00 becomes 03:00).
    now = at(2026, 3, 29, 1, 10)  # 03:10 in Berlin, past a shift that "ends" at 02:30
    person = make_user(
        time_zone="Europe/Berlin",
        work_start=dt.time(22),
        work_end=dt.time(2, 30),
        working_days="1234567",
    )
    with time_machine.travel(now, tick=False):
        nudge_for(person)
        report = deliver_due_nudges(now=now, max_batches=50)
    assert report.rescheduled == 1
    assert Nudge.objects.get().due_at == at(2026, 3, 29, 20, 0)  # 22:00 CEST that evening


def test_a_slow_batch_is_not_sent_again_by_another_worker(db, monkeypatch, frozen):
    nudge_for(make_user())
    real_send = nudges.send_message
    state = {"inner": False}

    def slow_send(group, person, mail_connection=None):
        real_send(group, person, mail_connection)
        if not state["inner"]:
            state["inner"] = True
            # A second worker ticks 11 minutes later, while this one is still busy.
            deliver_due_nudges(now=WEDNESDAY_10_UTC + dt.timedelta(minutes=11))

    monkeypatch.setattr(nudges, "send_message", slow_send)
    deliver_due_nudges()
    assert len(mail.outbox) == 1


def test_a_released_claim_is_not_acted_on_by_its_old_worker(db, frozen):
    nudge_for(make_user())
    stale = nudge_claims.claim_due(WEDNESDAY_10_UTC, batch_size=10)  # worker A stalls
    frozen.shift(dt.timedelta(minutes=31))
    assert deliver_due_nudges().sent == 1  # worker B recovers and sends
    assert not nudge_claims.still_held(stale)  # A wakes up: its claim is gone
    assert len(mail.outbox) == 1


def test_the_outbox_counts_each_message_once_by_what_happened_and_skips_by_real_reason(
    db, frozen, client_for, hana
):
    """Counted by when each thing happened, not when the message was written: the
    demo's history writes weeks of messages at once, and "skipped (away, snoozed,
    limit)" once covered 1,816 messages that had expired."""
    person = make_user()
    long_ago = WEDNESDAY_10_UTC - dt.timedelta(weeks=3)
    outcomes = [
        ("sent", "", WEDNESDAY_10_UTC - dt.timedelta(days=1)),
        ("sent", "", long_ago),  # sent three weeks ago: not "in 7 days"
        ("pending", "", None),
        ("skipped", "snoozed", WEDNESDAY_10_UTC - dt.timedelta(days=2)),
        ("skipped", "expired before it could be delivered", WEDNESDAY_10_UTC),
        ("skipped", "expired before it could be delivered", WEDNESDAY_10_UTC),
        ("skipped", "weekly limit of 3 reached", WEDNESDAY_10_UTC),
        ("skipped", "weekly limit of 5 reached", WEDNESDAY_10_UTC),
        ("skipped", "away", long_ago),  # tried three weeks ago
        ("failed", "SMTP said no", WEDNESDAY_10_UTC),
    ]
    for number, (status, reason, when) in enumerate(outcomes):
        nudge_for(person, key=f"k{number}")
        Nudge.objects.filter(dedupe_key=f"k{number}").update(
            status=status,
            last_error=reason,
            claimed_at=when,
            sent_at=when if status == "sent" else None,
        )

    page = client_for(hana).get("/nudges/outbox/")

    assert page.status_code == 200
    summary = page.context["totals"]
    assert (summary.sent, summary.waiting, summary.failed, summary.skipped_total) == (1, 1, 1, 5)
    assert summary.skipped == [
        ("expired before it could be delivered", 2),
        ("weekly limit reached", 2),
        ("snoozed", 1),
    ]
    text = re.sub(r"\s+", " ", page.content.decode())
    assert "2</span> expired before it could be delivered" in text
    assert "away" not in text.split("Why messages were skipped")[1].split("</section>")[0]
