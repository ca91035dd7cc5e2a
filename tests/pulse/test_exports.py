"""The pulse export is safe to open in a spreadsheet (no formula injection)."""

import csv
import io

from pulse.services import close_round, open_round
from tests.helpers import make_team
from tests.pulse.conftest import MONDAY, answer_all, fill_team

HOSTILE = "@cmd|' /C calc'!A0"


def test_hr_pulse_export_escapes_a_hostile_team_name(client_for, clock, hana):
    team = make_team(name=HOSTILE)
    round_ = open_round(now=MONDAY)
    answer_all(round_, fill_team(team, 6))
    close_round(round_=round_, now=round_.closes_at)
    response = client_for(hana).get("/pulse/org.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    names = {row[2] for row in rows[1:]}
    assert "'" + HOSTILE in names
    assert HOSTILE not in names
