"""Hearth's calls to Slack's Web API, through slack_sdk's WebClient.

Every call goes to settings.HEARTH_SLACK_API_URL (Slack itself, or the local server
the tests run). A 429 answer is waited out as its Retry-After says, a few times
(slack_sdk's rate-limit retry handler); past that, and for Slack's own outages, the
outbox's TransientFailure puts the message back to be tried later. Slack refuses a
429'd call without acting on it, so waiting and trying again never sends twice.
"""

from __future__ import annotations

import logging
from urllib.error import URLError

from django.conf import settings
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)

from chat.models import SlackWorkspace
from connection.nudge_channels import PermanentFailure, TransientFailure

log = logging.getLogger(__name__)

RATE_LIMIT_RETRIES = 4
TIMEOUT = 10
# Answers from Slack that mean "never again for this message": the person or channel is
# gone, or the app was removed. Anything else is worth another try later.
PERMANENT = {
    "account_inactive",
    "channel_not_found",
    "cannot_dm_bot",
    "invalid_auth",
    "is_archived",
    "not_authed",
    "not_in_channel",
    "token_revoked",
    "user_disabled",
    "user_not_found",
}


def web_client(token: str | None = None) -> WebClient:
    return WebClient(
        token=token,
        base_url=settings.HEARTH_SLACK_API_URL,
        timeout=TIMEOUT,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=1),
            RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
        ],
    )


def bot_client(workspace: SlackWorkspace) -> WebClient:
    return web_client(workspace.bot_token)


def call(workspace: SlackWorkspace | None, method: str, **params) -> dict:
    """One Web API call (`method` as slack_sdk names it: "chat_postMessage") with the
    workspace's bot token, or none (oauth_v2_access); its answer's data.

    Failures become the outbox's: PermanentFailure for answers that will not change,
    TransientFailure for rate limits past our patience, outages and network errors.
    """
    try:
        client = bot_client(workspace) if workspace is not None else web_client()
        response = getattr(client, method)(**params)
    except SlackApiError as error:
        code = error.response.get("error", "") if error.response is not None else ""
        status = error.response.status_code if error.response is not None else 0
        if code in PERMANENT:
            raise PermanentFailure(f"Slack {method}: {code}") from None
        raise TransientFailure(f"Slack {method}: {code or status}") from None
    except (SlackRequestError, URLError, OSError) as error:
        raise TransientFailure(f"Slack {method}: {error}") from None
    return response.data
