"""`python manage.py sync_office EP|WO|US|JP|all [--enqueue] [--force] [--limit N]`.

The same service the beat entries call. By default the cycle runs here, in this process (waiting for the
throttle is fine on a command line); ``--enqueue`` does exactly what the beat entry does (one office_sync
task per batch, for the workers). ``--force`` syncs every enabled matter, not only the stale ones.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from patents import sync
from patents.models import SyncRun


class Command(BaseCommand):
    help = "Sync matters with their office (stale ones first), or enqueue the sync for the workers."

    def add_arguments(self, parser):
        parser.add_argument("office", help=f"{', '.join(sync.OFFICES)} or all")
        parser.add_argument("--enqueue", action="store_true", help="queue office_sync tasks instead")
        parser.add_argument("--force", action="store_true", help="every enabled matter, however fresh")
        parser.add_argument("--limit", type=int, default=None, help="at most N matters")

    def handle(self, *args, office: str, enqueue: bool, force: bool, limit: int | None, **options):
        offices = sync.OFFICES if office.lower() == "all" else (office.upper(),)
        if any(o not in sync.OFFICES for o in offices):
            raise CommandError(f"office must be one of {', '.join(sync.OFFICES)} or all")
        older_than = timezone.now() if force else None
        for code in offices:
            if enqueue:
                run = sync.enqueue_sync(office=code, trigger=SyncRun.Trigger.COMMAND, older_than=older_than,
                                        limit=limit)
                if run.interrupted_reason:
                    # Said plainly, and the run is closed (not left "running" with nothing queued).
                    raise CommandError(f"{code}: run {run.pk} not queued: {run.interrupted_reason}")
                self.stdout.write(f"{code}: run {run.pk}, {run.matters_tried} matters in {run.batches_total} "
                                  "batches queued on office_sync")
                continue
            run = sync.run_inline(office=code, older_than=older_than, limit=limit, stdout=self.stdout)
            self.stdout.write(
                f"\n{code}: run {run.pk}: {run.matters_synced}/{run.matters_tried} matters synced, "
                f"{run.requests} requests, {run.bytes} bytes, {run.payloads_stored} payloads stored "
                f"({run.payloads_unchanged} unchanged), {run.events_created} events, {run.quarantined} "
                f"quarantined, {run.errors} errors"
            )
            for entry in run.error_log:
                self.stdout.write(f"  {entry['kind']}: {entry['message']}")
