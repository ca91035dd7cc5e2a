"""How the outbox's messages reach Slack and Teams through the chat apps: registered
with the core's channels (connection.nudge_channels) when the app loads.

Slack: a person who linked their Slack account gets a DM from Hearth's app (Block
Kit); anyone else gets the incoming webhook's post, as before. Teams: the webhook gets
an Adaptive Card whose buttons open signed one-click links.
"""

from __future__ import annotations

from chat.slack import delivery as slack_delivery
from chat.teams import cards as teams_cards
from connection.models import NudgeChannel
from connection.nudge_channels import register_app_transport, register_webhook_body

register_app_transport(
    NudgeChannel.SLACK,
    slack_delivery.deliver,
    reaches=lambda person: slack_delivery.account_of(person) is not None,
)
register_webhook_body(NudgeChannel.TEAMS, teams_cards.webhook_body)
