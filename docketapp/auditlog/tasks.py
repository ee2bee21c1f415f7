from __future__ import annotations

from celery import shared_task


@shared_task(name="auditlog.verify", ignore_result=True)
def verify() -> int:
    """Nightly beat entry: recompute every chain; e-mails the docketing admins when anything is found."""
    from .services import verify_audit_trail

    report, _ = verify_audit_trail(origin="beat:auditlog.verify")
    return len(report.findings)


@shared_task(name="auditlog.take_checkpoints", ignore_result=True)
def take_checkpoints() -> int:
    """Hourly beat entry: sign the head of each chain that moved."""
    from .services import take_checkpoints as take

    return len(take())
