"""The SCIM filters identity providers send: `attr eq "value"`, joined by `and`.

Okta and Microsoft Entra look people up by `userName eq "…"` or `externalId eq "…"`
and groups by `displayName eq "…"` (Entra also `id eq "…" and members eq "…"`).
Anything else (`or`, `not`, `co`, `sw`, brackets, parentheses) is answered with
400 invalidFilter rather than guessed at: a filter read wrongly would match the
wrong person, and the provider would then update them.
"""

from __future__ import annotations

import re

from django.db.models import Q
from django.utils.translation import gettext as _

from identity.scim.protocol import ScimError

# attrPath SP "eq" SP compValue, compValue a JSON string, true, false or null.
_COMPARISON = re.compile(
    r"""\s*(?P<attr>[A-Za-z][\w.:$-]*)\s+(?P<op>[A-Za-z]+)\s+
        (?P<value>"(?:[^"\\]|\\.)*"|true|false|null)\s*""",
    re.VERBOSE | re.IGNORECASE,
)
_SPLIT = re.compile(r"""("(?:[^"\\]|\\.)*")|\s+and\s+""", re.IGNORECASE)


def _clauses(text: str) -> list[str]:
    """Split on `and` outside quoted strings."""
    clauses, position = [], 0
    for match in _SPLIT.finditer(text):
        if match.group(1) is None:
            clauses.append(text[position : match.start()])
            position = match.end()
    clauses.append(text[position:])
    return clauses


def _value(raw: str):
    lowered = raw.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered == "null":
        return None
    # A JSON string: the quotes and escapes are JSON's own.
    return re.sub(r"\\(.)", r"\1", raw[1:-1])


def parse_filter(text: str) -> list[tuple[str, object]]:
    """[(attribute path, lower-cased), value] for each `eq` comparison."""
    if not text.strip():
        raise ScimError(400, _("The filter is empty."), "invalidFilter")
    comparisons = []
    for clause in _clauses(text):
        match = _COMPARISON.fullmatch(clause)
        if match is None:
            raise ScimError(
                400,
                _(
                    'Cannot read the filter %(filter)s: Hearth understands attr eq "value" '
                    "joined by and."
                )
                % {"filter": repr(text)},
                "invalidFilter",
            )
        if match["op"].lower() != "eq":
            raise ScimError(
                400,
                _("The operator %(op)s is not supported; use eq.") % {"op": repr(match["op"])},
                "invalidFilter",
            )
        comparisons.append((match["attr"].lower(), _value(match["value"])))
    return comparisons


def filter_q(text: str, lookups: dict[str, object]) -> Q:
    """A Q for a filter, from `lookups`: attribute path → ORM lookup name, or a
    callable (value → Q) for attributes that need more than an equality."""
    condition = Q()
    for attribute, value in parse_filter(text):
        lookup = lookups.get(attribute)
        if lookup is None:
            raise ScimError(
                400,
                _("Cannot filter on %(attribute)s; filterable: %(names)s.")
                % {"attribute": repr(attribute), "names": ", ".join(sorted(lookups))},
                "invalidFilter",
            )
        condition &= lookup(value) if callable(lookup) else Q(**{lookup: value})
    return condition
