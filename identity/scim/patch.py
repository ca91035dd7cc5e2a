"""PATCH requests (RFC 7644 §3.5.2) as the providers send them, read into operations.

Okta sends `{"op": "replace", "value": {"active": false}}` (no path, the value an
object of attributes); Microsoft Entra sends `{"op": "Replace", "path": "active",
"value": "False"}` (capitalised ops, string booleans) and paths such as
`emails[type eq "work"].value`, `members[value eq "…"]` or an extension attribute
named by its full URN. Both come out of `operations` the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from identity.scim.filters import parse_filter
from identity.scim.protocol import PATCH_OP, ScimError

_PATH = re.compile(
    r"(?P<attribute>[A-Za-z$][\w$-]*)(?:\[(?P<filter>[^\]]*)\])?(?:\.(?P<sub>[A-Za-z$][\w$-]*))?"
)


@dataclass(frozen=True)
class Path:
    """An attribute path: `schema` is the URN it was qualified with ("" for the core
    schema), names lower-cased; `where` the value filter in brackets, if any."""

    schema: str
    attribute: str
    sub: str = ""
    where: tuple[tuple[str, object], ...] = ()


@dataclass(frozen=True)
class Operation:
    op: str  # "add", "replace" or "remove"
    path: Path | None
    value: object = None


def parse_path(text: str, *, extensions: tuple[str, ...]) -> Path:
    """Read `text`, which may start with an extension's URN (`urn:…:User:manager`)."""
    schema, rest = "", text.strip()
    if rest.lower().startswith("urn:"):
        for urn in extensions:
            if rest.lower().startswith(urn.lower() + ":"):
                schema, rest = urn, rest[len(urn) + 1 :]
                break
        else:
            # A schema Hearth does not keep (Entra's own extension, for one): ignored.
            return Path(schema=rest.rsplit(":", 1)[0].lower(), attribute=rest.rsplit(":", 1)[-1])
    match = _PATH.fullmatch(rest)
    if match is None:
        raise ScimError(
            400, _("Cannot read the path %(path)s.") % {"path": repr(text)}, "invalidPath"
        )
    where = tuple(parse_filter(match["filter"])) if match["filter"] is not None else ()
    return Path(
        schema=schema,
        attribute=match["attribute"].lower(),
        sub=(match["sub"] or "").lower(),
        where=where,
    )


def operations(body: dict, *, extensions: tuple[str, ...]) -> list[Operation]:
    """The body's operations, in order; an operation without a path whose value is an
    object becomes one operation per attribute in it."""
    if PATCH_OP not in body.get("schemas", [PATCH_OP]):
        raise ScimError(
            400,
            _("A PATCH body has the schema %(schema)s.") % {"schema": PATCH_OP},
            "invalidSyntax",
        )
    raw = body.get("Operations", body.get("operations"))
    if not isinstance(raw, list) or not raw:
        raise ScimError(400, _("A PATCH body lists its Operations."), "invalidSyntax")
    result = []
    for item in raw:
        if not isinstance(item, dict):
            raise ScimError(400, _("Each operation is a JSON object."), "invalidSyntax")
        op = str(item.get("op", "")).lower()
        if op not in ("add", "replace", "remove"):
            raise ScimError(
                400,
                _("Unknown operation %(op)s.") % {"op": repr(item.get("op"))},
                "invalidSyntax",
            )
        path, value = item.get("path"), item.get("value")
        if path:
            result.append(Operation(op, parse_path(str(path), extensions=extensions), value))
        elif op == "remove":
            raise ScimError(400, _("A remove operation names its path."), "noTarget")
        elif isinstance(value, dict):
            result.extend(_spread(op, value, extensions=extensions))
        else:
            raise ScimError(
                400, _("An operation without a path has an object value."), "invalidValue"
            )
    return result


def _spread(op: str, value: dict, *, extensions: tuple[str, ...]) -> list[Operation]:
    result = []
    for key, item in value.items():
        if key in extensions and isinstance(item, dict):
            result.extend(
                Operation(op, parse_path(f"{key}:{name}", extensions=extensions), sub)
                for name, sub in item.items()
            )
        else:
            result.append(Operation(op, parse_path(key, extensions=extensions), item))
    return result


def reference_id(value) -> str | None:
    """The id in a reference as providers send it: "42", {"value": "42"} or
    [{"value": "42"}]; None to clear it."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("value")
    if value in (None, ""):
        return None
    if isinstance(value, str | int) and not isinstance(value, bool):
        return str(value)
    raise ScimError(
        400, _("Cannot read a reference from %(value)s.") % {"value": repr(value)}, "invalidValue"
    )
