"""The generated rule list in the docs is current (docs/rules.md and the README table)."""

from pathlib import Path

from deadlines.rules.doc import rules_markdown, rules_table

ROOT = Path(__file__).resolve().parents[2]


def test_docs_rules_md_is_current():
    assert (ROOT / "docs" / "rules.md").read_text(encoding="utf-8") == rules_markdown(), (
        "regenerate: python -m deadlines.rules.doc > docs/rules.md"
    )


def test_readme_rule_table_is_current():
    assert rules_table() in (ROOT / "README.md").read_text(encoding="utf-8")
