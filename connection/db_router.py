"""Heavy dashboard reads from a read replica (docs/scaling.md, "Read replica").

When DATABASE_REPLICA_URL is set, settings add a "replica" database and this router.
A view marked `@reads_replica` (the team and organisation dashboards, the pulse results,
their CSVs and API) reads from the replica; everything else reads and writes on
"default". Inside a marked view a read still goes to "default":

- once the request has written anything (read your own writes);
- inside a transaction the view opened on "default" (what it locks or is about to
  write must be read where it is written);
- for the settings rows (PRIMARY_ONLY): the privacy guard's minimum group size is read
  as HR last saved it, never a few seconds old.

A replica lags its primary by a moment: a figure published a second ago may show on the
next load. Published figures never change once written, so a dashboard never shows a
figure that was not true.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
# Settings singletons: read on default, and their load()'s get_or_create is no write
# that should move the request's other reads.
PRIMARY_ONLY = frozenset({"connection.orgsettings", "pulse.pulsesettings"})


@dataclass
class _Scope:
    depth: int  # transactions open on default when the view began (a test's own)
    wrote: bool = False


_SCOPE: ContextVar[_Scope | None] = ContextVar("hearth_replica_scope", default=None)


def reads_replica(view: Callable) -> Callable:
    """Mark a view whose reads may come from the replica (a no-op without one)."""

    @functools.wraps(view)
    def marked(*args, **kwargs):
        if REPLICA not in settings.DATABASES:
            return view(*args, **kwargs)
        token = _SCOPE.set(_Scope(depth=len(connections[DEFAULT_DB_ALIAS].atomic_blocks)))
        try:
            return view(*args, **kwargs)
        finally:
            _SCOPE.reset(token)

    return marked


class ReplicaRouter:
    """Reads in a marked view go to the replica; every other query to default."""

    def db_for_read(self, model, **hints) -> str:
        scope = _SCOPE.get()
        if (
            scope is None
            or scope.wrote
            or model._meta.label_lower in PRIMARY_ONLY
            or len(connections[DEFAULT_DB_ALIAS].atomic_blocks) > scope.depth
        ):
            # Named, not None: a row read from the replica would otherwise lead its
            # related rows back there (Django falls back to the instance's database).
            return DEFAULT_DB_ALIAS
        return REPLICA

    def db_for_write(self, model, **hints) -> str:
        scope = _SCOPE.get()
        if scope is not None and model._meta.label_lower not in PRIMARY_ONLY:
            scope.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        # The replica is a copy of default: a row read from either may point at the other.
        return {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA}
