"""Conversations on pulse comments (pulse/conversations.py): the manager or HR
replies to a comment they can read; only the key's holder reads it and answers;
messages cross at the batch; nothing links a comment or a reply to a person."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from connection.models import Nudge
from pulse.answering import digest_of
from pulse.conversations import (
    ConversationError,
    announce_replies,
    answer_as_author,
    author_threads,
    can_reply,
    next_batch,
    reply,
)
from pulse.models import CommentReply, Response
from pulse.services import close_round, open_round, submit_response
from tests.pulse.conftest import MONDAY, answer_all, fill_team

UTC = dt.UTC


def answers_for(round_, value=4):
    return {q.pk: 9 if q.is_enps else value for q in round_.questions.all()}


@pytest.fixture
def talk(clock, alice, bob, team):
    """A reported round of Platform (11 answers, comments shown) in which Bob left a
    comment and kept its key."""
    round_ = open_round(now=MONDAY)
    answer_all(round_, [alice, *fill_team(team, 9)])
    key = submit_response(
        person=bob, round_=round_, answers=answers_for(round_), comment="More pairing please"
    )
    close_round(round_=round_, now=round_.closes_at)
    clock.move_to(round_.closes_at + dt.timedelta(hours=1))
    return round_, key, Response.objects.get(comment="More pairing please")


def test_a_comment_comes_with_a_key_of_which_only_a_fingerprint_is_kept(talk):
    _, key, comment = talk
    assert len(key) == 43
    assert comment.reply_digest == digest_of(key) != key
    assert not Response.objects.filter(reply_digest=key).exists()
    assert Response.objects.filter(comment="").exclude(reply_digest="").count() == 0


def test_batches_fall_every_six_hours_in_utc():
    assert next_batch(dt.datetime(2026, 11, 30, 7, 59, tzinfo=UTC)) == dt.datetime(
        2026, 11, 30, 12, tzinfo=UTC
    )
    assert next_batch(dt.datetime(2026, 11, 30, 18, 0, tzinfo=UTC)) == dt.datetime(
        2026, 12, 1, 0, tzinfo=UTC
    )


def test_the_manager_replies_and_the_author_reads_it_from_the_next_batch(talk, alice):
    _, key, comment = talk
    now = dt.datetime.now(UTC)
    message = reply(person=alice, response=comment, text="Thank you. Shall we try pairing Fridays?")
    assert message.side == "manager" and message.shown_at == next_batch(now)
    assert author_threads([key], now)[0].messages == []  # not before the batch
    [thread] = author_threads([key], message.shown_at)
    assert [m.text for m in thread.messages] == ["Thank you. Shall we try pairing Fridays?"]
    assert thread.response == comment and thread.key == key


def test_the_author_answers_and_the_manager_sees_it_from_the_next_batch(talk, alice, client_for):
    _, key, comment = talk
    with pytest.raises(ConversationError, match="Nobody has replied"):
        answer_as_author(key=key, text="Hello?")
    first = reply(person=alice, response=comment, text="Tell me more?")
    later = first.shown_at + dt.timedelta(minutes=5)
    mine = answer_as_author(key=key, text="Fridays would be great", now=later)
    assert mine.side == "author" and mine.shown_at == next_batch(later)
    assert [m.text for m in author_threads([key], later)[0].messages] == [
        "Tell me more?",
        "Fridays would be great",
    ]
    page = client_for(alice).get(reverse("pulse_results")).content.decode()
    assert "Tell me more?" in page and "Fridays would be great" not in page
    with time_machine.travel(mine.shown_at, tick=False):
        page = client_for(alice).get(reverse("pulse_results")).content.decode()
    assert "Fridays would be great" in page and "The author" in page


def test_a_wrong_or_malformed_key_reads_nothing_and_answers_nothing(talk, alice):
    _, key, comment = talk
    reply(person=alice, response=comment, text="Tell me more?")
    later = dt.datetime.now(UTC) + dt.timedelta(days=1)
    assert author_threads(["x" * 43, "not a key", key[:-1]], later) == []
    with pytest.raises(ConversationError, match="isn't known"):
        answer_as_author(key="x" * 43, text="Me!")
    assert CommentReply.objects.count() == 1


def test_only_those_who_can_read_the_comment_may_reply(talk, alice, bob, charlie, hana):
    _, _, comment = talk
    assert can_reply(alice, comment) and can_reply(hana, comment)
    assert not can_reply(bob, comment) and not can_reply(charlie, comment)
    with pytest.raises(ConversationError):
        reply(person=charlie, response=comment, text="Hi")


def test_no_reply_where_the_comments_are_not_shown(clock, alice, bob, team):
    round_ = open_round(now=MONDAY)
    answer_all(round_, fill_team(team, 4))
    submit_response(person=bob, round_=round_, answers=answers_for(round_), comment="Small")
    close_round(round_=round_, now=round_.closes_at)
    comment = Response.objects.get(comment="Small")
    assert not can_reply(alice, comment)  # 5 answers: under the comment threshold of 10


def test_replying_through_the_results_page(talk, client_for, alice, charlie):
    _, _, comment = talk
    path = reverse("pulse_comment_reply", args=[comment.pk])
    page = client_for(alice).get(reverse("pulse_results")).content.decode()
    assert path in page
    sent = client_for(alice).post(path, {"text": "Thanks, noted", "next": "/pulse/results/"})
    assert sent.status_code == 302 and sent["Location"] == "/pulse/results/"
    assert CommentReply.objects.get().text == "Thanks, noted"
    assert client_for(charlie).post(path, {"text": "Me too"}).status_code == 403
    assert client_for(alice).post(path, {"text": ""}).status_code == 400
    assert CommentReply.objects.count() == 1


def test_the_author_reads_and_answers_without_cookies(talk, alice, client):
    _, key, comment = talk
    reply(person=alice, response=comment, text="Tell me more?")
    client.logout()
    with time_machine.travel(next_batch(dt.datetime.now(UTC)), tick=False):
        page = client.post(reverse("pulse_conversations_read"), {"keys": f"{key}\nnonsense"})
        assert page.status_code == 200
        assert "Tell me more?" in page.content.decode()
        sent = client.post(reverse("pulse_conversations_answer"), {"key": key, "text": "Sure"})
        assert sent.status_code == 200 and "Sure" in sent.content.decode()
        wrong = client.post(reverse("pulse_conversations_answer"), {"key": "y" * 43, "text": "x"})
        assert wrong.status_code == 400
    assert CommentReply.objects.filter(side="author").count() == 1


def test_the_note_goes_to_everyone_who_answered_in_the_team(talk, alice, bob, team):
    round_, _, comment = talk
    message = reply(person=alice, response=comment, text="Tell me more?")
    assert announce_replies(message.shown_at - dt.timedelta(minutes=1)) == 0  # not yet
    noted = announce_replies(message.shown_at + dt.timedelta(minutes=1))
    respondents = round_.receipts.filter(team=team).count()
    assert noted == respondents == 11
    assert Nudge.objects.filter(kind="pulse_conversation", recipient=bob).count() == 1
    assert announce_replies(message.shown_at + dt.timedelta(hours=1)) == 0  # once a batch
