"""Deadline workflows: recompute a matter's deadlines from its office events, preview what a closure moves.

One module per responsibility, in the order a recompute runs:

* ``facts``: what the engine reads (matter facts, office events, stored deadlines, closures);
* ``lifecycle``: glue to the docket truth (derived matter state, deadlines closed by office facts);
* ``inputs``: the inputs key of each matter, computed before anything is built (skip-if-unchanged);
* ``diff``: the engine's result compared with the stored deadlines (``plan_matter``, nothing written);
* ``history_writer``: stores the plan with its history rows, on the audit chain (COPY on PostgreSQL);
* ``recompute``: the driver (chunks, transactions, skip-if-unchanged, the per-matter computation row);
* ``closures``: closure previews and changes (``preview-change``), seeding the closure list.

A stored deadline's explanation is rendered by ``deadlines.explanation`` (page, command line and e-mail).

The names callers use are importable from ``deadlines.services``.
"""

from .closures import (
    apply_closure_change,
    candidate_matters_for_closure,
    preview_closure_change,
    seed_office_closures,
    with_closure_change,
)
from .diff import ENGINE_CLOSED, FINAL_STATUSES, Change, Update, plan_matter
from .facts import (
    MATTER_KINDS,
    MatterSnapshot,
    StoredDeadline,
    event_facts,
    load_closures,
    load_snapshots,
    matter_facts,
)
from .history_writer import COPY_THRESHOLD
from .inputs import input_keys
from .lifecycle import matter_lifecycle
from .recompute import (
    PROCESS,
    RecomputeOutcome,
    all_engine_matter_ids,
    closures_hash,
    engine_hash,
    mark_recompute_pending,
    mark_recompute_pending_many,
    recompute_deadlines,
    recompute_matters,
    recompute_pending,
)

__all__ = [
    "COPY_THRESHOLD",
    "ENGINE_CLOSED",
    "FINAL_STATUSES",
    "MATTER_KINDS",
    "PROCESS",
    "Change",
    "MatterSnapshot",
    "RecomputeOutcome",
    "StoredDeadline",
    "Update",
    "all_engine_matter_ids",
    "apply_closure_change",
    "candidate_matters_for_closure",
    "closures_hash",
    "engine_hash",
    "event_facts",
    "input_keys",
    "load_closures",
    "load_snapshots",
    "mark_recompute_pending",
    "mark_recompute_pending_many",
    "matter_facts",
    "matter_lifecycle",
    "plan_matter",
    "preview_closure_change",
    "recompute_deadlines",
    "recompute_matters",
    "recompute_pending",
    "seed_office_closures",
    "with_closure_change",
]
