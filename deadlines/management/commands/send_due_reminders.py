"""`python manage.py send_due_reminders`: the beat sweep by hand (cron, or after downtime).

Safe to run while the beat task runs too: deliveries are claimed, nothing is sent twice.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from deadlines.reminders import send_due_reminders


class Command(BaseCommand):
    help = "Send due deadline reminders, escalations, digests and weekly reports (each exactly once)."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--max-batches", type=int, default=None, help="stop after this many batches")

    def handle(self, *args, **options):
        counts = send_due_reminders(batch_size=options["batch_size"], max_batches=options["max_batches"])
        if not counts:
            self.stdout.write("nothing due")
        for key, value in sorted(counts.items()):
            self.stdout.write(f"{key}: {value}")
