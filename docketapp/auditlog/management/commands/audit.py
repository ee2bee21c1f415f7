"""`manage.py audit verify [--json] [--no-alert]` and `manage.py audit checkpoint` (docs/audit.md).

verify exits 1 when it finds anything; the same runs nightly as the beat task auditlog.verify.
"""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand

from docketapp.auditlog.services import take_checkpoints, verify_audit_trail


class Command(BaseCommand):
    help = "Tamper-evident audit trail: verify every history chain, or take signed checkpoints"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        verify = sub.add_parser("verify", help="recompute every chain and check the signed checkpoints")
        verify.add_argument("--json", action="store_true", help="print one JSON object")
        verify.add_argument("--no-alert", action="store_true", help="do not e-mail the docketing admins")
        sub.add_parser("checkpoint", help="record and sign the head of every chain that moved")

    def handle(self, *args, **options):
        if options["action"] == "checkpoint":
            for cp in take_checkpoints():
                signed = f"signed ({cp.key_id})" if cp.signature else "UNSIGNED (no AUDIT_CHECKPOINT_KEY)"
                self.stdout.write(f"{cp.table} seq {cp.seq} {cp.head_hash} {signed}")
            return
        report, run = verify_audit_trail(origin="command", alert=not options["no_alert"])
        if options["json"]:
            self.stdout.write(json.dumps({
                "ok": report.ok, "run": run.pk, "tables": report.tables, "rows": report.rows,
                "checkpoints": report.checkpoints, "signatures": report.signatures,
                "seconds": round(report.seconds, 3), "findings": [f.as_dict() for f in report.findings],
            }))
        else:
            for finding in report.findings:
                self.stdout.write(str(finding))
            if report.signatures != "signed":
                self.stdout.write(
                    "checkpoint signatures: UNVERIFIABLE (AUDIT_CHECKPOINT_KEY not set): a rewrite that recomputed "
                    "the hashes would not be detected"
                )
            self.stdout.write(
                f"{'OK' if report.ok else 'FAILED'}: {report.tables} tables, {report.rows} rows, "
                f"{report.checkpoints} checkpoints, {len(report.findings)} finding(s) in {report.seconds:.2f} s"
            )
        if not report.ok:
            sys.exit(1)
