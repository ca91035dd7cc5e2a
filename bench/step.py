"""`python -m bench.step <benchmark> <step> <N>`: one step of a benchmark in a process of
its own, on the database in DATABASE_URL (set by bench.measure.step()).

The benchmark module's STEPS maps step names to functions of N returning a JSON-able
dict, printed on a RESULT line for the parent to read.
"""

import argparse
import importlib
import json
import os
import sys

import django

from bench.measure import RESULT

# The benchmarks whose steps run in a subprocess on a PostgreSQL database of their own.
BENCHMARKS = ("pulse", "insights_steps", "burst")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.step", description=__doc__)
    parser.add_argument("benchmark", choices=BENCHMARKS)
    parser.add_argument("step")
    parser.add_argument("value", type=int)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "connection.settings")
    django.setup()
    # Loaded by name once Django is set up: the benchmark modules import models.
    steps = importlib.import_module(f"bench.{args.benchmark}").STEPS
    if args.step not in steps:
        parser.error(f"{args.benchmark} has no step {args.step!r} (choose from {', '.join(steps)})")
    print(RESULT + json.dumps(steps[args.step](args.value)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
