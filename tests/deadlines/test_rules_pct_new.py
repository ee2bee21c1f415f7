"""PCT rules added by issue 15: Rule 26bis.1 priority claim correction, fees (Rules 14-16), national phase
table beyond US/EP/JP. Each case cites its source in the test id."""

import pytest

from deadlines.rules.pct import NATIONAL_PHASE_TABLE

from .rules_helpers import D, one, run


@pytest.mark.parametrize(
    ("filing", "priority", "due"),
    [
        # 16 months from 15 Mar 2025 = 15 Jul 2026; 4 months from 10 Mar 2026 = 10 Jul 2026: the later.
        pytest.param("2026-03-10", "2025-03-15", "2026-07-15", id="PCT-R26bis.1(a)-later-is-16-months"),
        # Filing early after priority: 4 months from 30 Nov 2026 = 30 Mar 2027 beats 16 months from 1 Nov 2025.
        pytest.param("2026-11-30", "2025-11-01", "2027-03-30", id="PCT-R26bis.1(a)-later-is-4-months"),
        # 16 months from 31 Oct 2026: no 31 Feb, 29 Feb 2028 (leap year, Tuesday) (Rule 80.2).
        pytest.param("2027-10-29", "2026-10-31", "2028-02-29", id="PCT-R26bis.1(a)-R80.2-leap-month-end"),
        # No priority claimed: 4 months from filing only (not 16 months from the filing date).
        pytest.param("2026-03-10", None, "2026-07-10", id="PCT-R26bis.1(a)-no-priority-4-months"),
    ],
)
def test_priority_claim_correction(filing, priority, due):
    facts = {"filing_date": filing, "receiving_office": "IB"}
    if priority:
        facts["priority_date"] = priority
    dl = one(run("WO", [("WO.FILED", filing)], closures={}, **facts), "WO.PRIORITY_CLAIM_CORRECTION")
    assert dl.due_date == D(due)


@pytest.mark.parametrize(
    ("filing", "ro", "due"),
    [
        # 31 Jan 2026 + 1 month: no 31 Feb -> Sat 28 Feb -> Mon 2 Mar 2026 (Rule 80.2, 80.5).
        pytest.param("2026-01-31", "US", "2026-03-02", id="PCT-R14.1(c)-R15.3-R16.1(f)-one-month-month-end"),
        # 25 Nov 2026 + 1 month = 25 Dec (Christmas at the USPTO as RO) -> Sat/Sun -> Mon 28 Dec 2026.
        pytest.param("2026-11-25", "US", "2026-12-28", id="PCT-R80.5-RO-US-Christmas"),
    ],
)
def test_fees_one_month_from_receipt(filing, ro, due):
    dl = one(
        run("WO", [("WO.FILED", filing)], filing_date=filing, receiving_office=ro, priority_date="2026-01-01"),
        "WO.FEES",
    )
    assert dl.due_date == D(due)


@pytest.mark.parametrize(
    ("office", "due"),
    [
        # Priority 15 Jan 2025: 30 months = Thu 15 Jul 2027.
        pytest.param("CN", "2027-07-15", id="PCT-Art22(3)-CN-R120-30-months"),
        pytest.param("CA", "2027-07-15", id="PCT-Art22(3)-CA-s154(1)-30-months"),
        # 31 months = Sun 15 Aug 2027 -> Mon 16 Aug 2027 (weekends only for these offices, and a warning).
        pytest.param("KR", "2027-08-16", id="PCT-Art22(3)-KR-Art201-31-months-Sunday"),
        pytest.param("AU", "2027-08-16", id="PCT-Art22(3)-AU-s29A-31-months-Sunday"),
        pytest.param("IN", "2027-08-16", id="PCT-Art22(3)-IN-rule20(4)-31-months-Sunday"),
    ],
)
def test_national_phase_entries_from_the_table(office, due):
    dls = run(
        "WO",
        [("WO.FILED", "2026-01-10")],
        filing_date="2026-01-10",
        priority_date="2025-01-15",
        designated_offices=(office,),
    )
    dl = one(dls, f"WO.NATIONAL_PHASE_{office}")
    assert dl.due_date == D(due)
    assert dl.office == office
    assert "no holiday calendar" in dl.explanation["warnings"][0]
    assert "WO.NATIONAL_PHASE_US" not in [d.rule for d in dls]  # only the designated office


def test_cn_grace_to_32_months_with_fee():
    dl = one(
        run(
            "WO",
            [("WO.FILED", "2026-01-10")],
            filing_date="2026-01-10",
            priority_date="2025-01-15",
            designated_offices=("CN",),
        ),
        "WO.NATIONAL_PHASE_CN",
    )
    assert dl.latest_date == D("2027-09-15")  # 32 months, Wednesday
    assert not dl.extendable  # a grace with surcharge, not an extension


def test_entry_in_one_office_answers_only_that_office():
    dls = run(
        "WO",
        [("WO.FILED", "2026-01-10"), ("WO.NATIONAL_PHASE_ENTERED", "2027-06-01", {"office": "KR"})],
        filing_date="2026-01-10",
        priority_date="2025-01-15",
        designated_offices=("KR", "IN"),
    )
    assert {d.rule: d.status for d in dls if d.rule.startswith("WO.NATIONAL_PHASE")} == {
        "WO.NATIONAL_PHASE_KR": "superseded",
        "WO.NATIONAL_PHASE_IN": "open",
    }


def test_table_has_at_least_the_required_offices():
    assert {row[0] for row in NATIONAL_PHASE_TABLE} >= {"CN", "KR", "CA", "AU", "IN"}
    assert all(row[1] in (30, 31) for row in NATIONAL_PHASE_TABLE)
