from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from connection.backup import BackupError, back_up


class Command(BaseCommand):
    help = (
        "Back up the whole database to a new file: pg_dump's custom format on PostgreSQL, "
        "a consistent SQLite copy on the embedded default (docs/backup.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        try:
            back_up(file)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Backed up to {file} ({file.stat().st_size:,} bytes).")
