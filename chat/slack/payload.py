"""Reading what Slack sent without trusting its shape: a signed payload may still
carry a list where a dict belongs, or "²" where an id does. Every reader here answers
an empty value instead of raising, so a malformed request is refused, never a 500."""

from __future__ import annotations

import re
from html import unescape

ID = re.compile(r"[0-9]{1,12}")
MARKUP = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")


def obj(data, *keys: str) -> dict:
    """data[k1][k2]… as a dict ({} when any step is missing or not a dict)."""
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data if isinstance(data, dict) else {}


def text(data, key: str) -> str:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, str) else ""


def dicts(data, key: str) -> list[dict]:
    value = data.get(key) if isinstance(data, dict) else None
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def strings(data, key: str) -> list[str]:
    value = data.get(key) if isinstance(data, dict) else None
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def number(value: str) -> int | None:
    """An id Hearth wrote into a button or a view (ASCII digits only), else None."""
    return int(value) if isinstance(value, str) and ID.fullmatch(value) else None


def as_text(slack_text: str) -> str:
    """Slack's message markup as plain text, for storing what someone wrote: a mention
    `<@U1|sam>` becomes "@sam", `<!channel>` "@channel", a link `<url|label>`
    "label (url)", and &amp; &lt; &gt; their characters. Posting it back to Slack
    escapes it again (chat.slack.blocks.esc), so nobody is pinged by a stored text."""

    def one(match: re.Match) -> str:
        target, label = match.group(1), match.group(2)
        if target.startswith(("@", "#")):
            return f"{target[0]}{label or target[1:]}"
        if target.startswith("!"):
            name = label or target[1:].split("^")[0]
            return name if name.startswith("@") else f"@{name}"
        return f"{label} ({target})" if label and label != target else target

    return unescape(MARKUP.sub(one, slack_text))
