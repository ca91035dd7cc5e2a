"""Finds text a person would read that is not marked for translation (docs/i18n.md).

Templates: every text between tags, and the attributes people read (`title`, `alt`,
`placeholder`, `aria-label`, `label`), outside `{% translate %}` and
`{% blocktranslate %}`, with `<script>` and `<style>` left out, and the English
arguments of `yesno` and `default`. Python: the strings a person reads, where they
are written as bare literals: messages, the errors views and forms raise, form and
model labels and help texts, choices, chart titles, and the title and body of a
message's payload.

    python -m tests.translations_check templates/pulse pulse   # one part's leftovers
"""

from __future__ import annotations

import ast
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

from django.template.base import Lexer, TokenType

ROOT = Path(__file__).resolve().parents[1]
APPS = ("connection", "pulse", "rituals", "mentorship", "insights", "identity", "chat", "moments")
# Names, not words: they read the same in every language.
NAMES = {
    "Hearth", "CSV", "PDF", "API", "eNPS", "SCIM", "SSO", "Slack", "Microsoft", "Teams",
    "OpenID", "Connect", "JSON", "iCal", "ICS", "URL", "OK", "Okta", "Entra", "UTC", "HTML",
    "Google", "Zoom", "Meet", "Markdown", "Swagger", "ReDoc", "OpenAPI", "Kubernetes", "IdP",
    "TOTP", "htmx", "Webhook", "webhook", "Hana", "Alice", "Bob", "Nia", "Ito", "Moreau",
    "Ferreira", "Okafor", "hearth", "example", "com", "px", "ok", "de", "en", "gb", "vs",
}  # fmt: skip
READ_ATTRIBUTES = ("title", "alt", "placeholder", "aria-label", "label", "aria-description")
WORD = re.compile(r"[^\W\d_]{2,}")


def _words(text: str) -> list[str]:
    text = re.sub(r"&[#\w]+;", " ", text)
    return [w for w in WORD.findall(text) if w not in NAMES]


class _Text(HTMLParser):
    """The text and the read attributes of a page whose template tags are blanked."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []

    def handle_data(self, data: str) -> None:
        if _words(data):
            self.found.append((self.getpos()[0], " ".join(data.split())))

    def handle_starttag(self, tag: str, attrs) -> None:
        for name, value in attrs:
            if name in READ_ATTRIBUTES and value and _words(value):
                self.found.append((self.getpos()[0], value))


def _template_text(source: str) -> list[tuple[int, str]]:
    """(line, text) of each unmarked piece of text in a template's source."""
    # Leave scripts and styles out, keeping the lines so line numbers stay right.
    source = re.sub(
        r"<(script|style)\b.*?</\1>",
        lambda m: "\n" * m.group(0).count("\n"),
        source,
        flags=re.S | re.I,
    )
    found = []
    pieces = []
    depth = 0  # inside blocktranslate or comment
    for token in Lexer(source).tokenize():
        blank = "\x01" + "\n" * token.contents.count("\n")
        contents = token.contents.strip()
        if token.token_type == TokenType.BLOCK:
            name = contents.split()[0] if contents else ""
            if name in ("blocktranslate", "blocktrans", "comment"):
                depth += 1
            elif name in ("endblocktranslate", "endblocktrans", "endcomment"):
                depth -= 1
            pieces.append(blank)
        elif token.token_type == TokenType.VAR:
            for literal in re.findall(r'\|(?:yesno|default):"([^"]*)"', token.contents):
                if not depth and _words(literal):
                    found.append((token.lineno, literal))
            pieces.append(blank)
        elif token.token_type == TokenType.TEXT and not depth:
            pieces.append(token.contents)
        else:
            pieces.append(blank)
    parser = _Text()
    parser.feed("".join(pieces))
    parser.close()
    return sorted(found + parser.found)


def template_leftovers(paths: list[Path]) -> list[str]:
    out = []
    for path in paths:
        for line, text in _template_text(path.read_text()):
            out.append(f"{path.relative_to(ROOT)}:{line}: {text[:100]}")
    return out


# ---------------------------------------------------------------- Python

TRANSLATING = {
    "_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy",
    "npgettext", "npgettext_lazy", "format_lazy", "_lazy",
}  # fmt: skip
SINK_CALLS = {
    "success", "info", "warning", "error", "add_message",  # django.contrib.messages
    "ValidationError", "PermissionDenied", "Http404", "add_error", "bad_request_message",
}  # fmt: skip
SINK_KEYWORDS = {
    "label", "help_text", "empty_label", "verbose_name", "verbose_name_plural", "title",
    "desc", "message", "refusal", "reason", "detail", "placeholder",
}  # fmt: skip
PAYLOAD_KEYS = {"title", "body", "action", "label"}
DEVELOPER_ERRORS = {
    "ValueError", "TypeError", "RuntimeError", "KeyError", "AssertionError", "LookupError",
    "NotImplementedError", "CommandError", "ImproperlyConfigured", "AttributeError",
    "OverflowError", "IndexError", "OSError", "Exception", "SystemExit", "NotSupportedError",
}  # fmt: skip


def _is_text(node: ast.AST) -> bool:
    """A literal a person would read: a string with words, an f-string, or a sum of them."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value.strip()
        return bool(_words(text)) and (" " in text or text[:1].isupper())
    if isinstance(node, ast.JoinedStr):
        return any(_is_text(v) for v in node.values if isinstance(v, ast.Constant))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        return _is_text(node.left) or _is_text(node.right)
    return False


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


class _Finder(ast.NodeVisitor):
    def __init__(self) -> None:
        self.found: list[tuple[int, str]] = []
        self.choices_class = False

    def _flag(self, node: ast.AST) -> None:
        if _is_text(node):
            self.found.append((node.lineno, ast.unparse(node)[:100]))

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        outer = self.choices_class
        self.choices_class = any(
            _name(base) in ("TextChoices", "IntegerChoices", "Choices") for base in node.bases
        )
        self.generic_visit(node)
        self.choices_class = outer

    def visit_Assign(self, node: ast.Assign) -> None:
        if self.choices_class and isinstance(node.value, ast.Tuple) and node.value.elts:
            self._flag(node.value.elts[-1])
        self.generic_visit(node)

    def visit_Raise(self, node: ast.Raise) -> None:
        call = node.exc
        if isinstance(call, ast.Call) and _name(call.func) not in DEVELOPER_ERRORS and call.args:
            self._flag(call.args[0])
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        name = _name(node.func)
        if name in TRANSLATING:
            return  # what is inside is marked
        if name in SINK_CALLS:
            for arg in node.args:
                self._flag(arg)
        for keyword in node.keywords:
            if keyword.arg in SINK_KEYWORDS:
                self._flag(keyword.value)
            elif keyword.arg == "error_messages" and isinstance(keyword.value, ast.Dict):
                for value in keyword.value.values:
                    self._flag(value)
            elif keyword.arg == "choices" and isinstance(keyword.value, ast.List | ast.Tuple):
                for pair in keyword.value.elts:
                    if isinstance(pair, ast.Tuple) and len(pair.elts) == 2:
                        self._flag(pair.elts[1])
            elif keyword.arg == "payload" and isinstance(keyword.value, ast.Dict):
                self._payload(keyword.value)
        self.generic_visit(node)

    def visit_Dict(self, node: ast.Dict) -> None:
        keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
        if {"title", "body"} <= keys or {"title", "url"} <= keys:
            self._payload(node)
        self.generic_visit(node)

    def _payload(self, node: ast.Dict) -> None:
        for key, value in zip(node.keys, node.values, strict=True):
            if isinstance(key, ast.Constant) and key.value in PAYLOAD_KEYS:
                self._flag(value)


def python_files(roots: list[Path]) -> list[Path]:
    files = []
    for root in roots:
        candidates = [root] if root.is_file() else sorted(root.rglob("*.py"))
        # Migrations and commands speak to operators; the demo's seed is content.
        files += [p for p in candidates if not {"migrations", "management", "demo"} & set(p.parts)]
    return files


def python_leftovers(paths: list[Path]) -> list[str]:
    out = []
    for path in paths:
        finder = _Finder()
        finder.visit(ast.parse(path.read_text()))
        for line, text in sorted(set(finder.found)):
            out.append(f"{path.relative_to(ROOT)}:{line}: {text}")
    return out


CATALOGUE = ROOT / "locale" / "de" / "LC_MESSAGES" / "django.po"


def read_catalogue(path: Path = CATALOGUE) -> dict[str, list[str]]:
    """{msgid (after its context and "\\x04", if any): [msgstr, ...]} of a .po file;
    fuzzy entries are left out (they are not translations)."""
    entries: dict[str, list[str]] = {}
    for block in path.read_text().split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#~")]
        if not lines or any(line.startswith("#,") and "fuzzy" in line for line in lines):
            continue
        fields: dict[str, str] = {}
        current = None
        for line in lines:
            if line.startswith("#"):
                continue
            found = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d\])?) "(.*)"$', line)
            if found:
                current = found[1]
                fields[current] = found[2]
            elif line.startswith('"') and current:
                fields[current] += line[1:-1]
        if fields.get("msgid"):
            key = "\x04".join(filter(None, (fields.get("msgctxt"), fields["msgid"])))
            entries[key] = [v for k, v in sorted(fields.items()) if k.startswith("msgstr")]
    return entries


def leftovers(paths: list[Path]) -> list[str]:
    templates = [p for root in paths for p in ([root] if root.is_file() else root.rglob("*"))
                 if p.suffix in (".html", ".txt") and "drf_spectacular" not in p.parts]  # fmt: skip
    return template_leftovers(sorted(set(templates))) + python_leftovers(
        python_files([p for p in paths if p.is_dir() or p.suffix == ".py"])
    )


if __name__ == "__main__":
    import django

    django.setup()
    found = leftovers([ROOT / arg for arg in sys.argv[1:]])
    print("\n".join(found) or "Nothing left to mark.")
    print(f"{len(found)} left", file=sys.stderr)
