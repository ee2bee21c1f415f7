"""Mail backends that misbehave on purpose, for the exactly-once tests (and the crash subprocess)."""

from __future__ import annotations

import os
import smtplib
import threading
import time
from pathlib import Path

from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend

ACCEPTED: list = []  # what the "mail server" took before the worker died


class WorkerKilled(BaseException):
    """Stands in for SIGKILL: not an Exception, so no handler in the sweep can catch and record it."""


class DiesAfterAcceptingBackend(BaseEmailBackend):
    """The server accepts the first message, then the worker dies before the sweep can record it."""

    def send_messages(self, messages):
        for message in messages:
            ACCEPTED.append(message)
            raise WorkerKilled("killed between the server's 250 OK and the sweep's UPDATE")
        return 0


class FlakyBackend(LocmemBackend):
    """Refuses the first attempt the way an SMTP server does when it is not taking mail."""

    failures: list = []

    def send_messages(self, messages):
        if not FlakyBackend.failures:
            FlakyBackend.failures.append(messages)
            raise smtplib.SMTPRecipientsRefused({messages[0].to[0]: (451, b"4.3.0 try again later")})
        return super().send_messages(messages)


class DisconnectsMidDataBackend(BaseEmailBackend):
    """The connection drops after DATA: the server may or may not have queued it."""

    def send_messages(self, messages):
        ACCEPTED.extend(messages)
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class SlowLocmemBackend(LocmemBackend):
    """locmem with a little latency, so concurrent sweeps overlap; records which thread sent what."""

    lock = threading.Lock()

    def send_messages(self, messages):
        time.sleep(0.003)
        with self.lock:
            for m in messages:
                m.extra_headers["X-Test-Thread"] = threading.current_thread().name
            mail.outbox.extend(messages)
        return len(messages)


class HangingBackend(BaseEmailBackend):
    """Used by a subprocess that the test kills with SIGKILL while it is 'talking to the server'."""

    def send_messages(self, messages):
        marker = Path(os.environ["REMINDER_TEST_MARKER"])
        for message in messages:
            with marker.open("a") as f:
                f.write(message.extra_headers["Message-ID"] + "\n")
            time.sleep(120)
        return len(messages)
