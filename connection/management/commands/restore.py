from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from connection.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a backup into this installation's database, which must be new and empty, "
        "then bring it up to this version's schema (docs/backup.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--jobs", type=int, default=2, help="pg_restore's parallel jobs.")

    def handle(self, *args, file: Path, jobs: int, **options):
        try:
            restore(file, jobs=jobs)
        except BackupError as error:
            raise CommandError(str(error)) from None
        # A backup from an older Hearth gets this version's migrations; a current one, none.
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(f"Restored {file}.")
