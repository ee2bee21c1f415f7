"""EPO rules added by issue 15: opposition (watched), unitary effect, validation, appeal, divisional and
Euro-PCT renewal fees. Each case cites its source in the test id."""

import pytest

from deadlines.rules import EventFact, MatterFacts, compute
from deadlines.rules.ep import NO_VALIDATION_ACT, VALIDATION_TABLE

from .rules_helpers import D, one, run


def _compute(events, today=None, **facts):
    for k, v in list(facts.items()):
        if k.endswith("_date") and isinstance(v, str):
            facts[k] = D(v)
    evs = [EventFact(f"e{i}", e[0], D(e[1]), e[2] if len(e) > 2 else {}) for i, e in enumerate(events)]
    return compute(MatterFacts(office="EP", **facts), evs, {}, today=D(today) if today else None)


@pytest.mark.parametrize(
    ("grant", "due"),
    [
        # 27 May 2026 + 9 months = Sat 27 Feb 2027 -> Mon 1 Mar 2027.
        pytest.param("2026-05-27", "2027-03-01", id="EPC-Art99(1)-opposition-9-months-ends-Saturday"),
        # 31 May 2028 + 9 months: no 31 Feb -> 28 Feb 2029 (Wed) (Rule 131(4)).
        pytest.param("2028-05-31", "2029-02-28", id="EPC-Art99(1)-R131(4)-opposition-month-end"),
    ],
)
def test_opposition_period_for_a_watched_patent(grant, due):
    dls = run("EP", [("EP.PATENT_GRANTED", grant, {"watched": True})], designated_offices=("ES",))
    assert [d.rule for d in dls] == ["EP.OPPOSITION"]  # no unitary effect or validation for someone else's patent
    assert dls[0].due_date == D(due)
    assert dls[0].latest_date is None


def test_own_grant_has_no_opposition_deadline():
    dls = run("EP", [("EP.PATENT_GRANTED", "2026-05-27")], designated_offices=("DE",))
    assert "EP.OPPOSITION" not in [d.rule for d in dls]


@pytest.mark.parametrize(
    ("grant", "due"),
    [
        # 28 Jan 2026 + 1 month = Sat 28 Feb -> Mon 2 Mar 2026.
        pytest.param("2026-01-28", "2026-03-02", id="UPR-R6(1)-one-month-ends-Saturday"),
        # 31 Dec 2025 + 1 month = Sat 31 Jan 2026 -> Mon 2 Feb 2026.
        pytest.param("2025-12-31", "2026-02-02", id="UPR-R6(1)-EPC-R131-month-end"),
        # 30 Jan 2024 + 1 month: no 30 Feb in a leap year -> Thu 29 Feb 2024.
        pytest.param("2024-01-30", "2024-02-29", id="UPR-R6(1)-EPC-R131(4)-leap-year"),
    ],
)
def test_unitary_effect_request_one_month(grant, due):
    dl = one(run("EP", [("EP.PATENT_GRANTED", grant)], designated_offices=("DE",)), "EP.UNITARY_EFFECT_REQUEST")
    assert dl.due_date == D(due)
    assert (dl.latest_date, dl.extendable) == (None, False)
    assert dl.remedies[0]["citation"] == "Rule 22 UPR"


def test_no_unitary_effect_before_1_june_2023():
    dls = run("EP", [("EP.PATENT_GRANTED", "2023-05-31")], designated_offices=("DE",))
    assert "EP.UNITARY_EFFECT_REQUEST" not in [d.rule for d in dls]


def test_validation_per_designated_state_three_months():
    dls = run("EP", [("EP.PATENT_GRANTED", "2026-01-28")], designated_offices=("ES", "DE", "IT"))
    validation = sorted((d.rule, d.due_date) for d in dls if d.rule.startswith("EP.VALIDATION"))
    # EPC-Art65(1): 28 Jan 2026 + 3 months = Tue 28 Apr 2026; DE requires nothing (London Agreement).
    assert validation == [("EP.VALIDATION_ES", D("2026-04-28")), ("EP.VALIDATION_IT", D("2026-04-28"))]
    answered = run(
        "EP",
        [("EP.PATENT_GRANTED", "2026-01-28"), ("EP.VALIDATED", "2026-03-02", {"office": "ES"})],
        designated_offices=("ES", "IT"),
    )
    assert {d.rule: d.status for d in answered if d.rule.startswith("EP.VALIDATION")} == {
        "EP.VALIDATION_ES": "superseded",
        "EP.VALIDATION_IT": "open",
    }


@pytest.mark.parametrize(
    ("grant", "due"),
    [
        # Thu 24 Dec 2026: the EPO is closed 24 Dec - 1 Jan (OJ EPO 2025, A40), the national office is not
        # bound by that; v1 said Mon 4 Jan 2027, after the real date.
        pytest.param("2026-09-24", "2026-12-24", id="EPC-Art65(1)-national-act-not-moved-by-EPO-Christmas-closure"),
        # Thu 4 Jun 2026, Corpus Christi: Munich closed (Rule 134(1) EPC), not a reason for the national period.
        pytest.param("2026-03-04", "2026-06-04", id="EPC-Art65(1)-national-act-not-moved-by-Munich-Corpus-Christi"),
        # 30 Nov 2027 + 3 months: no 30 Feb -> Tue 29 Feb 2028 (leap year).
        pytest.param("2027-11-30", "2028-02-29", id="EPC-Art65(1)-R131(4)-leap-year-month-end"),
        # Sat 28 Feb 2026 -> Mon 2 Mar 2026: weekends count everywhere.
        pytest.param("2025-11-28", "2026-03-02", id="EPC-Art65(1)-weekend-rolls-to-Monday"),
    ],
)
def test_validation_is_counted_on_the_national_calendar_not_the_epos(grant, due):
    from deadlines.closure_data import closures_mapping

    dls = run("EP", [("EP.PATENT_GRANTED", grant)], designated_offices=("ES",), closures=closures_mapping())
    dl = one(dls, "EP.VALIDATION_ES")
    assert dl.due_date == D(due)
    assert any("no holiday calendar for office 'ES'" in w for w in dl.explanation["warnings"])


def test_validation_states_missing_or_unknown_are_problems_not_silence():
    none_listed = _compute([("EP.PATENT_GRANTED", "2026-01-28")])
    assert [p["rule"] for p in none_listed.problems] == ["EP.VALIDATION"]
    assert "designated states" in none_listed.problems[0]["message"]
    unknown = _compute([("EP.PATENT_GRANTED", "2026-01-28")], designated_offices=("KH", "ES"))
    assert [p["message"] for p in unknown.problems] == [
        "no validation rule for KH: check its national requirement (EPC Art. 65) by hand"
    ]
    assert "EP.VALIDATION_ES" in [d.rule for d in unknown.deadlines]


def test_missing_validation_states_of_an_old_grant_are_not_a_problem():
    # EPC-Art65(1): the three months after the 2019 grant are long over; asking for its states now is noise.
    old = _compute([("EP.PATENT_GRANTED", "2019-01-30")], today="2026-12-03")
    assert old.problems == []
    running = _compute([("EP.PATENT_GRANTED", "2026-11-25")], today="2026-12-03")
    assert [p["rule"] for p in running.problems] == ["EP.VALIDATION"]


def test_validation_table_is_consistent():
    states = [s for s, _ in VALIDATION_TABLE]
    assert len(states) == len(set(states))
    assert not set(states) & set(NO_VALIDATION_ACT)


@pytest.mark.parametrize(
    ("decision", "notice", "grounds", "version"),
    [
        # Date borne (from 1 Nov 2023): 31 Mar 2026 + 2 months = Sun 31 May -> Mon 1 Jun; + 4 months = 31 Jul.
        pytest.param("2026-03-31", "2026-06-01", "2026-07-31", 2, id="EPC-Art108-R126(2)-new-notice-and-grounds"),
        # Ten-day rule: 20 Oct 2023 deemed notified 30 Oct; +2 months = Sat 30 Dec 2023 -> 1 Jan 2024 recurs
        # (provisional) -> Tue 2 Jan 2024; +4 months: no 30 Feb -> 29 Feb 2024 (leap year).
        pytest.param("2023-10-20", "2024-01-02", "2024-02-29", 1, id="EPC-Art108-R126(2)-old-ten-day-leap-year"),
    ],
)
def test_appeal_notice_two_months_grounds_four_months(decision, notice, grounds, version):
    dls = run("EP", [("EP.APPEALABLE_DECISION", decision)])
    n, g = one(dls, "EP.APPEAL_NOTICE"), one(dls, "EP.APPEAL_GROUNDS")
    assert (n.due_date, g.due_date) == (D(notice), D(grounds))
    assert (n.rule_version, g.rule_version) == (version, version)
    assert not n.extendable and not g.extendable
    assert n.remedies[0]["name"] == "re-establishment of rights"


def test_divisional_renewal_fees_already_due_are_payable_within_four_months():
    events = [("EP.FILED", "2021-03-15"), ("EP.DIVISIONAL_FILED", "2026-01-20")]
    dls = run("EP", events, filing_date="2021-03-15")
    div = {d.instance: d for d in dls if d.rule == "EP.RENEWAL_FEE_DIVISIONAL"}
    # EPC-R51(3): years 3-5 were due for the parent, year 6 falls due 31 Mar 2026 (within four months of
    # 20 Jan 2026): all payable until Wed 20 May 2026 without surcharge.
    assert sorted(div, key=int) == ["3", "4", "5", "6"]
    assert {d.due_date for d in div.values()} == {D("2026-05-20")}
    # Surcharge period six months from the due date: filing of the divisional for years already due
    # (Mon 20 Jul 2026), the regular due date for year 6 (Wed 30 Sep 2026).
    assert div["3"].latest_date == D("2026-07-20")
    assert div["6"].latest_date == D("2026-09-30")
    regular = [d.instance for d in dls if d.rule == "EP.RENEWAL_FEE"]
    assert regular[0] == "7"  # the regular series takes over from year 7 (31 Mar 2027)
    assert one(dls, "EP.RENEWAL_FEE", "7").due_date == D("2027-03-31")


@pytest.mark.parametrize(
    ("priority", "filing", "due", "grace"),
    [
        # Year 3 would fall due 31 Mar 2026; 31 months from priority 10 Jan 2024 = Mon 10 Aug 2026.
        pytest.param("2024-01-10", "2024-03-15", "2026-08-10", "2027-02-10", id="EPC-R159(1)(g)-year-3-at-31-months"),
        # No priority: 31 months from the filing date 15 Mar 2024 = Thu 15 Oct 2026.
        pytest.param(None, "2024-03-15", "2026-10-15", "2027-04-15", id="EPC-R159(1)(g)-no-priority-31-months"),
    ],
)
def test_euro_pct_third_year_renewal_not_before_31_months(priority, filing, due, grace):
    facts = {"route": "pct", "filing_date": filing}
    if priority:
        facts["priority_date"] = priority
    dl = one(run("EP", [("EP.FILED", filing)], **facts), "EP.RENEWAL_FEE", "3")
    assert (dl.due_date, dl.latest_date) == (D(due), D(grace))
    assert any(s["op"] == "epc_r159_1_g" for s in dl.explanation["steps"])


def test_euro_pct_year_3_already_after_31_months_is_unchanged():
    # Filing ten months after priority: year 3 due Mon 30 Nov 2026 is after the 31-month date (10 Aug 2026).
    dl = one(
        run("EP", [("EP.FILED", "2024-11-04")], route="pct", priority_date="2024-01-10", filing_date="2024-11-04"),
        "EP.RENEWAL_FEE",
        "3",
    )
    assert dl.due_date == D("2026-11-30")
    assert not any(s["op"] == "epc_r159_1_g" for s in dl.explanation["steps"])


@pytest.mark.parametrize(
    ("removed", "expired", "due"),
    [
        # Two months from the removal (Wed 15 Apr 2026 -> Mon 15 Jun 2026) inside the one-year limit.
        pytest.param("2026-04-15", "2026-01-31", "2026-06-15", id="EPC-R136(1)-two-months-from-removal"),
        # Removal late: one year after the missed limit (31 Jul 2025 -> Fri 31 Jul 2026) comes first.
        pytest.param("2026-07-01", "2025-07-31", "2026-07-31", id="EPC-R136(1)-one-year-limit-first"),
    ],
)
def test_re_establishment_request_period(removed, expired, due):
    dl = one(
        run("EP", [("EP.NON_COMPLIANCE_CAUSE_REMOVED", removed, {"time_limit_expired": expired})]),
        "EP.RE_ESTABLISHMENT",
    )
    assert dl.due_date == D(due)


def test_re_establishment_without_the_missed_limit_says_the_date_may_be_earlier():
    dl = one(run("EP", [("EP.NON_COMPLIANCE_CAUSE_REMOVED", "2026-04-15")]), "EP.RE_ESTABLISHMENT")
    assert dl.due_date == D("2026-06-15")
    assert "may be EARLIER" in next(s for s in dl.explanation["steps"] if s["op"] == "epc_r136_1")["note"]
