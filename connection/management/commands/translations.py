"""Keep the German catalogue in step with the code (docs/i18n.md; needs GNU gettext).

manage.py translations part <name> <path>...   extract the strings of some files
    into var/i18n/<name>.po, keeping the translations it already holds, so several
    people can translate parts of the code at once without touching one file;
manage.py translations build                    extract every string into
    locale/de/LC_MESSAGES/django.po, fill what is missing from the parts, and
    compile it (django.mo, which is committed: running Hearth needs no gettext).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

LANGUAGE = "de"
IGNORED = [".venv", "var", "tests", "bench", "node_modules", "staticfiles", "build", "deploy"]


def parts_dir() -> Path:
    return settings.BASE_DIR / "var" / "i18n"


def catalogue() -> Path:
    return settings.LOCALE_PATHS[0] / LANGUAGE / "LC_MESSAGES" / "django.po"


def _run(*command: str, cwd: Path | None = None, env: dict | None = None) -> None:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    if done.returncode:
        raise CommandError(f"{' '.join(command)} failed:\n{done.stderr}")


def _entry(block: str) -> tuple[tuple | None, list[str]]:
    """(msgctxt, msgid, msgid_plural) of a .po entry, and its msgstr lines as written."""
    fields: dict[str, str] = {}
    current = None
    lines = [line for line in block.splitlines() if not line.startswith("#")]
    for n, line in enumerate(lines):
        if line.startswith("msgstr"):
            key = (fields.get("msgctxt"), fields.get("msgid"), fields.get("msgid_plural"))
            return (key if fields.get("msgid") else None), lines[n:]
        head, _, rest = line.partition(" ")
        if head in ("msgctxt", "msgid", "msgid_plural"):
            current = head
            fields[current] = rest.strip('"')
        elif line.startswith('"') and current:
            fields[current] += line.strip('"')
    return None, []


def _translated(strings: list[str]) -> bool:
    """Whether each msgstr of an entry has text (its lines, continuation lines too)."""
    values: list[str] = []
    for line in strings:
        if line.startswith("msgstr"):
            values.append(line.split(" ", 1)[1].strip('"'))
        elif values:
            values[-1] += line.strip('"')
    return bool(values) and all(values)


def _unfuzzy(line: str) -> str:
    if not line.startswith("#,"):
        return line
    flags = [flag.strip() for flag in line[2:].split(",") if flag.strip() != "fuzzy"]
    return "#, " + ", ".join(flags) if flags else "#,"


def _flags(block: str) -> str:
    return " ".join(line for line in block.splitlines() if line.startswith("#,"))


class Command(BaseCommand):
    help = "Extract, merge and compile the German catalogue (docs/i18n.md)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=["part", "build"])
        parser.add_argument("name", nargs="?")
        parser.add_argument("paths", nargs="*")

    def handle(self, *args, action: str, name: str | None, paths: list[str], **options):
        if shutil.which("xgettext") is None:
            raise CommandError("This needs GNU gettext (apt-get install gettext).")
        if action == "part":
            if not name or not paths:
                raise CommandError("Say the part's name and its files or folders.")
            self._part(name, paths)
        else:
            self._build()

    def _part(self, name: str, paths: list[str]) -> None:
        base = settings.BASE_DIR
        with tempfile.TemporaryDirectory() as sandbox:
            root = Path(sandbox)
            for path in paths:
                source = (base / path).resolve()
                if not source.exists():
                    raise CommandError(f"No such file or folder: {path}")
                link = root / source.relative_to(base)
                link.parent.mkdir(parents=True, exist_ok=True)
                link.symlink_to(source)
            (root / "locale").mkdir()
            env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
            _run(
                sys.executable, "-m", "django", "makemessages", "-l", LANGUAGE,
                "--symlinks", "--no-obsolete", "-i", "locale", cwd=root, env=env,
            )  # fmt: skip
            extracted = root / "locale" / LANGUAGE / "LC_MESSAGES" / "django.po"
            if not extracted.exists():
                self.stdout.write("No strings marked for translation in those files.")
                return
            target = parts_dir() / f"{name}.po"
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.exists():
                merged = root / "merged.po"
                _run("msgmerge", "--quiet", "--no-fuzzy-matching", "-o", str(merged),
                     str(target), str(extracted))  # fmt: skip
                shutil.copy(merged, target)
            else:
                shutil.copy(extracted, target)
        self.stdout.write(f"{target}: {self._untranslated(target)} strings to translate")

    def _build(self) -> None:
        call_command(
            "makemessages", locale=[LANGUAGE], ignore_patterns=IGNORED, no_obsolete=True,
            verbosity=0,
        )  # fmt: skip
        parts = sorted(parts_dir().glob("*.po")) if parts_dir().exists() else []
        known: dict[tuple, list[str]] = {}
        for part in parts:
            for block in part.read_text().split("\n\n"):
                key, strings = _entry(block)
                if key and _translated(strings) and "fuzzy" not in _flags(block):
                    known.setdefault(key, strings)
        blocks = catalogue().read_text().split("\n\n")
        for i, block in enumerate(blocks):
            key, strings = _entry(block)
            # A fuzzy entry is gettext's guess from a similar string: never kept.
            guessed = "fuzzy" in _flags(block)
            if key and (guessed or not _translated(strings)) and key in known:
                lines = [
                    _unfuzzy(line)
                    for line in block.splitlines()
                    if not line.startswith("#|") and _unfuzzy(line) != "#,"
                ]
                first = next(n for n, line in enumerate(lines) if line.startswith("msgstr"))
                blocks[i] = "\n".join(lines[:first] + known[key])
        # The header is Hearth's own, not a draft: its charset and plural rule apply.
        blocks[0] = (
            blocks[0]
            .replace("#, fuzzy\n", "")
            .replace('"Language: \\n"', f'"Language: {LANGUAGE}\\n"')
        )
        catalogue().write_text("\n\n".join(blocks))
        call_command("compilemessages", locale=[LANGUAGE], ignore_patterns=IGNORED, verbosity=0)
        self.stdout.write(f"{catalogue()}: {self._untranslated(catalogue())} untranslated")

    @staticmethod
    def _untranslated(path: Path) -> int:
        done = subprocess.run(
            ["msgattrib", "--untranslated", "--no-wrap", str(path)],
            capture_output=True,
            text=True,
        )
        return done.stdout.count("\nmsgid ") - (1 if 'msgid ""\nmsgstr ""' in done.stdout else 0)
