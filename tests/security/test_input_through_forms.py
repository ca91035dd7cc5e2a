"""No HTML view parses its query string or form by hand: input goes through a
Django form, which turns a bad value into a message instead of a 500."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("connection", "pulse", "rituals", "mentorship", "insights")

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


def view_modules() -> list[Path]:
    """Every views.py, and every module of a views/ package, of every app."""
    return sorted(
        path
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if path.name == "views.py" or path.parent.name == "views"
    )


def test_no_view_parses_input_by_hand():
    found = []
    modules = view_modules()
    assert {path.relative_to(ROOT).parts[0] for path in modules} == set(APPS)
    for path in modules:
        source = path.read_text()
        for node in ast.walk(ast.parse(source)):
            if not isinstance(node, ast.FunctionDef):
                continue
            name = f"{path.relative_to(ROOT)}:{node.name}"
            body = ast.get_source_segment(source, node)
            found += [f"{name}: {word}" for word in HAND_PARSING if word in body]
    assert [f for f in found if f.split(":")[0] not in ELSEWHERE] == []
