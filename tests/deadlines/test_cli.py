"""`manage.py deadlines ...`: JSON in/out in the documented shape, exit status 2 on bad input."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from deadlines import services
from deadlines.models import Deadline, OfficeClosure
from tests.factories import MatterFactory

from .test_recompute import TODAY, add_event, recompute

ISSUE_EXAMPLE = {
    "office": "EP",
    "matter": {
        "kind": "patent",
        "filing_date": "2024-03-15",
        "priority_date": None,
        "grant_date": None,
        "applicant_residence": "domestic",
        "receiving_office": None,
        "ipea": None,
        "designated_offices": [],
    },
    "events": [{"code": "EP.COMMUNICATION_94_3", "date": "2025-10-31", "params": {"period_months": 4}}],
}


def run_compute(payload, *args, stdin=None, monkeypatch=None):
    out, err = io.StringIO(), io.StringIO()
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    call_command("deadlines", "compute", "--today", "2025-11-01", *args, stdout=out, stderr=err)
    return json.loads(out.getvalue()), err.getvalue()


@pytest.mark.django_db
def test_compute_from_file_prints_issue_shape_and_writes_nothing(tmp_path):
    path = tmp_path / "in.json"
    path.write_text(json.dumps(ISSUE_EXAMPLE))
    data, _ = run_compute(None, "--input", str(path), "--closures", "seed")
    assert [d["rule"] for d in data] == ["EP.REPLY_94_3"]
    d = data[0]
    assert {
        k: d[k]
        for k in (
            "title",
            "office",
            "trigger",
            "due_date",
            "extendable",
            "latest_date",
            "kind",
            "status",
            "citation",
        )
    } == {
        "title": "Reply to communication under Art. 94(3) EPC",
        "office": "EP",
        "trigger": "events[0]",
        "due_date": "2026-03-02",
        "extendable": True,
        "latest_date": "2026-04-30",
        "kind": "statutory",
        "status": "open",
        "citation": "EPC Art. 94(3); Rules 71(1), 132(2)",
    }
    assert d["remedies"][0]["name"] == "further processing"
    assert d["explanation"]["steps"]
    assert not Deadline.objects.exists() and not OfficeClosure.objects.exists()


@pytest.mark.django_db
def test_compute_reads_stdin_and_uses_seed_closures_when_table_empty(monkeypatch):
    payload = {
        "office": "EP",
        "matter": {},
        "events": [{"code": "EP.RULE_71_3_COMMUNICATION", "date": "2025-08-24"}],
    }
    data, err = run_compute(None, stdin=json.dumps(payload), monkeypatch=monkeypatch)
    assert data[0]["due_date"] == "2026-01-02"  # EPO year-end closure 24 Dec 2025 - 1 Jan 2026
    assert "using deadlines/closure_data.py" in err


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        pytest.param("{", "(root)", id="not-json"),
        pytest.param([], "(root)", id="not-an-object"),
        pytest.param({"matter": {}, "events": []}, "office", id="office-missing"),
        pytest.param({"office": "EPO!", "matter": {}, "events": []}, "office", id="office-bad"),
        pytest.param(
            {"office": "EP", "matter": {"filing_date": "2025-02-30"}, "events": []},
            "matter.filing_date",
            id="impossible-date",
        ),
        pytest.param(
            {"office": "EP", "matter": {"applicant_residence": "mars"}, "events": []},
            "matter.applicant_residence",
            id="residence",
        ),
        pytest.param({"office": "EP", "matter": {"colour": 1}, "events": []}, "matter.colour", id="unknown-field"),
        pytest.param({"office": "EP", "matter": {}, "events": {}}, "events", id="events-not-list"),
        pytest.param(
            {"office": "EP", "matter": {}, "events": [{"code": "reply", "date": "2025-01-01"}]},
            "events[0].code",
            id="code",
        ),
        pytest.param(
            {"office": "EP", "matter": {}, "events": [{"code": "EP.FILED"}]},
            "events[0].date",
            id="date-missing",
        ),
        pytest.param(
            {
                "office": "EP",
                "matter": {},
                "events": [{"code": "EP.COMMUNICATION_94_3", "date": "2025-01-01", "params": {"period_months": 9}}],
            },
            "events[0].params.period_months",
            id="period-months-range",
        ),
    ],
)
def test_bad_input_names_the_field_and_exits_2(payload, field, monkeypatch):
    raw = payload if isinstance(payload, str) else json.dumps(payload)
    monkeypatch.setattr("sys.stdin", io.StringIO(raw))
    with pytest.raises(CommandError) as exc:
        call_command("deadlines", "compute", "--closures", "none", stdout=io.StringIO(), stderr=io.StringIO())
    assert exc.value.returncode == 2
    assert f"invalid input: {field}:" in str(exc.value)


@pytest.mark.django_db
def test_explain_prints_steps_and_roll_forward_cause():
    matter = MatterFactory(office="EP")
    add_event(matter, "EP.COMMUNICATION_94_3", "2025-10-31")
    recompute(matter)
    dl = Deadline.objects.get(matter=matter)
    out = io.StringIO()
    call_command("deadlines", "explain", str(dl.pk), stdout=out)
    text = out.getvalue()
    assert "+ 4 months from 2025-10-31 (event) = 2026-02-28" in text
    assert "2026-02-28: Saturday [weekend]" in text
    assert "remedy: further processing" in text


@pytest.mark.django_db
def test_recompute_dry_run_shows_and_writes_nothing_then_applies():
    matter = MatterFactory(office="EP")
    add_event(matter, "EP.COMMUNICATION_94_3", "2025-10-31")
    out = io.StringIO()
    call_command("deadlines", "recompute", "--matter", matter.reference, "--dry-run", stdout=out)
    assert "create    matter" in out.getvalue() and "dry run" in out.getvalue()
    assert not Deadline.objects.exists()
    call_command("deadlines", "recompute", "--all", "--reason", "rule change: test", stdout=io.StringIO())
    assert Deadline.objects.get().history.get().history_change_reason.startswith("rule change: test: created")


@pytest.mark.django_db
def test_preview_change_command_and_apply_requires_source():
    matter = MatterFactory(office="EP")
    add_event(matter, "EP.RULE_71_3_COMMUNICATION", "2026-01-04")
    services.recompute_deadlines(matter=matter, reason="setup", today=TODAY)
    out = io.StringIO()
    call_command("deadlines", "preview-change", "--office", "EP", "--date", "2026-05-04", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["applied"] is False
    assert [(c["action"], c["old_due"], c["new_due"]) for c in data["changes"]] == [
        ("move", "2026-05-04", "2026-05-05")
    ]
    with pytest.raises(CommandError):
        call_command("deadlines", "preview-change", "--office", "EP", "--date", "2026-05-04", "--apply")
    call_command(
        "deadlines",
        "preview-change",
        "--office",
        "EP",
        "--date",
        "2026-05-04",
        "--apply",
        "--reason",
        "strike",
        "--source",
        "EPO notice",
        stdout=io.StringIO(),
    )
    assert OfficeClosure.objects.get().source == "EPO notice"
    assert Deadline.objects.get(matter=matter).due_date.isoformat() == "2026-05-05"
