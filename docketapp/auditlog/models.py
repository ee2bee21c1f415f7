"""Where the hash chains over the history tables are anchored (see docs/audit.md).

* ``AuditChainHead``: one row per history table, the last sequence number and hash. Writers lock it
  (SELECT ... FOR UPDATE) once per batch, so concurrent writers of one table take turns and the chain
  stays linear. It also keeps the field lists each stretch of the chain was hashed with (``epochs``), so a
  later migration that adds a column does not turn every older row into a "changed" finding.
* ``AuditCheckpoint``: the head of a chain at a moment, signed with a key that lives only in the
  environment. A database superuser can rewrite rows *and* recompute their hashes; he cannot sign.
* ``AuditVerifyRun``: the outcome of each ``audit verify`` (shown read-only in the admin).

None of these is history-tracked: they are the audit trail's own bookkeeping, and the head row is
updated on every history write.
"""

from __future__ import annotations

from django.db import models


class AuditChainHead(models.Model):
    table = models.CharField(max_length=100, primary_key=True)
    seq = models.BigIntegerField(default=0)
    head_hash = models.CharField(max_length=64)
    # [[first_seq, [attname, ...]], ...]: the fields hashed from first_seq on.
    epochs = models.JSONField(default=list)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "audit chain head"

    def __str__(self) -> str:
        return f"{self.table} @ {self.seq}"


class AuditCheckpoint(models.Model):
    table = models.CharField(max_length=100, db_index=True)
    seq = models.BigIntegerField()
    head_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    # "env" (AUDIT_CHECKPOINT_KEY), "dev" (derived from SECRET_KEY, DEBUG only) or "" (unsigned).
    key_id = models.CharField(max_length=20, blank=True)
    # HMAC-SHA256 over table, seq, head hash, time and the previous checkpoint's signature of the same table:
    # deleting or altering a checkpoint in the middle breaks the next one.
    signature = models.CharField(max_length=64, blank=True)
    previous_signature = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["table", "seq", "id"]
        verbose_name = "audit checkpoint"

    def __str__(self) -> str:
        return f"{self.table} @ {self.seq} ({self.created_at:%Y-%m-%d %H:%M})"


class AuditVerifyRun(models.Model):
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    origin = models.CharField(max_length=50, help_text="command or beat task that ran it")
    ok = models.BooleanField()
    tables = models.PositiveIntegerField(default=0)
    rows_checked = models.BigIntegerField(default=0)
    checkpoints_checked = models.PositiveIntegerField(default=0)
    # "signed" (every checkpoint's signature checked), "unverifiable" (no key in the environment) or "none".
    signatures = models.CharField(max_length=20)
    findings = models.JSONField(default=list)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = "audit verification"

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {'ok' if self.ok else f'{len(self.findings)} finding(s)'}"
