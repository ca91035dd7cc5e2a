"""Small server-rendered SVG charts, readable by screen readers.

Each chart has a <title> and <desc> (named by aria-labelledby with ids unique
to the chart, so several charts can share a page), and the page that shows it
also shows the same numbers as a table. Colours come from classes in
static/css/charts.css: no style attributes, so the strict CSP holds.
"""

import itertools
import math

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import slugify
from django.utils.translation import gettext, gettext_lazy, ngettext

WIDTH, HEIGHT, PAD_X, PAD_Y = 640, 200, 48, 24
LABEL_W, CELL_H, HEAD_H = 176, 30, 28  # heatmap and bar chart rows
# A heatmap with more columns than this (weeks) repeats its row labels on the
# right, beside the newest columns, which a phone shows first (charts.css).
LONG_HEAT, END_LABEL_W = 6, 112
# On a phone the network is drawn at half size with larger text (charts.css),
# so each team name also comes as up to two short lines shown there instead.
SHORT_LINE, SHORT_LINES = 12, 2
NOT_ENOUGH = gettext_lazy("not enough responses")
TONES = {"good", "watch", "weak"}

_ids = itertools.count(1)


def heat_class(value: float | None) -> str:
    """The CSS class for a 0-100 value: heat-0 (0-19) .. heat-4 (80-100), heat-none for None."""
    if value is None:
        return "heat-none"
    return f"heat-{min(max(int(value // 20), 0), 4)}"


def _num(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def _plural(value: float) -> int:
    """The number ngettext picks the form by: 2.5 ties read as plural."""
    return int(value) if float(value).is_integer() else 2


def _short(text: str, limit: int) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: max(limit - 1, 1)] + "…"


def _chart_id(id: str | None, title: str) -> str:
    return id or f"chart-{slugify(title)[:24].strip('-') or 'x'}-{next(_ids)}"


def _svg(cls: str, cid: str, width: int, height: float, title: str, desc: str, body) -> SafeString:
    return format_html(
        '<svg class="{}" id="{}" viewBox="0 0 {} {}" role="img" '
        'aria-labelledby="{}-title {}-desc">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}</svg>',
        cls,
        cid,
        width,
        round(height, 1),
        cid,
        cid,
        cid,
        title,
        cid,
        desc,
        body,
    )


def _label(x: float, y: float, text: str, limit: int, anchor: str, cls: str = "chart-label"):
    """A text label cut to `limit` characters; the full text stays in a <title>."""
    return format_html(
        '<text x="{}" y="{}" class="{}" text-anchor="{}"><title>{}</title>{}</text>',
        round(x, 1),
        round(y, 1),
        cls,
        anchor,
        text,
        _short(text, limit),
    )


def line_chart(
    points: list[tuple[str, float | None]], *, title: str, desc: str, id: str | None = None
) -> SafeString:
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
        '<circle cx="{}" cy="{}" r="3" class="chart-gap"><title>{}: {}</title></circle>',
        ((x(i), y(0), label, NOT_ENOUGH) for i, (label, v) in enumerate(points) if v is None),
    )
    # A phone hides every other week label (charts.css), always keeping the newest.
    labels = format_html_join(
        "",
        '<text x="{}" y="{}" class="chart-axis{}" text-anchor="middle">{}</text>',
        (
            (x(i), HEIGHT - 4, " chart-tick-minor" if (len(points) - 1 - i) % 2 else "", label)
            for i, (label, _) in enumerate(points)
        ),
    )
    body = format_html("{}{}{}{}{}", grid, lines, dots, gaps, labels)
    return _svg("chart", _chart_id(id, title), WIDTH, HEIGHT, title, desc, body)


def heatmap(
    rows: list[str],
    columns: list[str],
    values: dict[tuple[str, str], float | None],
    *,
    title: str,
    desc: str,
    id: str | None = None,
    headings: list[str] | None = None,
) -> SafeString:
    """A grid of 0-100 values, rows down the left, columns across the top.

    `headings`, when given, is what the columns print (short labels that may
    repeat); `columns` stay the keys of `values` and name each cell. Columns
    run oldest to newest; more than LONG_HEAT of them repeat the row labels on
    the right, so a phone can open the chart at its newest columns.

    Each cell is coloured by heat_class() and prints its number; a missing or
    None value is a hatched cell with a dash ("not enough responses").
    """
    cid = _chart_id(id, title)
    long = len(columns) > LONG_HEAT
    cell_w = (WIDTH - LABEL_W - 4 - (END_LABEL_W if long else 0)) / max(len(columns), 1)
    end_x = LABEL_W + len(columns) * cell_w + 8
    heads = format_html_join(
        "",
        "{}",
        (
            (
                _label(
                    LABEL_W + (j + 0.5) * cell_w,
                    HEAD_H - 10,
                    col,
                    max(int(cell_w // 6), 6),
                    "middle",
                ),
            )
            for j, col in enumerate(headings or columns)
        ),
    )
    cells = []
    for i, row in enumerate(rows):
        y = HEAD_H + i * CELL_H
        cells.append(_label(LABEL_W - 8, y + CELL_H / 2 + 4, row, 20, "end"))
        if long:
            cells.append(_label(end_x, y + CELL_H / 2 + 4, row, 14, "start"))
        for j, col in enumerate(columns):
            x = round(LABEL_W + j * cell_w, 1)
            cells.append(_heat_cell(cid, row, col, values.get((row, col)), x, y, cell_w))
    body = format_html("{}{}{}", _hatch(cid), heads, SafeString("".join(cells)))
    cls = "chart chart-heatmap chart-heatmap-long" if long else "chart chart-heatmap"
    return _svg(cls, cid, WIDTH, HEAD_H + len(rows) * CELL_H + 4, title, desc, body)


def _heat_cell(
    cid: str, row: str, col: str, value: float | None, x: float, y: float, cell_w: float
) -> SafeString:
    """One heatmap cell: coloured and numbered, or hatched with a dash for None."""
    return format_html(
        '<g class="heat-cell {}"><title>{} – {}: {}</title>'
        '<rect x="{}" y="{}" width="{}" height="{}"{}/>'
        '<text x="{}" y="{}" text-anchor="middle">{}</text></g>',
        heat_class(value),
        row,
        col,
        NOT_ENOUGH if value is None else _num(value),
        x,
        y,
        round(cell_w, 1),
        CELL_H,
        format_html(' fill="url(#{}-hatch)"', cid) if value is None else "",
        round(x + cell_w / 2, 1),
        y + CELL_H / 2 + 4,
        "–" if value is None else f"{value:.0f}",
    )


def _hatch(cid: str) -> SafeString:
    """The pattern the heatmap's "not enough responses" cells are filled with."""
    return format_html(
        '<defs><pattern id="{}-hatch" class="heat-hatch" width="6" height="6" '
        'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        '<rect width="6" height="6"/><line x1="0" y1="0" x2="0" y2="6"/></pattern></defs>',
        cid,
    )


def bar_chart(
    items: list[tuple[str, float | None]],
    *,
    title: str,
    desc: str,
    unit: str = "",
    max_value: float | None = None,
    id: str | None = None,
    missing: str = NOT_ENOUGH,
) -> SafeString:
    """Horizontal bars with labels and values; None prints `missing`, no bar."""
    known = [v for _, v in items if v is not None]
    top = max_value or max(known, default=0) or 1
    texts = [missing if value is None else f"{_num(value)}{unit}" for _, value in items]
    # Room after the longest bar for its value, however long the language writes it.
    span = WIDTH - LABEL_W - max(80, 8 * max((len(t) for t in texts), default=0) + 12)
    bars = []
    for i, ((label, value), text) in enumerate(zip(items, texts, strict=True)):
        y = 8 + i * CELL_H
        width = 0 if value is None else round(max(min(value / top, 1), 0) * span, 1)
        bar = format_html(
            '<rect x="{}" y="{}" width="{}" height="{}" class="chart-bar"/>', LABEL_W, y, width, 20
        )
        bars.append(
            format_html(
                '<g class="bar-row{}"><title>{}: {}</title>{}{}'
                '<text x="{}" y="{}" class="bar-value">{}</text></g>',
                " bar-none" if value is None else "",
                label,
                text,
                _label(LABEL_W - 8, y + 14, label, 20, "end"),
                "" if value is None else bar,
                LABEL_W + width + 6,
                y + 14,
                text,
            )
        )
    body = SafeString("".join(bars))
    return _svg(
        "chart chart-bars", _chart_id(id, title), WIDTH, 16 + len(items) * CELL_H, title, desc, body
    )


def network(
    nodes: list[dict], edges: list[tuple], *, title: str, desc: str, id: str | None = None
) -> SafeString:
    """Teams on a circle (in the order given, so the layout is deterministic), ties as lines.

    Node radius grows with "size" (people; None when hidden by the privacy guard),
    line width with the edge weight; "tone" adds a node-good/-watch/-weak class.
    """
    width, height, ring = WIDTH, 440, 140
    centre = (width / 2, height / 2)
    where = _on_a_ring(nodes, centre, ring)
    biggest = max((n["size"] for n in nodes if n.get("size")), default=1)
    heaviest = max((w for _, _, w in edges if w), default=1)
    lines = [
        _net_edge(where[a], where[b], weight, heaviest)
        for a, b, weight in edges
        if a != b and a in where and b in where
    ]
    circles = [_net_node(x, y, node, centre, len(nodes), biggest) for x, y, node in where.values()]
    body = format_html("{}{}", SafeString("".join(lines)), SafeString("".join(circles)))
    return _svg("chart chart-network", _chart_id(id, title), width, height, title, desc, body)


def _on_a_ring(
    nodes: list[dict], centre: tuple[float, float], ring: float
) -> dict[object, tuple[float, float, dict]]:
    """Each node's id to its place on the circle (the centre when alone) and the node."""
    cx, cy = centre
    count = len(nodes)
    where = {}
    for k, node in enumerate(nodes):
        angle = 2 * math.pi * k / max(count, 1) - math.pi / 2
        r = ring if count > 1 else 0
        where[node["id"]] = (cx + r * math.cos(angle), cy + r * math.sin(angle), node)
    return where


def _net_edge(start: tuple, end: tuple, weight: float | None, heaviest: float) -> SafeString:
    (x1, y1, na), (x2, y2, nb) = start, end
    return format_html(
        '<line x1="{}" y1="{}" x2="{}" y2="{}" class="net-edge" stroke-width="{}">'
        "<title>{} – {}: {}</title></line>",
        *(round(v, 1) for v in (x1, y1, x2, y2)),
        round(1 + 7 * max(weight or 0, 0) / heaviest, 1),
        na["label"],
        nb["label"],
        ngettext("%(count)s tie", "%(count)s ties", _plural(weight or 0))
        % {"count": _num(weight or 0)},
    )


def _net_node(
    x: float, y: float, node: dict, centre: tuple[float, float], count: int, biggest: float
) -> SafeString:
    size, tone = node.get("size"), node.get("tone")
    radius = 8 + 16 * math.sqrt(max(size, 0) / biggest) if size is not None else 8
    people = (
        gettext("size hidden")
        if size is None
        else ngettext("%(count)s person", "%(count)s people", _plural(size)) % {"count": _num(size)}
    )
    # Labels sit outside the ring, anchored away from the centre so they don't overlap it.
    dx, dy = (x - centre[0], y - centre[1]) if count > 1 else (0, 1)
    reach = math.hypot(dx, dy) or 1
    lx, ly = x + dx / reach * (radius + 6), y + dy / reach * (radius + 6) + 4
    anchor = "middle" if abs(dx) < 20 else ("start" if dx > 0 else "end")
    return format_html(
        '<g class="net-node node-{}"><title>{}: {}{}</title>'
        '<circle cx="{}" cy="{}" r="{}"/>{}{}</g>',
        tone if tone in TONES else "plain",
        node["label"],
        people,
        f" ({tone})" if tone in TONES else "",
        round(x, 1),
        round(y, 1),
        round(radius, 1),
        _label(
            lx,
            ly + (10 if dy > 0 and anchor == "middle" else 0),
            node["label"],
            20,
            anchor,
            "chart-label label-long",
        ),
        _short_label(lx, ly, node["label"], anchor, below=dy > 0),
    )


def _wrap(text: str) -> list[str]:
    """Up to SHORT_LINES lines of about SHORT_LINE characters, cut with "…" past that."""
    lines: list[str] = []
    for word in str(text).split():
        if lines and len(lines[-1]) + 1 + len(word) <= SHORT_LINE:
            lines[-1] += " " + word
        elif len(lines) < SHORT_LINES:
            lines.append(word)
        else:
            lines[-1] += " " + word
            break
    return [_short(line, SHORT_LINE) for line in lines] or [""]


def _short_label(x: float, y: float, text: str, anchor: str, *, below: bool) -> SafeString:
    """A network label as the phone shows it: short lines, growing away from the node."""
    lines, step = _wrap(text), 22
    if anchor == "middle":
        first = y + 20 if below else y - step * (len(lines) - 1)
    else:
        first = y - step * (len(lines) - 1) / 2
    spans = format_html_join(
        "",
        '<tspan x="{}" y="{}">{}</tspan>',
        ((round(x, 1), round(first + k * step, 1), line) for k, line in enumerate(lines)),
    )
    return format_html(
        '<text class="chart-label label-short" text-anchor="{}">{}</text>', anchor, spans
    )


def interval_chart(
    effect: float, low: float, high: float, *, title: str, desc: str, span: float = 20
) -> SafeString:
    """An estimate with its range on a -span..+span axis around a zero line."""
    left, right, mid_y = 40, WIDTH - 40, 34

    def x(value: float) -> float:
        value = max(-span, min(span, value))
        return round(left + (value + span) / (2 * span) * (right - left), 1)

    ticks = format_html_join(
        "",
        '<line x1="{}" x2="{}" y1="{}" y2="{}" class="chart-grid"/>'
        '<text x="{}" y="{}" class="chart-axis" text-anchor="middle">{}</text>',
        (
            (x(v), x(v), 12, 56, x(v), 72, f"{v:+.0f}" if v else "0")
            for v in (-span, -span / 2, 0, span / 2, span)
        ),
    )
    body = format_html(
        '{}<line x1="{}" x2="{}" y1="{}" y2="{}" class="interval-range"/>'
        '<circle cx="{}" cy="{}" r="6" class="interval-dot"><title>{}</title></circle>',
        ticks,
        x(low),
        x(high),
        mid_y,
        mid_y,
        x(effect),
        mid_y,
        gettext("%(effect)s points (range %(low)s to %(high)s)")
        % {"effect": f"{effect:+.1f}", "low": f"{low:+.1f}", "high": f"{high:+.1f}"},
    )
    return _svg("chart chart-interval", _chart_id(None, title), WIDTH, 80, title, desc, body)
