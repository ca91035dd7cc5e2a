"""Insight pages, one module per page family: home (everyone's front page and their
own connection), team (the manager's dashboard), org (HR's dashboard and its CSV),
evidence (the ritual evidence cards) and guides (conversation guides).

Thin views: authorise through `connection.roles` and `Team.objects.led_by` /
`visible_to`, then read `insights.dashboards`, which guards every figure."""
