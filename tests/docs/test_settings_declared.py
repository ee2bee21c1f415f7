"""Every setting the code reads is declared in docketapp/settings.py, and every environment variable behind it is
documented in .env.example: an operator reading .env.example sees every knob there is, and a typo in a
setting's name fails here instead of silently falling back to a default in production.

The scan reads the source (AST) of docketapp/, patents/, deadlines/ and manage.py: ``settings.X``, ``getattr(settings,
"X", …)``, helpers that wrap such a getattr (``_setting("X", 7)``), ``os.environ`` / ``os.getenv`` reads and
django-environ reads (``env.int("X", …)``). Django's standard settings count only when the code reads them.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("docketapp", "patents", "deadlines")
# Read before there are settings: Django's own, and manage.py's switch for its .venv bootstrap.
BEFORE_SETTINGS = {"DJANGO_SETTINGS_MODULE", "DOCKETAPP_NO_BOOTSTRAP"}
SETTINGS = ROOT / "docketapp" / "settings.py"
ENV_EXAMPLE = ROOT / ".env.example"
# django-environ's readers (environ.Env methods); ``env("X")`` is a read too.
ENV_METHODS = {
    "str", "int", "bool", "float", "list", "tuple", "dict", "json", "url", "path",
    "db", "db_url", "cache", "cache_url", "email", "email_url", "search_url", "get_value",
}  # fmt: skip
NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")


@dataclass(frozen=True)
class EnvName:
    """An environment variable's name; ``prefix`` when it is an f-string (``OFFICE_SYNC_BATCH_{office}``)."""

    name: str
    prefix: bool = False

    def documented_by(self, documented: set[str]) -> bool:
        if self.prefix:
            return any(d.startswith(self.name) and len(d) > len(self.name) for d in documented)
        return self.name in documented


@dataclass
class Reads:
    settings: dict[str, set[str]] = field(default_factory=dict)  # setting -> where ("path:line")
    env: dict[EnvName, set[str]] = field(default_factory=dict)

    def add_setting(self, name: str, where: str) -> None:
        if NAME.match(name):
            self.settings.setdefault(name, set()).add(where)

    def add_env(self, name: EnvName, where: str) -> None:
        self.env.setdefault(name, set()).add(where)


def _const_str(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _env_name(node: ast.AST | None) -> EnvName | None:
    text = _const_str(node)
    if text is not None:
        return EnvName(text) if NAME.match(text) else None
    if isinstance(node, ast.JoinedStr) and node.values:
        head = _const_str(node.values[0])
        if head and NAME.match(head.rstrip("_") or "_"):
            return EnvName(head, prefix=True)
    return None


def _is_os_environ(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "environ"
        and isinstance(node.value, ast.Name)
        and node.value.id == "os"
    )


def _is_settings(node: ast.AST) -> bool:
    return isinstance(node, ast.Name) and node.id == "settings"


def _getattr_settings(node: ast.AST) -> ast.AST | None:
    """The name argument of ``getattr(settings, NAME, …)``, else None."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "getattr"
        and len(node.args) >= 2
        and _is_settings(node.args[0])
    ):
        return node.args[1]
    return None


def setting_wrappers(trees: dict[str, ast.Module]) -> dict[str, int]:
    """Functions that read ``getattr(settings, <their parameter>, …)``: name -> index of that parameter."""
    wrappers: dict[str, int] = {}
    for tree in trees.values():
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            params = [a.arg for a in fn.args.args]
            for node in ast.walk(fn):
                arg = _getattr_settings(node)
                if isinstance(arg, ast.Name) and arg.id in params:
                    wrappers[fn.name] = params.index(arg.id)
    return wrappers


def _call_name(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def _scan_node(node: ast.AST, where: str, reads: Reads, wrappers: dict[str, int], *, in_settings: bool) -> None:
    if isinstance(node, ast.Attribute) and _is_settings(node.value) and isinstance(node.ctx, ast.Load):
        if not in_settings:
            reads.add_setting(node.attr, where)
    elif isinstance(node, ast.Subscript) and _is_os_environ(node.value) and isinstance(node.ctx, ast.Load):
        if name := _env_name(node.slice):
            reads.add_env(name, where)
    elif isinstance(node, ast.Compare) and any(_is_os_environ(c) for c in node.comparators):
        if name := _env_name(node.left):  # "X" in os.environ
            reads.add_env(name, where)
    elif isinstance(node, ast.Call):
        func = node.func
        first = node.args[0] if node.args else None
        if (arg := _getattr_settings(node)) is not None:
            if (text := _const_str(arg)) and not in_settings:
                reads.add_setting(text, where)
        elif isinstance(func, ast.Attribute) and _is_os_environ(func.value) and func.attr == "get":
            if name := _env_name(first):
                reads.add_env(name, where)
        elif (
            isinstance(func, ast.Attribute)
            and func.attr == "getenv"
            and isinstance(func.value, ast.Name)
            and func.value.id == "os"
        ):
            if name := _env_name(first):
                reads.add_env(name, where)
        elif in_settings and (
            (isinstance(func, ast.Name) and func.id == "env")
            or (
                isinstance(func, ast.Attribute)
                and func.attr in ENV_METHODS
                and isinstance(func.value, ast.Name)
                and func.value.id == "env"
            )
        ):
            if name := _env_name(first):
                reads.add_env(name, where)
        elif (fname := _call_name(node)) in wrappers and not in_settings:
            index = wrappers[fname]
            if index < len(node.args) and (text := _const_str(node.args[index])):
                reads.add_setting(text, where)


def scan(trees: dict[str, ast.Module]) -> Reads:
    reads = Reads()
    wrappers = setting_wrappers(trees)
    settings_path = str(SETTINGS.relative_to(ROOT))
    for path, tree in trees.items():
        for node in ast.walk(tree):
            where = f"{path}:{getattr(node, 'lineno', '?')}"
            _scan_node(node, where, reads, wrappers, in_settings=path == settings_path)
    return reads


def source_trees() -> dict[str, ast.Module]:
    trees = {}
    for top in SCANNED:
        for path in sorted((ROOT / top).rglob("*.py")):
            trees[str(path.relative_to(ROOT))] = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    trees["manage.py"] = ast.parse((ROOT / "manage.py").read_text(encoding="utf-8"))
    return trees


def declared_settings(tree: ast.Module) -> set[str]:
    """Names settings.py assigns at module level (inside top-level if/else and try blocks too)."""
    names: set[str] = set()

    def visit(body: list[ast.stmt]) -> None:
        for stmt in body:
            targets: list[ast.expr] = []
            if isinstance(stmt, ast.Assign):
                targets = list(stmt.targets)
            elif isinstance(stmt, ast.AnnAssign | ast.AugAssign):
                targets = [stmt.target]
            for target in targets:
                for node in ast.walk(target):
                    if isinstance(node, ast.Name) and NAME.match(node.id):
                        names.add(node.id)
            if isinstance(stmt, ast.If | ast.Try):
                visit(stmt.body)
                visit(stmt.orelse)
                for handler in getattr(stmt, "handlers", []):
                    visit(handler.body)

    visit(tree.body)
    return names


def documented_variables(text: str) -> set[str]:
    """Variables .env.example sets or shows commented out (``NAME=value`` or ``# NAME=value``)."""
    return {m.group(1) for m in re.finditer(r"^#?\s*([A-Z][A-Z0-9_]*)=", text, re.MULTILINE)}


# --- the checks ----------------------------------------------------------------------------------------------


def test_every_setting_the_code_reads_is_declared_in_settings_py():
    trees = source_trees()
    declared = declared_settings(trees[str(SETTINGS.relative_to(ROOT))])
    reads = scan(trees)
    undeclared = {name: sorted(where) for name, where in reads.settings.items() if name not in declared}
    assert not undeclared, f"read by the code but not declared in docketapp/settings.py: {undeclared}"


def test_every_environment_variable_the_code_reads_is_documented_in_env_example():
    reads = scan(source_trees())
    documented = documented_variables(ENV_EXAMPLE.read_text(encoding="utf-8"))
    missing = {
        name.name + ("*" if name.prefix else ""): sorted(where)
        for name, where in reads.env.items()
        if not name.documented_by(documented)
    }
    assert not missing, f"read from the environment but not documented in .env.example: {missing}"


def test_environment_variables_read_outside_settings_py_are_read_by_settings_py_too():
    """A module that reads os.environ itself would bypass settings.py: the variable must be declared there."""
    trees = source_trees()
    reads = scan(trees)
    settings_path = str(SETTINGS.relative_to(ROOT))
    in_settings = {name for name, where in reads.env.items() if any(w.startswith(settings_path) for w in where)}
    outside = {
        name.name: sorted(where)
        for name, where in reads.env.items()
        if name not in in_settings and name.name not in BEFORE_SETTINGS
    }
    assert not outside, f"read from the environment outside docketapp/settings.py only: {outside}"


def test_env_example_documents_nothing_that_does_not_exist():
    """A variable in .env.example that no code reads is a knob that does nothing: remove it or wire it."""
    reads = scan(source_trees())
    documented = documented_variables(ENV_EXAMPLE.read_text(encoding="utf-8"))
    exact = {n.name for n in reads.env if not n.prefix}
    prefixes = tuple(n.name for n in reads.env if n.prefix)
    stray = sorted(d for d in documented if d not in exact and not d.startswith(prefixes))
    assert not stray, f".env.example documents variables no code reads: {stray}"


# --- the scanner finds what it must (so the checks above cannot pass by finding nothing) ---------------------


def _scan_snippet(source: str, path: str = "patents/example.py") -> Reads:
    return scan({path: ast.parse(source)})


def test_the_scanner_sees_every_form_of_read():
    reads = _scan_snippet(
        "import os\n"
        "from django.conf import settings\n"
        "def _setting(name, default):\n"
        "    return getattr(settings, name, default)\n"
        "a = settings.ALPHA\n"
        "b = getattr(settings, 'BETA', 1)\n"
        "c = _setting('GAMMA', 2)\n"
        "d = os.environ.get('DELTA')\n"
        "e = os.environ['EPSILON']\n"
        "f = 'ZETA' in os.environ\n"
        "g = os.getenv('ETA')\n"
        "settings.THETA = 3\n"
        "os.environ['IOTA'] = 'x'\n"
    )
    assert set(reads.settings) == {"ALPHA", "BETA", "GAMMA"}
    assert {n.name for n in reads.env} == {"DELTA", "EPSILON", "ZETA", "ETA"}


def test_the_scanner_reads_settings_py_env_calls_and_f_string_names():
    reads = _scan_snippet(
        "X = env.int('ONE', default=1)\nY = {o: env.float(f'TWO_{o}', default=2.0) for o in 'AB'}\nZ = env('THREE')\n",
        path=str(SETTINGS.relative_to(ROOT)),
    )
    assert set(reads.env) == {EnvName("ONE"), EnvName("TWO_", prefix=True), EnvName("THREE")}
    assert EnvName("TWO_", prefix=True).documented_by({"TWO_EP"})
    assert not EnvName("TWO_", prefix=True).documented_by({"TWO"})


def test_the_real_code_is_scanned():
    reads = scan(source_trees())
    assert {"REMINDERS_SEND_CHUNK", "OFFICE_PAYLOAD_MAX_BYTES", "AUDIT_STRICT"} <= set(reads.settings)
    assert {EnvName("OPS_KEY"), EnvName("DATABASE_URL"), EnvName("AUDIT_STRICT")} <= set(reads.env)
