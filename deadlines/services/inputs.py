"""The inputs key of a matter: one digest of everything its deadlines depend on, computed BEFORE anything is
built, so a recompute pass over matters whose inputs did not change reads one short string per matter.

On PostgreSQL the digest is computed by the database in one query per chunk (``string_agg`` + ``md5`` over
the rows the engine would read); elsewhere (SQLite, the test default) the same rows are read as plain tuples
and hashed in Python. The two digests differ from each other but each is deterministic, and a database never
switches vendor under a stored key.

What goes into the key (any change of any of these changes it):

* the engine itself and the closure list (``base``: ``engine_hash() + closures_hash()``), so a rule version,
  a rule's table or fee, a calendar library or a closure added or removed changes every key;
* the matter's row, every column except sync bookkeeping (``SYNC_BOOKKEEPING``): the facts the rules read,
  the stored lifecycle and term end, the parent link, the publication;
* its priority claims; its office events that reach the engine (event id, canonical code, date, params)
  with, per event, whether it is already in the past (``date <= today``: the lifecycle ignores future events);
* whether its stored term end has passed (``term_end <= today``: the lifecycle turns "expired" then);
* its stored engine deadlines (id, key, status, fingerprint, dates, title, closing reason): a row deleted
  or edited by hand is noticed;
* the facts of other matters the docket truth reads (``deadlines.truth.load_contexts``): national/regional
  phase children, other matters' priority claims on this matter's office and filing date, and the chain of
  parents a continuation/divisional term runs from.

Anything else the result could depend on is a bug in this list: ``tests/deadlines/test_recompute_skip.py``
changes each input in turn and checks that the key changes (and that the key is stable otherwise).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from typing import Any

from django.db import connection

from patents.models import EventType, Matter, OfficeEvent, PriorityClaim

from ..models import Deadline
from ..truth import PHASE_RELATIONS, TERM_PARENT_RELATIONS

# Columns of the matter row that change without changing anything the engine or the docket truth reads
# (an office sync stamps ``last_synced`` on every cycle): left out, so a sync alone does not force a recompute.
SYNC_BOOKKEEPING = frozenset({"last_synced", "last_changed", "updated_at", "created_at"})
MAX_PARENT_DEPTH = 50  # a parent chain longer than this is a data error (cycles are cut here too)

_DEADLINE_COLUMNS = ("id", "key", "status", "fingerprint", "due_date", "latest_date", "title", "closed_reason")


def _matter_columns() -> list[str]:
    return [f.column for f in Matter._meta.concrete_fields if f.attname not in SYNC_BOOKKEEPING]


def input_keys(ids: Sequence[int], *, base: str, today: dt.date) -> dict[int, str]:
    """The inputs key of each matter in ``ids`` (ids of matters that do not exist are absent)."""
    if not ids:
        return {}
    if connection.vendor == "postgresql":
        digests = _digests_sql(list(ids), today)
    else:
        digests = _digests_python(list(ids), today)
    return {
        mid: hashlib.sha1(f"{base}|{digest}".encode(), usedforsecurity=False).hexdigest()
        for mid, digest in digests.items()
    }


# --- PostgreSQL: the database hashes the rows ---------------------------------------------------------------


def _digests_sql(ids: list[int], today: dt.date) -> dict[int, str]:
    q = connection.ops.quote_name
    matter = q(Matter._meta.db_table)
    event = q(OfficeEvent._meta.db_table)
    event_type = q(EventType._meta.db_table)
    claim = q(PriorityClaim._meta.db_table)
    deadline = q(Deadline._meta.db_table)
    row = ", ".join(f"m.{q(c)}" for c in _matter_columns())
    deadline_row = ", ".join(f"d.{q(c)}" for c in _DEADLINE_COLUMNS)
    # ROW(...)::text tells NULL from '' (an empty field prints as "" and a NULL as nothing) and jsonb prints
    # its keys in a canonical order, so equal inputs always give equal text.
    sql = f"""
    WITH m AS (SELECT * FROM {matter} WHERE id = ANY(%(ids)s)),
    ev AS (
        SELECT e.matter_id, md5(string_agg(ROW(e.id, t.code, e.date, e.params, e.date <= %(today)s)::text, ';'
                                           ORDER BY e.id)) AS h
        FROM {event} e JOIN {event_type} t ON t.id = e.event_type_id
        WHERE e.matter_id = ANY(%(ids)s) AND NOT t.internal
        GROUP BY e.matter_id),
    dl AS (
        SELECT d.matter_id, md5(string_agg(ROW({deadline_row})::text, ';' ORDER BY d.id)) AS h
        FROM {deadline} d WHERE d.matter_id = ANY(%(ids)s) AND d.origin = %(engine)s
        GROUP BY d.matter_id),
    pc AS (
        SELECT c.matter_id, md5(string_agg(ROW(c.id, c.country, c.number, c.date)::text, ';' ORDER BY c.id)) AS h
        FROM {claim} c WHERE c.matter_id = ANY(%(ids)s)
        GROUP BY c.matter_id),
    ph AS (
        SELECT k.parent_id, md5(string_agg(ROW(k.id, k.office, k.reference, k.filing_date)::text, ';'
                                           ORDER BY k.id)) AS h
        FROM {matter} k WHERE k.parent_id = ANY(%(ids)s) AND k.parent_relation = ANY(%(phase)s)
        GROUP BY k.parent_id),
    cl AS (
        -- One probe of the (country, date) index per matter: as a join, PostgreSQL hashed the whole claim
        -- table for every chunk (35,500 rows at 100k matters, a third of this query's time). NULL when no
        -- other matter claims it, as the join's missing group was.
        SELECT m.id AS matter_id,
               (SELECT md5(string_agg(ROW(c.id, c.number, c.matter_id, o.office, o.reference, o.filing_date)::text,
                                      ';' ORDER BY c.id))
                FROM {claim} c JOIN {matter} o ON o.id = c.matter_id
                WHERE c.country = m.office AND c.date = m.filing_date AND c.matter_id <> m.id) AS h
        FROM m),
    anc AS (
        WITH RECURSIVE chain(root, id, depth) AS (
            SELECT m.id, m.parent_id, 1 FROM m
            WHERE m.parent_id IS NOT NULL AND m.parent_relation = ANY(%(term)s)
            UNION ALL
            SELECT chain.root, p.parent_id, chain.depth + 1 FROM chain JOIN {matter} p ON p.id = chain.id
            WHERE p.parent_id IS NOT NULL AND p.parent_relation = ANY(%(term)s) AND chain.depth < %(depth)s)
        SELECT chain.root, md5(string_agg(ROW(p.id, p.filing_date, p.kind, p.parent_id, p.parent_relation)::text,
                                          ';' ORDER BY chain.depth)) AS h
        FROM chain JOIN {matter} p ON p.id = chain.id
        GROUP BY chain.root)
    SELECT m.id, md5(ROW(ROW({row})::text, m.term_end <= %(today)s, ev.h, dl.h, pc.h, ph.h, cl.h, anc.h)::text)
    FROM m
    LEFT JOIN ev ON ev.matter_id = m.id
    LEFT JOIN dl ON dl.matter_id = m.id
    LEFT JOIN pc ON pc.matter_id = m.id
    LEFT JOIN ph ON ph.parent_id = m.id
    LEFT JOIN cl ON cl.matter_id = m.id
    LEFT JOIN anc ON anc.root = m.id
    """  # noqa: S608 - identifiers from model metadata, every value bound as a parameter
    params: dict[str, Any] = {
        "ids": ids,
        "today": today,
        "engine": Deadline.Origin.ENGINE.value,
        "phase": [str(r) for r in PHASE_RELATIONS],
        "term": [str(r) for r in TERM_PARENT_RELATIONS],
        "depth": MAX_PARENT_DEPTH,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return dict(cursor.fetchall())


# --- other databases: the same rows, hashed in Python -----------------------------------------------------


def _group(rows, key_index: int = 0) -> dict[int, list[tuple]]:
    out: dict[int, list[tuple]] = {}
    for r in rows:
        out.setdefault(r[key_index], []).append(tuple(r))
    return out


def _digests_python(ids: list[int], today: dt.date) -> dict[int, str]:
    columns = [f.attname for f in Matter._meta.concrete_fields if f.attname not in SYNC_BOOKKEEPING]
    matters = {r[0]: r for r in Matter.objects.filter(pk__in=ids).order_by("pk").values_list("pk", *columns)}
    events = _group(
        OfficeEvent.objects.filter(matter_id__in=ids, event_type__internal=False)
        .order_by("pk").values_list("matter_id", "pk", "event_type__code", "date", "params")
    )
    deadlines = _group(
        Deadline.objects.filter(matter_id__in=ids, origin=Deadline.Origin.ENGINE)
        .order_by("pk").values_list("matter_id", "pk", *_DEADLINE_COLUMNS[1:])
    )
    claims = _group(
        PriorityClaim.objects.filter(matter_id__in=ids).order_by("pk").values_list("matter_id", "pk", "country",
                                                                                  "number", "date")
    )
    phases = _group(
        Matter.objects.filter(parent_id__in=ids, parent_relation__in=PHASE_RELATIONS)
        .order_by("pk").values_list("parent_id", "pk", "office", "reference", "filing_date")
    )
    office_i, filing_i = columns.index("office") + 1, columns.index("filing_date") + 1
    wanted: dict[tuple, list[tuple]] = {(r[office_i], r[filing_i]): [] for r in matters.values()}
    if wanted:
        for c in (
            PriorityClaim.objects.filter(country__in={k[0] for k in wanted}, date__in={k[1] for k in wanted})
            .order_by("pk").values_list("country", "date", "pk", "number", "matter_id", "matter__office",
                                        "matter__reference", "matter__filing_date")
        ):
            if (c[0], c[1]) in wanted:
                wanted[(c[0], c[1])].append(c[2:])
    by_claim = {mid: [c for c in wanted[(r[office_i], r[filing_i])] if c[2] != mid] for mid, r in matters.items()}
    out = {}
    term_end_i = columns.index("term_end") + 1
    for mid, r in matters.items():
        term_end = r[term_end_i]
        data = (
            r,
            term_end is not None and term_end <= today,
            [(*e, e[3] <= today) for e in events.get(mid, [])],
            deadlines.get(mid, []),
            claims.get(mid, []),
            phases.get(mid, []),
            by_claim[mid],
            _ancestors(r[columns.index("parent_id") + 1], r[columns.index("parent_relation") + 1]),
        )
        out[mid] = hashlib.sha1(repr(data).encode(), usedforsecurity=False).hexdigest()
    return out


def _ancestors(parent_id: int | None, relation: str) -> list[tuple]:
    chain: list[tuple] = []
    while parent_id and relation in TERM_PARENT_RELATIONS and len(chain) < MAX_PARENT_DEPTH:
        row = Matter.objects.filter(pk=parent_id).values_list("pk", "filing_date", "kind", "parent_id",
                                                              "parent_relation").first()
        if row is None:
            break
        chain.append(row)
        parent_id, relation = row[3], row[4]
    return chain
