"""`python manage.py fail_stuck_document_readings [--minutes N]`: the stuck-reading beat sweep by hand.

Marks documents "being read" for longer than a live reading can take (the reading task's hard time limit plus
the broker's visibility timeout and a margin) as failed, with the reason; they wait in the review queue, where
"Read again" queues them anew.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand

from patents.documents.service import fail_stuck_readings


class Command(BaseCommand):
    help = "Mark documents whose reading never finished as failed (they stay in the review queue)."

    def add_arguments(self, parser):
        parser.add_argument("--minutes", type=float, default=None, help="being read for longer than this")

    def handle(self, *args, minutes: float | None, **options):
        failed = fail_stuck_readings(stale_after=dt.timedelta(minutes=minutes) if minutes is not None else None)
        self.stdout.write(f"{len(failed)} document readings marked failed" + (f": {failed}" if failed else ""))
