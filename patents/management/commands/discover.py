"""`python manage.py discover --applicant "NAME" [--office EP] [--create --client REF]`.

Pages through Lens (scroll for large portfolios) and lists the applicant's publications that are not
matters yet; ``--create`` creates them all (all-or-nothing, with a history reason).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from patents.clients.errors import OfficeError
from patents.discovery import create_discovered_matters, discover_publications
from patents.models import Client


class Command(BaseCommand):
    help = "List an applicant's publications (Lens) that are not in the docket; optionally create them."

    def add_arguments(self, parser):
        parser.add_argument("--applicant", required=True)
        parser.add_argument("--office", default=None, help="only this jurisdiction (e.g. EP)")
        parser.add_argument("--create", action="store_true", help="create matters for every candidate")
        parser.add_argument("--client", default=None, help="client reference for --create")
        parser.add_argument("--max", type=int, default=None, help="stop after N Lens records")

    def handle(self, *args, applicant: str, office: str | None, create: bool, client: str | None,
               max: int | None, **options):
        owner = None
        if create:
            owner = Client.objects.filter(reference=client or "").first()
            if owner is None:
                raise CommandError("--create needs --client REF of an existing client")
        try:
            found = discover_publications(applicant=applicant, office=office, max_results=max)
        except OfficeError as exc:
            raise CommandError(f"Lens: {exc}")
        self.stdout.write(f"{found.records} Lens records in {found.pages} page(s); {found.known} already in the "
                          f"docket; {len(found.candidates)} not yet:")
        for c in found.candidates:
            self.stdout.write(f"  {c.label}")
        if create and owner is not None and found.candidates:  # owner is set whenever create is
            try:
                matters = create_discovered_matters(
                    candidates=found.candidates, client=owner,
                    reason=f"created from Lens discovery for applicant {applicant!r}",
                )
            except ValidationError as exc:
                raise CommandError(f"nothing created: {'; '.join(exc.messages)}")
            self.stdout.write(f"created {len(matters)} matter(s): {', '.join(m.reference for m in matters)}")
