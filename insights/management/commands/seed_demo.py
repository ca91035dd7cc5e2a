"""`manage.py seed_demo`: the demo organisation (insights/demo/), or a large one for
benchmarks."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from connection.models import User
from insights import demo
from insights.demo.story import DOMAIN, PERSONAS


class Command(BaseCommand):
    help = "Create the demo organisation (about 150 people) or a large one for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=150, help="How many people (50 or more).")
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when people already exist."
        )
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument(
            "--bare",
            action="store_true",
            help="People and teams only: no pulse history, rituals, thread or budgets.",
        )

    def handle(self, *args, people: int, if_empty: bool, seed: int, bare: bool = False, **options):
        if people < 50:
            raise CommandError("The demo needs at least 50 people (12 teams of three or more).")
        if if_empty and User.objects.exists():
            self.stdout.write("People already exist; the demo organisation was not loaded.")
            return
        started = time.perf_counter()
        made, teams, extras = demo.seed(people=people, seed=seed, bare=bare)
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"Demo organisation ready: {made} people in {teams} teams ({elapsed:.1f} s)."
        )
        if extras:
            self.stdout.write("Also: " + "; ".join(extras) + ".")
        self.stdout.write(f"Sign in with password “{settings.HEARTH_DEMO_PASSWORD}” as:")
        for local, (name, team, zone, _, _) in PERSONAS.items():
            role = {"alice": "manager", "hana": "HR admin"}.get(local, "employee")
            self.stdout.write(f"  {local}@{DOMAIN:<16} {name}, {role}, {team}, {zone}")
