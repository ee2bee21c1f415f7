"""`python manage.py recompute_pending [--all]`: the recompute-pending beat sweep by hand.

Recomputes the matters whose office events changed but whose recompute task was never queued or never ran
(broker down, worker killed). ``--all`` takes every pending matter, without the grace period.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand

from deadlines.services import recompute_pending


class Command(BaseCommand):
    help = "Recompute deadlines of matters still marked as needing it (lost recompute tasks)."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="also the ones marked in the last minutes")

    def handle(self, *args, all: bool, **options):
        counts = recompute_pending(older_than=dt.timedelta(0) if all else None)
        self.stdout.write(f"{counts['matters']} matters recomputed")
