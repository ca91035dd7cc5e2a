"""A nudge's dedupe key only makes its write idempotent; its payload is only the
message. What a nudge is about (an alert, an occurrence) lives in real rows, so
no app code reads a key or queries a payload."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The outbox itself writes and looks up keys: that is the idempotency (and an
# e-mail carries its key in a header, so a mail log can be matched to its row).
OUTBOX = {Path("connection/nudges.py"), Path("connection/nudge_channels.py")}
# Anywhere else, a key is only ever given when a nudge is built: `dedupe_key=...`.
READS_A_KEY = re.compile(r"dedupe_key(?!\s*=[^=])")
QUERIES_A_PAYLOAD = re.compile(r"payload__")


def app_sources():
    for app in sorted(p.parent for p in ROOT.glob("*/apps.py")):
        for path in sorted(app.rglob("*.py")):
            relative = path.relative_to(ROOT)
            if "migrations" not in relative.parts and relative not in OUTBOX:
                yield relative, path.read_text()


def test_the_apps_are_scanned():
    scanned = {path.parts[0] for path, _ in app_sources()}
    assert {"connection", "pulse", "rituals", "mentorship"} <= scanned


def test_no_app_code_reads_a_dedupe_key_or_queries_a_payload():
    found = []
    for path, text in app_sources():
        for number, line in enumerate(text.splitlines(), start=1):
            if READS_A_KEY.search(line) or QUERIES_A_PAYLOAD.search(line):
                found.append(f"{path}:{number}: {line.strip()}")
    assert found == []
