"""PCT: national/regional phase entry, Art. 19 and demand ("later of" periods), priority year per RO."""

import pytest

from .rules_helpers import D, one, run, skipped_causes


@pytest.mark.parametrize(
    ("rule", "due"),
    [
        # Priority 30 Apr 2025. US: + 30 months (R80.2) = Sat 30 Oct 2027 -> Mon 1 Nov 2027.
        pytest.param("WO.NATIONAL_PHASE_US", "2027-11-01", id="35USC371(b)-30-months-weekend"),
        # EP: + 31 months = Tue 30 Nov 2027.
        pytest.param("WO.REGIONAL_PHASE_EP", "2027-11-30", id="EPC-R159(1)-31-months"),
        # JP Art. 3: counting starts 1 May 2025, so 30 months end 31 Oct 2027 (Sun) -> Mon 1 Nov 2027.
        pytest.param("WO.NATIONAL_PHASE_JP", "2027-11-01", id="JP-Art184-4-30-months-Art3-month-end"),
    ],
)
def test_national_phase_entry(rule, due):
    dls = run("WO", [("WO.FILED", "2026-04-30")], priority_date="2025-04-30", filing_date="2026-04-30")
    assert one(dls, rule).due_date == D(due)
    assert one(dls, rule).explanation["inputs"]["matter"]["priority_date"] == "2025-04-30"


def test_jp_arithmetic_differs_from_pct_on_national_phase():
    # Priority 28 Feb 2025: PCT R80.2 gives 28 Aug 2027; JP Art. 3 (starting 1 Mar) gives 31 Aug 2027.
    dls = run("WO", [("WO.FILED", "2026-02-27")], priority_date="2025-02-28")
    assert one(dls, "WO.NATIONAL_PHASE_US").due_date == D("2027-08-30")  # 28 Aug 2027 is a Saturday
    assert one(dls, "WO.NATIONAL_PHASE_JP").due_date == D("2027-08-31")


def test_designated_offices_limit_entries_and_entry_answers_its_office():
    dls = run(
        "WO",
        [("WO.FILED", "2026-04-30"), ("WO.NATIONAL_PHASE_ENTERED", "2027-10-01", {"office": "EP"})],
        priority_date="2025-04-30",
        designated_offices=("EP", "US"),
    )
    assert sorted(d.rule for d in dls if "_PHASE_" in d.rule) == ["WO.NATIONAL_PHASE_US", "WO.REGIONAL_PHASE_EP"]
    assert one(dls, "WO.REGIONAL_PHASE_EP").status == "superseded"
    assert one(dls, "WO.NATIONAL_PHASE_US").status == "open"


def test_without_priority_the_international_filing_date_is_the_base():
    dl = one(run("WO", [("WO.FILED", "2026-01-15")], filing_date="2026-01-15"), "WO.NATIONAL_PHASE_US")
    assert dl.due_date == D("2028-07-17")  # 15 Jul 2028 is a Saturday
    assert any(s.get("base") == "filing date (no priority claimed)" for s in dl.explanation["steps"])


def test_missing_dates_are_reported_not_dropped():
    from deadlines.rules import EventFact, MatterFacts, compute

    result = compute(MatterFacts(office="WO"), [EventFact("e0", "WO.FILED", D("2026-01-15"))])
    # The fee and priority-correction periods run from the WO.FILED event itself; the phase entries need the
    # priority or filing date the matter lacks.
    assert sorted(d.rule for d in result.deadlines) == ["WO.FEES", "WO.PRIORITY_CLAIM_CORRECTION"]
    assert {p["rule"] for p in result.problems} == {
        "WO.NATIONAL_PHASE_US",
        "WO.REGIONAL_PHASE_EP",
        "WO.NATIONAL_PHASE_JP",
    }


@pytest.mark.parametrize(
    ("isr", "priority", "rule", "due", "chosen"),
    [
        # 2 months from transmittal (20 Oct 2026) is later than 16 months from priority (30 Aug 2026).
        pytest.param(
            "2026-08-20",
            "2025-04-30",
            "WO.ART19_AMENDMENTS",
            "2026-10-20",
            0,
            id="PCT-R46.1-later-of-2-months-from-ISR",
        ),
        # 16 months from priority (30 Aug 2026, Sunday -> 31 Aug) is later than 2 months from an early ISR.
        pytest.param(
            "2026-05-04",
            "2025-04-30",
            "WO.ART19_AMENDMENTS",
            "2026-08-31",
            1,
            id="PCT-R46.1-later-of-16-months-from-priority",
        ),
        # 22 months from priority = 30 Feb -> 28 Feb 2027 (Sunday) -> 1 Mar 2027 on the EPO (IPEA) calendar.
        pytest.param(
            "2026-08-20",
            "2025-04-30",
            "WO.DEMAND",
            "2027-03-01",
            1,
            id="PCT-R54bis.1-later-of-22-months-from-priority",
        ),
        pytest.param(
            "2026-12-20",
            "2025-04-30",
            "WO.DEMAND",
            "2027-03-22",
            0,
            id="PCT-R54bis.1-later-of-3-months-from-ISR",
        ),
    ],
)
def test_later_of_periods(isr, priority, rule, due, chosen):
    dl = one(run("WO", [("WO.ISR_TRANSMITTED", isr)], priority_date=priority, ipea="EP"), rule)
    assert dl.due_date == D(due)
    later = next(s for s in dl.explanation["steps"] if s["op"] == "later_of")
    assert later["result"] == later["candidates"][chosen]
    assert dl.extendable is False


def test_demand_uses_ipea_calendar():
    # 22 months from 4 Sep 2025 = 4 Jul 2027 (Sunday) -> 5 Jul 2027 is the observed Independence Day for
    # a US IPEA -> 6 Jul; the EPO as IPEA is open on 5 Jul.
    us = one(run("WO", [("WO.ISR_TRANSMITTED", "2026-11-02")], priority_date="2025-09-04", ipea="US"), "WO.DEMAND")
    ep = one(run("WO", [("WO.ISR_TRANSMITTED", "2026-11-02")], priority_date="2025-09-04", ipea="EP"), "WO.DEMAND")
    assert (us.due_date, ep.due_date) == (D("2027-07-06"), D("2027-07-05"))
    assert "Independence Day (observed)" in skipped_causes(us)
    unknown = one(run("WO", [("WO.ISR_TRANSMITTED", "2026-11-02")], priority_date="2025-09-04"), "WO.DEMAND")
    assert "no holiday calendar" in unknown.explanation["warnings"][0]


@pytest.mark.parametrize(
    ("ro", "closures", "due"),
    [
        pytest.param(
            "RO/IB",
            {"IB": {D("2026-12-24"): ("closure", "WIPO"), D("2026-12-25"): ("closure", "WIPO")}},
            "2026-12-28",
            id="PCT-Art8(2)-R80.5-RO-IB-closure",
        ),
        pytest.param("US", {}, "2026-12-24", id="PCT-R80.5-RO-US-open-on-24-Dec-2026"),
        # no EP data for 2026: the recurring 24-26 Dec apply (provisional), 27 Dec is a Sunday
        pytest.param("EP", {}, "2026-12-28", id="PCT-R80.5-RO-EP-without-closure-data-provisional"),
    ],
)
def test_pct_priority_year_uses_receiving_office_calendar(ro, closures, due):
    dl = one(
        run("WO", [("WO.PRIORITY_APPLICATION_FILED", "2025-12-24")], closures=closures, receiving_office=ro),
        "WO.PRIORITY_YEAR",
    )
    assert dl.due_date == D(due)
    assert dl.remedies[0]["citation"] == "PCT Rule 26bis.3(e)"
