"""`python manage.py bench admin [--deadlines N] [--samples S] [--json]`: the Django admin's Matter and Deadline
changelists and the matter page on a large docket.

Tops the database up to N deadlines (default 1,500,000) with their history rows, written with COPY and sealed
on the audit chain like the recompute's own COPY path (never the ORM row by row): a realistic spread of
statuses, kinds, due dates (three years back to five ahead), matters and responsible users, and one in ten
deadlines reassigned once (a "+" and a "~" history row). One matter gets 40 deadlines with 8 reassignments
each, by named users, for the matter page. Then ANALYZE (as autovacuum would leave the tables), logs in a
superuser through the test client and reports p50/p95 milliseconds and the SQL query count of each page.

Start from a copy of a `bench dashboard` portfolio (docs/benchmarks.md); it refuses a database whose name
lacks "bench" unless --allow-any-database. The baseline is this same module run with the older code.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import statistics
import time
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

# Writes synthetic data: `bench` refuses a database whose name lacks "bench" (see its --allow-any-database).
WRITES_DATABASE = True

KEY_PREFIX = "bench.admin:"
SHOWCASE_KEY = "bench.admin.showcase:"
ADMIN_USERNAME = "bench-admin"
CHUNK = 20_000
# Status spread of a mature docket: most rows are closed work, about a fifth is open.
STATUSES = [("done", 45), ("open", 20), ("superseded", 15), ("completed", 8), ("waived", 4), ("moot", 4),
            ("missed", 2), ("let_lapse", 2)]
TITLES = ["Response to communication", "Renewal fee", "Examination request", "Reply to search report",
          "Validation", "Translation of claims", "Priority document", "Information disclosure"]


def add_arguments(parser) -> None:
    parser.add_argument("--deadlines", type=int, default=1_500_000, help="top the deadline table up to N rows")
    parser.add_argument("--samples", type=int, default=7)
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--skip-build", action="store_true", help="measure only (the data is there)")
    parser.add_argument("--vacuum", action="store_true", help="VACUUM ANALYZE even when nothing was added")


def _copy(model, rows: list[list[Any]], attnames: list[str]) -> None:
    fields = {f.attname: f for f in model._meta.concrete_fields}
    columns = ", ".join(connection.ops.quote_name(fields[a].column) for a in attnames)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _write(deadlines: list, history: list) -> None:
    """COPY the deadlines, seal the history rows on the chain, COPY them (one transaction)."""
    from deadlines.models import Deadline
    from docketapp.audit_chain import seal

    history_model = Deadline.history.model
    json_fields = {f.attname for f in Deadline._meta.concrete_fields if f.get_internal_type() == "JSONField"}

    def values(obj, attnames):
        return [json.dumps(getattr(obj, a), cls=DjangoJSONEncoder) if a in json_fields else getattr(obj, a)
                for a in attnames]

    d_attnames = [f.attname for f in Deadline._meta.concrete_fields]
    h_attnames = [f.attname for f in history_model._meta.concrete_fields if not f.primary_key]
    with transaction.atomic():
        _copy(Deadline, [values(d, d_attnames) for d in deadlines], d_attnames)
        seal(history_model, history, connection.alias)
        _copy(history_model, [values(h, h_attnames) for h in history], h_attnames)


_HISTORY: dict[str, Any] = {}


def _history_row(obj, *, kind: str, when: dt.datetime, user_id: int | None, reason: str, actor: str, **changed):
    if not _HISTORY:
        from deadlines.models import Deadline

        # Deadline.history builds a new manager on every access: look the model up once.
        model = Deadline.history.model
        _HISTORY.update(model=model, tracked=[f.attname for f in model.tracked_fields])
    row = _HISTORY["model"](
        history_type=kind, history_date=when, history_user_id=user_id, history_change_reason=reason,
        history_actor=actor, **{a: getattr(obj, a) for a in _HISTORY["tracked"]},
    )
    for name, value in changed.items():
        setattr(row, name, value)
    return row


def _next_ids(n: int) -> list[int]:
    from deadlines.models import Deadline

    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                       [Deadline._meta.db_table, n])
        return [r[0] for r in cursor.fetchall()]


def _top_up(target: int, seed: int, stdout) -> int:
    """Add deadlines until the table holds ``target`` rows; returns how many were added."""
    from django.contrib.auth import get_user_model

    from deadlines.models import Deadline
    from patents.models import Matter

    have = Deadline.objects.count()
    if have >= target:
        return 0
    rng = random.Random(seed + have)
    matters = list(Matter.objects.values_list("pk", "office").order_by("pk"))
    users: list[int | None] = [*get_user_model().objects.values_list("pk", flat=True).order_by("pk")[:200]] or [None]
    statuses = [s for s, w in STATUSES for _ in range(w)]
    kinds = list(Deadline.Kind.values)
    today = timezone.now().date()
    now = timezone.now()
    explanation = {"rule": "bench", "steps": [{"op": "add_months", "months": 4, "from": "2025-01-01"}],
                   "citation": "synthetic (bench admin)"}
    added = 0
    stdout.write(f"bench admin: {have:,} deadlines, adding {target - have:,} in chunks of {CHUNK:,} …")
    t0 = time.perf_counter()
    while have + added < target:
        n = min(CHUNK, target - have - added)
        ids = _next_ids(n)
        deadlines, history = [], []
        for pk in ids:
            matter_id, office = matters[rng.randrange(len(matters))]
            status = rng.choice(statuses)
            due = today + dt.timedelta(days=rng.randint(-3 * 365, 5 * 365))
            created = now - dt.timedelta(days=rng.randint(30, 4 * 365), seconds=rng.randint(0, 86_399))
            responsible = rng.choice(users) if rng.random() < 0.8 else None
            d = Deadline(
                pk=pk, matter_id=matter_id, key=f"{KEY_PREFIX}{pk}", origin="engine", rule_id=f"{office}.BENCH",
                rule_version="1", office=office, title=rng.choice(TITLES), kind=rng.choice(kinds), due_date=due,
                extendable=rng.random() < 0.3, optional=False, status=status, responsible_id=responsible,
                citation="synthetic", explanation=explanation, remedies=[], fingerprint=f"{pk:040d}"[-40:],
                latest_date=due + dt.timedelta(days=60) if rng.random() < 0.3 else None,
                done_on=due - dt.timedelta(days=3) if status == "done" else None,
                verified_at=created if rng.random() < 0.7 else None, created_at=created, updated_at=created,
            )
            deadlines.append(d)
            if rng.random() < 0.1 and len(users) > 1:
                first = rng.choice(users)
                history.append(_history_row(d, kind="+", when=created, user_id=None,
                                            reason="bench: synthetic docket", actor="process:bench.admin",
                                            responsible_id=first))
                history.append(_history_row(d, kind="~", when=created + dt.timedelta(days=1), user_id=first,
                                            reason="bench: reassigned", actor=""))
            else:
                history.append(_history_row(d, kind="+", when=created, user_id=None,
                                            reason="bench: synthetic docket", actor="process:bench.admin"))
        _write(deadlines, history)
        added += n
        stdout.write(f"  {have + added:,} deadlines ({time.perf_counter() - t0:.0f} s)")
    return added


def _showcase(stdout):
    """One matter with 40 deadlines reassigned 8 times each by named users: the matter page's history."""
    from django.contrib.auth import get_user_model

    from deadlines.models import Deadline
    from patents.models import Matter

    existing = Deadline.objects.filter(key__startswith=SHOWCASE_KEY).values_list("matter_id", flat=True).first()
    if existing:
        return Matter.objects.get(pk=existing)
    matter = Matter.objects.filter(responsible_paralegal__isnull=False).order_by("pk").first() or \
        Matter.objects.order_by("pk").first()
    users = list(get_user_model().objects.values_list("pk", flat=True).order_by("pk")[:9])
    today = timezone.now().date()
    now = timezone.now()
    ids = _next_ids(40)
    deadlines, history = [], []
    for i, pk in enumerate(ids):
        created = now - dt.timedelta(days=400 - i)
        d = Deadline(
            pk=pk, matter_id=matter.pk, key=f"{SHOWCASE_KEY}{i}", origin="engine", rule_id=f"{matter.office}.BENCH",
            rule_version="1", office=matter.office or "EP", title=f"{TITLES[i % len(TITLES)]} ({i})",
            kind="procedural", due_date=today + dt.timedelta(days=i * 7 - 60), status="open",
            responsible_id=users[8 % len(users)], citation="synthetic", explanation={}, remedies=[],
            created_at=created, updated_at=created,
        )
        deadlines.append(d)
        history.append(_history_row(d, kind="+", when=created, user_id=None, reason="bench: showcase",
                                    actor="process:bench.admin", responsible_id=users[0]))
        for k in range(1, 9):
            by = users[k % len(users)]
            history.append(_history_row(d, kind="~", when=created + dt.timedelta(hours=k), user_id=by,
                                        reason=f"bench: reassignment {k}", actor="",
                                        responsible_id=by if k < 8 else d.responsible_id))
    _write(deadlines, history)
    stdout.write(f"bench admin: showcase matter {matter.reference} (pk {matter.pk}) with 40 deadlines × 8 changes")
    return matter


def _analyze(vacuum: bool) -> None:
    """As autovacuum would leave the tables: fresh statistics and, after a bulk load, the visibility map set
    (without it an index-only scan, the admin's deep pages, still reads the table)."""
    from deadlines.benchmarks.recompute import analyzed_tables

    with connection.cursor() as cursor:
        for table in analyzed_tables():
            cursor.execute(f"{'VACUUM ANALYZE' if vacuum else 'ANALYZE'} {connection.ops.quote_name(table)}")


def _time(client, url: str, samples: int) -> dict:
    timings, queries, status = [], 0, 0
    client.get(url)  # warm: templates compiled, connection open
    for _ in range(samples):
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - t0) * 1000)
        status = response.status_code
        queries = len(ctx)
    timings.sort()
    return {"url": url, "status": status, "p50_ms": round(statistics.median(timings), 1),
            "p95_ms": round(timings[min(len(timings) - 1, int(len(timings) * 0.95))], 1), "queries": queries}


def run(options: dict, stdout) -> dict:
    from django.conf import settings
    from django.test import override_settings

    storages = {**settings.STORAGES,
                "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    with override_settings(STORAGES=storages, ALLOWED_HOSTS=["*"]):
        return _run(options, stdout)


def _run(options: dict, stdout) -> dict:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from deadlines.models import Deadline
    from docketapp.audit import attributed
    from patents.models import Matter

    if connection.vendor != "postgresql":
        raise SystemExit("bench admin needs PostgreSQL (COPY, ANALYZE)")
    t0 = time.perf_counter()
    with attributed(reason="bench: synthetic docket for the admin", process="bench.admin"):
        added = 0 if options["skip_build"] else _top_up(options["deadlines"], options["seed"], stdout)
        showcase = _showcase(stdout)
        user_model = get_user_model()
        admin_user = user_model.objects.filter(username=ADMIN_USERNAME).first() or \
            user_model.objects.create_superuser(ADMIN_USERNAME, "bench-admin@example.invalid", "bench-admin-18")
    build_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    _analyze(vacuum=bool(added) or options["vacuum"])
    analyze_s = time.perf_counter() - t1

    samples = options["samples"]
    client = Client()
    client.force_login(admin_user)
    sample_deadline = Deadline.objects.filter(matter_id=showcase.pk).order_by("pk").first()
    assert sample_deadline is not None  # the showcase has 40
    searched = Matter.objects.exclude(application_number_normalized="").order_by("-pk").first() or showcase
    per_page = 50
    total = Deadline.objects.count()
    # The last page the admin offers: its paginator decides (a capped or estimated count), read from page 1.
    pages: dict[str, str] = {
        "deadline changelist": "/admin/deadlines/deadline/",
        "deadline changelist, page 2": "/admin/deadlines/deadline/?p=2",
        "deadline changelist, last page": "/admin/deadlines/deadline/?p=" + str(_last_page(client, per_page)),
        "deadline search (matter reference prefix)": "/admin/deadlines/deadline/?q=" + showcase.reference[:-1],
        "deadline search (application number)": "/admin/deadlines/deadline/?q="
        + (searched.application_number or searched.reference),
        "deadline filter (open, next 30 days)": "/admin/deadlines/deadline/?status__exact=open&due=30",
        "deadline filter (open, EP, statutory)": "/admin/deadlines/deadline/?status__exact=open&office=EP"
        "&kind__exact=statutory",
        "deadline change page": f"/admin/deadlines/deadline/{sample_deadline.pk}/change/",
        "deadline history page": f"/admin/deadlines/deadline/{sample_deadline.pk}/history/",
        "matter changelist": "/admin/patents/matter/",
        "matter search (reference prefix)": "/admin/patents/matter/?q=" + showcase.reference[:-1],
        "matter search (application number)": "/admin/patents/matter/?q="
        + (searched.application_number or searched.reference),
    }
    results = {name: _time(client, url, samples) for name, url in pages.items()}
    # The matter page as its paralegal opens it (the admin is a superuser: no client scoping).
    reader = showcase.responsible_paralegal or admin_user
    client.force_login(reader)
    matter_pages = {"matter page": reverse("patents:matter-detail", args=[showcase.pk])}
    for name, url_name in (("matter page: timeline fragment", "patents:matter-timeline"),
                           ("matter page: family fragment", "patents:matter-family"),
                           ("matter page: sync panel fragment", "patents:matter-sync-panel")):
        try:
            matter_pages[name] = reverse(url_name, args=[showcase.pk])
        except NoReverseMatch:
            pass  # older code: everything is on the page itself
    for name, url in matter_pages.items():
        results[name] = _time(client, url, samples)
    history_rows = Deadline.history.count()
    return {
        "deadlines": total, "deadline_history_rows": history_rows, "added": added,
        "build_s": round(build_s, 1), "analyze_s": round(analyze_s, 1), "samples": samples,
        "showcase_matter": showcase.reference, "matter_page_user": reader.get_username(),
        "pages": results,
    }


def _last_page(client, per_page: int) -> int:
    """The number of the last page the changelist links to (its paginator's own count)."""
    import re

    body = client.get("/admin/deadlines/deadline/").content.decode()
    numbers = [int(n) for n in re.findall(r"[?&]p=(\d+)", body)]
    return max(numbers, default=1)
