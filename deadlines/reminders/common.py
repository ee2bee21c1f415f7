"""What every part of the reminders shares: settings, the firm's clock, limits and error classes."""

from __future__ import annotations

import datetime as dt
import smtplib
import socket
from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from django.conf import settings
from django.utils import timezone

from deadlines.models import Reminder

K = Reminder.Kind
DEADLINE_KINDS = (K.BEFORE_DUE, K.BEFORE_LATEST, K.OVERDUE)

REPORT_WEEKDAY = 0  # Monday
LEASE = dt.timedelta(minutes=15)  # far above one chunk of sends with the SMTP timeout below
SMTP_TIMEOUT = 30
MAX_ATTEMPTS = 5
DIGEST_LIST_LIMIT = 50
# The sweep's cache key (with a reminder id) of a reminder claimed in this batch, with its deadline, matter,
# client and responsible person: the claim's objects, reused by the rendering.
CLAIMED = "claimed"

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

T = TypeVar("T")


class RenderError(Exception):
    """The message could not be built; nothing was handed to the backend (permanent until fixed)."""


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def send_hour() -> int:
    """Local hour (firm time zone) at which deadline reminders become due."""
    return int(_setting("REMINDERS_SEND_HOUR", 7))


def renewal_instruction_days() -> int:
    """Days before a renewal fee's due date of the "instruction needed" reminder (0: none)."""
    return max(0, int(_setting("RENEWAL_INSTRUCTION_DAYS", 30)))


def digest_hour() -> int:
    """Local hour (the user's own time zone) of the daily digest and the weekly report."""
    return int(_setting("REMINDERS_DIGEST_HOUR", 7))


def send_chunk_size() -> int:
    return max(1, int(_setting("REMINDERS_SEND_CHUNK", 10)))


def sweep_helpers() -> int:
    """Extra worker processes a sweep may ask to drain a large backlog with it (``REMINDERS_SWEEP_WORKERS`` - 1)."""
    return max(0, int(_setting("REMINDERS_SWEEP_WORKERS", 1)) - 1)


def firm_zone() -> dt.tzinfo:
    return timezone.get_default_timezone()


def firm_today(now: dt.datetime) -> dt.date:
    """The firm's calendar day at ``now``: deadline reminders count days in the firm's zone."""
    return now.astimezone(firm_zone()).date()


def local_morning(day: dt.date, *, hour: int, zone: dt.tzinfo) -> dt.datetime:
    """``hour`` o'clock on ``day`` in ``zone``, as an aware UTC datetime (DST-safe through zoneinfo)."""
    return dt.datetime.combine(day, dt.time(hour), tzinfo=zone).astimezone(dt.UTC)


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
