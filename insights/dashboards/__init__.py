"""What the manager, HR and personal insight pages show, read from the nightly
figures and passed through the privacy guard on the way out: `team_view` (a manager's
team), `org_view` (HR's organisation), `my_connection` (a person's own page) and
`evidence_cards` (which rituals work).

Each function issues a fixed number of queries whatever the org's size, so the pages
stay flat as the org grows (pinned by tests).
"""

from insights.dashboards.common import DIMENSIONS
from insights.dashboards.evidence import evidence_cards
from insights.dashboards.org import org_view
from insights.dashboards.person import my_connection
from insights.dashboards.team import team_view

__all__ = ["DIMENSIONS", "evidence_cards", "my_connection", "org_view", "team_view"]
