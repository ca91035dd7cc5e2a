"""The weekly pulse answered in a Slack DM, against the local Slack Web API: the
invitation with the real k, the modal with the round's items, one receipt and one
response, nothing Slack sent stored, and the friendly refusals."""

from __future__ import annotations

import json

import pytest
from django.db import connection

from connection.models import OrgSettings
from pulse.models import Receipt, Response, Round
from pulse.services import open_round
from tests.chat.conftest import NOW, buttons, deliver_when_due, dms_to, linked, post_interaction

pytestmark = pytest.mark.usefixtures("slack")


def _all_rows_text() -> str:
    """Every row of every table but the linked accounts, as text."""
    rows = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            if table == "chat_slackaccount":
                continue
            cursor.execute(f'SELECT * FROM "{table}"')
            rows += [repr(row) for row in cursor.fetchall()]
    return "\n".join(rows)


def _answers(round_: Round, value: str = "4") -> dict:
    values = {}
    for question in round_.questions.all():
        kind = "static_select" if question.is_enps else "radio_buttons"
        chosen = "9" if question.is_enps else value
        values[f"q{question.pk}"] = {
            "answer": {
                "type": kind,
                "selected_option": {
                    "text": {"type": "plain_text", "text": chosen},
                    "value": chosen,
                },
            }
        }
    values["comment"] = {"answer": {"type": "plain_text_input", "value": "More pairing, please"}}
    return values


def _submit(client, round_, view: dict, user_id: str = "U0PIA", view_id: str = "V0SLACKVIEW"):
    return post_interaction(
        client,
        {
            "type": "view_submission",
            "user": {"id": user_id, "username": "pia", "team_id": "T0HEARTH"},
            "trigger_id": "trig-0000-slack",
            "view": {
                "id": view_id,
                "hash": "156772938.1827394",
                "callback_id": view["callback_id"],
                "private_metadata": view["private_metadata"],
                "state": {"values": _answers(round_)},
            },
        },
    )


def test_the_pulse_is_answered_in_a_dm(client, slack, workspace, pia, alice, bob):
    linked(workspace, pia, "U0PIA", slack)
    OrgSettings.load()
    round_ = open_round(now=NOW)
    deliver_when_due(pia)
    [invite] = dms_to(slack, "U0PIA")
    text = json.dumps(invite["blocks"])
    assert f"at least {round_.min_group_size} people answered" in text
    [answer_here] = [b for b in buttons(invite) if b["action_id"] == "pulse_open"]
    assert answer_here["value"] == str(round_.pk)

    post_interaction(
        client,
        {
            "type": "block_actions",
            "user": {"id": "U0PIA"},
            "trigger_id": "trig-0001-open",
            "container": {
                "type": "message",
                "channel_id": "D0PIA",
                "message_ts": "1700000000.000001",
            },
            "actions": [
                {"action_id": "pulse_open", "value": answer_here["value"], "type": "button"}
            ],
        },
    )
    [opened] = slack.called("views.open")
    view = opened.params["view"]
    inputs = [b for b in view["blocks"] if b["type"] == "input"]
    assert len(inputs) == round_.questions.count() + 1  # the items and the comment
    assert f"at least {round_.min_group_size} people answered" in json.dumps(view["blocks"])

    response = _submit(client, round_, view)
    assert response.status_code == 200
    assert response.json()["view"]["title"]["text"] == "Thank you"
    assert (Receipt.objects.count(), Response.objects.count()) == (1, 1)
    assert Receipt.objects.get().person == pia
    assert Response.objects.get().comment == "More pairing, please"
    # The invitation in the DM now says it was answered.
    [update] = slack.called("chat.update")
    assert update.params["ts"] == "1700000000.000001" and "Answered" in update.params["text"]
    # Nothing Slack sent with the answers is kept anywhere: not the view, the
    # trigger, the hash, nor the Slack user outside the account link.
    stored = _all_rows_text()
    for sent_by_slack in ("V0SLACKVIEW", "trig-0000-slack", "156772938.1827394", "U0PIA"):
        assert sent_by_slack not in stored

    # A second answer is the friendly "already answered", and changes nothing.
    again = _submit(client, round_, view, view_id="V0SECOND")
    assert "already answered" in json.dumps(again.json())
    assert (Receipt.objects.count(), Response.objects.count()) == (1, 1)


def test_a_pulse_answer_missing_an_item_shows_the_error_on_it(
    client, slack, workspace, pia, alice, bob
):
    linked(workspace, pia, "U0PIA", slack)
    OrgSettings.load()
    round_ = open_round(now=NOW)
    first = round_.questions.first()
    values = _answers(round_)
    del values[f"q{first.pk}"]
    response = post_interaction(
        client,
        {
            "type": "view_submission",
            "user": {"id": "U0PIA"},
            "view": {
                "id": "V1",
                "callback_id": "pulse_answer",
                "private_metadata": f"{round_.pk}::",
                "state": {"values": values},
            },
        },
    )
    assert response.json() == {
        "response_action": "errors",
        "errors": {f"q{first.pk}": "Please choose an answer."},
    }
    assert Receipt.objects.count() == 0


def test_a_closed_pulse_opens_a_notice_not_the_form(
    client, slack, workspace, pia, alice, bob, clock
):
    linked(workspace, pia, "U0PIA", slack)
    OrgSettings.load()
    round_ = open_round(now=NOW)
    Round.objects.filter(pk=round_.pk).update(status=Round.Status.CLOSED)
    post_interaction(
        client,
        {
            "type": "block_actions",
            "user": {"id": "U0PIA"},
            "trigger_id": "t",
            "actions": [{"action_id": "pulse_open", "value": str(round_.pk)}],
        },
    )
    view = slack.called("views.open")[0].params["view"]
    assert "has closed" in json.dumps(view) and "submit" not in view
