"""Portfolio discovery through Lens: an applicant's publications that are not matters in the docket yet."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from docketapp.audit import attributed

from .clients import get_client
from .ingestion import create_matter_from_biblio, store_payload
from .models import Client, Matter, OfficePayload
from .normalize import compact_number
from .offices.lens import OFFICE as LENS
from .offices.lens import SEARCH as LENS_SEARCH
from .offices.lens.parser import LensRecord, parse_lens_search


@dataclass
class Candidate:
    record: LensRecord
    office: str
    application_number: str

    @property
    def label(self) -> str:
        b = self.record.biblio
        return (f"{self.record.jurisdiction}{self.record.doc_number}{self.record.kind or ''} "
                f"(application {self.application_number}, published "
                f"{self.record.date_published.isoformat() if self.record.date_published else '?'}) {b.title or ''}")


@dataclass
class Discovery:
    pages: int = 0
    records: int = 0
    known: int = 0
    candidates: list[Candidate] = field(default_factory=list)


def discover_publications(*, applicant: str, office: str | None = None, client=None, page_size: int = 100,
                          max_results: int | None = None) -> Discovery:
    """Every Lens publication of ``applicant`` (scrolling, latest scroll_id each page), minus the docket's."""
    lens = client or get_client(LENS.code, max_wait=120.0)
    must: list[dict] = [{"match_phrase": {"applicant.name": applicant}}]
    if office:
        must.append({"term": {"jurisdiction": office.upper()}})
    out = Discovery()
    seen: set[tuple[str, str]] = set()
    known_apps = set(Matter.objects.values_list("office", "application_number_normalized"))
    known_pubs = {compact_number(n) for n in Matter.objects.exclude(publication_number="")
                  .values_list("publication_number", flat=True)}
    for response in lens.iter_search({"bool": {"must": must}}, size=page_size, max_results=max_results):
        out.pages += 1
        with attributed(reason=f"discovery for {applicant}", process="patents.discover"):
            store_payload(office=LENS.code, kind=LENS_SEARCH, endpoint=response.endpoint,
                          request_key=response.request_key, body=response.body, status=response.status,
                          fetched_at=response.fetched_at, origin=OfficePayload.Origin.DISCOVERY)
        page = parse_lens_search(response.body)
        for record in page.records:
            out.records += 1
            b = record.biblio
            app = b.application_number_normalized or b.application_number
            key = (record.jurisdiction, app)
            if key in seen:
                continue  # A1 and B1 of one application: one candidate
            seen.add(key)
            pub = compact_number(f"{record.jurisdiction}{record.doc_number}")
            if key in known_apps or pub in known_pubs:
                out.known += 1
                continue
            out.candidates.append(Candidate(record=record, office=record.jurisdiction, application_number=app))
    return out


@transaction.atomic
def create_discovered_matters(*, candidates: list[Candidate], client: Client, reason: str) -> list[Matter]:
    """All or nothing: one invalid candidate rolls the whole creation back."""
    created = []
    with attributed(reason=reason, process="patents.discover"):
        for c in candidates:
            created.append(create_matter_from_biblio(biblio=c.record.biblio, client=client))
    return created
