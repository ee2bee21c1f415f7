"""CPU time of the database's side of a benchmark: on a shared machine wall time mostly measures the neighbours,
CPU time measures the work (issue 18: side by side under load)."""

from __future__ import annotations

import os

from django.db import connection


def database_cpu() -> float | None:
    """CPU seconds used so far by this connection's PostgreSQL backend process, when the server runs on this
    machine and /proc shows it (None otherwise)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # utime and stime: fields 14 and 15 of proc(5), i.e. 12 and 13 after the ")" that ends the command name.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
