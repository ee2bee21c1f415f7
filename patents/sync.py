"""Office sync: pick stale matters, batch them the way each office allows, fetch, ingest; plus replay.

How each office is asked is its descriptor's business (``patents.offices``): a bulk office (EP register,
WO published data through OPS) answers a whole batch in one request; the others (USPTO ODP, JPO) one
matter per request. Batch sizes and freshness targets come from the descriptors, overridable in settings.

A Celery task runs one batch (``patents.tasks.sync_batch``); clients are built with ``max_wait=0`` so a
throttle refusal raises instead of sleeping, and the task retries later. The same functions run inline
from ``manage.py sync_office`` (where waiting for the throttle is fine).
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from docketapp.audit import attributed, ensure_attributed

from .clients.errors import BadResponse, NotFound, OfficeError, QuotaError, ThrottledError, TransientError
from .ingestion import PROCESSED_KINDS, IngestResult, ingest_response, process_payload, quarantine_answer
from .models import Matter, OfficePayload, QuarantineItem, SyncRun
from .normalize import MappingTable
from .offices import Office, get_office, synced_codes
from .services import touch_matter_sync

log = logging.getLogger(__name__)

# The offices the sync fetches from, in registry order.
OFFICES = synced_codes()
PROCESS = "patents.sync"
# Never schedule a retry further out than this (no far-future ETAs): a longer wait (an hourly fair-use quota,
# a daily cap) is recorded as deferred and the next beat cycle picks the matters up again.
MAX_COUNTDOWN = 300.0
MAX_ATTEMPTS = 20  # failures (transient errors, unreadable answers) before a batch is recorded and left
# Seconds a follow-up request may wait for the throttle inside a task (see follow_up): one slot of the slowest
# paced bucket (JPO: 9.6 a minute, a slot every 6.25 s; OPS inpadoc: one a second).
FOLLOW_UP_MAX_WAIT = 8.0
MAX_THROTTLE_ATTEMPTS = 500  # our own throttle saying "not yet" is not a failure; it only bounds a stuck lease


class PayloadTooLargeError(Exception):
    """An answer over OFFICE_PAYLOAD_MAX_BYTES / _MAX_EVENTS (stored and quarantined; recorded on the run)."""


class UnexpectedFailure(Exception):
    """Anything else a batch raised (a lost database connection, a bug): retried with back-off like a
    transient error, recorded on the run, and never left to leave the run "running"."""

    retryable = True
    retry_after = None


class MalformedPayload(Exception):
    """The office answered 200 with a body we could not parse; it is quarantined, and we ask again."""

    retryable = True
    retry_after = None

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def freshness(office: str) -> dt.timedelta:
    hours = getattr(settings, "OFFICE_SYNC_FRESHNESS_HOURS", {}).get(office, get_office(office).freshness_hours)
    return dt.timedelta(hours=float(hours))


def batch_size(office: str) -> int:
    # Matters per task. A bulk office answers a batch in one request; the others take one request per
    # matter, one at a time per key (ODP and JPO refuse concurrent requests), so more tasks would only wait.
    return int(getattr(settings, "OFFICE_SYNC_BATCH", {}).get(office, get_office(office).batch_size))


# --- planning -----------------------------------------------------------------------------------------------


def select_stale(*, office: str, older_than: dt.datetime | None = None, limit: int | None = None) -> list[int]:
    cutoff = older_than or (timezone.now() - freshness(office))
    qs = Matter.objects.stale_for(office, cutoff).exclude(application_number_normalized="")
    ids = list(qs.values_list("pk", flat=True)[: limit or None])
    return ids


def plan_sync(
    *, office: str, trigger: str = SyncRun.Trigger.COMMAND, older_than: dt.datetime | None = None,
    limit: int | None = None,
) -> tuple[SyncRun, list[list[int]]]:
    """Create the SyncRun and cut the stale matters into batches (sorted, so the same set → same request)."""
    office = office.upper()
    if office not in OFFICES:
        raise ValueError(f"unknown office {office!r}; one of {', '.join(OFFICES)}")
    ids = select_stale(office=office, older_than=older_than, limit=limit)
    size = batch_size(office)
    ordered = sorted(ids)
    batches = [ordered[i : i + size] for i in range(0, len(ordered), size)]
    run = SyncRun.objects.create(
        office=office, trigger=trigger, batches_total=len(batches), matters_tried=len(ids),
        finished_at=timezone.now() if not batches else None,
    )
    return run, batches


def enqueue_sync(
    *, office: str, trigger: str = SyncRun.Trigger.SCHEDULE, older_than: dt.datetime | None = None,
    limit: int | None = None,
) -> SyncRun:
    """What the beat entry does: plan, then one office_sync task per batch (ids only), after commit."""
    with transaction.atomic():
        run, batches = plan_sync(office=office, trigger=trigger, older_than=older_than, limit=limit)
    # After commit (at once unless the caller holds a transaction): a worker must find the run.
    transaction.on_commit(lambda: _publish(run, batches))
    return run


class BrokerUnavailable(Exception):
    """The batch tasks could not be queued; the run says so (interrupted_reason) instead of "running"."""


def _publish(run: SyncRun, batches: list[list[int]]) -> None:
    from .tasks import sync_batch

    for done, ids in enumerate(batches):
        try:
            sync_batch.delay(run.pk, run.office, ids)
        except Exception as exc:  # noqa: BLE001 - any broker / transport error
            reason = (f"the broker is unreachable ({type(exc).__name__}: {str(exc)[:200]}): "
                      f"{len(batches) - done} of {len(batches)} batches not queued")
            log.error("sync %s run %s: %s", run.office, run.pk, reason)
            left = [pk for batch in batches[done:] for pk in batch]
            record_failure(run_id=run.pk, office=run.office, matter_ids=left, exc=BrokerUnavailable(reason))
            # The queued batches (if any) still count; the run closes when they are done, or now.
            SyncRun.objects.filter(pk=run.pk).update(batches_total=done, interrupted_reason=reason[:500])
            SyncRun.objects.filter(pk=run.pk, finished_at__isnull=True, batches_done__gte=done).update(
                finished_at=timezone.now()
            )
            run.refresh_from_db()
            return


# --- one batch ----------------------------------------------------------------------------------------------


@dataclass
class BatchOutcome:
    synced: list[int] = field(default_factory=list)
    no_data: list[int] = field(default_factory=list)
    requests: int = 0
    bytes: int = 0
    stored: int = 0
    unchanged: int = 0
    events_created: int = 0
    quarantined: int = 0


class _Meter:
    """Counts every HTTP exchange of a client (token requests included) through a requests hook."""

    def __init__(self, client) -> None:
        self.requests = 0
        self.bytes = 0
        client.session.hooks.setdefault("response", []).append(self)

    def __call__(self, response, *args, **kwargs):
        self.requests += 1
        self.bytes += len(response.content or b"")
        return response


def fetch_and_ingest(*, office: str, matters: list[Matter], client, run_id: int | None,
                     table: MappingTable | None = None) -> BatchOutcome:
    """Fetch the office data for ``matters`` (already de-duplicated and stale) and ingest it.

    Matters are marked synced as they complete, so a retry after a throttle refusal picks up the rest.
    Raises the client's typed errors (and MalformedPayload) for the caller to map.
    """
    batch = _Batch(get_office(office), client=client, run_id=run_id, table=table or MappingTable.load())
    try:
        if batch.office.bulk:
            batch.fetch_together(matters)
        else:
            batch.fetch_one_by_one(matters)
    finally:
        batch.close()
    return batch.out


class _Batch:
    """One batch's fetch-and-ingest: how it asks is the office's (one request for all, or one per matter);
    what it does with each answer, each refusal and each "no data" is the same for every office."""

    def __init__(self, office: Office, *, client, run_id: int | None, table: MappingTable) -> None:
        self.office, self.code, self.client, self.run_id, self.table = office, office.code, client, run_id, table
        self.kind = office.sync_kind
        self.out = BatchOutcome()
        self.meter = _Meter(client)
        # The office's further per-matter requests that are switched on (some are opt-in by a setting).
        self.follow_ups = tuple(f for f in office.follow_ups if f.enabled(settings))

    def fetch_together(self, matters: list[Matter]) -> None:
        """A bulk office: every numbered matter in one request; matters without the number are done."""
        by_number: dict[str, Matter] = {}
        for m in matters:
            number = self.office.sync_number(m) if self.office.sync_number else m.application_number_normalized
            if number:
                by_number[number] = m
        unnumbered = [m for m in matters if m not in by_number.values()]
        if unnumbered:
            self.finish(unnumbered, None, changed=False)
        if not by_number:
            return
        numbers = sorted(by_number)
        group = [by_number[n] for n in numbers]
        try:
            response = self.fetch(numbers)
        except NotFound as exc:
            self.record_no_data(exc, group)
            self.finish(group, None, changed=False)
        except BadResponse as exc:
            # Kept and recorded; the matters stay stale for the next cycle. Anything else (no body,
            # not a 200) goes to the caller's error mapping as before.
            if not self.unusable(exc, group):
                raise
        else:
            result = self.ingest(response, group)
            if result.malformed:
                raise MalformedPayload(f"{self.code}: unreadable answer for {len(group)} matters "
                                       f"(payload {result.payload.pk if result.payload else '-'} quarantined)")
            if not self.follow_ups:
                self.finish(group, result, changed=not result.unchanged)
                return
            # Each matter counts as synced once its follow-ups are in: a throttle refusal half-way retries the
            # batch for the matters still to do, not from the first one again.
            for matter in group:
                changed = self.follow_up([matter])
                self.finish([matter], result, changed=not result.unchanged, also_changed=changed)

    def fetch_one_by_one(self, matters: list[Matter]) -> None:
        """An office without a bulk fetch: one request per matter, each answer ingested on its own."""
        for matter in matters:
            number = self.office.sync_number(matter) if self.office.sync_number else None
            try:
                response = self.fetch([number or matter.application_number_normalized])
            except NotFound as exc:
                self.record_no_data(exc, [matter])
                self.finish([matter], None, changed=False)
                continue
            except BadResponse as exc:
                # One matter's unreadable answer must not cost the other matters of the batch.
                if self.unusable(exc, [matter]):
                    continue
                raise
            result = self.ingest(response, [matter])
            if result.malformed:
                raise MalformedPayload(f"{self.code}: unreadable answer for {matter.reference} "
                                       f"(payload {result.payload.pk if result.payload else '-'} quarantined)")
            changed = self.follow_up([matter])
            self.finish([matter], result, changed=not result.unchanged, also_changed=changed)

    def follow_up(self, group: list[Matter]) -> set[int]:
        """The office's further requests (``Office.follow_ups``), one per matter that needs it, before the
        matters count as synced: a throttle refusal here retries the batch, and the main answer, unchanged
        by then, costs a request but writes nothing. Returns the matters whose data changed."""
        changed: set[int] = set()
        if not self.follow_ups:
            return changed
        # A follow-up may wait one throttle slot for its bucket: a refusal would retry the task, and the retry
        # asks the main question again first, which takes the very slot the follow-up was waiting for (JPO
        # paces every request of an ID alike), so the follow-up would never get its turn.
        wait, self.client.max_wait = self.client.max_wait, max(self.client.max_wait, FOLLOW_UP_MAX_WAIT)
        try:
            return self._follow_up(group, changed)
        finally:
            self.client.max_wait = wait

    def _follow_up(self, group: list[Matter], changed: set[int]) -> set[int]:
        for matter in group:
            # The main answer may just have filled in the number the follow-up is asked by (a grant).
            matter.refresh_from_db(fields=["grant_number", "grant_date", "publication_number"])
        for extra in self.follow_ups:
            for matter in group:
                number = extra.number(matter)
                if not number:
                    continue
                try:
                    response = extra.fetch(self.client, [number])
                except NotFound as exc:
                    if exc.response is not None:
                        self.ingest(exc.response, [matter], kind=extra.kind)
                    continue
                except BadResponse as exc:
                    if self.unusable(exc, [matter], kind=extra.kind):
                        continue
                    raise
                result = self.ingest(response, [matter], kind=extra.kind)
                if result.malformed:
                    raise MalformedPayload(
                        f"{self.code}: unreadable {extra.kind} answer for {matter.reference} "
                        f"(payload {result.payload.pk if result.payload else '-'} quarantined)")
                if not result.unchanged and matter.pk not in set(result.no_data):
                    changed.add(matter.pk)
        return changed

    def fetch(self, numbers: list[str]):
        assert self.office.fetch is not None  # only synced offices get here (plan_sync checks)
        return self.office.fetch(self.client, numbers)

    def ingest(self, response, group: list[Matter], *, kind: str | None = None) -> IngestResult:
        out = self.out
        # The docket changes an answer brings (events, parent links, reconciled fields) are the sync's.
        with ensure_attributed(reason=f"office sync ({self.code}): {response.endpoint}", process=PROCESS):
            result = ingest_response(
                office=self.code, kind=kind or self.kind, endpoint=response.endpoint,
                request_key=response.request_key, body=response.body, matters=group, status=response.status,
                fetched_at=response.fetched_at, content_type=response.content_type, sync_run_id=self.run_id,
                table=self.table,
            )
        out.stored += 0 if result.unchanged else 1
        out.unchanged += 1 if result.unchanged else 0
        out.events_created += result.events_created
        out.quarantined += len(result.quarantined)
        if result.too_large:
            # Not retried (the office would send the same answer); the quarantine item waits for a person
            # and the run shows the failure.
            record_failure(run_id=self.run_id, office=self.code, matter_ids=[m.pk for m in group],
                           exc=PayloadTooLargeError(
                               f"{self.code}: answer too large to process (payload "
                               f"{result.payload.pk if result.payload else '-'} quarantined as too large)"))
        return result

    def unusable(self, exc: BadResponse, group: list[Matter], *, kind: str | None = None) -> bool:
        """An HTTP 200 the client refused (no statusCode, ...): keep it in quarantine, record, go on."""
        response = getattr(exc, "response", None)
        if response is None or response.status != 200 or not response.body:
            return False
        item = quarantine_answer(office=self.code, kind=kind or self.kind, response=response, matters=group,
                                 reason=f"unusable answer: {exc}", sync_run_id=self.run_id)
        self.out.stored += 1
        self.out.quarantined += 1 if item is not None else 0
        record_failure(run_id=self.run_id, office=self.code, matter_ids=[m.pk for m in group], exc=exc)
        return True

    def record_no_data(self, exc: NotFound, group: list[Matter], *, kind: str = "") -> None:
        # The office's "no data" answer (JPO 107, OPS EntityNotFound, ODP 404) is kept and shown to the
        # operator in its own words; the matters still count as synced with nothing new.
        if exc.response is not None:
            self.ingest(exc.response, group, kind=kind)

    def finish(self, group: list[Matter], result: IngestResult | None, changed: bool,
               also_changed: set[int] | None = None) -> None:
        no_data = set(result.no_data) if result else {m.pk for m in group}
        with attributed(reason=f"office sync ({self.code})", process=PROCESS):
            for matter in group:
                _touch(matter, changed=(changed and matter.pk not in no_data) or matter.pk in (also_changed or ()))
        self.out.synced += [m.pk for m in group]
        self.out.no_data += [m.pk for m in group if m.pk in no_data]

    def close(self) -> None:
        out = self.out
        out.requests, out.bytes = self.meter.requests, self.meter.bytes
        _count(self.run_id, requests=out.requests, bytes=out.bytes, payloads_stored=out.stored,
               payloads_unchanged=out.unchanged, events_created=out.events_created,
               quarantined=out.quarantined, matters_synced=len(out.synced))


def _touch(matter: Matter, *, changed: bool) -> None:
    # A history row for every "checked, nothing new" would bury the real changes in the audit trail;
    # last_synced alone is bookkeeping. A sync that changed something keeps its history row.
    if not changed:
        matter.skip_history_when_saving = True  # type: ignore[attr-defined]  # simple_history's per-instance switch
    try:
        touch_matter_sync(matter=matter, changed=changed)
    finally:
        if hasattr(matter, "skip_history_when_saving"):
            del matter.skip_history_when_saving


def _count(run_id: int | None, **counters: int) -> None:
    if run_id is None:
        return
    updates: dict[str, Any] = {k: F(k) + v for k, v in counters.items() if v}
    # Any sign of life keeps the run out of the interrupted-run sweep.
    SyncRun.objects.filter(pk=run_id).update(**updates, last_progress_at=timezone.now())


def pending_matters(*, run: SyncRun | None, office: str, matter_ids: Iterable[int]) -> list[Matter]:
    """The batch's matters still to do: sync enabled and not synced since the run started (retries)."""
    qs = Matter.objects.filter(pk__in=list(matter_ids), office=office, sync_enabled=True).order_by("pk")
    if run is not None:
        qs = qs.filter(Q(last_synced__isnull=True) | Q(last_synced__lt=run.started_at))
    return list(qs)


def pending_count(*, run_id: int | None, office: str, matter_ids: Iterable[int]) -> int:
    run = SyncRun.objects.filter(pk=run_id).first() if run_id else None
    return len(pending_matters(run=run, office=office.upper(), matter_ids=matter_ids))


def sync_matters(*, run_id: int | None, office: str, matter_ids: Iterable[int], client=None,
                 max_wait: float = 0.0) -> BatchOutcome:
    """Run one batch: the service behind the task and the inline command."""
    from .clients import get_client

    office = office.upper()
    run = SyncRun.objects.filter(pk=run_id).first() if run_id else None
    matters = pending_matters(run=run, office=office, matter_ids=matter_ids)
    if not matters:
        return BatchOutcome()
    if client is None:
        # One client per process and office: its OAuth token and connection pool outlive a single batch.
        key = (office, max_wait, settings.OFFICE_SIMULATOR_URL)
        client = _clients.get(key)
        if client is None:
            client = _clients[key] = get_client(office, max_wait=max_wait)
    try:
        return fetch_and_ingest(office=office, matters=matters, client=client, run_id=run_id)
    finally:
        _note_throttle_fallback(client, run_id=run_id, office=office, matter_ids=[m.pk for m in matters])


def _note_throttle_fallback(client, *, run_id: int | None, office: str, matter_ids: list[int]) -> None:
    take = getattr(getattr(getattr(client, "throttle", None), "store", None), "take_degraded", None)
    reason = take() if take is not None else ""
    if reason:
        record_failure(run_id=run_id, office=office, matter_ids=matter_ids, exc=ThrottleUnavailable(reason),
                       deferred=True)


class ThrottleUnavailable(Exception):
    """The shared throttle's Redis did not answer; the database throttle stood in (not a failed batch)."""


_clients: dict[tuple, Any] = {}


# --- errors, retries, completion -----------------------------------------------------------------------------


def retry_countdown(exc: BaseException, *, attempt: int, backoff_base: float | None = None) -> float | None:
    """Seconds until the task should try again, or None when retrying is pointless (record and stop).

    Throttle refusals wait exactly as long as the throttle says (plus a little jitter so workers do not
    wake together); transient failures back off exponentially with full jitter.
    """
    wait = getattr(exc, "retry_after", None)
    if attempt >= (MAX_THROTTLE_ATTEMPTS if isinstance(exc, ThrottledError) else MAX_ATTEMPTS):
        return None
    if isinstance(exc, ThrottledError | QuotaError):
        wait = float(wait or 1.0)
        if wait > MAX_COUNTDOWN:
            return None  # e.g. a daily cap: the next beat cycle will pick these matters up again
        return wait + random.uniform(0.05, 0.5)  # noqa: S311 - jitter, not security
    if isinstance(exc, TransientError | MalformedPayload | UnexpectedFailure):
        if backoff_base is None:
            backoff_base = float(getattr(settings, "OFFICE_SYNC_BACKOFF_BASE", 2.0))
        backoff = min(300.0, backoff_base * 2 ** min(attempt, 8))
        base = max(float(wait or 0.0), random.uniform(backoff_base / 4, backoff))  # noqa: S311
        return min(base, MAX_COUNTDOWN)
    return None


def record_failure(*, run_id: int | None, office: str, matter_ids: Iterable[int], exc: BaseException,
                   deferred: bool = False) -> None:
    """A permanent error (or one we stopped retrying) is recorded on the run, never silently dropped."""
    ids = list(matter_ids)
    message = str(exc)[:500]
    kind = exc.__class__.__name__
    log.warning("sync %s batch %s failed (%s): %s", office, ids, kind, message)
    if run_id is None:
        return
    with transaction.atomic():
        run = SyncRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None:
            return
        entry = {"at": timezone.now().isoformat(timespec="seconds"), "kind": kind, "message": message,
                 "matters": ids[:50], "deferred": deferred}
        run.error_log = [*run.error_log[-49:], entry]
        run.errors += 0 if deferred else 1
        run.save(update_fields=["error_log", "errors"])


def note_retry(run_id: int | None) -> None:
    _count(run_id, retries=1)


def finish_batch(run_id: int | None) -> None:
    if run_id is None:
        return
    SyncRun.objects.filter(pk=run_id).update(batches_done=F("batches_done") + 1, last_progress_at=timezone.now())
    # Whoever completes the last batch closes the run (a conditional UPDATE: exactly one wins).
    SyncRun.objects.filter(pk=run_id, finished_at__isnull=True, batches_done__gte=F("batches_total")).update(
        finished_at=timezone.now()
    )


def run_inline(*, office: str, trigger: str = SyncRun.Trigger.COMMAND, older_than: dt.datetime | None = None,
               limit: int | None = None, client=None, max_wait: float = 60.0, stdout=None,
               backoff_base: float | None = None) -> SyncRun:
    """The whole cycle in this process (manage.py sync_office): same planning, same batch service."""
    run, batches = plan_sync(office=office, trigger=trigger, older_than=older_than, limit=limit)
    for ids in batches:
        attempt = 0
        while True:
            try:
                sync_matters(run_id=run.pk, office=run.office, matter_ids=ids, client=client, max_wait=max_wait)
                break
            except (OfficeError, MalformedPayload) as exc:
                countdown = (retry_countdown(exc, attempt=attempt, backoff_base=backoff_base)
                             if getattr(exc, "retryable", False) else None)
                if countdown is None or countdown > max_wait:
                    record_failure(run_id=run.pk, office=run.office, matter_ids=ids, exc=exc,
                                   deferred=countdown is not None)
                    break
                note_retry(run.pk)
                attempt += 1
                time.sleep(countdown)
        finish_batch(run.pk)
        if stdout is not None:
            stdout.write(".")
            stdout.flush()
    run.refresh_from_db()
    return run


def stale_run_after() -> dt.timedelta:
    """How long a run may go without any batch progress before it counts as interrupted.

    Longer than anything a live run can be quiet for: a task redelivered after the broker's visibility
    timeout, then running up to the hard time limit, plus the longest retry countdown we schedule.
    """
    minutes = getattr(settings, "SYNC_RUN_STALE_MINUTES", None)
    if minutes:
        return dt.timedelta(minutes=float(minutes))
    visibility = float((getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}) or {}).get("visibility_timeout", 600))
    limit = float(getattr(settings, "CELERY_TASK_TIME_LIMIT", 360) or 360)
    return dt.timedelta(seconds=visibility + limit + MAX_COUNTDOWN + 60)


def close_interrupted_runs(*, stale_after: dt.timedelta | None = None) -> list[int]:
    """Close the runs nobody works on any more (worker killed, tasks lost) as interrupted, with the reason.

    Their matters are not lost: they were not marked synced, so the next cycle picks them up again.
    """
    if stale_after is None:
        stale_after = stale_run_after()
    cutoff = timezone.now() - stale_after
    candidates = SyncRun.objects.filter(finished_at__isnull=True).filter(
        Q(last_progress_at__lt=cutoff) | Q(last_progress_at__isnull=True, started_at__lt=cutoff)
    )
    closed = []
    for run in candidates:
        minutes = int(stale_after.total_seconds() // 60)
        reason = (f"interrupted: no progress for over {minutes} minutes (its worker was killed or its tasks "
                  f"were lost); {run.batches_done} of {run.batches_total} batches done, the matters not "
                  "synced are picked up by the next cycle")
        # Conditional: a batch finishing the run at this very moment wins, and the run is not interrupted.
        if SyncRun.objects.filter(pk=run.pk, finished_at__isnull=True).update(
            finished_at=timezone.now(), interrupted_reason=reason
        ):
            log.warning("sync %s run %s %s", run.office, run.pk, reason)
            closed.append(run.pk)
    return closed


# --- replay -------------------------------------------------------------------------------------------------


def replay_payloads(*, office: str | None = None, since: dt.datetime | None = None,
                    payload_ids: Iterable[int] | None = None) -> dict[str, Any]:
    """Re-apply stored payloads to the docket, oldest first (deterministic, idempotent).

    Used after a mapping was fixed: events that were quarantined as unmapped are recorded now, nothing
    already recorded is written again.
    """
    # The matters of each payload come with its chunk (one query per 200 payloads, not one per payload).
    # Unprocessed payloads (outcome "", a process died before applying them) are replayed too; discovery's
    # search pages are evidence, not docket data.
    qs = (OfficePayload.objects.filter(kind__in=PROCESSED_KINDS).exclude(origin=OfficePayload.Origin.DISCOVERY)
          .order_by("fetched_at", "pk").prefetch_related("matters"))
    if office:
        qs = qs.filter(office=office.upper())
    if since:
        qs = qs.filter(fetched_at__gte=since)
    if payload_ids is not None:
        qs = qs.filter(pk__in=list(payload_ids))
    table = MappingTable.load()
    totals = {"payloads": 0, "events_created": 0, "quarantined": 0, "malformed": 0}
    with attributed(reason="replay of stored office payloads", process="patents.replay"):
        for payload in qs.iterator(chunk_size=200):
            result = process_payload(payload=payload, table=table)
            totals["payloads"] += 1
            totals["events_created"] += result.events_created
            totals["quarantined"] += len([q for q in result.quarantined if q.status == QuarantineItem.Status.OPEN])
            totals["malformed"] += int(result.malformed)
    return totals
