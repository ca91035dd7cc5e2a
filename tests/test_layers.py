"""Import layering (docs/architecture.md): the core imports no app, the domain apps
import only the core, the top floor (insights, the chat apps, micro-moments) reads them all but
not each other, nothing forms a cycle and no import
hides inside a function; the bench's modules form no cycle and none imports the entry
point; the checker itself (tests/layers.py) finds cycles and wrong directions."""

from pathlib import Path

from tests.layers import check_layers, cycles, import_graph, imports_inside_functions

ROOT = Path(__file__).resolve().parent.parent

CORE = "connection"
DOMAIN = ("pulse", "rituals", "mentorship", "identity")
TOP = ("insights", "chat", "moments")
# Who may import whom: each domain app the core; each top-floor app the core and every
# domain app (insights, chat and moments never read each other).
LAYERS = (
    {(app, CORE) for app in DOMAIN}
    | {(top, CORE) for top in TOP}
    | {(top, app) for top in TOP for app in DOMAIN}
)
# The project's root URLconf is the one place that names every app.
WIRING = ["connection.urls"]


def test_the_apps_import_one_way_without_a_cycle():
    assert (
        check_layers(ROOT, [CORE, *DOMAIN, *TOP], LAYERS, skip=["migrations"], wiring=WIRING) == []
    )


def test_the_contract_reads_every_layer():
    graph = import_graph(ROOT, [CORE, *DOMAIN, *TOP], skip=["migrations"])
    # Real edges in each allowed direction are seen, so an empty list above means
    # something: a domain app reads the core, insights reads a domain app.
    assert "connection.privacy" in graph["pulse.results"]
    assert any(t.startswith("pulse.") for t in graph["insights.dashboards.org"])
    assert any(t.startswith("insights.") for t in graph["connection.urls"])


def test_no_app_imports_inside_a_function():
    assert imports_inside_functions(ROOT, [CORE, *DOMAIN, *TOP], skip=["migrations"]) == []


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_bench_modules_import_each_other_without_a_cycle():
    assert check_layers(ROOT, ["bench"], allowed=set()) == []


def test_no_bench_module_imports_the_entry_point():
    graph = import_graph(ROOT, ["bench"])
    importers = sorted(module for module, targets in graph.items() if "bench.__main__" in targets)
    assert importers == []
    # The graph is really read: the benchmarks share bench.measure.
    assert "bench.measure" in graph["bench.pulse"]


def test_bench_modules_import_at_the_top():
    assert imports_inside_functions(ROOT, ["bench"]) == []


def test_checker_lists_imports_inside_functions(tmp_path):
    write(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/a.py": "import json\n\ndef f():\n    def g():\n        from app import b\n",
            "app/b.py": "class B:\n    def m(self):\n        import app.a\n",
        },
    )
    assert imports_inside_functions(tmp_path, ["app"]) == ["app.a:5", "app.b:3"]


def test_checker_finds_a_cycle_hidden_inside_a_function(tmp_path):
    write(
        tmp_path,
        {
            "bench/__init__.py": "",
            "bench/__main__.py": "def main():\n    from bench import pulse\n",
            "bench/pulse.py": "def run():\n    from bench.__main__ import print_table\n",
            "bench/measure.py": "import json\n",
        },
    )
    assert check_layers(tmp_path, ["bench"], allowed=set()) == [
        "import cycle: bench.__main__ <-> bench.pulse"
    ]


def test_checker_finds_a_cycle_round_a_loop_and_through_relative_imports(tmp_path):
    write(
        tmp_path,
        {
            "core/__init__.py": "",
            "core/a.py": "from . import b\n",
            "core/b.py": "from .c import thing\n",
            "core/c.py": "import core.a\nthing = 1\n",
            "core/d.py": "from core import a, b\n",
        },
    )
    assert cycles(import_graph(tmp_path, ["core"])) == [["core.a", "core.b", "core.c"]]


def test_checker_lets_the_wiring_name_every_package_but_not_close_a_cycle(tmp_path):
    write(
        tmp_path,
        {
            "core/__init__.py": "",
            "core/urls.py": "import app.api\n",
            "core/views.py": "import app.api\n",
            "app/__init__.py": "",
            "app/api.py": "import core.urls\n",
        },
    )
    assert check_layers(tmp_path, ["core", "app"], {("app", "core")}, wiring=["core.urls"]) == [
        "core.views imports app.api: core may not import app",
        "import cycle: app.api <-> core.urls",
    ]


def test_checker_reports_imports_against_the_allowed_direction(tmp_path):
    write(
        tmp_path,
        {
            "core/__init__.py": "",
            "core/privacy.py": "K = 5\n",
            "core/views.py": "from pulse.results import score\n",
            "pulse/__init__.py": "",
            "pulse/results.py": "from core.privacy import K\n\ndef score():\n    return K\n",
            "pulse/migrations/0001_initial.py": "import rituals.models\n",
            "rituals/__init__.py": "",
            "rituals/models.py": "import pulse.results\n",
        },
    )
    problems = check_layers(
        tmp_path,
        ["core", "pulse", "rituals"],
        allowed={("pulse", "core"), ("rituals", "core")},
        skip=["migrations"],
    )
    assert problems == [
        "core.views imports pulse.results: core may not import pulse",
        "rituals.models imports pulse.results: rituals may not import pulse",
    ]


def test_checker_leaves_out_imports_only_for_type_checking(tmp_path):
    write(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/a.py": (
                "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from app import b\n"
            ),
            "app/b.py": "import app.a\n",
        },
    )
    assert check_layers(tmp_path, ["app"], allowed=set()) == []
