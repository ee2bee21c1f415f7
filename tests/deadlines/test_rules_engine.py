"""Engine-wide guarantees: purity, stable keys, JSON shape, nothing dropped."""

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from deadlines.rules import RULES, event_codes, trigger_codes

from .rules_helpers import one, run

RULES_DIR = Path(__file__).resolve().parents[2] / "deadlines" / "rules"


def test_rules_package_imports_and_computes_with_django_blocked():
    code = (
        "import sys; sys.modules['django'] = None\n"  # any 'import django...' now raises ImportError
        "from datetime import date\n"
        "from deadlines.rules import compute_deadlines, MatterFacts, EventFact\n"
        "ev = EventFact('x', 'EP.COMMUNICATION_94_3', date(2025, 10, 31))\n"
        "out = compute_deadlines(MatterFacts(office='EP'), [ev])\n"
        "print(out[0].due_date)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=RULES_DIR.parents[1], check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "2026-03-02"


def test_no_module_under_rules_mentions_django():
    for path in RULES_DIR.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                assert not any(a.name.split(".")[0] == "django" for a in node.names), path
            if isinstance(node, ast.ImportFrom) and node.module:
                assert node.module.split(".")[0] != "django", path


def test_every_rule_carries_citation_office_kind_and_terms():
    for rule in RULES:
        assert rule.citation and rule.office and rule.terms and rule.triggers, rule.id


@pytest.mark.parametrize(
    "code",
    [
        "US.NON_FINAL_REJECTION",
        "US.FINAL_REJECTION",
        "US.RESTRICTION_REQUIREMENT",
        "US.MISSING_PARTS_NOTICE",
        "US.NOTICE_OF_ALLOWANCE",
        "US.PATENT_GRANTED",
        "US.PROVISIONAL_FILED",
        "EP.COMMUNICATION_94_3",
        "EP.RULE_71_3_COMMUNICATION",
        "EP.RULE_161_162_COMMUNICATION",
        "EP.SEARCH_REPORT_PUBLISHED",
        "EP.LOSS_OF_RIGHTS_NOTED",
        "EP.FILED",
        "WO.FILED",
        "WO.ISR_TRANSMITTED",
        "US.PRIORITY_APPLICATION_FILED",
        "EP.PRIORITY_APPLICATION_FILED",
        "JP.PRIORITY_APPLICATION_FILED",
        "WO.PRIORITY_APPLICATION_FILED",
        "JP.FILED",
        "JP.NOTICE_OF_REASONS_FOR_REFUSAL",
        "JP.DECISION_OF_REFUSAL",
        "JP.REGISTERED",
    ],
)
def test_issue_canonical_codes_all_have_rules(code):
    assert code in trigger_codes()
    assert {"US.RESPONSE_FILED", "US.ADVISORY_ACTION", "EP.REPLY_FILED"} <= event_codes()


def test_keys_are_stable_and_do_not_depend_on_version_or_order():
    a = run("US", [("US.NON_FINAL_REJECTION", "2026-01-05"), ("US.PATENT_GRANTED", "2021-08-31")])
    b = run("US", [("US.NON_FINAL_REJECTION", "2026-01-05"), ("US.PATENT_GRANTED", "2021-08-31")])
    assert [d.key for d in a] == [d.key for d in b]
    assert len({d.key for d in a}) == len(a)
    assert "US.REPLY_NON_FINAL:e0" in {d.key for d in a}


def test_past_due_deadlines_are_returned_not_dropped():
    dls = run("EP", [("EP.COMMUNICATION_94_3", "2019-01-10")], today="2026-11-21")
    assert one(dls, "EP.REPLY_94_3").status == "past_due"


def test_result_serialises_to_the_documented_json_shape():
    dl = one(run("EP", [("EP.COMMUNICATION_94_3", "2025-10-31", {"period_months": 4})]), "EP.REPLY_94_3")
    data = json.loads(json.dumps(dl.as_json()))
    assert {
        "rule",
        "title",
        "office",
        "trigger",
        "due_date",
        "extendable",
        "latest_date",
        "kind",
        "status",
        "citation",
        "explanation",
        "remedies",
    } <= set(data)
    assert data["due_date"] == "2026-03-02" and data["latest_date"] == "2026-04-30"
    assert data["remedies"][0] == {
        "name": "further processing",
        "until": None,
        "citation": "EPC Art. 121; Rule 135(1)",
        "basis": data["remedies"][0]["basis"],
    }
