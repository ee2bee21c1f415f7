"""Deadline reminders, overdue escalations, daily digests and weekly docket reports — each sent exactly once.

Scheduling
    Every open deadline has ``Reminder`` rows with a ``due_at``: one per offset of its ``ReminderPolicy``
    before the due date (or the extension actually taken), for extendable deadlines also before the latest
    possible date, and the next daily overdue escalation. ``sync_reminders_for_deadlines`` derives them from
    the deadline and is idempotent: the engine and the dashboard actions call it after they change deadlines;
    moved deadlines get their scheduled rows moved, closed ones get them cancelled. As a safety net the sweep
    re-syncs any deadline whose scheduled rows no longer match it (moved without a call), cancels rows of
    closed deadlines and schedules deadlines that have none, so a forgotten call delays a reminder by one
    sweep at most instead of losing it. Nothing is queued in Celery with an ETA: work due later is a row.

Sending (``send_due_reminders``, every five minutes from beat and as a management command)
    1. Digest and report rows for the current period are created for users whose local morning has come.
    2. Catch-up without a flood: of several due rows for the same deadline, kind and date, only the latest
       (closest to the date) is sent; the earlier ones are marked *skipped* with the reason. After a week of
       downtime a deadline gets one reminder, not five.
    3. Claim: in a short transaction the due rows are locked (``SKIP LOCKED``: a concurrent sweep takes other
       rows), their recipients resolved and one ``Delivery`` per recipient inserted with ON CONFLICT DO
       NOTHING under this sweep's claim token. The unique (reminder, recipient, channel) constraint is the
       last guard: whatever the locking did, a second sweep's insert conflicts and it does not own the row.
    4. Send, chunk by chunk: the messages are rendered while their deliveries are still *queued*, then
       moved queued → sending (one conditional UPDATE on status and token, which also stores the text),
       handed to the mail backend, and marked sent (conditional UPDATE).

Why this gives "no duplicate", also when a worker is killed
    SMTP has no idempotency key: once the server accepted DATA the message is out, and a crash before we
    record it leaves us unable to tell "sent" from "not sent". We therefore split the claim in two:

    - *queued* rows have provably not been handed to the backend. If their sweep dies, a later sweep takes
      them over after the lease (a conditional UPDATE that changes the token, so the old owner — if it was
      merely slow — can no longer move them to *sending*). Resending them cannot duplicate anything.
    - *sending* rows might be out. If the lease expires while a row is still *sending*, it becomes
      *unconfirmed*: logged at ERROR, listed on the staff outbox page and in the admin, with its
      Message-ID so a human can look it up in the mail server's log. It is never resent automatically.

    This is at-most-once for the crash window, which is the mail backend's I/O for one chunk
    (``REMINDERS_SEND_CHUNK`` messages, default 10; 1 makes it a single message at the cost of two more
    queries per message). A human resolves an unconfirmed delivery in the admin ("it was sent" / "it was
    not sent, send it again"); the text kept on the row shows what it said. We did not rely
    on the Message-ID for idempotence (resend with the same ID and hope the recipient deduplicates): mail
    servers and clients do not promise to drop duplicates, and "the same deadline reminder twice" is what
    the issue forbids. The Message-ID is still deterministic per delivery, so a human resend is recognisable.
    Errors where the server provably did not accept the message (connection refused, recipient refused…)
    go back to *retry* with a backoff; other errors during the send are *unconfirmed* as above.

Digests and reports are rendered when sent (the current docket), deadline reminders from the deadline as it
is at that moment; links point at the dashboard (``SITE_URL`` + the deadline's URL).
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import socket
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Case, Count, Exists, F, OuterRef, Q, TextField, Value, When
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from patents.models import Matter, TeamMembership
from patents.timezones import user_tz

from .models import (
    DEFAULT_BEFORE_DUE_DAYS,
    DEFAULT_BEFORE_LATEST_DAYS,
    Deadline,
    Delivery,
    Reminder,
    ReminderPolicy,
)

logger = logging.getLogger(__name__)

K = Reminder.Kind
DEADLINE_KINDS = (K.BEFORE_DUE, K.BEFORE_LATEST, K.OVERDUE)


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def send_hour() -> int:
    """Local hour (firm time zone) at which deadline reminders become due."""
    return int(_setting("REMINDERS_SEND_HOUR", 7))


def digest_hour() -> int:
    """Local hour (the user's own time zone) of the daily digest and the weekly report."""
    return int(_setting("REMINDERS_DIGEST_HOUR", 7))


REPORT_WEEKDAY = 0  # Monday
LEASE = dt.timedelta(minutes=15)  # far above one chunk of sends with the SMTP timeout below
SMTP_TIMEOUT = 30
MAX_ATTEMPTS = 5
DIGEST_LIST_LIMIT = 50

# The server provably did not take the message: safe to try again later.
NOT_SENT_ERRORS: tuple[type[BaseException], ...] = (
    ConnectionRefusedError,
    socket.gaierror,
    smtplib.SMTPConnectError,
    smtplib.SMTPHeloError,
    smtplib.SMTPAuthenticationError,
    smtplib.SMTPSenderRefused,
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPDataError,
    smtplib.SMTPNotSupportedError,
)


class RenderError(Exception):
    """The message could not be built; nothing was handed to the backend (permanent until fixed)."""


# --- Policy and planning --------------------------------------------------------------------------


@dataclass(frozen=True)
class Offsets:
    before_due: tuple[int, ...] = DEFAULT_BEFORE_DUE_DAYS
    before_latest: tuple[int, ...] = DEFAULT_BEFORE_LATEST_DAYS


class PolicyBook:
    """All policies in memory (a handful of rows), resolved most specific first."""

    def __init__(self, policies: Iterable[ReminderPolicy] | None = None) -> None:
        rows = list(ReminderPolicy.objects.all()) if policies is None else list(policies)
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


@dataclass(frozen=True)
class PlannedReminder:
    kind: str
    offset_days: int
    target_date: dt.date
    due_at: dt.datetime

    @property
    def key(self) -> tuple[str, int, dt.date]:
        return (self.kind, self.offset_days, self.target_date)


def firm_zone() -> dt.tzinfo:
    return timezone.get_default_timezone()


def local_morning(day: dt.date, *, hour: int, zone: dt.tzinfo) -> dt.datetime:
    """``hour`` o'clock on ``day`` in ``zone``, as an aware UTC datetime (DST-safe through zoneinfo)."""
    return dt.datetime.combine(day, dt.time(hour), tzinfo=zone).astimezone(dt.UTC)


def plan_reminders(*, deadline: Deadline, offsets: Offsets, today: dt.date) -> list[PlannedReminder]:
    """The reminder rows an open deadline should have today (pure: no database access)."""
    zone, hour = firm_zone(), send_hour()
    effective = deadline.effective_date
    planned: list[PlannedReminder] = []
    if effective >= today:
        for days in offsets.before_due:
            send_on = effective - dt.timedelta(days=days)
            planned.append(PlannedReminder(K.BEFORE_DUE, days, effective, local_morning(send_on, hour=hour, zone=zone)))
    latest = deadline.latest_date
    if deadline.extendable and latest and latest > effective and latest >= today:
        for days in offsets.before_latest:
            send_on = latest - dt.timedelta(days=days)
            # Before the due date the ordinary reminders speak; a "last possible date" reminder then is noise.
            if send_on > effective:
                planned.append(
                    PlannedReminder(K.BEFORE_LATEST, days, latest, local_morning(send_on, hour=hour, zone=zone))
                )
    # Overdue escalation: the first day after the date; once overdue, today's and tomorrow's, so one is
    # always scheduled ahead (the sweep adds the next one each time it sends one).
    days_overdue = (today - effective).days
    for n in [1] if days_overdue < 1 else [days_overdue, days_overdue + 1]:
        send_on = effective + dt.timedelta(days=n)
        planned.append(PlannedReminder(K.OVERDUE, -n, effective, local_morning(send_on, hour=hour, zone=zone)))
    return planned


def _expected_target(reminder: Reminder, deadline: Deadline) -> dt.date | None:
    if reminder.kind == K.BEFORE_LATEST:
        return deadline.latest_date if deadline.extendable else None
    return deadline.effective_date


# --- Sync: called by the engine and the dashboard actions ---------------------------------------------------


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def sync_reminders_for_deadlines(
    *, deadline_ids: Iterable[int], now: dt.datetime | None = None, chunk_size: int = 1000
) -> dict[str, int]:
    """Bring the reminder rows of these deadlines in line with their current state (idempotent).

    Call it in the same transaction as the change (or right after it commits). Open deadlines get their
    schedule (rescheduled when the date moved); any other status cancels what is still scheduled; rows
    already sent or skipped are kept as the record.
    """
    now = now or timezone.now()
    today = now.astimezone(firm_zone()).date()
    book = PolicyBook()
    counts: Counter[str] = Counter()
    ids = sorted(set(deadline_ids))
    for chunk in _chunks(ids, chunk_size):
        with transaction.atomic():
            _sync_chunk(chunk, book=book, now=now, today=today, counts=counts)
    return dict(counts)


def _sync_chunk(ids: Sequence[int], *, book: PolicyBook, now: dt.datetime, today: dt.date, counts: Counter) -> None:
    deadlines = list(
        Deadline.objects.filter(pk__in=ids)
        .select_related("matter")
        .only(
            "pk",
            "status",
            "kind",
            "due_date",
            "extended_to",
            "extendable",
            "latest_date",
            "matter__client_id",
        )
    )
    # Lock what we are about to change: a sweep that holds some of these rows (claiming them) finishes
    # first, and we then see them as sent and leave them alone.
    existing: dict[int, list[Reminder]] = defaultdict(list)
    for row in (
        Reminder.objects.filter(deadline_id__in=ids)
        .select_for_update()
        .order_by("pk")
        .only("pk", "deadline_id", "kind", "offset_days", "target_date", "due_at", "status", "status_reason")
    ):
        existing[row.deadline_id].append(row)

    to_create: list[Reminder] = []
    to_update: list[Reminder] = []
    for deadline in deadlines:
        rows = existing.get(deadline.pk, [])
        if deadline.status != Deadline.Status.OPEN:
            for row in rows:
                if row.status == Reminder.Status.SCHEDULED:
                    row.status = Reminder.Status.CANCELLED
                    row.status_reason = f"deadline {deadline.get_status_display().lower()}"
                    row.processed_at = now
                    to_update.append(row)
                    counts["cancelled"] += 1
            continue
        offsets = book.for_deadline(client_id=deadline.matter.client_id, kind=deadline.kind)
        planned = {p.key: p for p in plan_reminders(deadline=deadline, offsets=offsets, today=today)}
        by_key = {(r.kind, r.offset_days, r.target_date): r for r in rows}
        # Scheduled rows not in the plan any more: candidates to be moved to the new date.
        movable: dict[tuple[str, int], Reminder] = {}
        for row in rows:
            key = (row.kind, row.offset_days, row.target_date)
            if row.status == Reminder.Status.SCHEDULED and key not in planned:
                movable[(row.kind, row.offset_days)] = row
        for key, plan in planned.items():
            row = by_key.get(key)
            if row is not None:
                if row.status == Reminder.Status.CANCELLED:
                    row.status, row.status_reason, row.due_at = (
                        Reminder.Status.SCHEDULED,
                        "deadline reopened",
                        plan.due_at,
                    )
                    to_update.append(row)
                    counts["reopened"] += 1
                elif row.status == Reminder.Status.SCHEDULED and row.due_at != plan.due_at:
                    row.due_at = plan.due_at
                    to_update.append(row)
                    counts["rescheduled"] += 1
                continue
            row = movable.pop((plan.kind, plan.offset_days), None)
            if row is not None:
                row.status_reason = f"rescheduled: date moved from {row.target_date.isoformat()}"
                row.target_date, row.due_at = plan.target_date, plan.due_at
                to_update.append(row)
                counts["rescheduled"] += 1
            else:
                to_create.append(
                    Reminder(
                        deadline_id=deadline.pk,
                        kind=plan.kind,
                        offset_days=plan.offset_days,
                        target_date=plan.target_date,
                        due_at=plan.due_at,
                        created_at=now,
                    )
                )
                counts["created"] += 1
        for row in movable.values():
            row.status = Reminder.Status.CANCELLED
            row.status_reason = "no longer in the schedule (date, extension or policy changed)"
            row.processed_at = now
            to_update.append(row)
            counts["cancelled"] += 1
    if to_update:
        Reminder.objects.bulk_update(
            to_update,
            ["status", "status_reason", "target_date", "due_at", "processed_at", "updated_at"],
            batch_size=1000,
        )
    if to_create:
        # ignore_conflicts: a concurrent sync of the same deadline may have inserted the same key first.
        Reminder.objects.bulk_create(to_create, batch_size=2000, ignore_conflicts=True)


def sync_reminders_for_open_deadlines(*, client_id: int | None = None, kind: str = "") -> dict[str, int]:
    """Re-plan every open deadline (after a policy change), optionally only one client's or kind's."""
    qs = Deadline.objects.open()
    if client_id:
        qs = qs.filter(matter__client_id=client_id)
    if kind:
        qs = qs.filter(kind=kind)
    return sync_reminders_for_deadlines(deadline_ids=list(qs.values_list("pk", flat=True)))


# --- The sweep ------------------------------------------------------------------------------------


def send_due_reminders(
    *, now: dt.datetime | None = None, batch_size: int = 500, max_batches: int | None = None
) -> dict[str, int]:
    """Send every reminder that is due, each to each recipient at most once (see the module docstring)."""
    now = now or timezone.now()
    token = uuid.uuid4().hex
    counts: Counter[str] = Counter()
    counts.update(schedule_periodic_reminders(now=now))
    counts.update(reconcile_reminders(now=now))
    counts["skipped_overtaken"] += skip_overtaken_reminders(now=now)
    counts.update(recover_deliveries(token=token))
    batches = 0
    connection = get_connection(timeout=SMTP_TIMEOUT)
    cache: dict = {}  # digest contexts from claim to render, one batch at a time (bounded memory)
    resynced: set[int] = set()
    while True:
        claimed, resync = _claim_batch(now=now, token=token, batch_size=batch_size, counts=counts, cache=cache)
        counts.update(_send_claimed(token=token, connection=connection, now=now, cache=cache))
        cache.clear()
        if resync:
            if resync <= resynced:
                # Re-planning did not settle these rows: stop rather than spin; the next sweep retries.
                logger.error("reminders of deadlines %s stay out of step after a re-sync", sorted(resync)[:20])
                break
            resynced |= resync
            counts.update({f"resync_{k}": v for k, v in sync_reminders_for_deadlines(deadline_ids=resync).items()})
        batches += 1
        if claimed < batch_size or (max_batches is not None and batches >= max_batches):
            break
    return {k: v for k, v in counts.items() if v}


def schedule_periodic_reminders(*, now: dt.datetime) -> dict[str, int]:
    """Create today's digest and this week's report rows for users whose local morning has come.

    Only the current period is created, so a sweep after days of downtime sends one digest, not a pile.
    """
    User = get_user_model()
    hour = digest_hour()
    involved = (
        Q(memberships__isnull=False)
        | Q(deadlines__status=Deadline.Status.OPEN)
        | Q(pk__in=Matter.objects.filter(responsible_attorney__isnull=False).values("responsible_attorney"))
        | Q(pk__in=Matter.objects.filter(responsible_paralegal__isnull=False).values("responsible_paralegal"))
    )
    attorneys = set(
        Matter.objects.filter(responsible_attorney__isnull=False).values_list("responsible_attorney", flat=True)
    )
    users = User.objects.filter(is_active=True).exclude(email="").filter(involved).distinct().select_related("profile")
    wanted: list[Reminder] = []
    for user in users:
        profile = getattr(user, "profile", None)
        zone = user_tz(user)
        local = now.astimezone(zone)
        if not (profile and profile.digest_opt_out) and local.hour >= hour:
            wanted.append(
                Reminder(
                    recipient=user,
                    kind=K.DIGEST,
                    target_date=local.date(),
                    due_at=local_morning(local.date(), hour=hour, zone=zone),
                )
            )
        monday = local.date() - dt.timedelta(days=(local.weekday() - REPORT_WEEKDAY) % 7)
        if user.pk in attorneys and not (profile and profile.weekly_report_opt_out):
            starts = local_morning(monday, hour=hour, zone=zone)
            if now >= starts:
                wanted.append(Reminder(recipient=user, kind=K.REPORT, target_date=monday, due_at=starts))
    if not wanted:
        return {}
    have = set(
        Reminder.objects.filter(
            deadline__isnull=True,
            recipient__in={r.recipient_id for r in wanted},
            target_date__in={r.target_date for r in wanted},
        ).values_list("recipient_id", "kind", "target_date")
    )
    new = [r for r in wanted if (r.recipient_id, r.kind, r.target_date) not in have]
    Reminder.objects.bulk_create(new, ignore_conflicts=True)
    return {"periodic_scheduled": len(new)} if new else {}


def reconcile_reminders(*, now: dt.datetime) -> dict[str, int]:
    """Repair what a missing sync call would leave wrong (cheap set-based queries)."""
    counts: Counter[str] = Counter()
    scheduled = Reminder.objects.scheduled().filter(deadline__isnull=False)
    for status in Deadline.Status:
        if status == Deadline.Status.OPEN:
            continue
        counts["cancelled"] += scheduled.filter(deadline__status=status).update(
            status=Reminder.Status.CANCELLED,
            status_reason=f"deadline {status.label.lower()}",
            processed_at=now,
            updated_at=now,
        )
    stale_ids = set(
        scheduled.filter(deadline__status=Deadline.Status.OPEN)
        .filter(
            (
                Q(kind__in=[K.BEFORE_DUE, K.OVERDUE])
                & ~Q(target_date=Coalesce(F("deadline__extended_to"), F("deadline__due_date")))
            )
            | (
                Q(kind=K.BEFORE_LATEST)
                & (
                    Q(deadline__extendable=False)
                    | Q(deadline__latest_date__isnull=True)
                    | ~Q(target_date=F("deadline__latest_date"))
                )
            )
        )
        .values_list("deadline_id", flat=True)
        .distinct()
    )
    unscheduled_ids = set(
        Deadline.objects.open()
        .filter(~Exists(Reminder.objects.scheduled().filter(deadline=OuterRef("pk"))))
        .values_list("pk", flat=True)
    )
    if stale_ids or unscheduled_ids:
        result = sync_reminders_for_deadlines(deadline_ids=stale_ids | unscheduled_ids, now=now)
        counts.update({f"reconciled_{k}": v for k, v in result.items()})
    return dict(counts)


OVERTAKEN_REASON = "overtaken: a later reminder for the same date was already due (catch-up after a delay)"


def skip_overtaken_reminders(*, now: dt.datetime) -> int:
    """Catch-up: a due reminder is skipped when a later one for the same date is due as well."""
    later_due = Reminder.objects.filter(
        deadline=OuterRef("deadline"),
        kind=OuterRef("kind"),
        target_date=OuterRef("target_date"),
        due_at__gt=OuterRef("due_at"),
        due_at__lte=now,
        status__in=[Reminder.Status.SCHEDULED, Reminder.Status.SENT],
    )
    return (
        Reminder.objects.due(now)
        .filter(deadline__isnull=False)
        .filter(Exists(later_due))
        .update(
            status=Reminder.Status.SKIPPED,
            processed_at=now,
            updated_at=now,
            status_reason=OVERTAKEN_REASON,
        )
    )


def recover_deliveries(*, token: str) -> dict[str, int]:
    """Take over deliveries whose sweep died before sending; flag the ones that died while sending."""
    now = timezone.now()
    cutoff = now - LEASE
    counts: Counter[str] = Counter()
    # Never handed to the backend: safe to send. Changing the token makes a slow former owner's
    # queued → sending update match nothing, so at most one of us sends.
    counts["taken_over"] = Delivery.objects.filter(status=Delivery.Status.QUEUED, claimed_at__lt=cutoff).update(
        claim_token=token, claimed_at=now
    )
    counts["retried"] = Delivery.objects.filter(status=Delivery.Status.RETRY, next_attempt_at__lte=now).update(
        status=Delivery.Status.QUEUED, claim_token=token, claimed_at=now
    )
    stale = list(
        Delivery.objects.filter(status=Delivery.Status.SENDING, sending_at__lt=cutoff).values_list(
            "pk", "address", "message_id"
        )
    )
    for pk, address, message_id in stale:
        logger.error(
            "delivery %s to %s (Message-ID %s) was handed to the mail server but never confirmed; "
            "NOT resent automatically – check the mail log and resolve it on the outbox page",
            pk,
            address,
            message_id,
        )
    if stale:
        counts["unconfirmed"] = Delivery.objects.filter(
            pk__in=[s[0] for s in stale], status=Delivery.Status.SENDING, sending_at__lt=cutoff
        ).update(
            status=Delivery.Status.UNCONFIRMED,
            error="the sending worker stopped before recording the result; the message may have been sent",
        )
    return {k: v for k, v in counts.items() if v}


# --- Claim ----------------------------------------------------------------------------------------


def _claim_batch(
    *, now: dt.datetime, token: str, batch_size: int, counts: Counter, cache: dict
) -> tuple[int, set[int]]:
    today = now.astimezone(firm_zone()).date()
    resync: set[int] = set()
    with transaction.atomic():
        reminders = list(
            Reminder.objects.due(now)
            .select_related("deadline__matter__client", "recipient__profile")
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("due_at", "pk")[:batch_size]
        )
        if not reminders:
            return 0, resync
        recipients = _Recipients(reminders)
        deliveries: list[Delivery] = []
        outcome: dict[tuple[str, str], list[int]] = defaultdict(list)
        next_escalations: list[Reminder] = []
        claimed_at = timezone.now()
        for reminder in reminders:
            deadline = reminder.deadline
            if deadline is not None:
                if deadline.status != Deadline.Status.OPEN:
                    outcome[(Reminder.Status.CANCELLED, f"deadline {deadline.get_status_display().lower()}")].append(
                        reminder.pk
                    )
                    continue
                if _expected_target(reminder, deadline) != reminder.target_date:
                    resync.add(deadline.pk)  # moved without a sync call: re-plan instead of announcing a stale date
                    continue
                if reminder.kind in (K.BEFORE_DUE, K.BEFORE_LATEST) and reminder.target_date < today:
                    outcome[
                        (
                            Reminder.Status.SKIPPED,
                            "the date had passed when it came due; escalation took over",
                        )
                    ].append(reminder.pk)
                    continue
                users = recipients.for_deadline(reminder)
                if reminder.kind == K.OVERDUE:
                    n = max(-reminder.offset_days, (today - reminder.target_date).days) + 1
                    next_escalations.append(
                        Reminder(
                            deadline_id=deadline.pk,
                            kind=K.OVERDUE,
                            offset_days=-n,
                            target_date=reminder.target_date,
                            created_at=now,
                            due_at=local_morning(
                                reminder.target_date + dt.timedelta(days=n),
                                hour=send_hour(),
                                zone=firm_zone(),
                            ),
                        )
                    )
                subject = deadline_subject(reminder, today=today)
            else:
                user = reminder.recipient
                refusal, subject = _periodic_check(reminder, user, now=now, cache=cache)
                if refusal:
                    outcome[(Reminder.Status.SKIPPED, refusal)].append(reminder.pk)
                    continue
                users = [user]
            if not users:
                logger.error(
                    "reminder %s (%s) has nobody to go to: no responsible person, attorney or docketing "
                    "team member with an active account",
                    reminder.pk,
                    reminder,
                )
                outcome[(Reminder.Status.SKIPPED, "no recipient: assign a responsible person")].append(reminder.pk)
                continue
            for user in users:
                deliveries.append(_new_delivery(reminder, user, subject=subject, token=token, claimed_at=claimed_at))
            outcome[(Reminder.Status.SENT, "")].append(reminder.pk)
        # ON CONFLICT DO NOTHING: a row that already exists belongs to whoever inserted it first.
        Delivery.objects.bulk_create(deliveries, batch_size=1000, ignore_conflicts=True)
        if next_escalations:
            Reminder.objects.bulk_create(next_escalations, ignore_conflicts=True)
        for (status, reason), pks in outcome.items():
            counts[f"reminders_{status}"] += Reminder.objects.filter(
                pk__in=pks, status=Reminder.Status.SCHEDULED
            ).update(status=status, status_reason=reason, processed_at=now, updated_at=now)
    return len(reminders), resync


def _new_delivery(reminder: Reminder, user: Any, *, subject: str, token: str, claimed_at: dt.datetime) -> Delivery:
    address = (user.email or "").strip()
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    delivery = Delivery(
        reminder_id=reminder.pk,
        recipient_id=user.pk,
        channel=Delivery.Channel.EMAIL,
        address=address,
        subject=subject[:300],
        claim_token=token,
        claimed_at=claimed_at,
        # Deterministic per delivery: a human resend of an unconfirmed message is recognisable as the same.
        message_id=f"<docket.r{reminder.pk}.u{user.pk}.email@{host}>",
    )
    if not address or not user.is_active:
        delivery.status = Delivery.Status.FAILED
        delivery.error = "recipient has no e-mail address" if not address else "recipient account is inactive"
        logger.error("reminder %s: cannot deliver to user %s: %s", reminder.pk, user.pk, delivery.error)
    return delivery


class _Recipients:
    """Who hears about a deadline, resolved when it is sent (the current assignment, not the old one)."""

    def __init__(self, reminders: list[Reminder]) -> None:
        ids: set[int] = set()
        for r in reminders:
            if r.deadline is not None:
                m = r.deadline.matter
                ids.update(
                    x
                    for x in (
                        r.deadline.responsible_id,
                        m.responsible_paralegal_id,
                        m.responsible_attorney_id,
                    )
                    if x
                )
        User = get_user_model()
        self.users = {u.pk: u for u in User.objects.filter(pk__in=ids, is_active=True)}
        self._docketing: dict[int, list[Any]] | None = None
        self._client_ids = {r.deadline.matter.client_id for r in reminders if r.deadline is not None}

    def docketing(self, client_id: int) -> list[Any]:
        if self._docketing is None:
            self._docketing = defaultdict(list)
            for m in (
                TeamMembership.objects.filter(
                    client_id__in=self._client_ids, role=TeamMembership.Role.DOCKETING, user__is_active=True
                )
                .select_related("user")
                .order_by("user_id")
            ):
                self._docketing[m.client_id].append(m.user)
        return self._docketing.get(client_id, [])

    def for_deadline(self, reminder: Reminder) -> list[Any]:
        deadline = reminder.deadline
        matter = deadline.matter
        chain = [deadline.responsible_id, matter.responsible_paralegal_id, matter.responsible_attorney_id]
        primary = next((self.users[x] for x in chain if x in self.users), None)
        found = [primary] if primary else []
        # Escalation goes to the responsible person AND the supervising attorney.
        if reminder.kind == K.OVERDUE and matter.responsible_attorney_id in self.users:
            attorney = self.users[matter.responsible_attorney_id]
            if attorney not in found:
                found.append(attorney)
        return found or self.docketing(matter.client_id)


def _periodic_check(reminder: Reminder, user: Any, *, now: dt.datetime, cache: dict) -> tuple[str, str]:
    """(reason to skip or "", subject) for a digest or report about to be claimed."""
    if not user.is_active:
        return "recipient account is inactive", ""
    profile = getattr(user, "profile", None)
    if reminder.kind == K.REPORT:
        if profile and profile.weekly_report_opt_out:
            return "recipient opted out of weekly reports", ""
        return "", f"Weekly docket report, week of {reminder.target_date:%d %b %Y}"
    if profile and profile.digest_opt_out:
        return "recipient opted out of digests", ""
    ctx = digest_context(user=user, now=now, cache=cache)
    if not ctx["has_content"]:
        return "nothing to report", ""
    return "", (
        f"Docket digest {reminder.target_date:%a %d %b}: {ctx['overdue_count']} overdue, "
        f"{ctx['week_count']} due this week, {ctx['unverified_count']} unverified"
    )


# --- Send -----------------------------------------------------------------------------------------


def send_chunk_size() -> int:
    return max(1, int(_setting("REMINDERS_SEND_CHUNK", 10)))


def _send_claimed(*, token: str, connection: Any, now: dt.datetime, cache: dict) -> dict[str, int]:
    counts: Counter[str] = Counter()
    pks = list(
        Delivery.objects.filter(claim_token=token, status=Delivery.Status.QUEUED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not pks:
        return {}
    connection.open()
    try:
        for part in _chunks(pks, 500):
            loaded = list(
                Delivery.objects.filter(pk__in=part, claim_token=token, status=Delivery.Status.QUEUED)
                .select_related(
                    "reminder__deadline__matter__client",
                    "reminder__deadline__responsible",
                    "recipient__profile",
                )
                .order_by("pk")
            )
            for chunk in _chunks(loaded, send_chunk_size()):
                counts.update(_send_chunk(chunk, token=token, connection=connection, now=now, cache=cache))
    finally:
        connection.close()
    return dict(counts)


def _send_chunk(
    chunk: Sequence[Delivery], *, token: str, connection: Any, now: dt.datetime, cache: dict
) -> Counter[str]:
    counts: Counter[str] = Counter()
    # Render while still *queued*: a crash here leaves nothing ambiguous, so the sending window below
    # is only the mail backend's own I/O.
    ready: list[tuple[Delivery, EmailMultiAlternatives]] = []
    for delivery in chunk:
        try:
            ready.append((delivery, build_message(delivery, connection=connection, now=now, cache=cache)))
        except Exception as exc:  # noqa: BLE001 - any template/data bug: not sent, tell a human
            logger.exception("delivery %s could not be rendered", delivery.pk)
            _finish(delivery, token, Delivery.Status.FAILED, f"could not build the message: {exc!r}")
            counts["failed"] += 1
    if not ready:
        return counts
    ids = [d.pk for d, _ in ready]
    # The text goes into the row with the same statement: what was announced is kept as evidence, also
    # for an unconfirmed delivery that a human has to judge.
    body = Case(*[When(pk=d.pk, then=Value(m.body)) for d, m in ready], default=F("body"), output_field=TextField())
    moved = Delivery.objects.filter(pk__in=ids, claim_token=token, status=Delivery.Status.QUEUED).update(
        status=Delivery.Status.SENDING, sending_at=timezone.now(), attempts=F("attempts") + 1, body=body
    )
    owned = set(ids)
    if moved != len(ids):
        # Some were taken over by another sweep after our lease ran out: they are theirs now.
        owned = set(
            Delivery.objects.filter(pk__in=ids, claim_token=token, status=Delivery.Status.SENDING).values_list(
                "pk", flat=True
            )
        )
    sent: list[int] = []
    for delivery, message in ready:
        if delivery.pk not in owned:
            continue
        delivery.attempts += 1
        try:
            message.send()
        except NOT_SENT_ERRORS as exc:
            status = Delivery.Status.RETRY if delivery.attempts < MAX_ATTEMPTS else Delivery.Status.FAILED
            log = logger.warning if status == Delivery.Status.RETRY else logger.error
            log("delivery %s to %s not accepted by the mail server: %r", delivery.pk, delivery.address, exc)
            _finish(
                delivery,
                token,
                status,
                f"not accepted by the mail server: {exc!r}",
                retry_in=dt.timedelta(minutes=5 * 2**delivery.attempts),
            )
            counts[status] += 1
            continue
        except Exception as exc:  # noqa: BLE001 - the server may have taken it: never resend blindly
            logger.error(
                "delivery %s to %s (Message-ID %s) failed mid-send, may have been sent: %r",
                delivery.pk,
                delivery.address,
                delivery.message_id,
                exc,
            )
            _finish(delivery, token, Delivery.Status.UNCONFIRMED, f"error while sending: {exc!r}")
            counts["unconfirmed"] += 1
            continue
        sent.append(delivery.pk)
    if sent:
        # UNCONFIRMED too: a recovery sweep may have flagged a slow (not dead) sender in the meantime.
        counts["sent"] += Delivery.objects.filter(
            pk__in=sent,
            claim_token=token,
            status__in=[Delivery.Status.SENDING, Delivery.Status.UNCONFIRMED],
        ).update(status=Delivery.Status.SENT, sent_at=timezone.now(), error="")
    return counts


def _finish(delivery: Delivery, token: str, status: str, error: str, retry_in: dt.timedelta | None = None) -> None:
    Delivery.objects.filter(pk=delivery.pk, claim_token=token).update(
        status=status,
        error=error[:2000],
        next_attempt_at=timezone.now() + retry_in if retry_in and status == Delivery.Status.RETRY else None,
    )


# --- Content --------------------------------------------------------------------------------------


def absolute(url: str) -> str:
    return settings.SITE_URL.rstrip("/") + url


def _days_phrase(days: int) -> str:
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    return f"in {days} days"


def deadline_subject(reminder: Reminder, *, today: dt.date) -> str:
    deadline = reminder.deadline
    ref = deadline.matter.reference
    if reminder.kind == K.OVERDUE:
        days = (today - reminder.target_date).days
        return (
            f"OVERDUE {days} day{'s' if days != 1 else ''}: [{ref}] {deadline.title} "
            f"(was due {reminder.target_date:%d %b %Y})"
        )
    days = (reminder.target_date - today).days
    if reminder.kind == K.BEFORE_LATEST:
        when = f"{reminder.target_date:%d %b %Y}"
        return f"Last possible date {_days_phrase(days)}: [{ref}] {deadline.title} ({when})"
    return f"Due {_days_phrase(days)}: [{ref}] {deadline.title} ({reminder.target_date:%d %b %Y})"


def _docket_of(user: Any, *, attorney_only: bool = False, client_ids: Sequence[int] | None = None):
    """The deadlines a digest speaks about: the user's clients (as on the dashboard); for a superuser,
    who sees every client, only the matters and deadlines assigned to them. ``attorney_only``: the matters
    the user is the responsible attorney of (the weekly report)."""
    if not user.is_active:
        return Deadline.objects.none()
    matters = Matter.objects.all()
    if not user.is_superuser:
        # Same scope as Matter.objects.visible_to(), without its join through memberships.
        if client_ids is None:
            client_ids = list(TeamMembership.objects.filter(user=user).values_list("client_id", flat=True))
        matters = matters.filter(client_id__in=client_ids)
    if attorney_only:
        scope = Q(matter_id__in=list(matters.filter(responsible_attorney=user).values_list("pk", flat=True)))
    elif user.is_superuser:
        assigned = matters.filter(Q(responsible_attorney=user) | Q(responsible_paralegal=user))
        scope = Q(responsible=user) | Q(matter_id__in=list(assigned.values_list("pk", flat=True)))
    else:
        scope = Q(matter_id__in=list(matters.values_list("pk", flat=True)))
    # An explicit list of matter ids lets PostgreSQL use the deadline's matter index; the join form made it
    # scan every deadline of the firm once per digest (55 ms each at 100,000 deadlines).
    return (
        Deadline.objects.filter(scope)
        .annotate(effective=Coalesce("extended_to", "due_date"))
        .select_related("matter__client", "responsible")
    )


_URL_SENTINEL = 987654321


def _rows(queryset) -> list[Deadline]:
    """Deadlines for a list in an e-mail, with the date and link pre-formatted.

    Django's ``date`` filter and ``reverse()`` per row were most of the time spent on a digest; strftime
    and one reversed URL pattern give the same text at a fraction of the cost.
    """
    pattern = absolute(reverse("deadlines:deadline-detail", args=[_URL_SENTINEL]))
    rows = list(queryset)
    for d in rows:
        d.row_date = d.effective.strftime("%a %d %b %Y")
        d.row_url = pattern.replace(str(_URL_SENTINEL), str(d.pk))
    return rows


def digest_context(*, user: Any, now: dt.datetime, cache: dict | None = None) -> dict[str, Any]:
    """Overdue, due in the next seven days and unverified open deadlines of the user's docket.

    Lists are capped (the dashboard has the rest); counts are exact. ``cache`` lets one sweep reuse the
    context between the claim (subject, "anything to say?") and the rendering.
    """
    today = now.astimezone(user_tz(user)).date()
    client_ids: tuple[int, ...] | None = None
    if user.is_active and not user.is_superuser:
        client_ids = tuple(sorted(TeamMembership.objects.filter(user=user).values_list("client_id", flat=True)))
    # A team shares one docket: members of the same clients get the same lists, computed once per batch.
    scope_key = client_ids if client_ids is not None else f"user:{user.pk}"
    key = ("digest", scope_key, today)
    if cache is not None and key in cache:
        return {**cache[key], "user": user}
    week_end = today + dt.timedelta(days=6)  # seven days including today
    open_ = _docket_of(user, client_ids=client_ids).filter(status=Deadline.Status.OPEN)
    sections = {
        "overdue": Q(effective__lt=today),
        "week": Q(effective__gte=today, effective__lte=week_end),
        "unverified": Q(verified_at__isnull=True),
    }
    counts = open_.aggregate(**{name: Count("pk", filter=cond) for name, cond in sections.items()})
    context: dict[str, Any] = {
        "user": user,
        "today": today,
        "week_end": week_end,
        "limit": DIGEST_LIST_LIMIT,
        "scope_key": scope_key,
    }
    for name, cond in sections.items():
        context[f"{name}_count"] = counts[name]
        rows = open_.filter(cond).order_by("effective", "pk")[:DIGEST_LIST_LIMIT]
        context[name] = _rows(rows) if counts[name] else []
    context["has_content"] = any(counts.values())
    if cache is not None:
        cache[key] = context
    return context


def report_context(*, user: Any, now: dt.datetime) -> dict[str, Any]:
    today = now.astimezone(user_tz(user)).date()
    horizon = today + dt.timedelta(weeks=8)
    # The attorney's own docket: matters they are the responsible attorney of (and may still see).
    scope = _docket_of(user, attorney_only=True).filter(status=Deadline.Status.OPEN)
    by_client: dict[Any, list[Deadline]] = defaultdict(list)
    order = ("matter__client__name", "effective", "pk")
    upcoming = _rows(scope.filter(effective__gte=today, effective__lte=horizon).order_by(*order))
    for deadline in upcoming:
        by_client[deadline.matter.client].append(deadline)
    overdue = _rows(scope.filter(effective__lt=today).order_by(*order))
    unverified = _rows(scope.filter(verified_at__isnull=True).order_by(*order))
    return {
        "user": user,
        "today": today,
        "horizon": horizon,
        "clients": [{"client": c, "deadlines": ds} for c, ds in by_client.items()],
        "upcoming_count": len(upcoming),
        "overdue": overdue,
        "unverified": unverified,
    }


def _long(day: dt.date | None, *, weekday: bool = True) -> str:
    if day is None:
        return ""
    return day.strftime("%A %d %B %Y" if weekday else "%d %B %Y")


def build_message(
    delivery: Delivery, *, connection: Any = None, now: dt.datetime | None = None, cache: dict | None = None
) -> EmailMultiAlternatives:
    """The e-mail for one delivery, as of ``now`` (the sweep's time; content reflects the docket then)."""
    reminder = delivery.reminder
    user = delivery.recipient
    now = now or timezone.now()
    common = {
        "site_url": settings.SITE_URL.rstrip("/"),
        "dashboard_url": absolute(reverse("patents:home")),
        "recipient": user,
    }
    if reminder.deadline_id:
        deadline = reminder.deadline
        today = now.astimezone(firm_zone()).date()
        context = {
            **common,
            "reminder": reminder,
            "deadline": deadline,
            "matter": deadline.matter,
            "client": deadline.matter.client,
            "deadline_url": absolute(deadline.get_absolute_url()),
            "is_overdue": reminder.kind == K.OVERDUE,
            "is_latest": reminder.kind == K.BEFORE_LATEST,
            "days_overdue": (today - reminder.target_date).days,
            "days_left": (reminder.target_date - today).days,
            "supervising_attorney": deadline.matter.responsible_attorney_id == user.pk,
            # Pre-formatted: the template date filter was a large share of the render time.
            "target_text": _long(reminder.target_date),
            "due_text": _long(deadline.due_date, weekday=False),
            "extended_text": _long(deadline.extended_to, weekday=False),
            "latest_text": _long(deadline.latest_date, weekday=False),
            "effective_text": _long(deadline.effective_date, weekday=False),
        }
        base = "emails/deadline_reminder"
    elif reminder.kind == K.DIGEST:
        context = {**common, **digest_context(user=user, now=now, cache=cache)}
        base = "emails/digest"
    else:
        context = {**common, **report_context(user=user, now=now)}
        base = "emails/report"
    # A digest names no recipient in its body, so a team's members share one rendering per batch.
    render_key = ("rendered", context["scope_key"], context["today"]) if base == "emails/digest" else None
    try:
        if cache is not None and render_key in cache:
            text, html = cache[render_key]
        else:
            text = render_to_string(f"{base}.txt", context)
            html = render_to_string(f"{base}.html", context)
            if cache is not None and render_key is not None:
                cache[render_key] = (text, html)
    except Exception as exc:
        raise RenderError(str(exc)) from exc
    message = EmailMultiAlternatives(
        subject=delivery.subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[delivery.address],
        connection=connection,
        headers={
            "Message-ID": delivery.message_id,
            "Auto-Submitted": "auto-generated",
            "X-Docketapp-Delivery": str(delivery.pk),
        },
    )
    message.attach_alternative(html, "text/html")
    return message
