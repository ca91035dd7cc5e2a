"""Insights benchmarks: the nightly computation at 10,000 and 20,000 people, and the dashboards.

Each org size (SMALL, the large org of `--people`, 10,000 by default, and twice
that) gets a PostgreSQL database of its own (hearth_bench_insights_<people>,
dropped and created afresh, migrated):

1. `seed_demo --people N --bare`;
2. a year of signals, SIGNALS_PER_PERSON a person (5 million at 10,000
   people), made inside PostgreSQL with INSERT ... SELECT generate_series:
   actors drawn by weeks of tenure (a newcomer acts less), times spread over
   their days here, kinds from Signal.Kind, unique sources; `other` is NULL
   for NO_OTHER of them (attended, posted), a teammate SAME_TEAM of the rest
   of the time, else one of a few fixed contacts in the actor's top-level
   division or in the whole org (never a uniformly random stranger: that
   makes nearly every pair of teams tied); QUIET people connect with no one.
   Indexes are dropped for the load and rebuilt after, then VACUUM ANALYZE;
3. PULSE_ROUNDS weekly pulse rounds of PULSE_ITEMS items, the latest opened
   this Monday, each answered by 76-92 % of every team (about 500,000
   responses at 10,000 people), with receipts, loaded in SQL
   (bench/loaders.py); then the latest REPORTED rounds are reported with
   aggregate_round(), oldest first (snapshot, frozen tree, audited publication),
   as the pulse tick does when a round closes;
4. the nightly computation in a fresh subprocess: compute_week() for last
   week, then this week, as nightly() does, COMPUTE_RUNS nights in a row (the
   best counts); time, a per-phase breakdown, the slowest statements and the
   process's peak RSS (bench.measure.peak_rss_mb()). The organisation's row must count
   every active person, every signal of the week and every pulse response;
5. the manager dashboard (/insights/?team=<Platform> as alice) and the HR
   dashboard (/insights/org/?level=1 as hana) through django.test.Client:
   median server time of REPEATS requests, query count, HTML size.

The 20,000-person org is seeded while the 10,000 one loads; nothing else runs
while a computation or a page is timed. Problems, printed as FAIL lines and
returned: 20k over MAX_RATIO times 10k, 10k over TARGET_SECONDS, query counts
that differ between sizes, pages that are not 200, failed checks.

Needs PostgreSQL at 127.0.0.1:5432 (user postgres, no password), else prints
"skipped: <reason>". The databases stay until the next run, for EXPLAIN.
Steps (bench/insights_steps.py) run as `python -m bench.step insights_steps STEP N`
subprocesses with DATABASE_URL set; `python -m bench insights` runs it all
(about eight minutes).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from bench.insights_steps import (
    COMPUTE_RUNS,
    DIVISION_CONTACTS,
    NO_OTHER,
    ORG_CONTACTS,
    PAGES,
    PULSE_ITEMS,
    PULSE_ROUNDS,
    REPEATS,
    REPORTED,
    SAME_TEAM,
    SIGNALS_PER_PERSON,
)
from bench.measure import (
    PG_HOST,
    PG_PORT,
    StepFailed,
    migrate,
    postgres_unavailable,
    print_table,
    recreate_database,
    step,
)

PG_DATABASE = "hearth_bench_insights"  # one database a size: hearth_bench_insights_<people>

SMALL = 150  # then the large org (10,000 by default) and twice that
TARGET_SECONDS = 60.0
MAX_RATIO = 2.2
# Seconds a step may take at 10,000 people; larger orgs get proportionally longer.
SEED_LIMIT = 300.0
LOAD_LIMIT = 900.0
COMPUTE_LIMIT = 420.0
DASHBOARD_LIMIT = 180.0

# ---------------------------------------------------------------- entry point


def run(people: int) -> list[str]:
    """Prepare, compute and measure each size; print the tables and return problems."""
    print(f"Insights on PostgreSQL ({PG_HOST}:{PG_PORT}, databases {PG_DATABASE}_*)", flush=True)
    reason = postgres_unavailable()
    if reason:
        print(f"  nightly computation and dashboards: skipped: {reason}")
        return []

    # Three sizes that differ even when --people is small.
    large = max(people, 2 * SMALL)
    started = time.perf_counter()
    sizes = [Size(SMALL), Size(large), Size(2 * large)]
    prepare_and_measure(*sizes)
    total_s = time.perf_counter() - started

    problems = [p for size in sizes for p in size.failures]
    print()
    problems += print_nightly(sizes)
    print(flush=True)
    problems += print_dashboards(sizes)
    print(
        f"(median server time of {REPEATS} requests after one warm-up, DEBUG on as in the "
        f"main bench; KB of HTML; insights bench took {total_s:.0f} s in all; databases "
        f"{', '.join(size.database for size in sizes)} are kept until the next run)"
    )
    for problem in problems:
        print(f"FAIL: {problem}")
    return problems


def prepare_and_measure(small: Size, big: Size, bigger: Size) -> None:
    small.prepare()
    small.measure()
    big.seed()
    # The biggest org is seeded (mostly Python) while the big one loads (mostly
    # PostgreSQL); nothing else runs while a computation or a page is timed.
    seeding = threading.Thread(target=bigger.seed)
    seeding.start()
    big.load()
    seeding.join()
    bigger.load()
    big.measure()
    bigger.measure()


NIGHTLY_HEADERS = [
    "people",
    "teams",
    "signals",
    "responses",
    "seed s",
    "load s",
    "aggregate s",
    "last week s",
    "this week s",
    "nightly s",
    "max RSS MB",
    "rows written",
    "checks",
]


def print_nightly(sizes: list[Size]) -> list[str]:
    """The nightly table and its notes; the problems: too slow, or growing too fast."""
    print_table(NIGHTLY_HEADERS, [size.nightly_row() for size in sizes])
    _, big, bigger = sizes
    notes, problems = [], []
    if big.computed:
        nightly_s = big.computed["nightly_s"]
        met = nightly_s < TARGET_SECONDS
        runs = ", ".join(
            f"{r.people:,}: {' and '.join(f'{s:.1f}' for s in r.computed['runs_s'])} s"
            for r in (big, bigger)
            if r.computed
        )
        notes.append(
            "nightly = compute_week() for last week, then this week, as nightly() does; "
            f"best of {COMPUTE_RUNS} nights in a row ({runs}); {big.people:,} people: "
            f"{nightly_s:.1f} s, target under {TARGET_SECONDS:.0f} s: {'yes' if met else 'NO'}"
        )
        if not met:
            problems.append(
                f"insights nightly: {nightly_s:.1f} s at {big.people:,} people "
                f"(target {TARGET_SECONDS:.0f} s)"
            )
    if big.computed and bigger.computed:
        ratio_note, ratio_problems = growth(big, bigger)
        notes.append(ratio_note)
        problems += ratio_problems
    notes += [
        "max RSS: peak resident memory of the subprocess that computed both weeks "
        "(VmHWM; ru_maxrss would include its parent's, copied at exec), Django loaded; "
        "in brackets, its peak before computing",
        *[note for r in (big, bigger) if r.computed for note in r.computed_notes()],
        f"data: {SIGNALS_PER_PERSON} signals a person a year (fewer for newcomers), "
        f"{1 - NO_OTHER:.0%} with another person: a teammate {SAME_TEAM:.0%} of the time, "
        f"else one of {DIVISION_CONTACTS} contacts in the division or {ORG_CONTACTS} in the "
        f"org; {PULSE_ROUNDS} weekly pulse rounds ({PULSE_ITEMS} items) answered by 76-92 % "
        f"of each team, the latest {REPORTED} reported with aggregate_round() (aggregate s: "
        "their sum); made in PostgreSQL (INSERT ... "
        "SELECT generate_series, indexes rebuilt after, VACUUM ANALYZE)",
    ]
    for note in notes:
        print(f"({note})")
    return problems


def growth(big: Size, bigger: Size) -> tuple[str, list[str]]:
    """How the nightly time grows from the big org to the bigger: a note, and a problem
    past MAX_RATIO."""
    ratio = bigger.computed["nightly_s"] / big.computed["nightly_s"]
    this = bigger.computed["this_s"] / big.computed["this_s"]
    note = (
        f"{bigger.people:,} / {big.people:,} people: nightly x{ratio:.2f}, this week alone "
        f"x{this:.2f}; limit x{MAX_RATIO}: {'yes' if ratio <= MAX_RATIO else 'NO'}"
    )
    if ratio <= MAX_RATIO:
        return note, []
    phases = ", ".join(
        f"{name} {s:.1f} -> {bigger.computed['phases'][name]:.1f} s"
        for name, s in big.computed["phases"].items()
    )
    return note, [
        f"insights nightly: {bigger.people:,} people take x{ratio:.2f} the time of "
        f"{big.people:,} (limit x{MAX_RATIO}); this week by phase: {phases}"
    ]


def size_label(people: int, what: str) -> str:
    return f"{people // 1000}k {what}" if people >= 1000 else f"{people} {what}"


def print_dashboards(sizes: list[Size]) -> list[str]:
    """The dashboards' table; the problems: query counts that grow, pages not 200."""
    print("Insights dashboards: server time and queries (django.test.Client, in-process)")
    problems, rows = [], []
    for index, (label, _, who) in enumerate(PAGES):
        measured = {s.people: s.pages[index] for s in sizes if s.pages}
        counts = {p: m["queries"] for p, m in measured.items()}
        same = len(counts) == len(sizes) and len(set(counts.values())) == 1
        rows.append(
            [
                label,
                *[str(counts.get(s.people, "n/a")) for s in sizes],
                "yes" if same else "NO",
                *[f"{m['ms']:.0f}" if (m := measured.get(s.people)) else "n/a" for s in sizes],
                *[f"{m['kb']:,}" if (m := measured.get(s.people)) else "n/a" for s in sizes],
            ]
        )
        if counts and not same:
            detail = ", ".join(f"{n} at {p:,}" for p, n in counts.items())
            problems.append(f"insights dashboard {label}: query count differs ({detail})")
        for p, m in measured.items():
            if m["status"] != 200:
                problems.append(f"insights dashboard {label} as {who}: HTTP {m['status']} at {p:,}")
    print_table(
        [
            "page",
            *[size_label(s.people, "queries") for s in sizes],
            "same?",
            *[size_label(s.people, "ms") for s in sizes],
            *[size_label(s.people, "KB") for s in sizes],
        ],
        rows,
    )
    drawn = "; ".join(
        f"{s.people:,}: {s.level['teams']:,} teams, {s.level['edges']:,} tied pairs, "
        f"{s.level['edges_k']:,} with {s.level['k']} ties or more"
        for s in sizes
        if s.level
    )
    print(f"(level 1 of the HR page's network: {drawn})")
    return problems


class Size:
    """One org size: its database, the steps run on it, what they found."""

    def __init__(self, people: int, *, prefix: str = PG_DATABASE, pages: bool = True) -> None:
        self.people = people
        self.database = f"{prefix}_{people}"
        self.with_pages = pages  # measure the dashboards after the nightly computation
        self.seeded: dict = {}
        self.loaded: dict = {}
        self.computed: dict = {}
        self.pages: list[dict] = []
        self.level: dict = {}
        self.failures: list[str] = []

    def attempt(self, what: str, function: Callable[[], None]) -> bool:
        try:
            function()
        except StepFailed as error:
            print(f"  {self.people:,} people: {what} failed: {error}", flush=True)
            self.failures.append(f"insights at {self.people:,} people: {what}: {error}")
            return False
        return True

    def step(self, name: str, timeout: float, debug: bool = False) -> dict:
        return step(
            "insights_steps",
            name,
            self.people,
            timeout=timeout * max(1.0, self.people / 10_000),
            database=self.database,
            debug=debug,
            what=f"{name} {self.people}",
        )

    def seed(self) -> None:
        def seed() -> None:
            recreate_database(self.database)
            started = time.perf_counter()
            migrate(self.database)
            seeded = self.step("seed", SEED_LIMIT)
            # Printed as "migrate + seed_demo": both, from the parent's clock.
            self.seeded = seeded | {"migrate_s": time.perf_counter() - started}

        self.attempt("migrate and seed_demo", seed)

    def load(self) -> None:
        if not self.seeded:
            return

        def load() -> None:
            self.loaded = self.step("load", LOAD_LIMIT)

        if self.attempt("loading signals and the pulse", load):
            p = self.seeded | self.loaded
            print(
                f"  {self.people:,} people: migrate + seed_demo {p['migrate_s']:.1f} s, "
                f"{p['signals']:,} signals in {p['signals_s']:.1f} s (indexes "
                f"{p['signal_index_s']:.1f} s), {p['responses']:,} "
                f"responses in {p['pulse_load_s']:.1f} s, aggregate_round {p['aggregate_s']:.1f} s",
                flush=True,
            )

    def prepare(self) -> None:
        self.seed()
        self.load()

    def measure(self) -> None:
        if not self.loaded:
            return

        def compute() -> None:
            self.computed = self.step("compute", COMPUTE_LIMIT)
            c = self.computed
            print(
                f"  {self.people:,} people: nightly {c['nightly_s']:.1f} s (this week "
                f"{c['this_s']:.1f} s), max RSS {c['maxrss_mb']:.0f} MB",
                flush=True,
            )
            self.failures += [f"insights nightly at {self.people:,} people: {b}" for b in c["bad"]]

        def dashboards() -> None:
            result = self.step("dashboards", DASHBOARD_LIMIT, debug=True)
            self.pages, self.level = result["pages"], result["level"]

        # Without the week's figures the dashboards would be empty: nothing to measure.
        if self.attempt("nightly computation", compute) and self.with_pages:
            self.attempt("dashboards", dashboards)

    def computed_notes(self) -> list[str]:
        phases = ", ".join(f"{name} {s:.1f}" for name, s in self.computed["phases"].items())
        slowest = "; ".join(f"{q['s']:.1f} s {q['sql']}" for q in self.computed["slowest"])
        return [
            f"{self.people:,} people, this week by phase, s: {phases}",
            f"{self.people:,} people, slowest statements of both weeks: {slowest}",
        ]

    def nightly_row(self) -> list[str]:
        p, c = self.seeded | self.loaded, self.computed
        head = [
            f"{self.people:,}",
            f"{p['teams']:,}" if p else "n/a",
            f"{p['signals']:,}" if self.loaded else "n/a",
            f"{p['responses']:,}" if self.loaded else "n/a",
            f"{p['seed_s']:.1f}" if p else "n/a",
            f"{p['signals_s'] + p['pulse_load_s']:.1f}" if self.loaded else "n/a",
            f"{p['aggregate_s']:.1f}" if self.loaded else "n/a",
        ]
        if not c:
            return [*head, "n/a", "n/a", "FAILED", "n/a", "n/a", "NO"]
        return [
            *head,
            f"{c['last_s']:.1f}",
            f"{c['this_s']:.1f}",
            f"{c['nightly_s']:.1f}",
            f"{c['maxrss_mb']:.0f} ({c['baseline_mb']:.0f})",
            f"{c['teamweeks']:,} weeks, {c['ties']:,} ties",
            "ok" if not c["bad"] else "NO",
        ]
