"""The issue 15 checklist in docs/rules.md (deadlines/rules/checklist.py) names only rules, office-code mappings
and tests that exist, so it cannot say an item is done when it is not."""

import re
from pathlib import Path

import pytest

from deadlines.rules.checklist import HAND, ITEMS
from deadlines.rules.registry import RULES
from patents.code_seed import MAPPINGS

ROOT = Path(__file__).resolve().parents[2]
RULE_TRIGGERS: dict[str, set[str]] = {}
for _rule in RULES:
    RULE_TRIGGERS.setdefault(_rule.id, set()).update(_rule.triggers)


@pytest.mark.parametrize("item", ITEMS, ids=lambda i: i.item[:60])
def test_every_rule_named_exists_and_its_office_codes_are_the_mapped_ones(item):
    assert set(item.rules) <= set(RULE_TRIGGERS), "unknown rule id"
    triggers = set().union(*(RULE_TRIGGERS[r] for r in item.rules)) if item.rules else set()
    mapped = {f"{office} {source} {code}" for office, source, code, canon, _ in MAPPINGS if canon in triggers}
    unmapped = {t for t in triggers if not any(canon == t for *_, canon, _note in MAPPINGS)}
    expected = mapped | ({HAND} if unmapped else set())
    assert set(item.office_codes) == expected


@pytest.mark.parametrize("ref", [t for i in ITEMS for t in i.tests])
def test_every_test_named_exists_with_its_id(ref):
    match = re.fullmatch(r"(tests/[\w/]+\.py)::(\w+)(?:\[(.+)\])?", ref)
    assert match, ref
    path, function, test_id = match.groups()
    text = (ROOT / path).read_text(encoding="utf-8")
    assert re.search(rf"^def {function}\(", text, re.MULTILINE), f"{function} not in {path}"
    if test_id:
        # parametrized ids are written as id="..." or, in a case table, as the first string of the case
        assert f'id="{test_id}"' in text or f'"{test_id}",' in text, f"{test_id} not in {path}"


def test_every_issue_15_section_is_covered():
    sections = {i.section for i in ITEMS}
    assert sections == {
        "Corrections", "New rules: EP", "New rules: US", "New rules: PCT", "New rules: JP", "Unknown codes and proof"
    }
