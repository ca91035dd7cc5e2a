"""Download my data: one row of every kind Dana can have is in her export."""

from __future__ import annotations

import json

from connection.lifecycle import PULSE_STATEMENT, entries, export_person


def test_the_export_holds_one_row_of_every_kind(world):
    export = export_person(world.dana)
    sections = {section["key"]: section for section in export["sections"]}
    exported = {entry.key for entry in entries() if entry.export is not None}
    # Every kind the registry knows was made for Dana: a new kind needs a row here.
    assert set(world.markers) == exported
    for key, marker in world.markers.items():
        text = json.dumps(sections[key]["rows"], default=str)
        assert sections[key]["rows"], f"{key}: no rows"
        assert marker in text, f"{key}: {marker!r} not in {text}"


def test_the_export_says_why_pulse_answers_are_not_in_it(world):
    export = export_person(world.dana)
    assert export["pulse_answers"] == PULSE_STATEMENT
    receipts = next(s for s in export["sections"] if s["key"] == "pulse_receipts")
    assert receipts["note"] == PULSE_STATEMENT
    assert receipts["rows"][0]["round"] == 41
    assert "comment" not in json.dumps(receipts, default=str)
