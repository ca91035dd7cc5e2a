import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from connection.models import Nudge, Signal
from rituals.models import Reaction, Recognition, ThreadPost, Value
from rituals.services.errors import RitualError
from rituals.services.recognition import DAILY_RECOGNITION_LIMIT, recognise
from rituals.services.thread import post_to_thread
from tests.helpers import make_user, shows_errors


@pytest.fixture
def clock():
    with time_machine.travel(dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC), tick=False) as t:
        yield t


def test_member_posts_with_highlight_and_question_signals(client_for, clock, bob, team):
    response = client_for(bob).post(
        f"/rituals/thread/?team={team.pk}",
        {
            "team": team.pk,
            "status": "Fixing the deploy script",
            "highlight": "Ran 10k",
            "is_question": "on",
        },
    )
    assert response.status_code == 302
    post = ThreadPost.objects.get()
    assert post.is_question and post.highlight == "Ran 10k"
    kinds = set(Signal.objects.filter(actor=bob).values_list("kind", flat=True))
    assert kinds == {"posted", "asked"}


def test_htmx_post_returns_the_feed_fragment(client_for, clock, bob, team):
    response = client_for(bob).post(
        f"/rituals/thread/?team={team.pk}",
        {"team": team.pk, "status": "Hello"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="feed">') and "Hello" in body


def test_new_posts_arrive_by_polling(client_for, clock, alice, bob, team):
    first = post_to_thread(author=alice, team=team, status="Morning")
    post_to_thread(author=alice, team=team, status="Later news")
    body = (
        client_for(bob)
        .get(f"/rituals/thread/?team={team.pk}&after={first.pk}", HTTP_HX_REQUEST="true")
        .content.decode()
    )
    assert "Later news" in body and "Morning" not in body
    assert 'hx-swap-oob="true"' in body


def test_reply_and_reaction_are_signals_and_notify_the_author(client_for, clock, alice, bob, team):
    post = post_to_thread(author=alice, team=team, status="Anyone know the VPN trick?")
    client = client_for(bob)
    client.post(f"/rituals/thread/{post.pk}/reply/", {"status": "Yes: restart it"})
    client.post(f"/rituals/thread/{post.pk}/react/", {"kind": "thanks"}, HTTP_HX_REQUEST="true")
    assert Reaction.objects.filter(post=post, person=bob).count() == 1
    client.post(f"/rituals/thread/{post.pk}/react/", {"kind": "thanks"})
    assert not Reaction.objects.exists()  # a second tap takes it back
    assert Signal.objects.filter(actor=bob, other=alice, kind="replied").count() == 2
    assert Nudge.objects.filter(recipient=alice, kind="thread_activity").count() == 1


def test_outsiders_cannot_post_or_read_another_teams_thread(client_for, clock, charlie, team):
    client = client_for(charlie)
    assert client.get(f"/rituals/thread/?team={team.pk}").status_code == 404
    with pytest.raises(RitualError):
        post_to_thread(author=charlie, team=team, status="hi")


def test_who_reads_a_thread_but_is_not_on_the_team_cannot_react_either(
    client_for, clock, bob, hana, team
):
    """HR reads every thread; like replies, reactions are for the team and its managers."""
    post = post_to_thread(author=bob, team=team, status="Shipped the fix")
    response = client_for(hana).post(f"/rituals/thread/{post.pk}/react/", {"kind": "love"})
    assert response.status_code == 400
    assert not Reaction.objects.exists()
    assert not Signal.objects.filter(actor=hana).exists()


def test_thread_page_queries_do_not_grow_with_posts(client_for, clock, alice, bob, team):
    client = client_for(bob)  # signing in (and its sign-in log) is not the page's cost

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/rituals/thread/?team={team.pk}").status_code == 200
        return len(queries)

    for i in range(5):
        post = post_to_thread(author=alice, team=team, status=f"post {i}")
        post_to_thread(author=bob, team=team, status="reply", parent=post)
    count()  # warm: the first request creates per-person rows
    small = count()
    for i in range(40):
        post = post_to_thread(author=alice, team=team, status=f"more {i}")
        post_to_thread(author=bob, team=team, status="reply", parent=post)
        Reaction.objects.create(post=post, person=bob, kind="love")
    assert count() == small
    assert small <= 15


def test_recognition_writes_signals_and_a_nudge(client_for, clock, bob, alice):
    value = Value.objects.get(name="Helping a newcomer")
    response = client_for(bob).post(
        "/rituals/recognition/",
        {
            "receivers": [alice.pk],
            "message": "Thanks for the debugging help",
            "values": [value.pk],
            "visibility": "team",
        },
    )
    assert response.status_code == 302
    recognition = Recognition.objects.get()
    assert list(recognition.receivers.all()) == [alice]
    assert Signal.objects.filter(actor=bob, other=alice, kind="recognised").count() == 1
    assert Nudge.objects.filter(recipient=alice, kind="recognition").count() == 1


@pytest.mark.parametrize(
    ("who", "message", "error"),
    [
        ("self", "Me!", "can’t recognise yourself"),
        ("gone", "Bye", "has left"),
        ("alice", "", "This field is required"),
    ],
)
def test_bad_recognition_is_refused(client_for, clock, bob, alice, who, message, error):
    target = {"self": bob, "alice": alice, "gone": make_user(is_active=False)}[who]
    value = Value.objects.first()
    if who == "self":
        with pytest.raises(RitualError, match=error):
            recognise(
                giver=bob, receivers=[bob], message=message, values=[value], visibility="public"
            )
    elif who == "gone":
        with pytest.raises(RitualError, match=error):
            recognise(
                giver=bob, receivers=[target], message=message, values=[value], visibility="public"
            )
    else:
        response = client_for(bob).post(
            "/rituals/recognition/",
            {
                "receivers": [target.pk],
                "message": message,
                "values": [value.pk],
                "visibility": "team",
            },
        )
        assert shows_errors(response) and error in response.content.decode()
    assert not Recognition.objects.exists()


def test_daily_limit_per_giver(clock, bob, alice):
    value = Value.objects.first()
    for _ in range(DAILY_RECOGNITION_LIMIT):
        recognise(
            giver=bob, receivers=[alice], message="thanks", values=[value], visibility="public"
        )
    with pytest.raises(RitualError, match="save some for tomorrow"):
        recognise(
            giver=bob, receivers=[alice], message="thanks", values=[value], visibility="public"
        )
    clock.shift(dt.timedelta(days=1))
    recognise(giver=bob, receivers=[alice], message="thanks", values=[value], visibility="public")


def test_private_recognition_is_seen_by_receiver_and_their_manager_only(
    client_for, clock, bob, alice, charlie, hana
):
    value = Value.objects.first()
    private = recognise(
        giver=charlie,
        receivers=[bob],
        message="quietly: thank you",
        values=[value],
        visibility="private",
        notify_manager=True,
    )
    assert private in Recognition.objects.visible_to(bob)
    assert private in Recognition.objects.visible_to(alice)  # Bob's manager, as chosen
    other = make_user()
    assert private not in Recognition.objects.visible_to(other)
    assert (
        "quietly: thank you" in client_for(bob).get("/rituals/recognition/mine/").content.decode()
    )


def test_hr_can_hide_a_post(client_for, clock, bob, alice, hana):
    value = Value.objects.first()
    r = recognise(
        giver=bob, receivers=[alice], message="spammy", values=[value], visibility="public"
    )
    assert client_for(alice).post(f"/rituals/recognition/{r.pk}/hide/").status_code == 403
    client_for(hana).post(f"/rituals/recognition/{r.pk}/hide/", {"action": "hide"})
    assert "spammy" not in client_for(bob).get("/rituals/recognition/?scope=org").content.decode()
