"""Identity's personal data: the name parts SCIM sent, SCIM tokens a person issued
and org sync runs they decided (kept, without their name), and mentions of the person
in a run's diff and message. Loaded by IdentityConfig.ready()."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from connection.lifecycle import PersonalData, needles, register, replace_mentions
from connection.models import User
from identity.models import ScimPerson, ScimToken, SyncRun


def _scim(person: User) -> list[dict]:
    return list(
        ScimPerson.objects.filter(user=person).values(
            "given_name", "family_name", "modified_at", "deleted_at"
        )
    )


def _identity(person: User) -> list[dict]:
    rows = [
        {
            "what": _("issued the SCIM token %(label)s") % {"label": token.label},
            "when": token.created_at,
        }
        for token in ScimToken.objects.filter(created_by=person)
    ]
    rows += [
        {
            "what": _("%(decision)s an org sync") % {"decision": run.get_status_display().lower()},
            "when": run.decided_at,
        }
        for run in SyncRun.objects.filter(decided_by=person)
    ]
    return rows


def _erase_identity(person: User) -> int:
    changed = ScimToken.objects.filter(created_by=person).update(created_by=None)
    changed += SyncRun.objects.filter(decided_by=person).update(decided_by=None)
    # A sync's diff lists people by e-mail and name.
    return changed + replace_mentions(SyncRun, ["diff", "message"], needles(person))


register(
    PersonalData(
        "scim",
        gettext_lazy("What your identity provider sent (SCIM)"),
        _scim,
        lambda person: ScimPerson.objects.filter(user=person).delete()[0],
        covers=("identity.ScimPerson.user",),
    ),
    PersonalData(
        "identity",
        gettext_lazy("SCIM tokens you issued and org syncs you decided"),
        _identity,
        _erase_identity,
        covers=("identity.ScimToken.created_by", "identity.SyncRun.decided_by"),
    ),
)
