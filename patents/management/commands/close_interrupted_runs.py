"""`python manage.py close_interrupted_runs [--minutes N]`: the interrupted-run beat sweep by hand.

Closes sync runs without progress for longer than a live run can be quiet (SYNC_RUN_STALE_MINUTES, or
derived from the visibility timeout and time limits) as "interrupted", with the reason on the sync page.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand

from patents.sync import close_interrupted_runs


class Command(BaseCommand):
    help = "Close sync runs whose worker is gone as interrupted."

    def add_arguments(self, parser):
        parser.add_argument("--minutes", type=float, default=None, help="quiet for longer than this")

    def handle(self, *args, minutes: float | None, **options):
        closed = close_interrupted_runs(
            stale_after=dt.timedelta(minutes=minutes) if minutes is not None else None
        )
        self.stdout.write(f"{len(closed)} runs closed as interrupted" + (f": {closed}" if closed else ""))
