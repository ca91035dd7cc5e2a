"""Re-encrypt every stored chat token under the newest of HEARTH_CHAT_KEYS."""

from django.core.management.base import BaseCommand
from django.db import transaction

from chat.crypto import rotate
from chat.models import SlackWorkspace


class Command(BaseCommand):
    help = "Re-encrypt the Slack bot tokens with the first key of HEARTH_CHAT_KEYS."

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            workspaces = list(SlackWorkspace.objects.select_for_update())
            for workspace in workspaces:
                workspace.bot_token_encrypted = rotate(workspace.bot_token_encrypted)
                workspace.save(update_fields=["bot_token_encrypted"])
        self.stdout.write(f"Re-encrypted {len(workspaces)} workspace token(s).")
