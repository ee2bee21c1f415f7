"""Which reminders a deadline gets, and keeping its ``Reminder`` rows in line with that plan.

``plan_reminders`` is pure: the rows an open deadline should have today under its policy.
``sync_reminders_for_deadlines`` compares the plan with the stored rows and creates, moves, reopens or
cancels rows; the engine and the dashboard actions call it after they change deadlines, and the sweep calls
it as a safety net. Rows already sent or skipped are never touched: they are the record of what was said.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from deadlines.models import (
    DEFAULT_BEFORE_DUE_DAYS,
    DEFAULT_BEFORE_LATEST_DAYS,
    Deadline,
    Reminder,
    ReminderPolicy,
    RenewalInstruction,
)
from docketapp.plain_rows import PlainRow, bound_cursor, insert_rows, new_row

from .common import K, chunks, firm_today, firm_zone, local_morning, renewal_instruction_days, send_hour

logger = logging.getLogger(__name__)

ReminderKey = tuple[str, int, dt.date]


@dataclass(frozen=True)
class Offsets:
    before_due: tuple[int, ...] = DEFAULT_BEFORE_DUE_DAYS
    before_latest: tuple[int, ...] = DEFAULT_BEFORE_LATEST_DAYS


class PolicyBook:
    """All policies in memory (a handful of rows), resolved most specific first."""

    def __init__(self, policies: Iterable[ReminderPolicy] | None = None) -> None:
        rows = _all_policies() if policies is None else list(policies)
        self._by_key: dict[tuple[int | None, str], Offsets] = {}
        for row in rows:
            try:
                self._by_key[(row.client_id, row.deadline_kind)] = Offsets(row.before_due, row.before_latest)
            except ValueError:
                # The admin validates; a row broken by hand must not stop everyone's reminders.
                logger.error("reminder policy %s has unreadable offsets; using the next broader policy", row.pk)

    def for_deadline(self, *, client_id: int | None, kind: str) -> Offsets:
        for key in ((client_id, kind), (client_id, ""), (None, kind), (None, "")):
            if key in self._by_key:
                return self._by_key[key]
        return Offsets()


def _all_policies() -> list[ReminderPolicy]:
    """Every policy row; on PostgreSQL by one prepared statement (read once per recorded office event, where
    building the ORM's query cost more than running it, issue 18)."""
    if connection.vendor != "postgresql":
        return list(ReminderPolicy.objects.all())
    with bound_cursor() as cursor:
        cursor.execute(_policies_sql())
        return [ReminderPolicy(**dict(zip(POLICY_COLUMNS, row, strict=True))) for row in cursor.fetchall()]


POLICY_COLUMNS = ("id", "client_id", "deadline_kind", "before_due_days", "before_latest_days")


@functools.cache
def _policies_sql() -> str:
    """The policy read's text (PostgreSQL's quoting: the only database it runs on), built once."""
    q = connection.ops.quote_name
    return f"SELECT {', '.join(q(c) for c in POLICY_COLUMNS)} FROM {q(ReminderPolicy._meta.db_table)}"  # noqa: S608


@dataclass(frozen=True)
class PlannedReminder:
    kind: str
    offset_days: int
    target_date: dt.date
    due_at: dt.datetime

    @property
    def key(self) -> ReminderKey:
        return (self.kind, self.offset_days, self.target_date)


def plan_reminders(
    *, deadline: Deadline, offsets: Offsets, today: dt.date, instruction_days: int = 0
) -> list[PlannedReminder]:
    """The reminder rows an open deadline should have today (pure: no database access).

    ``instruction_days``: for a renewal fee nobody has instructed yet (pay / let lapse), an "instruction
    needed" reminder that many days before the due date (0: none)."""
    zone, hour = firm_zone(), send_hour()

    def at(kind: str, days: int, target: dt.date, send_on: dt.date) -> PlannedReminder:
        return PlannedReminder(kind, days, target, local_morning(send_on, hour=hour, zone=zone))

    effective = deadline.effective_date
    planned: list[PlannedReminder] = []
    # An optional act past its date is not overdue, but its "before due" reminders are history all the same.
    past = deadline.is_overdue(today) or deadline.is_window_passed(today)
    if not past:
        for days in offsets.before_due:
            planned.append(at(K.BEFORE_DUE, days, effective, effective - dt.timedelta(days=days)))
    if instruction_days > 0 and not past:
        planned.append(
            at(K.INSTRUCTION, instruction_days, effective, effective - dt.timedelta(days=instruction_days))
        )
    latest = deadline.latest_date
    if deadline.extendable and latest and latest > effective and latest >= today:
        for days in offsets.before_latest:
            send_on = latest - dt.timedelta(days=days)
            # Before the due date the ordinary reminders speak; a "last possible date" reminder then is noise.
            if send_on > effective:
                planned.append(at(K.BEFORE_LATEST, days, latest, send_on))
    if deadline.optional:
        # Letting an optional window pass loses an option, not the right: no escalation after the date. The
        # docket lists it under "Windows passed — confirm not used" instead (docs/docket-truth.md).
        return planned
    # Overdue escalation: the first day after the date; once overdue, today's and tomorrow's, so one is
    # always scheduled ahead (the sweep adds the next one each time it sends one).
    days_overdue = (today - effective).days
    for n in [1] if days_overdue < 1 else [days_overdue, days_overdue + 1]:
        planned.append(at(K.OVERDUE, -n, effective, effective + dt.timedelta(days=n)))
    return planned


def expected_target(reminder: Reminder, deadline: Deadline) -> dt.date | None:
    """The date a deadline reminder should announce now; it differs from the row's when the deadline moved."""
    if reminder.kind == K.BEFORE_LATEST:
        return deadline.latest_date if deadline.extendable else None
    return deadline.effective_date


# --- Sync: called by the engine and the dashboard actions ---------------------------------------------------


def sync_reminders_for_deadlines(
    *, deadline_ids: Iterable[int], now: dt.datetime | None = None, chunk_size: int = 1000,
    new_ids: Iterable[int] = (), known: Mapping[int, tuple[Deadline, int | None]] | None = None,
) -> dict[str, int]:
    """Bring the reminder rows of these deadlines in line with their current state (idempotent).

    Call it in the same transaction as the change (or right after it commits). Open deadlines get their
    schedule (rescheduled when the date moved); any other status cancels what is still scheduled; rows
    already sent or skipped are kept as the record. ``new_ids``: deadlines the caller's still-open
    transaction inserted; nobody else can see them yet, so they have no reminder rows to read and lock.
    ``known``: deadlines the caller holds as it just wrote them (in this transaction, under its locks), with
    their matters' client ids; they are not read again.
    """
    now = now or timezone.now()
    today = firm_today(now)
    book = PolicyBook()
    counts: Counter[str] = Counter()
    ids = sorted(set(deadline_ids))
    fresh = set(new_ids)
    for chunk in chunks(ids, chunk_size):
        # Inside the caller's transaction (the usual case: the change and its schedule commit together) no
        # savepoint: a failure fails the change too.
        with transaction.atomic(savepoint=False):
            _sync_chunk(chunk, book=book, now=now, today=today, counts=counts, fresh=fresh, known=known or {})
    return dict(counts)


def sync_reminders_for_open_deadlines(*, client_id: int | None = None, kind: str = "") -> dict[str, int]:
    """Re-plan every open deadline (after a policy change), optionally only one client's or kind's."""
    qs = Deadline.objects.open()
    if client_id:
        qs = qs.filter(matter__client_id=client_id)
    if kind:
        qs = qs.filter(kind=kind)
    return sync_reminders_for_deadlines(deadline_ids=list(qs.values_list("pk", flat=True)))


def _sync_chunk(
    ids: Sequence[int], *, book: PolicyBook, now: dt.datetime, today: dt.date, counts: Counter[str],
    fresh: frozenset[int] | set[int] = frozenset(), known: Mapping[int, tuple[Deadline, int | None]],
) -> None:
    clients = {pk: known[pk][1] for pk in ids if pk in known}
    deadlines = [known[pk][0] for pk in ids if pk in known]
    unknown = [pk for pk in ids if pk not in known]
    if unknown:
        for deadline in (
            Deadline.objects.filter(pk__in=unknown)
            .select_related("matter")
            .only(
                "pk", "status", "kind", "due_date", "extended_to", "extendable", "latest_date", "rule_id",
                "optional", "matter__client_id",
            )
        ):
            deadlines.append(deadline)
            clients[deadline.pk] = deadline.matter.client_id
    # Only renewal fees wait for an instruction: most chunks (a recorded office action) hold none to ask about.
    renewals = [d.pk for d in deadlines if d.is_renewal]
    instructed = set(
        RenewalInstruction.objects.filter(deadline_id__in=renewals)
        .exclude(decision=RenewalInstruction.Decision.UNDECIDED)
        .values_list("deadline_id", flat=True)
    ) if renewals else set()
    instruction_days = renewal_instruction_days()
    closed = [d for d in deadlines if d.status != Deadline.Status.OPEN and d.pk not in fresh]
    _cancel_schedules(closed, now=now, counts=counts)
    shut = {d.pk for d in closed}
    stored = [pk for pk in ids if pk not in fresh and pk not in shut]
    existing = _lock_reminder_rows(stored) if stored else defaultdict(list)
    changes = _Changes(now=now, counts=counts)
    for deadline in deadlines:
        if deadline.pk in shut:
            continue
        rows = existing.get(deadline.pk, [])
        if deadline.status != Deadline.Status.OPEN:  # inserted closed by this transaction: nothing scheduled
            changes.cancel_scheduled(rows, reason=f"deadline {deadline.get_status_display().lower()}")
            continue
        offsets = book.for_deadline(client_id=clients[deadline.pk], kind=deadline.kind)
        days = instruction_days if deadline.is_renewal and deadline.pk not in instructed else 0
        plan = plan_reminders(deadline=deadline, offsets=offsets, today=today, instruction_days=days)
        changes.follow_plan(deadline, rows, plan)
    changes.save()


def _cancel_schedules(closed: Sequence[Deadline], *, now: dt.datetime, counts: Counter[str]) -> None:
    """What is still scheduled for deadlines no longer open, cancelled: one UPDATE per status, no read first.

    The UPDATE locks each row it changes and, under READ COMMITTED, checks ``scheduled`` again on a row a sweep
    was claiming when it got there, so a reminder being sent right now is left alone as sent, as a locking
    read would leave it (the sweep claims with SKIP LOCKED, so neither waits for the other in a circle)."""
    by_status: dict[str, list[int]] = defaultdict(list)
    for deadline in closed:
        by_status[deadline.status].append(deadline.pk)
    for status, pks in sorted(by_status.items()):
        label = Deadline.Status(status).label.lower()
        if connection.vendor == "postgresql":
            # One text whatever the number of deadlines (their ids as one array): prepared on the server once.
            with bound_cursor() as cursor:
                cursor.execute(_cancel_sql(), [
                    Reminder.Status.CANCELLED.value, f"deadline {label}", now, now, list(pks),
                    Reminder.Status.SCHEDULED.value,
                ])
                cancelled = cursor.rowcount
        else:
            cancelled = Reminder.objects.filter(deadline_id__in=pks, status=Reminder.Status.SCHEDULED).update(
                status=Reminder.Status.CANCELLED, status_reason=f"deadline {label}", processed_at=now, updated_at=now
            )
        if cancelled:
            counts["cancelled"] += cancelled


@functools.cache
def _cancel_sql() -> str:
    """The cancel's text (PostgreSQL's quoting: the only database it runs on), built once."""
    q = connection.ops.quote_name
    return (
        f"UPDATE {q(Reminder._meta.db_table)} SET {q('status')} = %s, {q('status_reason')} = %s, "  # noqa: S608
        f"{q('processed_at')} = %s, {q('updated_at')} = %s WHERE {q('deadline_id')} = ANY(%s) AND {q('status')} = %s"
    )


def _lock_reminder_rows(ids: Sequence[int]) -> dict[int | None, list[Reminder]]:
    """The deadlines' reminder rows, locked.

    A sweep that holds some of these rows (claiming them) finishes first, and we then see them as sent and
    leave them alone.
    """
    existing: dict[int | None, list[Reminder]] = defaultdict(list)
    for row in (
        Reminder.objects.filter(deadline_id__in=ids)
        .select_for_update()
        .order_by("pk")
        .only("pk", "deadline_id", "kind", "offset_days", "target_date", "due_at", "status", "status_reason")
    ):
        existing[row.deadline_id].append(row)
    return existing


# Rows whose changes are told apart by their values: more distinct changes than this go through one bulk_update.
GROUPED_UPDATES = 8


@dataclass
class _Changes:
    """The row changes one sync chunk collects, written together at the end."""

    now: dt.datetime
    counts: Counter[str]
    to_create: list[PlainRow] = field(default_factory=list)
    to_update: list[tuple[Reminder, dict[str, object]]] = field(default_factory=list)

    def cancel_scheduled(self, rows: Iterable[Reminder], *, reason: str) -> None:
        for row in rows:
            if row.status == Reminder.Status.SCHEDULED:
                self._cancel(row, reason)

    def follow_plan(self, deadline: Deadline, rows: list[Reminder], plan: list[PlannedReminder]) -> None:
        planned = {p.key: p for p in plan}
        by_key = {_key(r): r for r in rows}
        # Scheduled rows not in the plan any more: candidates to be moved to the new date.
        movable = {
            (r.kind, r.offset_days): r
            for r in rows
            if r.status == Reminder.Status.SCHEDULED and _key(r) not in planned
        }
        for key, wanted in planned.items():
            row = by_key.get(key)
            if row is not None:
                self._keep(row, wanted)
            elif (row := movable.pop((wanted.kind, wanted.offset_days), None)) is not None:
                self._move(row, wanted)
            else:
                self._create(deadline, wanted)
        for row in movable.values():
            self._cancel(row, "no longer in the schedule (date, extension or policy changed)")

    def _keep(self, row: Reminder, wanted: PlannedReminder) -> None:
        if row.status == Reminder.Status.CANCELLED:
            self._change(row, status=Reminder.Status.SCHEDULED, status_reason="deadline reopened", due_at=wanted.due_at)
            self.counts["reopened"] += 1
        elif row.status == Reminder.Status.SCHEDULED and row.due_at != wanted.due_at:
            self._change(row, due_at=wanted.due_at)
            self.counts["rescheduled"] += 1

    def _move(self, row: Reminder, wanted: PlannedReminder) -> None:
        self._change(
            row, status_reason=f"rescheduled: date moved from {row.target_date.isoformat()}",
            target_date=wanted.target_date, due_at=wanted.due_at,
        )
        self.counts["rescheduled"] += 1

    def _create(self, deadline: Deadline, wanted: PlannedReminder) -> None:
        self.to_create.append(
            new_row(
                Reminder,
                deadline_id=deadline.pk,
                kind=wanted.kind,
                offset_days=wanted.offset_days,
                target_date=wanted.target_date,
                due_at=wanted.due_at,
                created_at=self.now,
            )
        )
        self.counts["created"] += 1

    def _cancel(self, row: Reminder, reason: str) -> None:
        self._change(row, status=Reminder.Status.CANCELLED, status_reason=reason, processed_at=self.now)
        self.counts["cancelled"] += 1

    def _change(self, row: Reminder, **values: object) -> None:
        values["updated_at"] = self.now  # auto_now is not applied by update() or bulk_update()
        for name, value in values.items():
            setattr(row, name, value)
        self.to_update.append((row, values))

    def save(self) -> None:
        if self.to_update:
            self._save_updates()
        if self.to_create:
            # Conflicts ignored: a concurrent sync of the same deadline may have inserted the same key first.
            insert_rows(Reminder, self.to_create, conflict_ignored=True)

    def _save_updates(self) -> None:
        """Rows given the same values (the schedule of a superseded or completed deadline, all cancelled for one
        reason) in one UPDATE each; bulk_update's CASE per field and row cost more to build than the round trips
        it saves, until the changes are many and all different (a reschedule of a whole portfolio)."""
        groups: dict[tuple, list[int]] = defaultdict(list)
        for row, values in self.to_update:
            groups[tuple(sorted(values.items()))].append(row.pk)
        if len(groups) > GROUPED_UPDATES:
            Reminder.objects.bulk_update(
                [row for row, _ in self.to_update],
                ["status", "status_reason", "target_date", "due_at", "processed_at", "updated_at"],
                batch_size=1000,
            )
            return
        for changed, pks in groups.items():
            Reminder.objects.filter(pk__in=pks).update(**dict(changed))


def _key(row: Reminder) -> ReminderKey:
    return (row.kind, row.offset_days, row.target_date)
