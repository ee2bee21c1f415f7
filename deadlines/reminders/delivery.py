"""Sending claimed deliveries exactly once, retrying what provably did not go out, and recovering from dead
sweeps. The reasoning (queued → sending → sent, and why *sending* is never resent) is in the package
docstring of ``deadlines.reminders``."""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import connection
from django.utils import timezone

from deadlines.models import Delivery, Reminder

from .common import CLAIMED, LEASE, MAX_ATTEMPTS, NOT_SENT_ERRORS, K, chunks, send_chunk_size
from .messages import Cache, build_message, forget_reports, prefetch_contexts

logger = logging.getLogger(__name__)


def send_claimed(*, token: str, connection: Any, now: dt.datetime, cache: Cache) -> dict[str, int]:
    """Send every delivery this sweep's token holds in *queued*: rendered part by part, sent chunk by chunk."""
    counts: Counter[str] = Counter()
    pks = list(
        Delivery.objects.filter(claim_token=token, status=Delivery.Status.QUEUED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not pks:
        return {}
    connection.open()  # one connection for the whole sweep: every message goes through it
    try:
        for part in chunks(pks, 500):
            queued = Delivery.objects.filter(pk__in=part, claim_token=token, status=Delivery.Status.QUEUED)
            loaded = attach_related(list(queued.order_by("pk")), cache=cache)
            ready = _render_queued(loaded, token=token, connection=connection, now=now, cache=cache, counts=counts)
            handed: list[int] = []
            for chunk in chunks(ready, send_chunk_size()):
                # One statement: the previous chunk's messages become *sent*, this chunk's become *sending*.
                owned = _advance(sent=handed, sending=chunk, token=token, counts=counts)
                handed = [
                    d.pk for d, m in chunk if d.pk in owned and _hand_over(d, m, token=token, counts=counts)
                ]
            _advance(sent=handed, sending=(), token=token, counts=counts)
    finally:
        connection.close()
    return dict(counts)


def attach_related(deliveries: list[Delivery], *, cache: Cache) -> list[Delivery]:
    """``deliveries`` with their reminder (with its deadline, matter, client and responsible person) and
    recipient (with profile), as the rendering reads them. Reminders claimed in this batch are the claim's
    objects (``CLAIMED`` in ``cache``: loaded a moment ago, in the same sweep; the subject was written from
    them); others (taken over from a dead sweep, retried) are loaded here. Each recipient is loaded once per
    part, not once per message: loading every delivery with six related rows built eight model instances per
    message, again after the claim had built most of them. A delivery whose recipient or reminder was deleted
    between these queries is left out (its row went with them: the foreign keys cascade)."""
    missing = {d.reminder_id for d in deliveries if (CLAIMED, d.reminder_id) not in cache}
    if missing:
        for reminder in Reminder.objects.filter(pk__in=missing).select_related(
            "deadline__matter__client", "deadline__responsible", "recipient__profile"
        ):
            cache[(CLAIMED, reminder.pk)] = reminder
    User = get_user_model()
    wanted = {d.recipient_id for d in deliveries}
    users = {u.pk: u for u in User.objects.filter(pk__in=wanted).select_related("profile")}
    kept = []
    for delivery in deliveries:
        reminder, user = cache.get((CLAIMED, delivery.reminder_id)), users.get(delivery.recipient_id)
        if reminder is not None and user is not None:
            delivery.reminder, delivery.recipient = reminder, user
            kept.append(delivery)
    return kept


def _render_queued(
    part: Sequence[Delivery], *, token: str, connection: Any, now: dt.datetime, cache: Cache, counts: Counter[str]
) -> list[tuple[Delivery, EmailMultiAlternatives]]:
    """Render while still *queued*: a crash here leaves nothing ambiguous, so the sending window that
    follows is only the mail backend's own I/O."""
    ready: list[tuple[Delivery, EmailMultiAlternatives]] = []
    for group in _report_groups(part):
        prefetch_contexts([d.reminder for d in group], [d.recipient for d in group], now=now, cache=cache)
        for delivery in group:
            try:
                ready.append((delivery, build_message(delivery, connection=connection, now=now, cache=cache)))
            except Exception as exc:  # noqa: BLE001 - any template/data bug: not sent, tell a human
                logger.exception("delivery %s could not be rendered", delivery.pk)
                _finish(delivery, token, Delivery.Status.FAILED, f"could not build the message: {exc!r}")
                counts["failed"] += 1
        forget_reports(cache)
    return ready


REPORTS_AT_ONCE = 20


def _report_groups(part: Sequence[Delivery]) -> list[Sequence[Delivery]]:
    """``part`` in consecutive groups with at most ``REPORTS_AT_ONCE`` weekly reports each. A report lists
    every open deadline of the attorney's next eight weeks: a batch of 333 reports held 100,000 deadline
    rows at once (the sweep's memory went from 115 to 600 MB); per group it is a few thousand."""
    groups: list[Sequence[Delivery]] = []
    start = reports = 0
    for i, delivery in enumerate(part):
        if delivery.reminder.kind == K.REPORT:
            if reports == REPORTS_AT_ONCE:
                groups.append(part[start:i])
                start, reports = i, 0
            reports += 1
    groups.append(part[start:])
    return groups


def _advance(
    *,
    sent: Sequence[int],
    sending: Sequence[tuple[Delivery, EmailMultiAlternatives]],
    token: str,
    counts: Counter[str],
) -> set[int]:
    """sending → sent for ``sent`` (handed over and accepted) and queued → sending for ``sending``, in one
    conditional UPDATE on status and token; returns the ids of ``sending`` this sweep still owns.

    The text goes into the row as it moves to *sending*: what was announced is kept as evidence, also for an
    unconfirmed delivery that a human has to judge. *unconfirmed* rows may be marked sent too: a recovery
    sweep may have flagged a slow (not dead) sender in the meantime. Plain SQL with parameters (PostgreSQL
    and SQLite): building the same statement with ORM expressions cost more than executing it.
    """
    if not sent and not sending:
        return set()
    S = Delivery.Status
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    ids = [d.pk for d, _ in sending]
    bodies: list[Any] = []
    for delivery, message in sending:
        bodies += [delivery.pk, message.body]
    marks = ", ".join(["%s"] * len(ids)) or "NULL"
    sent_marks = ", ".join(["%s"] * len(sent)) or "NULL"
    body = f"CASE id {' '.join(['WHEN %s THEN %s'] * len(ids))} ELSE body END" if ids else "body"
    moving = f"CASE WHEN status = '{S.QUEUED}'"
    sql = (
        f"UPDATE {Delivery._meta.db_table} SET "  # noqa: S608 - table name and statuses are ours
        f"status = {moving} THEN '{S.SENDING}' ELSE '{S.SENT}' END, "
        f"sending_at = {moving} THEN %s ELSE sending_at END, "
        f"attempts = {moving} THEN attempts + 1 ELSE attempts END, "
        f"body = {body}, "
        f"sent_at = {moving} THEN sent_at ELSE %s END, "
        f"error = {moving} THEN error ELSE '' END "
        f"WHERE claim_token = %s AND ((id IN ({marks}) AND status = '{S.QUEUED}') "
        f"OR (id IN ({sent_marks}) AND status IN ('{S.SENDING}', '{S.UNCONFIRMED}'))) "
        "RETURNING id, status"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [now, *bodies, now, token, *ids, *sent])
        rows = cursor.fetchall()
    counts["sent"] += sum(1 for _, status in rows if status == S.SENT)
    # Ids missing from ``owned`` were taken over by another sweep after our lease ran out: theirs now.
    return {pk for pk, status in rows if status == S.SENDING}


def _hand_over(delivery: Delivery, message: EmailMultiAlternatives, *, token: str, counts: Counter[str]) -> bool:
    """Give one message to the mail backend; True when it took it. Failures are recorded on the row."""
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
        return False
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
        return False
    return True


def _finish(delivery: Delivery, token: str, status: str, error: str, retry_in: dt.timedelta | None = None) -> None:
    Delivery.objects.filter(pk=delivery.pk, claim_token=token).update(
        status=status,
        error=error[:2000],
        next_attempt_at=timezone.now() + retry_in if retry_in and status == Delivery.Status.RETRY else None,
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
