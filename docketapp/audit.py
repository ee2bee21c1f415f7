"""Attribution for every change to docket data: who (a user, or a named process) and why.

Services wrap their writes in ``attributed(reason=..., user=...)`` or ``attributed(reason=..., process=...)``;
a service that may run inside a caller's attribution uses ``ensure_attributed`` (the caller's wins). Bulk
writers pass ``history_kwargs()`` to simple-history's bulk helpers, or ``history_row_fields()`` for rows they
build themselves, so every history row has the same user, reason and actor columns however it was written.
A ``pre_create_historical_record`` receiver copies the attribution onto the simple-history row, so the
history always says "paralegal jdoe: mark done (evidence: receipt 123)" or "process:sync.epo: office event".

Why a context variable rather than ``instance._change_reason``: one service call often saves several models
(matter, events, deadlines); the attribution must follow all of them, including saves made by helpers that
know nothing about the caller. Context variables are also safe across threads and Celery's task pools.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import re
from collections.abc import Iterator
from contextlib import AbstractContextManager as ContextManager
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models, router, transaction
from simple_history.manager import HistoryDescriptor
from simple_history.models import HistoricalRecords
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


def ensure_attributed(
    *, reason: str, user: Any | None = None, process: str | None = None
) -> ContextManager[Attribution]:
    """Keep the caller's attribution when there is one (a user action that triggers this service keeps its
    user and reason), else attribute to ``user`` or, without a user, to the named ``process``."""
    existing = current()
    if existing is not None:
        return nullcontext(existing)
    return attributed(reason=reason, user=user, process=None if user is not None else process)


def require_attribution() -> Attribution:
    """The current attribution; raises when a write to docket data has none."""
    attribution = current()
    if attribution is None:
        raise UnattributedChange("change to docket data outside attributed()")
    return attribution


def set_change_reason(instance: models.Model, reason: str) -> None:
    """A reason for this one row's history, in place of the attribution's reason (simple-history reads
    ``_change_reason`` on save and in its bulk helpers; the actor and user still come from the attribution)."""
    instance._change_reason = reason  # type: ignore[attr-defined]


def history_kwargs(*, date: dt.datetime | None = None) -> dict[str, Any]:
    """Arguments for simple-history's bulk_create_with_history/bulk_update_with_history: the same user,
    reason and actor columns a single save gets from ``_fill_attribution``."""
    attribution = require_attribution()
    kwargs: dict[str, Any] = {
        "default_user": attribution.user,
        "default_change_reason": attribution.reason,
        "custom_historical_attrs": {"history_actor": attribution.actor},
    }
    if date is not None:
        kwargs["default_date"] = date
    return kwargs


def history_row_fields(instance: models.Model, *, date: dt.datetime) -> dict[str, Any]:
    """The attribution columns of a history row built by hand (a COPY writer), as ``history_kwargs`` fills
    them in simple-history's bulk path: the row's own reason first, else the attribution's."""
    attribution = require_attribution()
    return {
        "history_date": date,
        "history_user": attribution.user,
        "history_change_reason": getattr(instance, "_change_reason", "") or attribution.reason,
        "history_actor": attribution.actor,
    }


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


class _HistoryDescriptor(HistoryDescriptor):
    """``Model.history`` with its manager class built once.

    simple-history's descriptor builds it anew on every access (``Manager.from_queryset``, which walks the
    queryset class with ``inspect.getmembers``), and it is accessed for every history row written: a tenth of
    the CPU of a recorded office event (issue 18, one event ≤ 10 ms). The manager it returns is the same."""

    def __init__(self, model, manager, queryset) -> None:
        super().__init__(model, manager=manager, queryset=queryset)
        self._manager_class = manager.from_queryset(queryset)

    def __get__(self, instance, owner):
        return self._manager_class(self.model, instance)


class AuditedHistoricalRecords(HistoricalRecords):
    """simple-history's ``HistoricalRecords``, its ``history`` descriptor building its manager class once."""

    def finalize(self, sender, **kwargs) -> None:
        super().finalize(sender, **kwargs)
        descriptor = sender.__dict__.get(self.manager_name)
        if type(descriptor) is HistoryDescriptor:
            setattr(sender, self.manager_name, _HistoryDescriptor(
                descriptor.model, manager=descriptor.manager_class, queryset=descriptor.queryset_class
            ))


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


# What each named process is, in the words shown to people (history pages, the admin's "Changed by").
PROCESS_LABELS = {
    "patents.sync": "automatic office sync",
    "patents.ingest": "office data received (automatic)",
    "patents.ingest_file": "office file loaded by hand (ingest_file)",
    "patents.replay": "stored office answers applied again (replay)",
    "patents.reconcile": "reconciliation with the office (automatic)",
    "patents.discover": "discovery search (automatic)",
    "patents.seed_mappings": "office code table set-up",
    "deadlines.recompute": "deadline engine (automatic)",
    "deadlines.seed_closures": "office closure calendar set-up",
    "seed_demo": "demo data",
}
_OFFICE_IN_REASON = re.compile(r"office sync \(([A-Z]{2})\)|office data: (?:unusable answer from )?([A-Z]{2})\b")


def actor_label(actor: str, reason: str = "", user: Any | None = None) -> str:
    """Who made a change, for people: the user's name, or what the process is ("automatic sync from the
    European Patent Office (EPO OPS)" when the reason names the office), never a bare internal name."""
    if actor.startswith("user:"):
        return actor.removeprefix("user:")
    if not actor and user is not None:
        return user.get_username()
    name = actor.removeprefix("process:")
    if not name or name == "unknown":
        return "unknown (recorded before changes were attributed)"
    office = _OFFICE_IN_REASON.search(reason or "")
    if office and name in ("patents.sync", "patents.ingest"):
        from patents.offices import OFFICES_BY_CODE  # lazy: patents imports this module

        known = OFFICES_BY_CODE.get(office.group(1) or office.group(2))
        if known is not None:
            if name == "patents.sync":
                return f"automatic sync from the {known.name}"
            return f"office data received automatically from the {known.name}"
    return PROCESS_LABELS.get(name, f"{name} (automatic)")
