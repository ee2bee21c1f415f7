"""Dependencies point one way: deadlines depends on patents, never the reverse; services never import
presentation code. Read from the source (no imports run), so an import inside a function, or a module named in
a string for ``import_module``, counts as much as one at the top of a file."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# A string that is a whole dotted module path of deadlines ("deadlines.services"), as passed to import_module.
DEADLINES_MODULE_STRING = re.compile(r"^deadlines(\.[A-Za-z_][A-Za-z0-9_]*)+$")

# Modules that write docket data or run in workers, whatever package they sit in (services/, reminders/ …).
SERVICE_PARTS = frozenset(
    {"services", "actions", "reminders", "tasks", "sync", "ingestion", "importing", "truth", "closure_data",
     "signals", "rules", "review", "offices", "normalize", "numbers", "code_seed"}
)
# Modules that turn data into pages: views, page helpers, template tags, URL maps.
PRESENTATION_PARTS = frozenset({"views", "presentation", "templatetags", "urls", "pages", "charts"})


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(source: str, module: str, *, is_package: bool = False) -> Iterator[tuple[int, str]]:
    """(line, module) for every import in ``source`` (top level or in a function, relative ones resolved) and
    every string that names a module path for ``import_module``/``__import__``."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)] if node.level > 1 else anchor
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            yield node.lineno, base
            for alias in node.names:  # ``from . import views`` imports the module deadlines.views
                yield node.lineno, f"{base}.{alias.name}" if base else alias.name
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in {"import_module", "__import__"} and isinstance(node.args[0].value, str):
                yield node.lineno, node.args[0].value
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if DEADLINES_MODULE_STRING.match(node.value):
                yield node.lineno, node.value


def python_files(package: str) -> list[Path]:
    return sorted(p for p in (ROOT / package).rglob("*.py") if "migrations" not in p.parts)


def imports_of(path: Path) -> Iterator[tuple[int, str]]:
    yield from imported_modules(path.read_text(), module_name(path), is_package=path.name == "__init__.py")


def _is_deadlines(module: str) -> bool:
    return module == "deadlines" or module.startswith("deadlines.")


def _parts(module: str) -> set[str]:
    return {part.removesuffix("_views") if part.endswith("_views") else part for part in module.split(".")}


def _is_presentation(module: str) -> bool:
    return module.split(".")[0] in {"patents", "deadlines", "docketapp"} and bool(
        _parts(module) & PRESENTATION_PARTS or any(p.endswith("_views") for p in module.split("."))
    )


def _is_service(module: str) -> bool:
    parts = module.split(".")
    return parts[0] in {"patents", "deadlines"} and bool(set(parts[1:]) & SERVICE_PARTS) and not _is_presentation(
        module
    )


def test_patents_never_imports_deadlines():
    found = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in python_files("patents")
        for line, name in imports_of(path)
        if _is_deadlines(name)
    ]
    assert found == [], "patents must not depend on deadlines (put the code in deadlines or docketapp):\n" + "\n".join(
        found
    )


def test_services_never_import_presentation_code():
    found = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for package in ("patents", "deadlines")
        for path in python_files(package)
        if _is_service(module_name(path))
        for line, name in imports_of(path)
        if _is_presentation(name)
    ]
    assert found == [], "services must not import views, page helpers or template tags:\n" + "\n".join(found)


@pytest.mark.parametrize(
    "source",
    [
        "from deadlines.models import Deadline",
        "import deadlines.services",
        "def f():\n    from deadlines import services\n",
        "import importlib\nimportlib.import_module('deadlines.rules.engine')",
        "from importlib import import_module\nimport_module('deadlines.tasks')",
        "BENCHMARKS = {'recompute': 'deadlines.benchmarks.recompute'}",
        "from .. import deadlines",  # from patents.views: resolves to the top-level deadlines package
    ],
)
def test_the_dependency_check_sees_every_form_of_import(source):
    assert any(_is_deadlines(name) for _line, name in imported_modules(source, "patents.views"))


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("deadlines.reminders", "from .presentation import user_tz"),
        ("deadlines.services.recompute", "from ..views import docket"),
        ("deadlines.actions", "def f():\n    from deadlines.templatetags.docket_tags import responsible_of\n"),
        ("patents.sync", "from . import review_views"),
    ],
)
def test_the_layering_check_sees_a_service_importing_presentation(module, source):
    assert _is_service(module)
    assert any(_is_presentation(name) for _line, name in imported_modules(source, module))


def test_plain_words_and_other_apps_are_not_imports():
    source = '"""Recompute deadlines when an office event changes (see deadlines.services)."""\nx = "deadlines"\n'
    assert not any(_is_deadlines(name) for _line, name in imported_modules(source, "patents.models"))
    assert not _is_presentation("patents.timezones") and not _is_presentation("deadlines.formatting")
