"""Erasure: Dana's data is deleted or anonymised everywhere, what she wrote for others
stays as "a former colleague", published figures stay byte for byte, and the audit
trail records it without her name."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client

from connection.audit import record
from connection.lifecycle import (
    FORMER_NAME,
    CannotErase,
    PersonalData,
    entries,
    erase_person,
    former_colleague,
    services,
)
from connection.models import AuditEntry, SignIn, Team, User
from mentorship.models import MatchGroup, MentoringSession
from rituals.models import Recognition, TeamRitual, ThreadPost
from tests.lifecycle.conftest import DANA_EMAIL, DANA_NAME
from tests.lifecycle.tables import mentions, pointing_at, published_dump


def test_nothing_names_or_points_at_her_afterwards(world, hana):
    pk = world.dana.pk
    assert mentions([DANA_EMAIL, DANA_NAME])  # the scan sees her before
    assert pointing_at(pk)
    erase_person(person=world.dana, actor=hana)
    assert mentions([DANA_EMAIL, DANA_NAME]) == []
    assert pointing_at(pk) == []
    assert not User.objects.filter(pk=pk).exists()


def test_published_figures_stay_byte_for_byte(world, hana):
    before = published_dump()
    erase_person(person=world.dana, actor=hana)
    assert published_dump() == before


def test_what_she_wrote_for_others_stays_as_a_former_colleague(world, hana, bob, team):
    erase_person(person=world.dana, actor=hana)
    former = former_colleague()
    assert not former.is_active and not former.has_usable_password()
    post = ThreadPost.objects.get(status="Thread Thyme")
    assert post.author == former and str(post.author) == FORMER_NAME
    assert ThreadPost.objects.get(author=bob).status == f"Thanks {FORMER_NAME}!"
    assert Recognition.objects.get(message="Kudos Kale").giver == former
    # Recognition only for her goes; the session with Bob stays for Bob.
    assert not Recognition.objects.filter(message="Kudos Cumin").exists()
    assert MentoringSession.objects.get(mentor=bob).mentee == former
    group = MatchGroup.objects.get()
    assert list(group.members.all()) == [bob] and group.newcomer is None
    ritual = TeamRitual.objects.get()
    assert ritual.host is None and list(ritual.participants.all()) == [bob]
    assert not team.managers.filter(email=DANA_EMAIL).exists()
    bob.refresh_from_db()
    assert bob.manager is None


def test_her_sessions_and_tokens_end_at_once(world, hana, client):
    client.force_login(world.dana)
    assert SignIn.objects.filter(user=world.dana).count() == 2
    erase_person(person=world.dana, actor=hana)
    assert not SignIn.objects.exists()
    assert client.get("/profile/").status_code == 302


def test_the_audit_trail_records_it_without_her_data(world, hana):
    pk = world.dana.pk
    erase_person(person=world.dana, actor=hana)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.PERSON_ERASED)
    assert entry.actor == hana
    assert entry.detail["person"] == f"person #{pk}"
    assert DANA_NAME not in str(entry.detail) and DANA_EMAIL not in str(entry.detail)
    # What she did as an HR admin reads "a former colleague".
    acted = AuditEntry.objects.get(action=AuditEntry.Action.PULSE_CSV)
    assert str(acted.actor) == FORMER_NAME


def test_erasing_yourself_reads_a_former_colleague(world):
    erase_person(person=world.dana, actor=world.dana)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.PERSON_ERASED)
    assert str(entry.actor) == FORMER_NAME and entry.detail["by"] == "themselves"


def test_two_erasures_share_the_placeholder(world, hana, bob):
    erase_person(person=world.dana, actor=hana)
    erase_person(person=bob, actor=hana)
    assert User.objects.filter(display_name=FORMER_NAME).count() == 1
    # The session between two erased people has nobody left to keep it for.
    assert not MentoringSession.objects.exists()


def test_the_placeholder_cannot_be_erased(hana):
    with pytest.raises(CannotErase):
        erase_person(person=former_colleague(), actor=hana)


def test_a_manager_with_a_team_and_rituals_leaves_nothing_dangling(world, hana, team):
    erase_person(person=world.dana, actor=hana)
    assert Team.objects.filter(pk=team.pk).exists()
    assert Client().get("/").status_code == 302


def test_an_erasure_that_fails_changes_nothing(world, hana, monkeypatch):
    before = mentions([DANA_EMAIL, DANA_NAME])

    def broken(person):
        raise RuntimeError("disk full")

    last = PersonalData("broken", "Broken", None, broken)
    monkeypatch.setattr(services, "entries", lambda: [*entries(), last])
    with pytest.raises(RuntimeError):
        erase_person(person=world.dana, actor=hana)
    assert mentions([DANA_EMAIL, DANA_NAME]) == before
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.PERSON_ERASED).exists()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the append-only trigger is PostgreSQL's"
)
def test_outside_the_lifecycle_the_trigger_still_refuses(hana):
    record(actor=hana, action=AuditEntry.Action.PULSE_CSV)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL hearth.audit_maintenance = 'off'")
        for sql in (
            "UPDATE connection_auditentry SET action = 'x'",
            "DELETE FROM connection_auditentry",
        ):
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
                cursor.execute(sql)
