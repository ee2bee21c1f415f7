"""`python manage.py ingest_document [--matter REF] [--source upload|office|email] [--json] FILE…`.

Each file is taken in as a document (stored once by its SHA-256; the same file again is reported as the
document already received), read inline (OCR where it is a scan) and proposed for review. Without
``--matter`` the matter is the one whose application number the document names; none or several: the
document waits in the review queue for a person to choose. Nothing is recorded on the docket until a
paralegal accepts the proposal on the review page.

With ``--json``: one JSON object per line per file, {"file", "document", "matter", "office", "type",
"application_number", "dates", "period_months", "proposed_event", "confidence", "status"} (plus "message"
for a duplicate or a refusal). The exit status is 1 when a file was refused.
"""

from __future__ import annotations

import json as jsonlib
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from patents.documents.service import FileRefused, read_and_propose, receive_document
from patents.documents.storage import check_size
from patents.models import Document, Matter

CONTRACT = ("office", "type", "application_number", "dates", "period_months", "proposed_event", "confidence")


def document_line(document: Document | None, *, file: str, message: str = "") -> dict[str, Any]:
    """The --json contract for one file (``document`` None: refused before it was taken in)."""
    summary = ((document.extraction or {}).get("summary") or {}) if document is not None else {}
    line: dict[str, Any] = {
        "file": file,
        "document": document.pk if document is not None else None,
        "matter": document.matter.reference if document is not None and document.matter is not None else None,
    }
    line.update({key: summary.get(key) for key in CONTRACT})
    line["dates"] = line["dates"] or {}
    line["status"] = document.status if document is not None else Document.Status.REFUSED.value
    reason = message or (document.status_reason if document is not None else "")
    if reason:
        line["message"] = reason
    return line


def _human(line: dict[str, Any]) -> str:
    event = line.get("proposed_event") or {}
    what = (f"proposes {event.get('code')} of {event.get('date')} (confidence {line.get('confidence')})"
            if event else "")
    parts = [f"document {line['document']}" if line["document"] else "not taken in", line["status"],
             f"matter {line['matter']}" if line["matter"] else "no matter yet", what, line.get("message", "")]
    return f"{line['file']}: " + ", ".join(p for p in parts if p)


class Command(BaseCommand):
    help = "Take in office documents or scans, read them and propose their event for review."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--matter", help="our reference of the matter the files belong to")
        parser.add_argument("--source", choices=Document.Source.values, default=Document.Source.UPLOAD)
        parser.add_argument("--json", action="store_true", help="print one JSON object per line per file")

    def handle(self, *args, files: list[str], matter: str | None, source: str, json: bool, **options):
        target = None
        if matter:
            target = Matter.objects.filter(reference=matter).first()
            if target is None:
                raise CommandError(f"no matter with reference {matter!r}")
        refused = 0
        for file in files:
            line = self._one(Path(file), matter=target, source=source)
            refused += line["status"] == Document.Status.REFUSED
            self.stdout.write(jsonlib.dumps(line, default=str) if json else _human(line))
        if refused:
            raise CommandError(f"{refused} of {len(files)} file(s) refused")

    def _one(self, path: Path, *, matter: Matter | None, source: str) -> dict[str, Any]:
        file = str(path)
        if not path.is_file():
            return document_line(None, file=file, message=f"{file}: no such file")
        try:
            # An oversize file is refused before it is read into memory.
            check_size(path.name, path.stat().st_size, max_bytes=settings.DOCUMENT_MAX_BYTES)
            received = receive_document(data=path.read_bytes(), filename=path.name, source=source, matter=matter)
        except FileRefused as exc:
            return document_line(None, file=file, message=str(exc))
        if not received.created:
            document = received.document
            return document_line(document, file=file, message=f"already received as document {document.pk}")
        document = read_and_propose(document_id=received.document.pk)
        return document_line(document, file=file)
