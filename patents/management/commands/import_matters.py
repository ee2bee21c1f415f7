from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from patents import importing


class Command(BaseCommand):
    help = "Import matters from a CSV file (all-or-nothing). Columns:\n" + (importing.__doc__ or "")

    def create_parser(self, prog_name, subcommand, **kwargs):
        from argparse import RawDescriptionHelpFormatter

        kwargs["formatter_class"] = RawDescriptionHelpFormatter
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="validate and report; write nothing")
        parser.add_argument("--user", help="attribute the import to this username instead of the import process")

    def handle(self, *args, file: Path, dry_run: bool, user: str | None, **options):
        if not file.is_file():
            raise CommandError(f"{file} does not exist")
        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"no user named {user!r}")

        def progress(rows):
            return tqdm(rows, desc="importing", unit="matter", disable=len(rows) < 200 or None, file=self.stderr._out)

        result = importing.import_matters(path=file, dry_run=dry_run, user=actor, progress=progress)
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(result.errors)} problem(s) in {file.name}; nothing was imported")
        verb = "would create" if dry_run else "created"
        self.stdout.write(
            f"{file.name}: {result.rows} rows; {verb} {result.created}, "
            f"{'would update' if dry_run else 'updated'} {result.updated}, unchanged {result.unchanged}"
        )
