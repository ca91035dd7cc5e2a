"""Is this request from Slack, now, for the first time, for a workspace we know?

Slack signs each request with the app's signing secret (HMAC-SHA256 over
`v0:<timestamp>:<body>`). Refused: a bad or missing signature, a timestamp more than
five minutes from our clock (both ways), a signature seen before (a replay within the
window), and a workspace Hearth was never installed in. Slack's own retries of an
event (X-Slack-Retry-Num) carry a new signature and the same event id: the events
endpoint drops those by event id (`first_time`).
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from slack_sdk.signature import Clock, SignatureVerifier

from chat.models import SeenRequest, SlackWorkspace

WINDOW = dt.timedelta(minutes=5)
# Seen keys are kept a little past the window: a replay older than that fails the
# timestamp check anyway.
KEEP = WINDOW * 2


class Refused(Exception):
    """A request Hearth will not act on; `status` is the HTTP answer."""

    def __init__(self, message: str, status: int = 401):
        super().__init__(message)
        self.status = status


class _HearthClock(Clock):
    """The window is measured on Hearth's clock (which tests pin), not the OS's."""

    def now(self) -> float:
        return timezone.now().timestamp()


def check_signature(body: bytes, timestamp: str, signature: str) -> None:
    secret = settings.HEARTH_SLACK_SIGNING_SECRET
    if not secret:
        raise Refused(_("The Slack app is not configured here."), status=404)
    if not timestamp or not signature:
        raise Refused(_("Not signed by Slack."))
    try:
        moment = int(timestamp)
    except ValueError:
        raise Refused(_("Not signed by Slack.")) from None
    if abs(timezone.now().timestamp() - moment) > WINDOW.total_seconds():
        raise Refused(_("Too old: Slack requests are accepted for five minutes."))
    if not SignatureVerifier(secret, clock=_HearthClock()).is_valid(body, timestamp, signature):
        raise Refused(_("Not signed by Slack."))
    if not first_time(f"sig:{hashlib.sha256(signature.encode()).hexdigest()}"):
        raise Refused(_("This request was already handled (a replay)."))


def first_time(key: str) -> bool:
    """Record `key` as seen; False when it was seen before. Old keys are swept here."""
    now = timezone.now()
    try:
        with transaction.atomic():
            SeenRequest.objects.create(key=key[:80], expires_at=now + KEEP)
    except IntegrityError:
        return False
    SeenRequest.objects.filter(expires_at__lt=now).delete()
    return True


def workspace_for(team_id: str) -> SlackWorkspace:
    workspace = (
        SlackWorkspace.objects.filter(team_id=team_id, active=True).first() if team_id else None
    )
    if workspace is None:
        raise Refused(_("Hearth is not installed in this Slack workspace."), status=403)
    return workspace
