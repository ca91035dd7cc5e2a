"""Chat tokens at rest: encrypted, readable with any configured key, rotated to the
newest by `manage.py rotate_chat_keys`, and a clear error when no key opens them."""

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from chat.models import SlackWorkspace

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def _workspace() -> SlackWorkspace:
    workspace = SlackWorkspace(team_id="T0KEYS", name="Keys", bot_user_id="U0BOT")
    workspace.bot_token = "xoxb-secret"
    workspace.save()
    return workspace


def test_tokens_are_stored_encrypted_and_read_back(db, settings):
    settings.HEARTH_CHAT_KEYS = [OLD]
    stored = SlackWorkspace.objects.get(pk=_workspace().pk)
    assert "xoxb-secret" not in stored.bot_token_encrypted
    assert Fernet(OLD.encode()).decrypt(stored.bot_token_encrypted.encode()) == b"xoxb-secret"
    assert stored.bot_token == "xoxb-secret"


def test_rotation_moves_tokens_to_the_newest_key(db, settings):
    settings.HEARTH_CHAT_KEYS = [OLD]
    workspace = _workspace()
    settings.HEARTH_CHAT_KEYS = [NEW, OLD]  # the new key in front; the old still reads
    assert SlackWorkspace.objects.get(pk=workspace.pk).bot_token == "xoxb-secret"
    call_command("rotate_chat_keys", stdout=None)
    settings.HEARTH_CHAT_KEYS = [NEW]  # the old key dropped
    assert SlackWorkspace.objects.get(pk=workspace.pk).bot_token == "xoxb-secret"


def test_a_token_no_key_opens_is_a_clear_error(db, settings):
    settings.HEARTH_CHAT_KEYS = [OLD]
    workspace = _workspace()
    settings.HEARTH_CHAT_KEYS = [NEW]
    with pytest.raises(ImproperlyConfigured, match="opens with none"):
        assert SlackWorkspace.objects.get(pk=workspace.pk).bot_token is None


def test_a_key_that_is_not_a_fernet_key_is_a_clear_error(db, settings):
    settings.HEARTH_CHAT_KEYS = ["not-a-key"]
    with pytest.raises(ImproperlyConfigured, match="not a Fernet key"):
        _workspace()
