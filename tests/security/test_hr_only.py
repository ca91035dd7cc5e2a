"""Every page and endpoint the route matrix shows as HR-only refuses through the one
check in `connection.roles`, not an `if` of its own that the next view forgets."""

from __future__ import annotations

from django.urls import URLResolver, get_resolver

from connection.roles import IsHRAdmin
from tests.security.test_routes import ROLES, ROUTES, row_key

OTHER_ROLES = [i for i, role in enumerate(ROLES) if role not in ("anonymous", "HR")]


def views(patterns=None, prefix: str = ""):
    """(route, view) for every URL pattern, includes walked."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            yield from views(entry.url_patterns, prefix + str(entry.pattern))
        else:
            yield prefix + str(entry.pattern), entry.callback


def hr_only(row) -> bool:
    """Every method the route takes refuses every signed-in role but HR, and HR gets in."""
    if row is None:
        return False
    taken = [outcomes.split() for outcomes in (row.get, row.post) if outcomes]
    return bool(taken) and all(
        all(outcomes[i] == "403" for i in OTHER_ROLES) and outcomes[-1] not in ("403", "404")
        for outcomes in taken
    )


def checked_by_roles(view) -> bool:
    api = getattr(view, "cls", None)
    if api is not None:
        # An @action's own permission_classes reach the view through its initkwargs.
        initkwargs = getattr(view, "initkwargs", {})
        return IsHRAdmin in initkwargs.get("permission_classes", api.permission_classes)
    return getattr(view, "hr_admin_required", False)


def test_every_hr_only_route_uses_the_one_hr_check():
    routes = [(route, view) for route, view in views() if hr_only(ROUTES.get(row_key(route)))]
    assert len({row_key(route) for route, _ in routes}) >= 10  # the matrix still finds them
    unchecked = sorted({row_key(route) for route, view in routes if not checked_by_roles(view)})
    assert not unchecked, f"Use connection.roles (hr_admin_required, IsHRAdmin): {unchecked}"
