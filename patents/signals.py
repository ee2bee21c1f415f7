"""Signals patents sends, and the history guards it installs after migrate.

patents never imports deadlines: the deadline engine learns about office events through the two signals
below, connected in ``DeadlinesConfig.ready()``. They are sent by ``patents.services.record_office_event``
and ``notify_events_recorded``, once per matter whose office events were recorded or changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models.signals import post_migrate
from django.dispatch import Signal, receiver

from .history_guard import install_history_guards

# Sent inside the transaction that records the event (kwargs: matter_id), for what must commit or roll back
# together with it: the deadline engine's "needs recompute" mark, which survives a broker outage or a killed
# worker that an on-commit task alone would not. A receiver that raises rolls the event back.
office_events_changed = Signal()

# Sent after that transaction committed (kwargs: matter_id): the deadline engine queues the recompute task.
# ``events_committed_to(handler)`` sends to ``handler`` instead, for callers that recompute in-process.
office_events_committed = Signal()

_committed_handler: ContextVar[Callable[[int], None] | None] = ContextVar("office_events_committed_handler",
                                                                          default=None)


@contextmanager
def events_committed_to(handler: Callable[[int], None]) -> Iterator[None]:
    """Within the block, call ``handler(matter_id)`` on commit instead of sending ``office_events_committed``.

    For the CLI, benchmarks and tests that recompute in-process (or not at all) and must not queue Celery
    tasks no worker would run. The in-transaction signal is still sent: the "needs recompute" mark stays.
    """
    token = _committed_handler.set(handler)
    try:
        yield
    finally:
        _committed_handler.reset(token)


def send_office_events_changed(matter_id: int) -> None:
    """Send ``office_events_changed`` now and ``office_events_committed`` (or the handler) on commit."""
    office_events_changed.send(sender=None, matter_id=matter_id)
    handler = _committed_handler.get()
    if handler is not None:
        transaction.on_commit(lambda: handler(matter_id))
    else:
        transaction.on_commit(lambda: office_events_committed.send(sender=None, matter_id=matter_id))


@receiver(post_migrate, dispatch_uid="patents.install_history_guards")
def _guard_history_tables(sender, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    # Runs once per app after migrate; only the last app matters, but it is cheap and idempotent.
    if sender.name == "patents" or sender.name == "deadlines":
        install_history_guards(connections[using])
