"""`python manage.py process_pending_payloads [--all]`: the pending-payload beat sweep by hand.

Applies office answers that were stored but never applied (a worker died in between). Idempotent.
``--all`` also takes the ones stored in the last minutes (a live worker may be applying them: harmless).
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand

from patents.ingestion import process_pending_payloads


class Command(BaseCommand):
    help = "Apply stored office answers that were never applied (after a crash)."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="no grace period")

    def handle(self, *args, all: bool, **options):
        totals = process_pending_payloads(older_than=dt.timedelta(0) if all else None)
        self.stdout.write(
            f"{totals['payloads']} pending payloads applied: {totals['events_created']} events recorded or "
            f"changed, {totals['quarantined']} quarantined"
        )
