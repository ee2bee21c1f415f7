""""Sync now": a person asks for chosen matters to be fetched from their office at once.

It takes the same path as the beat-driven sync (``patents.sync``: one SyncRun per office, batches cut the
office's way, ``patents.tasks.sync_batch`` through the shared throttle), only the matters are the chosen ones
instead of the stale ones. A matter that cannot be synced is named with the reason, never dropped silently.
When the office's budget is used up for longer than a task may wait (a fair-use quota, a daily cap), nothing
is queued and the person is told until when; the scheduled sync picks the matter up after that.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from .models import Matter, SyncRun
from .offices import get_office, synced_codes
from .sync import MAX_COUNTDOWN, _publish, batch_size


@dataclass
class Skipped:
    matter: Matter
    why: str


@dataclass
class Deferred:
    """An office whose budget is used up: its matters were not queued."""

    office: str
    until: dt.datetime
    reason: str
    matters: list[Matter] = field(default_factory=list)


@dataclass
class SyncRequest:
    runs: list[SyncRun] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    deferred: list[Deferred] = field(default_factory=list)
    # The office's throttle makes the queued batches wait a little (under MAX_COUNTDOWN): office → until.
    waiting: dict[str, dt.datetime] = field(default_factory=dict)


def throttle_outlook(office: str) -> tuple[float, str]:
    """Seconds until the office's shared throttle lets a request through on every bucket of the office
    (blocks and daily caps, not the per-minute rate a task waits out), and why; (0, "") when it is open."""
    from .clients.throttle import OFFICE_WIDE, get_throttle

    throttle = get_throttle()
    service = get_office(office).service
    now = time.time()
    wait, reason = 0.0, ""
    keys = {(service, OFFICE_WIDE)} | {key for key in throttle.limits if key[0] == service}
    for key in sorted(keys):
        state = throttle.store.read(key)
        limit = throttle.limit(*key)
        if state.blocked_until - now > wait:
            wait, reason = state.blocked_until - now, state.reason or "the office asked us to wait"
        capped = limit.daily_cap is not None and now < state.resets_at and state.used >= limit.daily_cap
        if capped and state.resets_at - now > wait:
            wait, reason = state.resets_at - now, f"the daily cap of {limit.daily_cap} requests ({key[1]}) is used up"
    return wait, reason


def why_not_synced(matter: Matter) -> str:
    """Why this matter cannot be fetched from its office now ("" when it can)."""
    if matter.closed_at is not None:
        return "the matter is closed"
    if not matter.sync_enabled:
        return "sync is switched off for this matter"
    if matter.office not in synced_codes():
        return f"{matter.office} has no office connection to sync from"
    if not matter.application_number_normalized:
        return "no application number yet: there is nothing to ask the office"
    return ""


def request_sync(*, matters: Iterable[Matter], user: Any) -> SyncRequest:
    """Queue one SyncRun per office for ``matters`` (after commit); see the module docstring."""
    out = SyncRequest()
    by_office: dict[str, list[Matter]] = {}
    for matter in matters:
        why = why_not_synced(matter)
        if why:
            out.skipped.append(Skipped(matter, why))
        else:
            by_office.setdefault(matter.office, []).append(matter)
    for office, chosen in sorted(by_office.items()):
        wait, reason = throttle_outlook(office)
        until = timezone.now() + dt.timedelta(seconds=wait)
        if wait > MAX_COUNTDOWN:
            out.deferred.append(Deferred(office=office, until=until, reason=reason, matters=chosen))
            continue
        if wait > 0:
            out.waiting[office] = until
        out.runs.append(_queue(office, sorted(m.pk for m in chosen), user))
    return out


def _queue(office: str, ids: list[int], user: Any) -> SyncRun:
    size = batch_size(office)
    batches = [ids[i : i + size] for i in range(0, len(ids), size)]
    with transaction.atomic():
        run = SyncRun.objects.create(
            office=office, trigger=SyncRun.Trigger.MANUAL, batches_total=len(batches), matters_tried=len(ids),
            requested_matters=ids, requested_by=user if getattr(user, "pk", None) else None,
        )
    # After commit (at once unless the caller holds a transaction, e.g. the matter was just created).
    transaction.on_commit(lambda: _publish(run, batches))
    return run


def runs_visible_to(user: Any, run_ids: Iterable[int]) -> list[SyncRun]:
    """The manual runs among ``run_ids`` whose every requested matter ``user`` may see."""
    runs = list(SyncRun.objects.filter(pk__in=list(run_ids), trigger=SyncRun.Trigger.MANUAL).order_by("pk"))
    wanted = {pk for run in runs for pk in run.requested_matters}
    visible = set(Matter.objects.visible_to(user).filter(pk__in=wanted).values_list("pk", flat=True))
    return [run for run in runs if run.requested_matters and set(run.requested_matters) <= visible]
