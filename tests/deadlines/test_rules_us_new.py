"""USPTO rules added by issue 15: appeal brief, Ex parte Quayle, RCE/continuation windows, IDS windows,
foreign priority claim, PTA reconsideration. Each case cites its source in the test id."""

import pytest

from .rules_helpers import D, one, run


def _options(dl):
    ext = [s for s in dl.explanation["steps"] if s["op"] == "extension"]
    return [o["until"] for o in ext[0]["options"]] if ext else []


@pytest.mark.parametrize(
    ("code", "day", "rule", "due", "options"),
    [
        pytest.param(
            "US.NOTICE_OF_APPEAL_FILED",
            "2026-01-30",
            "US.APPEAL_BRIEF",
            "2026-03-30",
            ["2026-04-30", "2026-06-01", "2026-06-30", "2026-07-30", "2026-08-31"],
            id="37CFR41.37(a)-1.136(a)-appeal-brief-2-plus-5-months-weekends",
        ),
        pytest.param(
            "US.NOTICE_OF_APPEAL_FILED",
            "2025-12-31",
            "US.APPEAL_BRIEF",
            "2026-03-02",
            ["2026-03-31", "2026-04-30", "2026-06-01", "2026-06-30", "2026-07-31"],
            id="37CFR41.37(a)-1.7-month-end-28Feb-Saturday-31May-Sunday",
        ),
        pytest.param(
            "US.EX_PARTE_QUAYLE",
            "2026-01-15",
            "US.REPLY_QUAYLE",
            "2026-03-16",
            ["2026-04-15", "2026-05-15", "2026-06-15", "2026-07-15"],
            id="MPEP714.14-Quayle-2-months-capped-at-6",
        ),
        pytest.param(
            "US.NOTICE_OF_ALLOWANCE",
            "2026-09-25",
            "US.RCE_BEFORE_ISSUE_FEE",
            "2026-12-28",
            [],
            id="37CFR1.114(b)-RCE-before-issue-fee-Christmas",
        ),
        pytest.param(
            "US.PATENT_GRANTED",
            "2026-03-03",
            "US.PTA_RECONSIDERATION",
            "2026-05-04",
            ["2026-06-03", "2026-07-06", "2026-08-03", "2026-09-03", "2026-10-05"],
            id="37CFR1.705(b)-PTA-2-months-Sunday-extendable-1.136(a)-observed-Independence-Day",
        ),
        pytest.param(
            "US.FILED",
            "2026-02-27",
            "US.IDS_WITHOUT_FEE",
            "2026-05-27",
            [],
            id="37CFR1.97(b)(1)-IDS-3-months-from-filing",
        ),
    ],
)
def test_us_new_periods(code, day, rule, due, options):
    dl = one(run("US", [(code, day)]), rule)
    assert dl.due_date == D(due)
    assert _options(dl) == options
    assert dl.latest_date == (D(options[-1]) if options else None)


def test_appeal_brief_answered_by_brief_and_withdrawn_by_rce():
    brief = run("US", [("US.NOTICE_OF_APPEAL_FILED", "2026-01-30"), ("US.APPEAL_BRIEF_FILED", "2026-03-20")])
    assert one(brief, "US.APPEAL_BRIEF").status == "superseded"
    rce = run("US", [("US.NOTICE_OF_APPEAL_FILED", "2026-01-30"), ("US.RCE_FILED", "2026-03-02")])
    assert "replaced by US.RCE_FILED" in one(rce, "US.APPEAL_BRIEF").superseded_reason


@pytest.mark.parametrize(
    ("params", "due", "note"),
    [
        pytest.param({"issue_date": "2026-03-24"}, "2026-03-24", "copending", id="35USC120-MPEP211.01(b)-issue-date"),
        pytest.param({}, "2026-03-04", "not recorded", id="35USC120-issue-date-unknown-earliest-possible"),
    ],
)
def test_continuation_window_closes_on_the_issue_date(params, due, note):
    dl = one(run("US", [("US.ISSUE_NOTIFICATION", "2026-03-04", params)]), "US.CONTINUATION_BEFORE_ISSUE")
    assert dl.due_date == D(due)
    assert note in next(s for s in dl.explanation["steps"] if s["op"] == "issue_date")["note"]


def test_ids_window_closed_by_the_first_action():
    dl = one(run("US", [("US.FILED", "2026-02-27"), ("US.NON_FINAL_REJECTION", "2026-05-10")]), "US.IDS_WITHOUT_FEE")
    assert dl.status == "superseded"


def test_ids_97e_statement_three_months_not_moved_past_a_weekend():
    # 37CFR1.97(e)(1): 30 Nov 2026 + 3 months = Sun 28 Feb 2027, shown unrolled (the earlier reading).
    dl = one(run("US", [("US.FOREIGN_OFFICE_CITATION", "2026-11-30")]), "US.IDS_97E_STATEMENT")
    assert dl.due_date == D("2027-02-28")
    assert any(s["op"] == "no_roll" for s in dl.explanation["steps"])


@pytest.mark.parametrize(
    ("filed", "priority", "due"),
    [
        # 4 months = 15 May 2026, 16 months from priority = 20 May 2026: the later.
        pytest.param("2026-01-15", "2025-01-20", "2026-05-20", id="37CFR1.55(d)(1)-later-is-16-months"),
        # 4 months from filing 30 Nov 2026 = 30 Mar 2027 beats 16 months from 2025-10-15 (15 Feb 2027).
        pytest.param("2026-11-30", "2025-10-15", "2027-03-30", id="37CFR1.55(d)(1)-later-is-4-months"),
        # Both land on 29 Feb 2028 (leap year; 31 Oct + 16 months has no 31 Feb).
        pytest.param("2027-10-29", "2026-10-31", "2028-02-29", id="37CFR1.55(d)(1)-leap-year-month-end"),
    ],
)
def test_foreign_priority_claim_later_of_4_and_16_months(filed, priority, due):
    dl = one(run("US", [("US.FILED", filed)], priority_date=priority, filing_date=filed), "US.FOREIGN_PRIORITY_CLAIM")
    assert dl.due_date == D(due)


@pytest.mark.parametrize(
    "facts",
    [
        pytest.param({}, id="37CFR1.55(d)-no-priority-no-deadline"),
        pytest.param({"priority_date": "2025-06-01", "kind": "design"}, id="37CFR1.55(d)(2)-design-no-deadline"),
        pytest.param({"priority_date": "2025-06-01", "route": "pct"}, id="37CFR1.55(d)(1)-not-for-371-applications"),
    ],
)
def test_foreign_priority_claim_only_where_it_applies(facts):
    assert "US.FOREIGN_PRIORITY_CLAIM" not in [d.rule for d in run("US", [("US.FILED", "2026-01-15")], **facts)]


def test_no_pta_reconsideration_for_designs():
    assert not run("US", [("US.PATENT_GRANTED", "2026-03-03")], kind="design")
