"""Corrections to the engine (issue 15): each case cites its source in the test id."""

import pytest

from .rules_helpers import D, one, run


@pytest.mark.parametrize(
    ("year", "due", "grace", "restoration"),
    [
        # Year 7 due Sat 12 Jun 2032 -> Mon 14 Jun; the surcharge period counts from 15 Jun -> 14 Dec 2032,
        # not from the unrolled 12 Jun (-> 12 Dec, a Sunday -> 13 Dec), which would be a day early.
        pytest.param("7", "2032-06-14", "2032-12-14", "2033-12-14", id="JP-Art112(1)-INPIT-grace-from-rolled-end"),
        pytest.param("4", "2029-06-12", "2029-12-12", "2030-12-12", id="JP-Art112(1)-grace-weekday-unchanged"),
    ],
)
def test_jp_surcharge_period_runs_from_the_end_moved_to_the_next_open_day(year, due, grace, restoration):
    dl = one(run("JP", [("JP.REGISTERED", "2026-06-12")]), "JP.ANNUITY", year)
    assert (dl.due_date, dl.latest_date) == (D(due), D(grace))
    assert dl.remedies[0]["until"] == D(restoration)
    ext = next(s for s in dl.explanation["steps"] if s["op"] == "extension")
    assert ext["counted_from"] == "rolled_due"


@pytest.mark.parametrize(
    ("day", "residence", "rule", "due", "options", "late_request"),
    [
        # 30 Apr + 3 months = 31 Jul 2026; +2 = 30 Sep; +3 = 31 Oct (Sat) -> Mon 2 Nov 2026.
        pytest.param(
            "2026-04-30",
            "foreign",
            "JP.OPINION_FOREIGN",
            "2026-07-31",
            ["2026-09-30", "2026-11-02"],
            "2026-09-30",
            id="JPO-practice-2016-overseas-2-plus-1-months",
        ),
        # Unrolled end Sun 23 Feb 2025 -> extensions from it: 23 Apr 2025, 23 May 2025.
        pytest.param(
            "2024-11-23",
            "foreign",
            "JP.OPINION_FOREIGN",
            "2025-02-25",
            ["2025-04-23", "2025-05-23"],
            "2025-04-23",
            id="JPO-practice-2016-overseas-extension-from-unrolled-end",
        ),
        # 60 days -> Tue 22 Sep 2026 (citizens' holiday), 23 Sep equinox -> 24 Sep; +2 months from the unrolled
        # 22 Sep = Sun 22 Nov -> Mon 23 Nov (Labour Thanksgiving) -> 24 Nov 2026.
        pytest.param(
            "2026-07-24",
            "domestic",
            "JP.OPINION_DOMESTIC",
            "2026-09-24",
            ["2026-11-24"],
            "2026-11-24",
            id="JPO-practice-2016-domestic-2-months",
        ),
    ],
)
def test_jp_notice_of_reasons_for_refusal_extensions(day, residence, rule, due, options, late_request):
    dl = one(
        run("JP", [("JP.NOTICE_OF_REASONS_FOR_REFUSAL", day)], applicant_residence=residence),
        rule,
    )
    assert dl.due_date == D(due)
    ext = next(s for s in dl.explanation["steps"] if s["op"] == "extension")
    assert [o["until"] for o in ext["options"]] == options
    assert dl.latest_date == D(options[-1])
    late = next(r for r in dl.remedies if r["name"].startswith("extension request after expiry"))
    assert late["until"] == D(late_request)


@pytest.mark.parametrize(
    ("decision", "due"),
    [
        # 3 months + 1 month ex officio = Thu 28 Jan 2027, the due date itself (no later "latest" date).
        pytest.param("2026-09-28", "2027-01-28", id="JP-Art121(1)-Art4-four-months"),
        # 31 Oct + 4 months: no 31 Feb -> 28 Feb 2027, a Sunday -> Mon 1 Mar 2027 (Art. 3(2)).
        pytest.param("2026-10-31", "2027-03-01", id="JP-Art121(1)-Art4-Art3-month-end-Sunday"),
    ],
)
def test_jp_appeal_for_overseas_resident_is_due_on_the_four_month_date(decision, due):
    dl = one(run("JP", [("JP.DECISION_OF_REFUSAL", decision)], applicant_residence="foreign"), "JP.APPEAL_FOREIGN")
    assert (dl.due_date, dl.latest_date, dl.extendable) == (D(due), None, False)


@pytest.mark.parametrize(
    ("office", "kind", "day", "rule", "due"),
    [
        pytest.param("US", "design", "2026-03-02", "US.PRIORITY_DESIGN", "2026-09-02", id="35USC172-design-6-months"),
        pytest.param("US", "patent", "2026-03-02", "US.PRIORITY_YEAR", "2027-03-02", id="35USC119(a)-patent-12-months"),
        # Art. 3: counting starts 16 Jan, ends the day before 16 Jul 2026.
        pytest.param(
            "JP", "design", "2026-01-15", "JP.PRIORITY_DESIGN", "2026-07-15", id="JP-DesignAct-Art15-6-months"
        ),
        pytest.param("JP", "patent", "2026-01-15", "JP.PRIORITY_YEAR", "2027-01-15", id="JP-Art43-patent-12-months"),
        # 31 Aug + 6 months: no 31 Feb -> 28 Feb 2027 is a Sunday -> Mon 1 Mar 2027.
        pytest.param(
            "US", "design", "2026-08-31", "US.PRIORITY_DESIGN", "2027-03-01", id="ParisArt4C(1)-design-month-end-Sunday"
        ),
    ],
)
def test_design_priority_period_is_six_months(office, kind, day, rule, due):
    dls = run(office, [(f"{office}.PRIORITY_APPLICATION_FILED", day)], kind=kind)
    assert [d.rule for d in dls] == [rule]  # exactly one priority deadline, never the 12-month one for a design
    assert dls[0].due_date == D(due)


@pytest.mark.parametrize(
    ("events", "due", "latest"),
    [
        # Two-month date Sat 9 May 2026; reply Mon 11 May is within two months (37 CFR 1.7); advisory action
        # 22 Jun after the three-month date: the period ends on the advisory's date, extensions capped at 6 months.
        pytest.param(
            [
                ("US.FINAL_REJECTION", "2026-03-09"),
                ("US.RESPONSE_FILED", "2026-05-11"),
                ("US.ADVISORY_ACTION", "2026-06-22"),
            ],
            "2026-06-22",
            "2026-09-09",
            id="MPEP706.07(f)-37CFR1.7-two-month-date-on-Saturday",
        ),
        # Two-month date Memorial Day Mon 25 May 2026; reply Tue 26 May.
        pytest.param(
            [
                ("US.FINAL_REJECTION", "2026-03-25"),
                ("US.RESPONSE_FILED", "2026-05-26"),
                ("US.ADVISORY_ACTION", "2026-07-01"),
            ],
            "2026-07-01",
            "2026-09-25",
            id="MPEP706.07(f)-37CFR1.7-two-month-date-on-Memorial-Day",
        ),
    ],
)
def test_reply_on_next_business_day_after_two_month_date_counts_as_within_two_months(events, due, latest):
    dl = one(run("US", events), "US.REPLY_FINAL")
    assert (dl.due_date, dl.latest_date) == (D(due), D(latest))


@pytest.mark.parametrize(
    ("period", "due", "latest"),
    [
        pytest.param(6, "2026-07-15", None, id="EPC-Guidelines-E-VIII-1.6-six-months-no-routine-extension"),
        pytest.param(5, "2026-06-15", "2026-07-15", id="EPC-Guidelines-E-VIII-1.6-five-months-clipped-to-six"),
        pytest.param(4, "2026-05-15", "2026-07-15", id="EPC-R132(2)-four-plus-two"),
    ],
)
def test_ep_94_3_extension_never_beyond_six_months_in_total(period, due, latest):
    dl = one(run("EP", [("EP.COMMUNICATION_94_3", "2026-01-15", {"period_months": period})]), "EP.REPLY_94_3")
    assert dl.due_date == D(due)
    assert dl.latest_date == (D(latest) if latest else None)
    assert dl.extendable is bool(latest)
