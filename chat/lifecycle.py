"""The chat apps' personal data: a person's linked Slack account, the micro-update
prompts sent to them, and workspaces they installed (kept, without their name).
Loaded by ChatConfig.ready()."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chat.models import SlackAccount, SlackPrompt, SlackWorkspace
from connection.lifecycle import PersonalData, register
from connection.models import User


def _slack(person: User) -> list[dict]:
    rows = [
        {
            "what": _("your Slack account %(id)s") % {"id": account.slack_user_id},
            "when": account.linked_at,
        }
        for account in SlackAccount.objects.filter(person=person).select_related("workspace")
    ]
    rows += [
        {
            "what": _("installed Hearth in the Slack workspace %(name)s") % {"name": ws.name},
            "when": ws.installed_at,
        }
        for ws in SlackWorkspace.objects.filter(installed_by=person)
    ]
    rows += [
        {"what": _("a micro-update prompt in your Slack messages"), "when": prompt.created_at}
        for prompt in SlackPrompt.objects.filter(person=person)
    ]
    return rows


def _erase_slack(person: User) -> int:
    changed = SlackAccount.objects.filter(person=person).delete()[0]
    changed += SlackPrompt.objects.filter(person=person).delete()[0]
    return changed + SlackWorkspace.objects.filter(installed_by=person).update(installed_by=None)


register(
    PersonalData(
        "slack",
        gettext_lazy("Your linked Slack account"),
        _slack,
        _erase_slack,
        covers=(
            "chat.SlackAccount.person",
            "chat.SlackPrompt.person",
            "chat.SlackWorkspace.installed_by",
        ),
    ),
)
