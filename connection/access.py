"""Sessions and tokens a person holds, and taking them all away at once.

Every sign-in (password or single sign-on) is noted as a `SignIn` row keyed by its
session, so deactivation can end each session by key, whatever the session engine,
instead of decoding every session in the store.
"""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db import transaction
from django.dispatch import receiver
from rest_framework.authtoken.models import Token

from connection.audit import record
from connection.models import AuditEntry, Nudge, SignIn, User

SSO_METHOD_KEY = "hearth_sign_in_method"


@receiver(user_logged_in, dispatch_uid="hearth-sign-in")
def note_sign_in(sender, request, user, **kwargs) -> None:
    if request is None or not hasattr(request, "session"):
        return
    if not request.session.session_key:
        request.session.save()
    method = getattr(request, SSO_METHOD_KEY, SignIn.Method.PASSWORD)
    SignIn.objects.update_or_create(
        session_key=request.session.session_key, defaults={"user": user, "method": method}
    )


@receiver(user_logged_out, dispatch_uid="hearth-sign-out")
def forget_sign_in(sender, request, user, **kwargs) -> None:
    if request is not None and getattr(request, "session", None) is not None:
        SignIn.objects.filter(session_key=request.session.session_key).delete()


def end_access(user_ids: list[int]) -> int:
    """End every session and API token of these people; returns the sessions ended."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = list(SignIn.objects.filter(user_id__in=user_ids).values_list("session_key", flat=True))
    for key in keys:
        store(session_key=key).delete()
    SignIn.objects.filter(user_id__in=user_ids).delete()
    Token.objects.filter(user_id__in=user_ids).delete()
    return len(keys)


def deactivate_people(user_ids: list[int], *, actor: User | None, via: str) -> int:
    """Deactivate people in one transaction: they can no longer sign in, their sessions
    and API tokens end now, and every message waiting for them is skipped. Their past
    (anonymous) pulse answers and published figures are untouched. Returns how many
    were active."""
    with transaction.atomic():
        ids = list(
            User.objects.filter(pk__in=user_ids, is_active=True).values_list("pk", flat=True)
        )
        if not ids:
            return 0
        User.objects.filter(pk__in=ids).update(is_active=False)
        end_access(ids)
        Nudge.objects.filter(
            recipient_id__in=ids, status__in=[Nudge.Status.PENDING, Nudge.Status.FAILED]
        ).update(status=Nudge.Status.SKIPPED, last_error="recipient deactivated")
        record(
            actor=actor,
            action=AuditEntry.Action.PEOPLE_DEACTIVATED,
            detail={"people": len(ids), "via": via},
        )
    return len(ids)
