"""Webhooks reach only the chat services' public hosts (no server-side request forgery)."""

import ipaddress

import pytest
import time_machine
from django.test import override_settings

from connection import webhooks
from connection.forms import TeamAdminForm
from connection.models import Nudge, OrgSettings
from connection.nudges import deliver_due_nudges
from tests.connection.test_nudges import WEDNESDAY_10_UTC, Hook, nudge_for
from tests.helpers import make_team, make_user, shows_errors

SLACK = "https://hooks.slack.com/services/T000/B000/XXXX"
PUBLIC = "34.117.0.10"  # any globally routable address; nothing connects to it in these tests


@pytest.fixture
def dns(monkeypatch):
    """Answers for chosen host names; every other name goes to the real resolver."""
    answers = {}
    real = webhooks.resolve

    def resolve(host, port):
        if host in answers:
            return [ipaddress.ip_address(a) for a in answers[host]]
        return real(host, port)

    monkeypatch.setattr(webhooks, "resolve", resolve)
    return answers


@pytest.fixture
def frozen():
    with time_machine.travel(WEDNESDAY_10_UTC, tick=False) as traveller:
        yield traveller


@pytest.fixture
def server():
    hooks = []

    def start(**kwargs):
        hooks.append(Hook(**kwargs))
        return hooks[-1]

    yield start
    for h in hooks:
        h.close()


def save_slack_hook(client, url):
    return client.post(
        "/nudges/preferences/",
        {"nudge_channel": "slack", "slack_webhook_url": url, "weekly_nudge_cap": 5},
    )


# ---------------------------------------------------------------- when saved


def test_a_slack_webhook_on_slacks_host_is_saved(client_for, bob, dns):
    dns["hooks.slack.com"] = [PUBLIC]
    response = save_slack_hook(client_for(bob), SLACK)
    assert response.status_code == 302
    bob.refresh_from_db()
    assert (bob.nudge_channel, bob.slack_webhook_url) == ("slack", SLACK)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://hooks.slack.com/services/T/B/X", "Use an https:// address."),
        ("http://127.0.0.1:8199/hook", "Use an https:// address."),
        ("https://127.0.0.1:8199/hook", "127.0.0.1 is neither"),
        ("https://10.0.0.7/hook", "10.0.0.7 is neither"),
        ("https://169.254.169.254/latest/meta-data/", "169.254.169.254 is neither"),
        ("https://[::1]/hook", "::1 is neither"),
        ("https://evil.example/hook", "evil.example is neither"),
        ("https://hooks.slack.com.evil.example/x", "hooks.slack.com.evil.example is neither"),
        ("https://user:secret@hooks.slack.com/x", "no user name or password"),
    ],
)
def test_a_webhook_anywhere_else_is_refused_when_saved(client_for, bob, dns, url, message):
    dns["hooks.slack.com"] = [PUBLIC]
    response = save_slack_hook(client_for(bob), url)
    assert shows_errors(response)
    assert message in response.content.decode()
    bob.refresh_from_db()
    assert (bob.nudge_channel, bob.slack_webhook_url) == ("email", "")


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.5.4",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "100.100.100.200",  # shared address space (another cloud's metadata)
        "0.0.0.0",
        "224.0.0.251",  # multicast
        "240.0.0.1",  # reserved
        "::1",
        "::ffff:127.0.0.1",  # IPv4-mapped loopback
        "::ffff:169.254.169.254",
        "fe80::1",
        "fd00:ec2::254",  # cloud metadata over IPv6
        "2002:a00:1::1",  # 6to4 around 10.0.0.1
        "64:ff9b::a9fe:a9fe",  # NAT64 around 169.254.169.254
        "ff02::1",
    ],
)
def test_a_host_that_resolves_inside_is_refused_when_saved(client_for, bob, dns, address):
    dns["hooks.slack.com"] = [PUBLIC, address]  # one internal answer is enough
    response = save_slack_hook(client_for(bob), SLACK)
    assert shows_errors(response)
    assert "points to an internal address" in response.content.decode()
    bob.refresh_from_db()
    assert bob.slack_webhook_url == ""


def test_an_allowed_name_that_resolves_to_loopback_is_refused(client_for, bob):
    # `localhost` really resolves to 127.0.0.1 (and ::1): no patched resolver here.
    # The form takes dotted names only, so the row is written directly.
    OrgSettings.load()
    OrgSettings.objects.filter(pk=1).update(webhook_hosts="localhost")
    response = save_slack_hook(client_for(bob), "https://localhost/hook")
    assert shows_errors(response)
    assert "localhost points to an internal address" in response.content.decode()


def test_a_host_hr_allows_is_accepted(client, hana, bob, dns):
    dns["chat.acme.example"] = [PUBLIC]
    url = "https://chat.acme.example/hooks/abc"
    client.force_login(bob)
    assert shows_errors(save_slack_hook(client, url))
    client.force_login(hana)
    response = client.post(
        "/nudges/outbox/",
        {"action": "webhook_hosts", "webhook_hosts": "Chat.Acme.example\n\n*.corp.example"},
    )
    assert response.status_code == 302
    assert OrgSettings.load().webhook_hosts == "chat.acme.example\n*.corp.example"
    client.force_login(bob)
    assert save_slack_hook(client, url).status_code == 302
    bob.refresh_from_db()
    assert bob.slack_webhook_url == url


@pytest.mark.parametrize(
    "entry", ["https://chat.acme.example", "chat.acme.example/hooks", "10.0.0.1", "*", "a b"]
)
def test_hr_writes_host_names_only(client_for, hana, entry):
    response = client_for(hana).post(
        "/nudges/outbox/", {"action": "webhook_hosts", "webhook_hosts": entry}
    )
    assert shows_errors(response)
    assert "is not a host name" in response.content.decode()
    assert OrgSettings.load().webhook_hosts == ""


def test_only_hr_edits_the_allowed_hosts(client_for, bob):
    response = client_for(bob).post(
        "/nudges/outbox/", {"action": "webhook_hosts", "webhook_hosts": "evil.example"}
    )
    assert response.status_code == 403
    assert OrgSettings.load().webhook_hosts == ""


def test_a_teams_webhook_on_a_tenant_subdomain_is_saved_and_slacks_host_is_not(
    client_for, bob, dns
):
    dns["acme.webhook.office.com"] = [PUBLIC]
    dns["hooks.slack.com"] = [PUBLIC]
    client = client_for(bob)
    data = {"nudge_channel": "teams", "weekly_nudge_cap": 5}
    refused = client.post("/nudges/preferences/", data | {"teams_webhook_url": SLACK})
    assert shows_errors(refused)
    url = "https://acme.webhook.office.com/webhookb2/abc/IncomingWebhook/def/ghi"
    assert client.post("/nudges/preferences/", data | {"teams_webhook_url": url}).status_code == 302
    bob.refresh_from_db()
    assert bob.teams_webhook_url == url


def test_the_team_webhook_in_the_admin_passes_the_same_check(db, dns):
    dns["hooks.slack.com"] = ["10.0.0.1"]
    team = make_team()
    form = TeamAdminForm({"name": team.name, "slack_webhook_url": SLACK}, instance=team)
    assert not form.is_valid()
    assert "points to an internal address" in form.errors["slack_webhook_url"][0]
    form = TeamAdminForm(
        {"name": team.name, "slack_webhook_url": "http://10.0.0.1/"}, instance=team
    )
    assert not form.is_valid()


def test_a_host_that_does_not_resolve_is_refused_with_a_message(client_for, bob, monkeypatch):
    def no_answer(host, port):
        raise webhooks.socket.gaierror("Name or service not known")

    monkeypatch.setattr(webhooks, "resolve", no_answer)
    response = save_slack_hook(client_for(bob), SLACK)
    assert shows_errors(response)
    assert "That host could not be found" in response.content.decode()


# ---------------------------------------------------------------- when sent


def test_a_stored_loopback_webhook_is_never_posted_to(db, frozen, server):
    # Saved before addresses were checked (or written around the form).
    hook = server()
    person = make_user(nudge_channel="slack", slack_webhook_url=hook.url)
    nudge_for(person)
    report = deliver_due_nudges()
    assert report.failed == 1
    assert hook.requests == 0
    nudge = Nudge.objects.get()
    assert nudge.status == "failed"
    assert nudge.last_error == "webhook address refused: Use an https:// address."


def test_dns_that_changed_since_saving_refuses_the_send(db, frozen, dns):
    dns["hooks.slack.com"] = ["169.254.169.254"]
    person = make_user(nudge_channel="slack", slack_webhook_url=SLACK)
    nudge_for(person)
    assert deliver_due_nudges().failed == 1
    nudge = Nudge.objects.get()
    assert nudge.status == "failed"
    assert "hooks.slack.com points to an internal address (169.254.169.254)" in nudge.last_error


def test_a_team_webhook_outside_the_allowed_hosts_is_refused_at_send(db, frozen, dns):
    dns["hooks.example"] = [PUBLIC]
    team = make_team()
    team.slack_webhook_url = "https://hooks.example/x"
    team.save()
    nudge_for(make_user(team=team, nudge_channel="slack"))
    deliver_due_nudges()
    nudge = Nudge.objects.get()
    assert nudge.status == "failed"
    assert "hooks.example is neither" in nudge.last_error


@override_settings(HEARTH_WEBHOOK_ALLOW_LOOPBACK=True)
def test_the_send_connects_to_the_address_it_checked(db, frozen, server, dns):
    # The name resolves only through the check; connecting by name would fail.
    hook = server()
    dns["hooks.test.invalid"] = ["127.0.0.1"]
    url = hook.url.replace("127.0.0.1", "hooks.test.invalid")
    nudge_for(make_user(nudge_channel="slack", slack_webhook_url=url))
    assert deliver_due_nudges().sent == 1
    assert len(hook.bodies) == 1


@override_settings(HEARTH_WEBHOOK_ALLOW_LOOPBACK=True)
def test_a_redirect_is_not_followed(db, frozen, server):
    elsewhere = server()
    redirecting = server(status=302, location=elsewhere.url)
    nudge_for(make_user(nudge_channel="slack", slack_webhook_url=redirecting.url))
    deliver_due_nudges()
    assert elsewhere.requests == 0
    nudge = Nudge.objects.get()
    assert (nudge.status, nudge.last_error) == (
        "failed",
        "webhook answered 302: Hearth does not follow redirects",
    )


def test_loopback_for_tests_is_off_by_default(settings):
    assert settings.HEARTH_WEBHOOK_ALLOW_LOOPBACK is False
