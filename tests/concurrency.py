"""Test helpers for code run at the same moment from several threads, each on its own database connection."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def on_own_connection(fn: Callable[..., Any], errors: list[BaseException]) -> Callable[..., None]:
    """``fn`` as a thread's target: what it raises goes to ``errors`` (for the test to assert on, a thread's
    exception is otherwise only printed), and the thread's database connections are closed when it ends (Django
    opens one per thread; left open, it would keep the test database from being flushed or dropped)."""

    def run(*args: Any, **kwargs: Any) -> None:
        from django.db import connections

        try:
            fn(*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            connections.close_all()

    return run
