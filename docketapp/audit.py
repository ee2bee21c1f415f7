"""Attribution for every change to docket data: who (a user, or a named process) and why.

Services wrap their writes in ``attributed(reason=..., user=...)`` or ``attributed(reason=..., process=...)``.
A ``pre_create_historical_record`` receiver copies the attribution onto the simple-history row, so the
history always says "paralegal jdoe: mark done (evidence: receipt 123)" or "process:sync.epo: office event".

Why a context variable rather than ``instance._change_reason``: one service call often saves several models
(matter, events, deadlines); the attribution must follow all of them, including saves made by helpers that
know nothing about the caller. Context variables are also safe across threads and Celery's task pools.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models, router, transaction
from simple_history.signals import pre_create_historical_record


@dataclass(frozen=True)
class Attribution:
    reason: str
    user: Any | None = None  # django.contrib.auth user
    process: str | None = None

    @property
    def actor(self) -> str:
        if self.user is not None and getattr(self.user, "pk", None):
            return f"user:{self.user.get_username()}"
        return f"process:{self.process or 'unknown'}"


_current: contextvars.ContextVar[Attribution | None] = contextvars.ContextVar("docket_attribution", default=None)


class UnattributedChange(RuntimeError):
    """Raised (in strict mode) when an audited model is saved without a reason."""


@contextmanager
def attributed(*, reason: str, user: Any | None = None, process: str | None = None) -> Iterator[Attribution]:
    if not reason or not reason.strip():
        raise ValueError("A change to docket data needs a reason")
    if user is None and not process:
        raise ValueError("A change to docket data needs a user or a named process")
    attribution = Attribution(reason=reason.strip(), user=user, process=process)
    token = _current.set(attribution)
    try:
        yield attribution
    finally:
        _current.reset(token)


def current() -> Attribution | None:
    return _current.get()


def history_kwargs() -> dict[str, Any]:
    """Arguments for simple-history's bulk_create_with_history/bulk_update_with_history."""
    attribution = current()
    if attribution is None:
        raise UnattributedChange("bulk change to docket data outside attributed()")
    return {"default_user": attribution.user, "default_change_reason": f"{attribution.actor}: {attribution.reason}"}


class ChainedHistoryManager(models.Manager):
    """simple-history's bulk helpers insert through ``model.objects.bulk_create``: seal the batch first."""

    def bulk_create(self, objs, *args, **kwargs):
        from .audit_chain import seal

        objs = list(objs)
        # savepoint=False: joins the caller's transaction (the bulk helpers open one), else opens one, so
        # the chain head stays locked until these rows are committed.
        with transaction.atomic(using=self.db, savepoint=False):
            seal(self.model, objs, self.db)
            return super().bulk_create(objs, *args, **kwargs)


class AuditedHistoricalModel(models.Model):
    """Abstract base for every history table: an explicit actor column next to simple-history's user,
    and the row's place in its table's hash chain (docketapp.audit_chain, docs/audit.md)."""

    history_actor = models.CharField(max_length=150, blank=True, default="")
    chain_seq = models.BigIntegerField(null=True, blank=True, db_index=True, editable=False)
    row_hash = models.CharField(max_length=64, blank=True, default="", editable=False)

    objects = ChainedHistoryManager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self._state.adding and self.chain_seq is None:
            from .audit_chain import seal

            using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
            with transaction.atomic(using=using, savepoint=False):
                seal(type(self), [self], using)
                return super().save(*args, **kwargs)
        return super().save(*args, **kwargs)


def _fill_attribution(sender, instance, history_instance, **kwargs) -> None:
    attribution = current()
    explicit_reason = history_instance.history_change_reason
    if attribution is not None:
        if history_instance.history_user is None and attribution.user is not None:
            history_instance.history_user = attribution.user
        history_instance.history_actor = attribution.actor
        history_instance.history_change_reason = explicit_reason or attribution.reason
        return
    request_user = history_instance.history_user
    if explicit_reason and request_user is not None:
        history_instance.history_actor = f"user:{request_user.get_username()}"
        return
    if request_user is not None:
        # Admin edits arrive through HistoryRequestMiddleware; the admin form supplies no reason.
        history_instance.history_actor = f"user:{request_user.get_username()}"
        history_instance.history_change_reason = explicit_reason or "edited in the admin"
        return
    if getattr(settings, "AUDIT_STRICT", False):
        raise UnattributedChange(
            f"{sender.__name__} changed without attribution; wrap the write in docketapp.audit.attributed()"
        )
    history_instance.history_actor = "process:unknown"
    history_instance.history_change_reason = explicit_reason or "(no reason given)"


pre_create_historical_record.connect(_fill_attribution, dispatch_uid="docketapp.audit.fill_attribution")
