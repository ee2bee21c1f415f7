"""docs/rules.md is exactly what `manage.py deadlines rules --markdown` prints, so the rule list a paralegal
reads is the one the engine applies."""

from io import StringIO
from pathlib import Path

from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]


def _command_output(*args: str) -> str:
    out = StringIO()
    call_command("deadlines", "rules", *args, stdout=out)
    return out.getvalue()


def test_docs_rules_md_is_the_commands_output():
    assert (ROOT / "docs" / "rules.md").read_text(encoding="utf-8") == _command_output("--markdown"), (
        "docs/rules.md is stale: python3 manage.py deadlines rules --markdown > docs/rules.md"
    )


def test_the_plain_rule_list_names_every_rule_of_the_markdown():
    plain = _command_output()
    markdown = _command_output("--markdown")
    assert "EP.REPLY_94_3 v2" in plain and "EP.REPLY_94_3 v2" in markdown
    rule_table = markdown.split("## Issue 15 checklist")[0]  # the checklist below has its own table
    table_rows = [line for line in rule_table.splitlines() if line.startswith("| ") and not line.startswith("| rule ")]
    assert len(plain.splitlines()) == len(table_rows)
