"""Parallel test workers (pytest-xdist, which `manage.py test` uses): one set of services per worker.

Loaded with ``-p tests.xdist_isolation`` (pyproject addopts), before pytest-django imports the settings, so it can
give each xdist worker its own Redis databases (Celery broker and the shared throttle/cache) and its own var
directory (e-mail outbox, document storage, file broker). PostgreSQL needs nothing: pytest-django already gives
every worker its own test database (``test_<name>_gw<N>``). The processes a test starts (a real Celery worker, the
demo's web server) inherit the rewritten environment, so they meet their own worker's services and no other's.

Without xdist (``-p no:xdist`` or ``-n 0``) nothing changes. Worker N moves each Redis database number up by 2·N
(CI: gw0 keeps 0/1, gw1 uses 2/3; a server has 16 databases unless configured otherwise).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
_DONE = "DOCKETAPP_XDIST_ISOLATED"


def _moved(url: str, index: int) -> str:
    if not url.startswith(("redis://", "rediss://")):
        return url
    match = re.match(r"^(rediss?://[^/]+)(?:/(\d+))?(.*)$", url)
    if not match:
        return url
    base, db, rest = match.group(1), int(match.group(2) or 0), match.group(3)
    return f"{base}/{db + 2 * index}{rest}"


def _isolate() -> None:
    if not _WORKER.startswith("gw") or os.environ.get(_DONE) == _WORKER:
        return
    index = int(_WORKER[2:])
    for name in ("REDIS_URL", "CELERY_BROKER_URL"):
        if os.environ.get(name):
            os.environ[name] = _moved(os.environ[name], index)
    base = Path(os.environ.get("DOCKETAPP_VAR_DIR") or Path(__file__).resolve().parent.parent / "var")
    os.environ["DOCKETAPP_VAR_DIR"] = str(base / f"xdist-{_WORKER}")
    os.environ[_DONE] = _WORKER


_isolate()
