"""The weekly pulse in Slack: a modal with the round's items, answered through the
same form and service as the browser (pulse.forms.AnswerForm, submit_response).

One answer per person (the receipt's unique constraint, as in the browser); a second
gets the friendly "already answered" the API answers 409 with. Nothing Slack sends
(user, view, trigger ids) is stored with the answers: the service receives the
person, the round and the values, and writes the receipt and the anonymous response
as it does for the browser.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from chat.slack.blocks import esc, plain, section, who_sees_what
from chat.slack.payload import obj, text
from connection.models import User
from pulse.answering import COMMENT_MAX, AlreadyAnswered, PulseError
from pulse.forms import AnswerForm
from pulse.models import AGREEMENT, Question, Round
from pulse.services import needs_care, submit_response

CALLBACK = "pulse_answer"


def _questions(round_: Round) -> list[Question]:
    return list(round_.questions.order_by("roundquestion__position"))


def _option(value: int, label: str) -> dict:
    return {"text": plain(label), "value": str(value)}


def _element(question: Question) -> dict:
    if question.is_enps:
        # Slack's radio buttons take up to 10 options; 0-10 is a select.
        return {
            "type": "static_select",
            "action_id": "answer",
            "placeholder": plain(_("0 = not at all, 10 = extremely")),
            "options": [_option(v, str(v)) for v in question.scale],
        }
    return {
        "type": "radio_buttons",
        "action_id": "answer",
        "options": [_option(v, label) for v, label in AGREEMENT],
    }


def modal(round_: Round, metadata: str) -> dict:
    """The pulse as a modal; `metadata` names the round and the message it came from."""
    blocks = [section(who_sees_what(round_.min_group_size))]
    for question in _questions(round_):
        blocks.append(
            {
                "type": "input",
                "block_id": f"q{question.pk}",
                "label": plain(question.text, 2000),
                "element": _element(question),
            }
        )
    blocks.append(
        {
            "type": "input",
            "block_id": "comment",
            "optional": True,
            "label": plain(_("Anything else? (optional)")),
            "hint": plain(
                _(
                    "Managers see comments only when at least %(k)s people answered, shuffled, "
                    "never with your name, team or tenure."
                )
                % {"k": round_.comment_threshold},
                2000,
            ),
            "element": {
                "type": "plain_text_input",
                "action_id": "answer",
                "multiline": True,
                "max_length": COMMENT_MAX,
            },
        }
    )
    return {
        "type": "modal",
        "callback_id": CALLBACK,
        "private_metadata": metadata,
        "title": plain(_("This week's pulse"), 24),
        "submit": plain(_("Send"), 24),
        "close": plain(_("Not now"), 24),
        "blocks": blocks,
    }


def notice(title: str, text: str) -> dict:
    """A modal that only says something (after sending, or instead of the form)."""
    return {
        "type": "modal",
        "title": plain(title, 24),
        "close": plain(_("Close"), 24),
        "blocks": [section(text)],
    }


def already_answered() -> dict:
    return notice(_("This week's pulse"), _("You've already answered this pulse. Thank you!"))


def closed() -> dict:
    return notice(_("This week's pulse"), _("This pulse has closed. The next one opens soon."))


def opening_view(round_: Round | None, person: User, metadata: str) -> dict:
    """What "Answer here" opens: the form, or why there is none."""
    if round_ is None or Round.objects.open_for(person) != round_:
        return closed()
    if round_.receipts.filter(person=person).exists():
        return already_answered()
    return modal(round_, metadata)


def _form_data(values: dict) -> dict:
    """Slack's view state as the browser form's fields (q<pk>, comment)."""
    data = {}
    for block_id in values:
        answer = obj(values, block_id, "answer")
        if text(answer, "type") == "plain_text_input":
            data[block_id] = text(answer, "value")
        else:
            data[block_id] = text(obj(answer, "selected_option"), "value")
    return data


def submit(person: User, round_: Round | None, values: dict) -> tuple[dict, bool]:
    """The answer to a view_submission, and whether a response was stored."""
    if round_ is None or Round.objects.open_for(person) != round_:
        return {"response_action": "update", "view": closed()}, False
    questions = _questions(round_)
    form = AnswerForm(
        _form_data(values), questions=questions, comment_threshold=round_.comment_threshold
    )
    if not form.is_valid():
        errors = {name: " ".join(messages) for name, messages in form.errors.items()}
        return {"response_action": "errors", "errors": errors}, False
    try:
        submit_response(
            person=person,
            round_=round_,
            answers=form.answers(),
            comment=form.cleaned_data["comment"],
        )
    except AlreadyAnswered:
        return {"response_action": "update", "view": already_answered()}, False
    except PulseError as error:
        view = notice(_("This week's pulse"), esc(error))
        return {"response_action": "update", "view": view}, False
    text = _(
        "Your answers are in, without your name. Your team's results appear after the "
        "round closes, if at least %(k)s people answered."
    ) % {"k": round_.min_group_size}
    if needs_care(questions, form.answers()):
        text += "\n\n" + _(
            "*A week like that is worth a conversation.* Only you see this. A coffee "
            "chat or someone's office hours are one click away in Hearth; and you can "
            "pause nudges for a quieter week. Hearth saved nothing about this."
        )
    return {"response_action": "update", "view": notice(_("Thank you"), text)}, True
