"""`python manage.py replay_payloads [--office EP] [--since 2026-01-01]`: rebuild events from stored payloads.

Oldest first, idempotent: run it after fixing a code mapping; events recorded before are not written again.
A site-layer command: it replays (patents) and then recomputes deadlines (deadlines).
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from deadlines.services import recompute_matters
from patents.ingestion import recompute_inline
from patents.sync import replay_payloads


class Command(BaseCommand):
    help = "Re-apply stored office payloads to the docket (deterministic; twice changes nothing)."

    def add_arguments(self, parser):
        parser.add_argument("--office", default=None)
        parser.add_argument("--since", default=None, help="ISO date or datetime (fetched_at)")

    def handle(self, *args, office: str | None, since: str | None, **options):
        when = None
        if since:
            try:
                when = dt.datetime.fromisoformat(since)
            except ValueError:
                raise CommandError(f"--since {since!r} is not an ISO date")
            if when.tzinfo is None:
                when = when.replace(tzinfo=dt.UTC)
        with recompute_inline() as changed:
            totals = replay_payloads(office=office, since=when)
        if changed:
            recompute_matters(matter_ids=changed, reason="office events replayed from stored payloads")
        self.stdout.write(
            f"replayed {totals['payloads']} payloads: {totals['events_created']} events recorded or changed, "
            f"{totals['quarantined']} quarantine items open, {totals['malformed']} unreadable; "
            f"deadlines recomputed for {len(changed)} matters"
        )
