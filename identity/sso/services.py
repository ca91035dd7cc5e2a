"""Who a verified single sign-on is: the person with that e-mail address, or, when HR
lets the provider create accounts, a new person on no team."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from connection.audit import record
from connection.models import AuditEntry, OrgSettings, User
from identity.sso.client import SSOError

NOT_ADDED = gettext_lazy(
    "HR has not added you to Hearth yet. Ask your HR team to add you, then sign in again."
)
DEACTIVATED = gettext_lazy(
    "Your Hearth account is deactivated. Ask your HR team if you think this is a mistake."
)


def person_for_sign_in(*, claims: dict) -> User:
    """The active person the claims (checked ID token, plus userinfo) name, matched by
    their verified e-mail address whatever its case. Notes the provider's subject on a
    person who has no external id yet. Raises `SSOError` for an unverified or missing
    address (400), a deactivated person or someone HR has not added (403)."""
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email:
        raise SSOError(_("The identity provider did not share your e-mail address with Hearth."))
    # Some providers send the boolean as a string.
    if claims.get("email_verified") not in (True, "true"):
        raise SSOError(
            _(
                "Your identity provider has not verified your e-mail address, so Hearth cannot "
                "tell who you are. Verify it there, then sign in again."
            )
        )
    email = email.strip().lower()
    person = User.objects.filter(email__iexact=email).first()
    if person is None:
        person = _new_person(email=email, claims=claims)
    if not person.is_active:
        raise SSOError(str(DEACTIVATED), status=403)
    # The subject is not kept: `external_id` is the directory's id (SCIM externalId), and
    # a provider's subject in the same column could be taken for another person's.
    return person


def _new_person(*, email: str, claims: dict) -> User:
    if not OrgSettings.load().sso_creates_accounts:
        raise SSOError(str(NOT_ADDED), status=403)
    name = claims.get("name")
    if not isinstance(name, str) or not name.strip():
        name = email.split("@")[0]
    try:
        with transaction.atomic():
            # No usable password: this person signs in through the provider.
            person = User.objects.create_user(email, display_name=name.strip()[:120])
            record(
                actor=None,
                action=AuditEntry.Action.SSO_ACCOUNT_CREATED,
                target=person,
                detail={"via": "single sign-on"},
            )
            return person
    except IntegrityError:
        # The same person's second tab got there first.
        return User.objects.get(email__iexact=email)
