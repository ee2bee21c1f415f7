"""Sending claimed deliveries exactly once, retrying what provably did not go out, and recovering from dead
sweeps. The reasoning (queued → sending → sent, and why *sending* is never resent) is in the package
docstring of ``deadlines.reminders``."""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Sequence
from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.db.models import Case, F, TextField, Value, When
from django.utils import timezone

from deadlines.models import Delivery

from .common import LEASE, MAX_ATTEMPTS, NOT_SENT_ERRORS, chunks, send_chunk_size
from .messages import Cache, build_message

logger = logging.getLogger(__name__)


def send_claimed(*, token: str, connection: Any, now: dt.datetime, cache: Cache) -> dict[str, int]:
    """Send every delivery this sweep's token holds in *queued*, chunk by chunk."""
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
        for part in chunks(pks, 500):
            loaded = list(
                Delivery.objects.filter(pk__in=part, claim_token=token, status=Delivery.Status.QUEUED)
                .select_related(
                    "reminder__deadline__matter__client",
                    "reminder__deadline__responsible",
                    "recipient__profile",
                )
                .order_by("pk")
            )
            for chunk in chunks(loaded, send_chunk_size()):
                counts.update(_send_chunk(chunk, token=token, connection=connection, now=now, cache=cache))
    finally:
        connection.close()
    return dict(counts)


def _send_chunk(
    chunk: Sequence[Delivery], *, token: str, connection: Any, now: dt.datetime, cache: Cache
) -> Counter[str]:
    counts: Counter[str] = Counter()
    ready = _render_queued(chunk, token=token, connection=connection, now=now, cache=cache, counts=counts)
    if not ready:
        return counts
    owned = _mark_sending(ready, token=token)
    sent: list[int] = []
    for delivery, message in ready:
        if delivery.pk in owned and _hand_over(delivery, message, token=token, counts=counts):
            sent.append(delivery.pk)
    if sent:
        # UNCONFIRMED too: a recovery sweep may have flagged a slow (not dead) sender in the meantime.
        counts["sent"] += Delivery.objects.filter(
            pk__in=sent,
            claim_token=token,
            status__in=[Delivery.Status.SENDING, Delivery.Status.UNCONFIRMED],
        ).update(status=Delivery.Status.SENT, sent_at=timezone.now(), error="")
    return counts


def _render_queued(
    chunk: Sequence[Delivery], *, token: str, connection: Any, now: dt.datetime, cache: Cache, counts: Counter[str]
) -> list[tuple[Delivery, EmailMultiAlternatives]]:
    """Render while still *queued*: a crash here leaves nothing ambiguous, so the sending window that
    follows is only the mail backend's own I/O."""
    ready: list[tuple[Delivery, EmailMultiAlternatives]] = []
    for delivery in chunk:
        try:
            ready.append((delivery, build_message(delivery, connection=connection, now=now, cache=cache)))
        except Exception as exc:  # noqa: BLE001 - any template/data bug: not sent, tell a human
            logger.exception("delivery %s could not be rendered", delivery.pk)
            _finish(delivery, token, Delivery.Status.FAILED, f"could not build the message: {exc!r}")
            counts["failed"] += 1
    return ready


def _mark_sending(ready: list[tuple[Delivery, EmailMultiAlternatives]], *, token: str) -> set[int]:
    """queued → sending in one conditional UPDATE; the ids this sweep still owns afterwards."""
    ids = [d.pk for d, _ in ready]
    # The text goes into the row with the same statement: what was announced is kept as evidence, also
    # for an unconfirmed delivery that a human has to judge.
    body = Case(*[When(pk=d.pk, then=Value(m.body)) for d, m in ready], default=F("body"), output_field=TextField())
    moved = Delivery.objects.filter(pk__in=ids, claim_token=token, status=Delivery.Status.QUEUED).update(
        status=Delivery.Status.SENDING, sending_at=timezone.now(), attempts=F("attempts") + 1, body=body
    )
    if moved == len(ids):
        return set(ids)
    # Some were taken over by another sweep after our lease ran out: they are theirs now.
    return set(
        Delivery.objects.filter(pk__in=ids, claim_token=token, status=Delivery.Status.SENDING).values_list(
            "pk", flat=True
        )
    )


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
