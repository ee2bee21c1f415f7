"""`python manage.py bench <name> [options] [--json]`: the project's benchmarks, one module each.

A benchmark module exposes ``add_arguments(parser)`` and ``run(options: dict, stdout) -> dict`` (and
``WRITES_DATABASE = True`` when it writes synthetic data: then it only runs on a database named *bench*); the dict
is printed as one JSON object with --json, else as "key: value" lines. Figures go in docs/benchmarks.md.
"""

from __future__ import annotations

import importlib
import json

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

BENCHMARKS = {
    "throttle": "patents.benchmarks.throttle",
    "ingest": "patents.benchmarks.ingest",
    "sync": "patents.benchmarks.sync",
    "recompute": "deadlines.benchmarks.recompute",
    "reminders": "deadlines.benchmarks.reminders",
    "dashboard": "deadlines.bench_dashboard",
    "load": "deadlines.benchmarks.load",
    "admin": "deadlines.benchmarks.admin",
    "audit": "docketapp.auditlog.benchmark",
    "documents": "patents.documents.benchmark",
}


class Command(BaseCommand):
    help = "Run a benchmark: " + ", ".join(sorted(BENCHMARKS))

    def add_arguments(self, parser):
        subparsers = parser.add_subparsers(dest="benchmark", required=True, metavar="NAME")
        for name, module_path in sorted(BENCHMARKS.items()):
            sub = subparsers.add_parser(name, help=f"benchmark {name}")
            sub.add_argument("--json", action="store_true", help="print one JSON object")
            module = importlib.import_module(module_path)
            if getattr(module, "WRITES_DATABASE", False):
                sub.add_argument(
                    "--allow-any-database", action="store_true",
                    help="write synthetic data even into a database whose name does not contain 'bench'",
                )
            module.add_arguments(sub)

    def handle(self, *args, **options):
        module = importlib.import_module(BENCHMARKS[options["benchmark"]])
        database = str(connection.settings_dict.get("NAME", ""))
        # Benchmarks write large synthetic portfolios: never into a working docket by accident.
        if getattr(module, "WRITES_DATABASE", False) and "bench" not in database and not options["allow_any_database"]:
            raise CommandError(
                f"refusing to write benchmark data into database {database!r}: use a database whose name "
                "contains 'bench' (or --allow-any-database)"
            )
        result = module.run(options, self.stdout)
        if options["json"]:
            self.stdout.write(json.dumps(result, default=str))
        else:
            for key, value in result.items():
                self.stdout.write(f"{key}: {value}")
