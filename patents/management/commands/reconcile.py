"""`python manage.py reconcile [--office EP]`: where the docket disagrees with the latest office data.

Re-reads the latest stored payload of every matter (no office request), refreshes the open differences and
lists them field by field. Decide them on the reconciliation page (accept the office value or ignore it
with a reason).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from docketapp.audit import attributed
from patents.ingestion import match_document, parse_payload, reconcile_matter
from patents.models import Matter, ReconciliationItem
from patents.parsers.errors import ParseError


class Command(BaseCommand):
    help = "List (and refresh) the fields where the docket and the latest office data disagree."

    def add_arguments(self, parser):
        parser.add_argument("--office", default=None)

    def handle(self, *args, office: str | None, **options):
        matters = Matter.objects.filter(office_payloads__isnull=False).distinct().order_by("reference")
        if office:
            matters = matters.filter(office=office.upper())
        refreshed = 0
        with attributed(reason="reconciliation with the latest office data", process="patents.reconcile"):
            for matter in matters:
                for payload in matter.office_payloads.exclude(kind__in=["ep-legal", "us-odp-transactions"]) \
                        .order_by("-fetched_at", "-pk")[:1]:
                    try:
                        documents = parse_payload(payload.kind, payload.raw)
                    except ParseError:
                        continue
                    for doc in documents:
                        # Matched as the ingest matches (publication and grant numbers too: OPS published
                        # data for a PCT matter is keyed on the WO publication).
                        if doc.biblio is not None and (match_document(doc, [matter]) or len(documents) == 1):
                            reconcile_matter(matter=matter, biblio=doc.biblio, payload=payload)
                            refreshed += 1
        items = ReconciliationItem.objects.filter(status=ReconciliationItem.Status.OPEN).select_related("matter")
        if office:
            items = items.filter(matter__office=office.upper())
        count = 0
        for item in items.order_by("matter__reference", "field"):
            count += 1
            self.stdout.write(
                f"{item.matter.reference}  {item.get_field_display()}: docket {item.docket_value!r}  "
                f"office {item.office_value!r}  (payload {item.payload_id})"
            )
        self.stdout.write(f"{count} open difference(s) after checking {refreshed} matter(s)")
