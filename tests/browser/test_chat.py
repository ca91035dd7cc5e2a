"""The chat apps in the browser: Hana chooses where Platform's micro-update highlights
go in Slack; Bob follows the Slack app's link and connects his Slack account; Bob
answers a Teams card's "We met" on its one-click page."""

import pytest
from playwright.sync_api import expect

from chat.models import SlackAccount, SlackWorkspace, TeamSlackChannel
from chat.slack.people import SlackIdentity, link_token
from chat.teams.links import action_token
from connection.models import AuditEntry, User
from mentorship.models import CheckIn, MatchGroup
from tests.browser.conftest import main_nav

pytestmark = pytest.mark.browser


def _workspace() -> SlackWorkspace:
    workspace = SlackWorkspace(team_id="T0DEMO", name="Hearth Demo", bot_user_id="U0BOT")
    workspace.bot_token = "xoxb-demo"
    workspace.save()
    return workspace


def test_hana_chooses_platforms_highlight_channel(
    new_page, viewport, demo_org, sign_in, screenshot
):
    _workspace()
    page = sign_in(new_page(**viewport), "hana")
    main_nav(page).get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Chat apps").click()
    expect(page.get_by_role("heading", name="Chat apps", exact=True)).to_be_visible()
    expect(page.get_by_role("row", name="Hearth Demo T0DEMO")).to_be_visible()
    page.get_by_label("Team", exact=True).select_option(label="Platform")
    page.get_by_label("Slack channel id").fill("C0PLATFORM")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".message-success")).to_contain_text("Platform")
    expect(page.get_by_role("row", name="Platform C0PLATFORM Shared")).to_be_visible()
    channel = TeamSlackChannel.objects.get()
    assert (channel.team.name, channel.channel_id, channel.share_highlights) == (
        "Platform",
        "C0PLATFORM",
        True,
    )
    assert AuditEntry.objects.filter(action=AuditEntry.Action.CHAT_CHANNEL).count() == 1
    screenshot(page, "chat-settings")


def test_bob_connects_his_slack_account(new_page, viewport, demo_org, sign_in, screenshot):
    _workspace()
    token = link_token(SlackIdentity("T0DEMO", "U0BOB", "bob@hearth.example", "Bob"))
    page = sign_in(new_page(**viewport), "bob")
    page.goto(f"/chat/slack/link/{token}/")
    expect(page.get_by_text("bob@hearth.example").first).to_be_visible()
    assert not SlackAccount.objects.exists()
    screenshot(page, "slack-link")
    page.get_by_role("button", name="Connect my Slack account").click()
    expect(page.get_by_role("status")).to_contain_text("Hearth knows your Slack account")
    account = SlackAccount.objects.get()
    assert (account.person.email, account.slack_user_id) == ("bob@hearth.example", "U0BOB")


def test_bob_records_we_met_from_a_teams_card(new_page, viewport, demo_org, screenshot):
    bob = User.objects.get(email="bob@hearth.example")
    group = MatchGroup.objects.of(bob).order_by("-pk").first()
    others = [m.get_short_name() for m in group.members.all() if m.pk != bob.pk]
    token = action_token(bob, "checkin", group=group.pk, week=1, answer="met")
    before = CheckIn.objects.filter(group=group, person=bob).count()
    page = new_page(**viewport)  # no sign-in: the signed link is the credential
    page.goto(f"/chat/teams/do/{token}/")
    expect(page.get_by_role("heading")).to_contain_text(others[0])
    assert CheckIn.objects.filter(group=group, person=bob).count() == before
    screenshot(page, "teams-one-click")
    page.get_by_role("button", name="Yes, record it").click()
    assert CheckIn.objects.get(group=group, person=bob, week=1).answer == "met"
