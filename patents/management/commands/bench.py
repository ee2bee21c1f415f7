"""`python manage.py bench <name> [options] [--json]`: the project's benchmarks, one module each.

A benchmark module exposes ``add_arguments(parser)`` and ``run(options: dict, stdout) -> dict``; the dict
is printed as one JSON object with --json, else as "key: value" lines. Figures go in the README.
"""

from __future__ import annotations

import importlib
import json

from django.core.management.base import BaseCommand, CommandError

BENCHMARKS = {
    "throttle": "patents.benchmarks.throttle",
    "ingest": "patents.benchmarks.ingest",
    "sync": "patents.benchmarks.sync",
    "recompute": "deadlines.benchmarks.recompute",
    "reminders": "deadlines.benchmarks.reminders",
    "dashboard": "deadlines.bench_dashboard",
}


class Command(BaseCommand):
    help = "Run a benchmark: " + ", ".join(sorted(BENCHMARKS))

    def add_arguments(self, parser):
        subparsers = parser.add_subparsers(dest="benchmark", required=True, metavar="NAME")
        for name, module_path in sorted(BENCHMARKS.items()):
            sub = subparsers.add_parser(name, help=f"benchmark {name}")
            sub.add_argument("--json", action="store_true", help="print one JSON object")
            try:
                module = importlib.import_module(module_path)
            except ModuleNotFoundError as exc:
                if exc.name and module_path.startswith(exc.name):
                    sub.set_defaults(_missing=module_path)
                    continue
                raise
            module.add_arguments(sub)

    def handle(self, *args, **options):
        name = options["benchmark"]
        if options.get("_missing"):
            raise CommandError(f"benchmark {name!r} is not available ({options['_missing']} is missing)")
        module = importlib.import_module(BENCHMARKS[name])
        result = module.run(options, self.stdout)
        if options["json"]:
            self.stdout.write(json.dumps(result, default=str))
        else:
            for key, value in result.items():
                self.stdout.write(f"{key}: {value}")
