"""The Slack app manifest in the repository matches what Hearth serves and asks for:
its URLs are Hearth's Slack endpoints, its scopes the install's, its shortcut and
command the ones the handlers answer."""

from pathlib import Path
from urllib.parse import urlsplit

import yaml
from django.urls import resolve

from chat.slack import thanks
from chat.slack.install import BOT_SCOPES

MANIFEST = yaml.safe_load(
    (Path(__file__).resolve().parents[2] / "chat" / "slack" / "manifest.yml").read_text()
)


def _view(url: str) -> str:
    return resolve(urlsplit(url).path).url_name


def test_the_manifests_urls_are_hearths_slack_endpoints():
    settings = MANIFEST["settings"]
    assert _view(settings["event_subscriptions"]["request_url"]) == "slack_events"
    assert _view(settings["interactivity"]["request_url"]) == "slack_interactions"
    [command] = MANIFEST["features"]["slash_commands"]
    assert (command["command"], _view(command["url"])) == ("/hearth", "slack_commands")
    assert command["should_escape"] is True  # mentions arrive as <@U…|name>
    [redirect] = MANIFEST["oauth_config"]["redirect_urls"]
    assert _view(redirect) == "slack_oauth"


def test_the_manifest_asks_for_the_scopes_the_install_asks_for():
    assert sorted(MANIFEST["oauth_config"]["scopes"]["bot"]) == sorted(BOT_SCOPES)


def test_the_shortcut_and_events_are_the_ones_handled():
    [shortcut] = MANIFEST["features"]["shortcuts"]
    assert (shortcut["type"], shortcut["callback_id"]) == ("message", thanks.SHORTCUT)
    events = MANIFEST["settings"]["event_subscriptions"]["bot_events"]
    assert sorted(events) == [
        "app_home_opened",
        "app_uninstalled",
        "message.im",
        "tokens_revoked",
        "user_change",
    ]
    assert MANIFEST["features"]["app_home"]["home_tab_enabled"] is True
