"""Small server-rendered SVG charts, readable by screen readers.

Each chart has a <title> and <desc>, and the page that shows it also shows
the same numbers as a table.
"""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH, HEIGHT, PAD_X, PAD_Y = 640, 200, 36, 24


def line_chart(points: list[tuple[str, float | None]], *, title: str, desc: str) -> SafeString:
    """A 0-100 line over labelled points; None is a gap ("not enough responses")."""
    count = max(len(points), 2)
    step = (WIDTH - 2 * PAD_X) / (count - 1)

    def x(i: int) -> float:
        return round(PAD_X + i * step, 1)

    def y(value: float) -> float:
        return round(HEIGHT - PAD_Y - value / 100 * (HEIGHT - 2 * PAD_Y), 1)

    grid = format_html_join(
        "",
        '<line x1="{}" x2="{}" y1="{}" y2="{}" class="chart-grid"/>'
        '<text x="{}" y="{}" class="chart-axis" text-anchor="end">{}</text>',
        ((PAD_X, WIDTH - PAD_X, y(v), y(v), PAD_X - 6, y(v) + 4, v) for v in (0, 50, 100)),
    )
    segments, current = [], []
    for i, (_, value) in enumerate(points):
        if value is None:
            if current:
                segments.append(current)
            current = []
        else:
            current.append(f"{x(i)},{y(value)}")
    if current:
        segments.append(current)
    lines = format_html_join(
        "", '<polyline points="{}" class="chart-line"/>', ((" ".join(s),) for s in segments)
    )
    dots = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="4" class="chart-dot"><title>{}: {}</title></circle>',
        ((x(i), y(v), label, v) for i, (label, v) in enumerate(points) if v is not None),
    )
    gaps = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="3" class="chart-gap">'
        "<title>{}: not enough responses</title></circle>",
        ((x(i), y(0), label) for i, (label, v) in enumerate(points) if v is None),
    )
    labels = format_html_join(
        "",
        '<text x="{}" y="{}" class="chart-axis" text-anchor="middle">{}</text>',
        ((x(i), HEIGHT - 4, label) for i, (label, _) in enumerate(points)),
    )
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" '
        'aria-labelledby="chart-title chart-desc">'
        '<title id="chart-title">{}</title><desc id="chart-desc">{}</desc>{}{}{}{}{}</svg>',
        WIDTH,
        HEIGHT,
        title,
        desc,
        grid,
        lines,
        dots,
        gaps,
        labels,
    )
