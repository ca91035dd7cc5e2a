"""No HTML view parses its query string or form by hand: input goes through a
Django form, which turns a bad value into a message instead of a 500."""

import ast
import inspect

import rituals.views.budgets
import rituals.views.occurrences
import rituals.views.recognition
import rituals.views.rituals
import rituals.views.thread
from connection import insight_views
from connection import views as core_views
from mentorship import views as mentorship_views
from pulse import views as pulse_views

HAND_PARSING = (
    "isdigit(",
    "isdecimal(",
    "int(request",
    "fromisoformat(request",
    "request.GET[",
    "request.POST[",
    "request.GET.get(",
    "request.POST.get(",
    "request.GET.getlist(",
    "request.POST.getlist(",
)

ELSEWHERE: dict[str, str] = {}


def test_no_view_parses_input_by_hand():
    found = []
    for module in (
        core_views,
        insight_views,
        pulse_views,
        rituals.views.budgets,
        rituals.views.occurrences,
        rituals.views.recognition,
        rituals.views.rituals,
        rituals.views.thread,
        mentorship_views,
    ):
        source = inspect.getsource(module)
        for node in ast.walk(ast.parse(source)):
            if not isinstance(node, ast.FunctionDef):
                continue
            name = f"{module.__name__}.{node.name}"
            body = ast.get_source_segment(source, node)
            found += [f"{name}: {word}" for word in HAND_PARSING if word in body]
    assert [f for f in found if f.split(":")[0] not in ELSEWHERE] == []
