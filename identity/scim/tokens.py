"""Issuing and revoking the bearer tokens identity providers use for /scim/v2/."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone

from connection.audit import record
from connection.models import AuditEntry, User
from identity.models import ScimToken, token_digest


def issue_token(*, label: str, by: User) -> tuple[ScimToken, str]:
    """A new token and its raw value, which is shown once and never stored."""
    raw = secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ScimToken.objects.create(
            label=label, digest=token_digest(raw), prefix=raw[:8], created_by=by
        )
        record(
            actor=by,
            action=AuditEntry.Action.SCIM_TOKEN_ISSUED,
            target=token,
            detail={"label": label, "prefix": token.prefix},
        )
    return token, raw


def revoke_token(*, token: ScimToken, by: User) -> bool:
    """Revoke a live token (its next request is refused); False if it already was."""
    with transaction.atomic():
        revoked = ScimToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if revoked:
            record(
                actor=by,
                action=AuditEntry.Action.SCIM_TOKEN_REVOKED,
                target=token,
                detail={"label": token.label, "prefix": token.prefix},
            )
    return bool(revoked)
