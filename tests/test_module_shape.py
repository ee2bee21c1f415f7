"""Module shape: no function over 80 lines without a reason written next to it.

A function longer than that is hard to review and hides several responsibilities. One may still be long for
a good reason (a benchmark driver reading top to bottom, a table of cases); then a comment
``# Long because: <reason>`` sits on the line above its ``def`` (or above its decorators) or in its first
lines (after the docstring).

List the offenders:

    .venv/bin/python tests/test_module_shape.py
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("docketapp", "patents", "deadlines")
MAX_LINES = 80
MARKER = "# Long because:"
# How far past the docstring (or the def line, without one) the reason may sit.
HEAD_LINES = 3


def _python_files() -> Iterator[Path]:
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.relative_to(ROOT).parts:
                yield path


def _has_reason(lines: list[str], node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
    first = node.body[0]
    is_docstring = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(
        first.value.value, str
    )
    head_end = (first.end_lineno or first.lineno) if is_docstring else node.lineno
    # The signature may span several lines: the head runs from the line above the def to a few lines into
    # the body.
    head_end = max(head_end, first.lineno - 1) + HEAD_LINES
    for text in lines[max(start - 2, 0) : head_end]:
        _, found, reason = text.partition(MARKER)
        if found and reason.strip():
            return True
    return False


def _functions(tree: ast.AST) -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    def walk(node: ast.AST, prefix: str) -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                name = prefix + child.name
                yield name, child
                yield from walk(child, name + ".")
            elif isinstance(child, ast.ClassDef):
                yield from walk(child, prefix + child.name + ".")
            else:
                yield from walk(child, prefix)

    yield from walk(tree, "")


def long_functions() -> list[tuple[str, str, int]]:
    """(module path, qualified name, length in lines) of every function over MAX_LINES lines without a
    reason next to it."""
    found = []
    for path in _python_files():
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        for name, node in _functions(ast.parse(source, filename=str(path))):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            if length > MAX_LINES and not _has_reason(lines, node):
                found.append((str(path.relative_to(ROOT)), name, length))
    return found


def test_no_function_over_80_lines_without_a_written_reason():
    offenders = [f"{path}::{name} ({length} lines)" for path, name, length in long_functions()]
    assert not offenders, (
        f"functions over {MAX_LINES} lines: split them, or write `{MARKER} <reason>` on the line above the def "
        "or in its first lines:\n  " + "\n  ".join(offenders)
    )


def test_the_rule_sees_long_functions_and_their_reasons(tmp_path):
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_LINES))
    cases = {
        "plain": (f"def f():\n{body}\n", False),
        "above": (f"# Long because: a table of cases\ndef f():\n{body}\n", True),
        "above_decorator": (f"# Long because: a table of cases\n@staticmethod\ndef f():\n{body}\n", True),
        "after_docstring": (f'def f():\n    """Doc."""\n    # Long because: a table of cases\n{body}\n', True),
        "empty_reason": (f"# Long because:\ndef f():\n{body}\n", False),
        "far_inside": (f"def f():\n{body}\n    # Long because: too late to say\n    return 1\n", False),
    }
    for label, (source, allowed) in cases.items():
        tree = ast.parse(source)
        [(_, node)] = list(_functions(tree))
        assert _has_reason(source.splitlines(), node) is allowed, label
    short = "def f():\n    return 1\n"
    [(_, node)] = list(_functions(ast.parse(short)))
    assert (node.end_lineno or 0) - node.lineno + 1 <= MAX_LINES


if __name__ == "__main__":
    current = long_functions()
    for path, name, length in current:
        print(f"{path}::{name}  {length} lines")
