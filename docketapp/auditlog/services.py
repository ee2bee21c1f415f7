"""Audit trail workflows: verify every chain (and tell the docketing admins), take signed checkpoints."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db.models import Q
from django.utils import timezone

from docketapp import audit_chain

from .models import AuditCheckpoint, AuditVerifyRun

log = logging.getLogger(__name__)


def docketing_admin_emails() -> list[str]:
    """Superusers and holders of a docketing role: the people who must hear that the trail was tampered with."""
    users = get_user_model().objects.filter(is_active=True).filter(
        Q(is_superuser=True) | Q(memberships__role="docketing")
    )
    return sorted({u.email for u in users if u.email})


def verify_audit_trail(*, origin: str, alert: bool = True) -> tuple[audit_chain.Report, AuditVerifyRun]:
    started_at = timezone.now()
    report = audit_chain.verify()
    run = audit_chain.record_verification(report, origin=origin, started_at=started_at)
    if report.findings:
        log.error("audit verify: %d finding(s)", len(report.findings))
        if alert:
            _alert(report, run)
    return report, run


def _alert(report: audit_chain.Report, run: AuditVerifyRun) -> None:
    recipients = docketing_admin_emails()
    if not recipients:
        log.error("audit verify found tampering but there is no docketing admin with an e-mail address")
        return
    lines = [
        f"The nightly audit verification (run #{run.pk}, {run.started_at:%Y-%m-%d %H:%M} UTC) found "
        f"{len(report.findings)} problem(s) in the docket's history. Rows were changed, deleted or inserted "
        "outside the application; treat the affected history as unreliable until it is explained.",
        "",
        *(f"- {f}" for f in report.findings[:200]),
    ]
    if len(report.findings) > 200:
        lines.append(f"… and {len(report.findings) - 200} more (see the admin page Audit trail → verifications).")
    if report.signatures != "signed":
        lines += ["", "Checkpoint signatures could not be checked: AUDIT_CHECKPOINT_KEY is not set."]
    send_mail(
        subject=f"[docketapp] audit trail: {len(report.findings)} finding(s)",
        message="\n".join(lines),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=recipients,
    )


def take_checkpoints() -> list[AuditCheckpoint]:
    return audit_chain.take_checkpoints()
