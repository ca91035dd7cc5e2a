"""One beat at a time: a second `celery beat` started by mistake (or as a standby on
another machine) waits, sending nothing, until the first one stops.

On PostgreSQL the lock is a session advisory lock, held by a connection of the beat's
own for as long as the process lives: another machine's beat sees it, and a beat that
dies releases it with its connection. On SQLite (one machine by construction) it is
an exclusive lock on a file under var/.
"""

from __future__ import annotations

import fcntl
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.conf import settings
from django.db import connections

log = logging.getLogger(__name__)

# pg_advisory_lock's key: "hearthbt" read as a 64-bit integer.
ADVISORY_KEY = int.from_bytes(b"hearthbt", "big") & 0x7FFF_FFFF_FFFF_FFFF
WAIT_SECONDS = 10
# Log lines, for operators: in English.
WAITING = "Another Celery beat holds the lock: this one sends nothing until it stops."
HOLDING = "This Celery beat holds the lock and schedules Hearth's tasks."


@dataclass
class BeatLock:
    """Held while this object lives; `release()` lets another beat take over."""

    connection: object | None = None
    file: IO | None = None

    def release(self) -> None:
        if self.connection is not None:
            self.connection.close()  # the advisory lock goes with its session
            self.connection = None
        if self.file is not None:
            self.file.close()  # and the file lock with its descriptor
            self.file = None


def try_acquire() -> BeatLock | None:
    """The lock, or None when another beat holds it."""
    if connections["default"].vendor == "postgresql":
        own = connections.create_connection("default")
        with own.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [ADVISORY_KEY])
            (held,) = cursor.fetchone()
        if not held:
            own.close()
            return None
        return BeatLock(connection=own)
    path = Path(settings.VAR_DIR) / "beat.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    file = path.open("a")
    try:
        fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        file.close()
        return None
    return BeatLock(file=file)


def wait_for_lock(sleep=time.sleep) -> BeatLock:
    """Block until this beat holds the lock, saying once that it waits."""
    lock = try_acquire()
    if lock is None:
        log.warning(WAITING)
    while lock is None:
        sleep(WAIT_SECONDS)
        lock = try_acquire()
    log.info(HOLDING)
    return lock
