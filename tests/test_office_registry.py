"""Everything specific to an office lives in its package under patents/offices/ and is read from the registry.

The scan fails on an office ladder anywhere else: a comparison with an office code (``office == "EP"``,
``office in ("EP", "WO")``), a dict keyed by office codes, or a literal tuple/list/set of office codes.
Adding an office must stay "one package + one registry line + rules + mappings" (docs/offices.md).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from patents.offices import OFFICES, OFFICES_BY_CODE, get_office

ROOT = Path(__file__).resolve().parents[1]
SCANNED = ("docketapp", "patents", "deadlines")
CODES = frozenset(o.code for o in OFFICES)

# Left out of the scan, and why:
EXCLUDED = {
    # The offices' own packages: being per office is their job.
    "patents/offices": "the office packages and the registry",
    # Migrations are history: they must keep running as they were written.
    "patents/migrations": "migrations are frozen history",
    "deadlines/migrations": "migrations are frozen history",
    # The deadline rules are written per office by nature (EPC, 37 CFR, the PCT, the Japanese Patent Act);
    # the rule registry picks the module, and each module's triggers are mapped codes (checked below).
    "deadlines/rules": "rule modules are per office by nature",
    # The simulator plays the offices for development and tests; it is not on the request path and must
    # not import the clients (tests/simulator checks that), so it keeps its own per-office answers.
    "patents/simulator": "the office simulator, a development and test tool",
}

# Single lines still allowed to branch on an office code, as (path, line text fragment) → reason. Empty:
# which matter kinds an office files is on its descriptor (Office.exclusive_kinds, read by Matter.clean).
ALLOWED: dict[tuple[str, str], str] = {}
# Whole files, and why.
ALLOWED_FILES = {
    # The recompute benchmark's workload: synthetic matters whose event histories are chosen per office to
    # fire that office's deadline rules (EP.COMMUNICATION_94_3, US.NON_FINAL_REJECTION, …). Like the rule
    # modules it is written against the rules, not against office data handling; it routes no office data,
    # and a fixed mix keeps its published figures comparable from one version to the next.
    "deadlines/benchmarks/recompute.py": "synthetic benchmark data",
}


def _is_code(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in CODES


def _codes_in(node: ast.AST) -> int:
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return sum(1 for e in node.elts if _is_code(e))
    return 0


def _ladders(tree: ast.AST) -> list[tuple[int, str]]:
    """Comparisons with office codes, dicts keyed by them, and lists of offices to act on: a tuple of two or
    more codes bound to a name or looped over. A list passed as data (a PCT's designated states) is not
    a ladder."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(_is_code(s) or _codes_in(s) for s in sides):
                found.append((node.lineno, "comparison with an office code"))
        elif isinstance(node, ast.Dict):
            if any(k is not None and (_is_code(k) or _codes_in(k)) for k in node.keys):
                found.append((node.lineno, "dict keyed by office code"))
        elif isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None and _codes_in(node.value) >= 2:
            found.append((node.lineno, "tuple of office codes"))
        elif isinstance(node, ast.For | ast.comprehension) and _codes_in(node.iter) >= 2:
            found.append((node.iter.lineno, "loop over office codes"))
        elif isinstance(node, ast.keyword) and node.arg == "choices" and _codes_in(node.value) >= 2:
            found.append((node.value.lineno, "office codes as choices"))
    return found


def _scanned_files() -> list[Path]:
    out = []
    for top in SCANNED:
        for path in sorted((ROOT / top).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if not any(rel == ex or rel.startswith(ex + "/") for ex in EXCLUDED):
                out.append(path)
    return out


def test_no_office_ladder_outside_the_office_packages():
    files = _scanned_files()
    assert len(files) > 50  # the scan really reads the apps
    offenders = []
    for path in files:
        rel = path.relative_to(ROOT).as_posix()
        lines = path.read_text().splitlines()
        for lineno, what in _ladders(ast.parse(path.read_text(), filename=rel)):
            text = lines[lineno - 1].strip()
            if rel in ALLOWED_FILES or any(rel == p and frag in text for p, frag in ALLOWED):
                continue
            offenders.append(f"{rel}:{lineno}: {what}: {text}")
    assert offenders == [], "office-specific code belongs in patents/offices/<code>:\n" + "\n".join(offenders)


def test_the_scan_catches_the_ladders_it_is_for():
    source = '''
if office == "EP":
    pass
if office in ("EP", "WO"):
    pass
BATCH = {"US": 20}
OFFICES = ("EP", "WO", "US", "JP")
for office in ["US", "JP"]:
    pass
matter(designated_offices=["EP", "US", "JP"])
parser.add_argument("--office", choices=["EP", "US"])
'''
    assert sorted(what for _, what in _ladders(ast.parse(source))) == [
        "comparison with an office code", "comparison with an office code", "dict keyed by office code",
        "loop over office codes", "office codes as choices", "tuple of office codes",
    ]


def test_registry_lookup():
    assert [o.code for o in OFFICES] == ["EP", "WO", "US", "JP", "LENS"]
    assert get_office("ep") is OFFICES_BY_CODE["EP"]
    assert get_office("USPTO").code == "US" and get_office("ops").code == "EP"
    with pytest.raises(KeyError):
        get_office("XX")


@pytest.mark.parametrize("office", OFFICES, ids=lambda o: o.code)
def test_each_descriptor_is_complete(office):
    """A synced office says how it is fetched, stored and parsed; every office can build a client."""
    assert office.make_client is not None and office.credentials
    if office.synced:
        assert office.sync_kind in office.payload_kinds and office.parse is not None
        assert office.batch_size >= 1 and office.freshness_hours > 0 and office.sync_number is not None
    assert set(office.file_kinds.values()) <= office.payload_kinds
    assert all(row[0] == office.code for row in office.mappings)
    with pytest.raises(AttributeError):
        office.code = "XX"  # type: ignore[misc]  # frozen: one value per office, nobody patches it
