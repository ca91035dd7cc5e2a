"""The rituals pages, one module per family: `rituals` (list, catalogue, adopting,
a ritual's page), `occurrences` (answers and the calendar feed), `thread`,
`recognition` and `budgets`. rituals/urls.py routes to them."""
