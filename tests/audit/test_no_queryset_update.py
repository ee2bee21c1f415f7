"""QuerySet.update() writes no history row (simple-history records nothing for it), so a change made with it
is invisible in the audit trail and outside the hash chain. None may touch a history-tracked model."""

from __future__ import annotations

import ast
from pathlib import Path

from django.apps import apps

from docketapp.audit_chain import is_chained

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("patents", "deadlines", "docketapp")
QUERYSET_METHODS = {"filter", "exclude", "all", "using", "select_for_update", "order_by", "objects"}

# QuerySet.update() whose model the check cannot see from the code (a variable), each checked by hand.
# (file, enclosing function) -> why it is allowed.
ALLOWED = {
    ("patents/clients/throttle.py", "_write"): "ThrottleBucket: office rate-limit state, not docket data",
    ("patents/clients/throttle.py", "release"): "ThrottleBucket: office rate-limit state, not docket data",
    ("deadlines/admin.py", "confirm_sent"): "Delivery: e-mail outbox rows, not history-tracked",
    ("deadlines/admin.py", "release_for_resend"): "Delivery: e-mail outbox rows, not history-tracked",
    ("deadlines/reminders/sweep.py", "reconcile_reminders"): "Reminder: reminder schedule, not history-tracked",
    ("deadlines/benchmarks/load.py", "prepare"): "the auth User rows of bench load's synthetic users, not docket data",
}


def _tracked_model_names() -> set[str]:
    return {
        m.__name__ for m in apps.get_models()
        if (h := getattr(getattr(m, "history", None), "model", None)) is not None and is_chained(h)
    }


def _root(node: ast.AST) -> tuple[str | None, bool]:
    """(model class name before `.objects`, whether the chain looks like a QuerySet)."""
    querysetish = False
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            if node.attr in QUERYSET_METHODS:
                querysetish = True
            if node.attr == "objects" and isinstance(node.value, ast.Name) and node.value.id[:1].isupper():
                return node.value.id, True
            node = node.value
        elif isinstance(node, ast.Subscript):
            node = node.value
        else:
            return None, querysetish


def _update_calls():
    for package in SOURCES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(), filename=str(path))
            functions: list[tuple[int, int, str]] = [
                (n.lineno, n.end_lineno or n.lineno, n.name)
                for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
            ]
            for node in ast.walk(tree):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "update":
                    enclosing = [f for f in functions if f[0] <= node.lineno <= f[1]]
                    name = min(enclosing, key=lambda f: f[1] - f[0])[2] if enclosing else "<module>"
                    yield str(path.relative_to(ROOT)), node.lineno, name, _root(node.func.value)


def test_no_queryset_update_on_a_history_tracked_model():
    tracked = _tracked_model_names()
    assert {"Matter", "Deadline", "OfficeEvent", "QuarantineItem", "OfficeCodeMapping"} <= tracked
    offending, unexplained = [], []
    for path, line, function, (model, querysetish) in _update_calls():
        if model in tracked:
            offending.append(f"{path}:{line} {model}.objects….update()")
        elif model is None and querysetish and (path, function) not in ALLOWED:
            unexplained.append(f"{path}:{line} in {function}()")
    assert offending == [], "use save(update_fields=…) or bulk_update_with_history inside attributed()"
    assert unexplained == [], "QuerySet.update() on a model the check cannot name: add it to ALLOWED with the reason"
