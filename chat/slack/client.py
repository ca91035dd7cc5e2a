"""Hearth's calls to Slack's Web API, through slack_sdk's WebClient.

Every call goes to settings.HEARTH_SLACK_API_URL (Slack itself, or the local server
the tests run). Slack refuses a call it answers 429 without acting on it. The outbox
(`patient=True`) waits out a 429 as its Retry-After says, a few times (slack_sdk's
rate-limit retry handler); past that, and for Slack's outages, the outbox's
TransientFailure puts the message back to be tried later. Answers to Slack's own
requests (events, buttons, commands) must come within three seconds: they never
wait, and a 429 there is a TransientFailure at once.

Network errors are not retried here: a connection reset may come after Slack posted,
and trying again at once would post twice; the outbox's later retry is the one
exception, recorded as the message's last error.
"""

from __future__ import annotations

import logging
from urllib.error import URLError

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from chat.models import SlackWorkspace
from connection.nudge_channels import PermanentFailure, TransientFailure

log = logging.getLogger(__name__)

RATE_LIMIT_RETRIES = 4
TIMEOUT = 10
# Answers that mean the app can no longer act in the workspace (uninstalled, token
# revoked) or cannot reach this person (gone, or never a person): never again.
WORKSPACE_GONE = {"account_inactive", "invalid_auth", "not_authed", "token_revoked"}
PERSON_GONE = {"cannot_dm_bot", "user_disabled", "user_not_found"}
PERMANENT = WORKSPACE_GONE | PERSON_GONE | {"channel_not_found", "is_archived", "not_in_channel"}


class SlackGone(PermanentFailure):
    """Slack says the app or the person is gone; `code` says which."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


def web_client(token: str | None = None, *, patient: bool = False) -> WebClient:
    retries = [RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES)] if patient else []
    return WebClient(
        token=token,
        base_url=settings.HEARTH_SLACK_API_URL,
        timeout=TIMEOUT,
        retry_handlers=retries,
    )


def call(workspace: SlackWorkspace | None, method: str, *, patient: bool = False, **params):
    """One Web API call (`method` as slack_sdk names it: "chat_postMessage") with the
    workspace's bot token, or none (oauth_v2_access); its answer's data.

    Failures become the outbox's: PermanentFailure (SlackGone for a lost app or
    person) for answers that will not change, TransientFailure for rate limits,
    outages and network errors.
    """
    try:
        token = workspace.bot_token if workspace is not None else None
        response = getattr(web_client(token, patient=patient), method)(**params)
    except ImproperlyConfigured as error:  # a token no configured key opens
        raise PermanentFailure(f"Slack {method}: {error}") from None
    except SlackApiError as error:
        code = error.response.get("error", "") if error.response is not None else ""
        status = error.response.status_code if error.response is not None else 0
        if code in WORKSPACE_GONE | PERSON_GONE:
            raise SlackGone(f"Slack {method}: {code}", code) from None
        if code in PERMANENT:
            raise PermanentFailure(f"Slack {method}: {code}") from None
        raise TransientFailure(f"Slack {method}: {code or status}") from None
    except (SlackRequestError, URLError, OSError) as error:
        raise TransientFailure(f"Slack {method}: {error}") from None
    if not isinstance(response.data, dict):
        problem = f"Slack {method}: an answer that isn't JSON"  # HR's outbox: kept in English
        raise TransientFailure(problem)
    return response.data
