"""The SVG charts: well-formed, labelled for screen readers, escaped, deterministic."""

import xml.etree.ElementTree as ET

import pytest

from connection import charts

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    # The charts omit xmlns (inline SVG in HTML gets it implicitly); add it to parse as XML.
    return ET.fromstring(svg.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1))


def tag(el: ET.Element) -> str:
    return el.tag.removeprefix(SVG)


def find(root: ET.Element, name: str, cls: str | None = None) -> list[ET.Element]:
    return [el for el in root.iter(SVG + name) if cls is None or cls in el.get("class", "").split()]


def titles(root: ET.Element) -> list[str]:
    return ["".join(el.itertext()) for el in find(root, "title")]


def labelled_by(root: ET.Element) -> tuple[str, str]:
    """The chart's title and desc, found through aria-labelledby."""
    ids = {el.get("id"): el for el in root.iter() if el.get("id")}
    title_id, desc_id = root.get("aria-labelledby").split()
    assert tag(ids[title_id]) == "title" and tag(ids[desc_id]) == "desc"
    return ids[title_id].text, ids[desc_id].text


HEAT = {
    "rows": ["Platform", "Sales"],
    "columns": ["Belonging", "Trust", "Workload"],
    "values": {
        ("Platform", "Belonging"): 81,
        ("Platform", "Trust"): 12.5,
        ("Sales", "Trust"): None,
    },
}
NODES = [
    {"id": 1, "label": "Platform", "size": 12, "tone": "good"},
    {"id": 2, "label": "Sales", "size": 5, "tone": "weak"},
    {"id": 3, "label": "Legal", "size": None},
]
EDGES = [(1, 2, 12), (2, 3, 2), (1, 3, 6)]


def every_chart(**kw):
    return [
        charts.line_chart([("W1", 50), ("W2", None), ("W3", 70)], **kw),
        charts.heatmap(**HEAT, **kw),
        charts.bar_chart([("Platform", 40), ("Sales", None)], **kw),
        charts.network(NODES, EDGES, **kw),
    ]


@pytest.mark.parametrize("index", range(4))
def test_every_chart_is_well_formed_and_labelled(index):
    root = parse(every_chart(title="Connection", desc="Scores 0-100")[index])
    assert root.get("role") == "img"
    assert labelled_by(root) == ("Connection", "Scores 0-100")
    assert "style" not in {attr for el in root.iter() for attr in el.attrib}


def test_two_charts_on_a_page_have_distinct_ids():
    first = every_chart(title="Connection", desc="d")
    second = every_chart(title="Connection", desc="d")
    ids = [el.get("id") for svg in first + second for el in parse(svg).iter() if el.get("id")]
    assert len(ids) == len(set(ids))
    refs = [parse(svg).get("aria-labelledby") for svg in first + second]
    assert len(set(refs)) == len(refs)
    assert "chart-title" not in ids


def test_line_chart_keeps_its_old_signature_and_class():
    svg = charts.line_chart([("R1", 40)], title="t", desc="d")
    assert svg.startswith('<svg class="chart"')


def test_explicit_id_is_used_and_output_is_deterministic():
    first = every_chart(title="Connection", desc="d", id="org-heat")
    assert every_chart(title="Connection", desc="d", id="org-heat") == first
    root = parse(first[1])
    assert root.get("aria-labelledby") == "org-heat-title org-heat-desc"


@pytest.mark.parametrize(
    ("value", "cls"),
    [(None, "heat-none"), (0, "heat-0"), (19.9, "heat-0"), (20, "heat-1"), (59, "heat-2")]
    + [(60, "heat-3"), (80, "heat-4"), (100, "heat-4"), (-5, "heat-0"), (130, "heat-4")],
)
def test_heat_class_buckets(value, cls):
    assert charts.heat_class(value) == cls


def test_heatmap_cells_numbers_and_missing_values():
    root = parse(charts.heatmap(**HEAT, title="t", desc="d"))
    cells = find(root, "g", "heat-cell")
    assert len(cells) == 6
    texts = ["".join(find(cell, "text")[0].itertext()) for cell in cells]
    assert texts[:2] == ["81", "12"]  # whole numbers in cells; exact in the <title>
    assert [c.get("class").split()[1] for c in cells[:2]] == ["heat-4", "heat-0"]
    missing = [c for c in cells if "heat-none" in c.get("class")]
    assert len(missing) == 4  # the None and the three absent keys
    for cell in missing:
        assert "".join(find(cell, "text")[0].itertext()) == "–"
        assert find(cell, "title")[0].text.endswith("not enough responses")
        assert find(cell, "rect")[0].get("fill").endswith("-hatch)")
    assert find(cells[0], "title")[0].text == "Platform – Belonging: 81"


def test_heatmap_grows_with_rows_and_truncates_long_names():
    long = "Customer Success and Renewals EMEA"
    one = parse(charts.heatmap([long], ["Trust"], {(long, "Trust"): 50}, title="t", desc="d"))
    many = parse(charts.heatmap(list("abcdef"), ["Trust"], {}, title="t", desc="d"))
    assert float(many.get("viewBox").split()[3]) > float(one.get("viewBox").split()[3])
    row_label = [el for el in find(one, "text", "chart-label") if el.get("text-anchor") == "end"]
    assert row_label[0][0].text == long  # its <title>
    shown = row_label[0][0].tail
    assert shown.endswith("…") and len(shown) < len(long)


def test_bar_chart_bars_values_and_none():
    root = parse(
        charts.bar_chart(
            [("Platform", 40), ("Sales", 80), ("Legal", None)],
            title="t",
            desc="d",
            unit="%",
        )
    )
    bars = find(root, "rect", "chart-bar")
    assert len(bars) == 2
    assert float(bars[1].get("width")) == 2 * float(bars[0].get("width"))
    values = ["".join(el.itertext()) for el in find(root, "text", "bar-value")]
    assert values == ["40%", "80%", "not enough responses"]
    assert len(find(root, "g", "bar-none")) == 1


def test_bar_chart_max_value_scales_bars():
    half = parse(charts.bar_chart([("a", 50)], title="t", desc="d", max_value=100))
    full = parse(charts.bar_chart([("a", 50)], title="t", desc="d"))
    assert float(find(full, "rect", "chart-bar")[0].get("width")) == 2 * float(
        find(half, "rect", "chart-bar")[0].get("width")
    )


def test_network_nodes_edges_and_titles():
    root = parse(charts.network(NODES, EDGES + [(1, 99, 3)], title="t", desc="d"))
    nodes = find(root, "g", "net-node")
    edges = find(root, "line", "net-edge")
    assert len(nodes) == 3
    assert len(edges) == 3  # the edge to an unknown node is dropped
    assert "Platform – Sales: 12 ties" in titles(root)
    assert "Legal: size hidden" in titles(root)
    assert "node-weak" in nodes[1].get("class") and "node-plain" in nodes[2].get("class")
    by_weight = sorted(edges, key=lambda e: float(e.get("stroke-width")))
    assert [find(e, "title")[0].text.split(": ")[1] for e in by_weight] == [
        "2 ties",
        "6 ties",
        "12 ties",
    ]
    radii = [float(find(n, "circle")[0].get("r")) for n in nodes]
    assert radii[0] > radii[1]


def test_user_text_is_escaped():
    evil = '<script>alert("x")</script>'
    outputs = [
        charts.line_chart([(evil, 10)], title=evil, desc=evil),
        charts.heatmap([evil], [evil], {(evil, evil): 10}, title=evil, desc=evil),
        charts.bar_chart([(evil, 10)], title=evil, desc=evil, unit=evil),
        charts.network([{"id": 1, "label": evil, "size": 3}], [], title=evil, desc=evil),
    ]
    for svg in outputs:
        assert "<script" not in svg
        assert "&lt;script&gt;" in svg
        root = parse(svg)
        assert not find(root, "script")
        assert evil in titles(root)


def test_empty_inputs_still_render():
    for svg in (
        charts.heatmap([], [], {}, title="t", desc="d"),
        charts.bar_chart([], title="t", desc="d"),
        charts.network([], [], title="t", desc="d"),
        charts.line_chart([], title="t", desc="d"),
    ):
        assert labelled_by(parse(svg)) == ("t", "d")


def test_interval_chart_places_the_estimate_inside_its_range():
    root = parse(charts.interval_chart(8, 4, 12, title="t", desc="d"))
    line = find(root, "line", "interval-range")[0]
    dot = find(root, "circle", "interval-dot")[0]
    assert float(line.get("x1")) < float(dot.get("cx")) < float(line.get("x2"))
    wide = parse(charts.interval_chart(8, -50, 50, title="t", desc="d"))
    wide_line = find(wide, "line", "interval-range")[0]
    assert float(wide_line.get("x1")) == 40  # clamped to the axis


def test_line_chart_marks_every_other_week_label_minor_keeping_the_newest():
    root = parse(charts.line_chart([(f"W{i}", 50) for i in range(1, 6)], title="t", desc="d"))
    labels = [el for el in find(root, "text", "chart-axis") if el.get("text-anchor") == "middle"]
    minor = ["chart-tick-minor" in el.get("class") for el in labels]
    assert minor == [False, True, False, True, False]  # a phone hides the minor ones


def test_heatmap_of_many_weeks_repeats_row_labels_beside_the_newest():
    weeks = [f"W{i}" for i in range(1, 13)]
    root = parse(charts.heatmap(["Belonging"], weeks, {}, title="t", desc="d"))
    assert "chart-heatmap-long" in root.get("class").split()
    row_labels = [el for el in find(root, "text", "chart-label") if el[0].text == "Belonging"]
    assert [el.get("text-anchor") for el in row_labels] == ["end", "start"]
    last_cell = find(root, "g", "heat-cell")[-1]
    rect = find(last_cell, "rect")[0]
    assert float(rect.get("x")) + float(rect.get("width")) < float(row_labels[1].get("x")) < 640
    few = parse(charts.heatmap(**HEAT, title="t", desc="d"))
    assert "chart-heatmap-long" not in few.get("class").split()


def test_network_labels_come_long_and_as_short_lines_for_phones():
    nodes = [{"id": 1, "label": "Customer Success and Renewals EMEA", "size": 4}]
    node = find(parse(charts.network(nodes, [], title="t", desc="d")), "g", "net-node")[0]
    long = find(node, "text", "label-long")[0]
    short = find(node, "text", "label-short")[0]
    assert long[0].text == "Customer Success and Renewals EMEA"  # its <title>
    lines = [span.text for span in find(short, "tspan")]
    assert lines == ["Customer", "Success and…"]
    assert all(len(line) <= charts.SHORT_LINE for line in lines)
