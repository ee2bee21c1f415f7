"""`python manage.py ingest_file --office EP|US|JP|WO --kind KIND [--matter REF | --create] [--json] FILE`.

A response saved from an office goes through exactly the path of the sync: stored, hashed, parsed,
normalized, recorded, deadlines recomputed. The offices and their kinds are the registry's
(``patents.offices``: each descriptor's ``file_kinds``). Running it twice on the same file changes nothing.

A site-layer command: it ingests (patents) and then recomputes deadlines (deadlines), and only the site
layer may import both apps.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from deadlines.services import recompute_matters
from docketapp.audit import attributed
from patents.ingestion import FILE_KINDS, ensure_inbox_client, ingest_response, recompute_inline
from patents.models import Client, Matter
from patents.offices import OFFICES, docketed_codes


def _kinds_help() -> str:
    """"register, legal, biblio (EP); biblio, legal (WO); …", from the registry."""
    return "; ".join(f"{', '.join(o.file_kinds)} ({o.code})" for o in OFFICES if o.file_kinds)


class Command(BaseCommand):
    help = "Ingest a saved office response file through the sync path."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--office", required=True, choices=docketed_codes())
        parser.add_argument("--kind", required=True, help=_kinds_help())
        target = parser.add_mutually_exclusive_group()
        target.add_argument("--matter", help="our reference of the matter the file belongs to")
        target.add_argument("--create", action="store_true", help="create the matter from the file if needed")
        parser.add_argument("--client", default=None, help="client reference for --create (default UNASSIGNED)")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args, file: str, office: str, kind: str, matter: str | None, create: bool,
               client: str | None, json: bool, **options):
        kind_key = FILE_KINDS.get((office, kind))
        if kind_key is None:
            choices = ", ".join(k for o, k in FILE_KINDS if o == office)
            raise CommandError(f"--kind {kind!r} is not a {office} format; one of: {choices}")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file")
        body = path.read_bytes()
        targets: list[Matter] = []
        if matter:
            found = Matter.objects.filter(reference=matter).first()
            if found is None:
                raise CommandError(f"no matter with reference {matter!r}")
            targets = [found]
        owner = None
        if create:
            owner = Client.objects.filter(reference=client).first() if client else ensure_inbox_client()
            if owner is None:
                raise CommandError(f"no client with reference {client!r}")
        with attributed(reason=f"ingest_file {path.name} ({office} {kind})", process="patents.ingest_file"):
            with recompute_inline() as changed:
                result = ingest_response(
                    office=office, kind=kind_key, endpoint=f"file/{kind}",
                    # The request is "this file for this target": the same file ingested again for the same
                    # matter is the same request; for another matter (or --create) it is another one.
                    request_key=f"FILE {office} {kind} {path.name} -> {matter or ('create' if create else '-')}",
                    body=body, matters=targets, origin="file", file_name=path.name,
                    create_with_client=owner,
                )
        matter_ids = sorted({*result.matters, *result.created_matters, *(t.pk for t in targets)})
        if not matter_ids and result.unchanged and result.payload is not None:
            matter_ids = sorted(result.payload.matters.values_list("pk", flat=True))
        if matter_ids:
            # Also the matters whose events did not change: their deadlines are listed below, so make sure
            # they are current (recompute is idempotent and writes nothing when nothing moved).
            recompute_matters(matter_ids=sorted({*matter_ids, *changed}),
                              reason=f"office data ingested from {path.name}")
        matters = list(Matter.objects.filter(pk__in=matter_ids).order_by("reference"))
        report: dict[str, Any] = {
            "matter": matters[0].reference if len(matters) == 1 else [m.reference for m in matters] or None,
            "events_created": result.events_created,
            "quarantined": [
                {"category": q.category, "reason": q.reason, "code": q.office_code or None} for q in result.quarantined
            ],
            # Family members the docket has no matter for: listed so a person can add them (discover).
            "not_in_docket": result.not_in_docket,
            "deadlines": [
                {"rule": d.rule_id, "title": d.title, "due_date": d.due_date.isoformat(),
                 "latest_date": d.latest_date.isoformat() if d.latest_date else None, "status": d.status}
                for m in matters
                for d in m.deadlines.exclude(status="superseded").order_by("due_date", "pk")
            ],
        }
        if json:
            import json as jsonlib

            self.stdout.write(jsonlib.dumps(report, ensure_ascii=False))
            return
        self.stdout.write(
            f"{path.name}: " + ("unchanged since the last ingest, nothing written" if result.unchanged
                                else f"payload {result.payload.pk if result.payload else '-'} stored")
        )
        self.stdout.write(f"matter: {report['matter']}" + (" (created)" if result.created_matters else ""))
        self.stdout.write(f"events recorded or changed: {result.events_created}")
        for q in report["quarantined"]:
            self.stdout.write(f"quarantined ({q['category']}): {q['reason']}")
        for member in result.not_in_docket:
            self.stdout.write(f"not in the docket (skipped; add it as a matter to follow it): {member}")
        for d in report["deadlines"]:
            self.stdout.write(f"  {d['due_date']}  {d['title']} [{d['rule']}] {d['status']}"
                              + (f" (latest {d['latest_date']})" if d["latest_date"] else ""))
