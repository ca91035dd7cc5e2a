from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from connection.services import ImportRejected, import_org_chart


class Command(BaseCommand):
    help = "Import an org chart CSV: all of it in one transaction, or nothing."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--deactivate-missing",
            action="store_true",
            help="Deactivate active people who are not in the file (nobody is deleted).",
        )

    def handle(self, *args, file: Path, deactivate_missing: bool, **options):
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}") from None
        try:
            plan = import_org_chart(
                data=data, filename=file.name, deactivate_missing=deactivate_missing
            )
        except ImportRejected as error:
            raise CommandError(f"Nothing was imported: {error}") from None
        if not plan.ok:
            for problem in plan.chart.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"Nothing was imported: {len(plan.chart.problems)} problem(s) in {file.name}."
            )
        summary = plan.summary()
        deactivated = len(plan.missing) if deactivate_missing else 0
        self.stdout.write(
            f"Imported {summary['people']} people: {summary['created']} new, "
            f"{summary['updated']} updated, {summary['unchanged']} unchanged, "
            f"{summary['new_teams']} new teams, {deactivated} deactivated."
        )
        if plan.missing and not deactivate_missing:
            self.stdout.write(
                f"{len(plan.missing)} active people are not in the file; "
                "run again with --deactivate-missing to deactivate them."
            )
