"""EPO rules: EPC R131/R134, R126(2) transition, R51 renewals, R71(3), R161/162, R70/R39/R70a, R135."""

import pytest

from .rules_helpers import EPO_XMAS_2025, D, one, run, skipped_causes

CASES = [
    # (id, code, date, params, rule, version, due, latest)
    (
        "EPC-Art94(3)-R132-4-months-ends-Saturday-28Feb",
        "EP.COMMUNICATION_94_3",
        "2025-10-31",
        {"period_months": 4},
        "EP.REPLY_94_3",
        2,
        "2026-03-02",
        "2026-04-30",
    ),
    (
        "EPC-Art94(3)-R132-2-month-period-param",
        "EP.COMMUNICATION_94_3",
        "2026-01-15",
        {"period_months": 2},
        "EP.REPLY_94_3",
        2,
        "2026-03-16",
        "2026-05-15",
    ),
    (
        "EPC-R126(2)-old-10-day-rule-lands-on-29Feb",
        "EP.COMMUNICATION_94_3",
        "2023-10-20",
        {},
        "EP.REPLY_94_3",
        1,
        "2024-02-29",
        "2024-04-30",
    ),
    (
        "EPC-R126(2)-old-10-day-rule-last-day",
        "EP.COMMUNICATION_94_3",
        "2023-10-31",
        {},
        "EP.REPLY_94_3",
        1,
        "2024-03-11",
        "2024-05-10",
    ),
    (
        "EPC-R126(2)-new-rule-date-borne-from-1Nov2023-R134-provisional-Labour-Day",
        "EP.COMMUNICATION_94_3",
        "2023-11-01",
        {},
        "EP.REPLY_94_3",
        2,
        "2024-03-01",
        "2024-05-02",
    ),
    (
        "EPC-R71(3)-4-months-not-extendable",
        "EP.RULE_71_3_COMMUNICATION",
        "2026-02-27",
        {},
        "EP.R71_3_APPROVAL",
        2,
        "2026-06-29",
        None,
    ),
    (
        "EPC-R161(1)-6-months-not-extendable",
        "EP.RULE_161_162_COMMUNICATION",
        "2026-02-27",
        {},
        "EP.R161_162",
        2,
        "2026-08-27",
        None,
    ),
    (
        "EPC-R70(1)-examination-request-6-months",
        "EP.SEARCH_REPORT_PUBLISHED",
        "2026-03-18",
        {},
        "EP.EXAMINATION_REQUEST",
        1,
        "2026-09-18",
        None,
    ),
    (
        "EPC-R39(1)-designation-fee-6-months",
        "EP.SEARCH_REPORT_PUBLISHED",
        "2026-03-18",
        {},
        "EP.DESIGNATION_FEE",
        1,
        "2026-09-18",
        None,
    ),
    (
        "EPC-R70a(1)-reply-to-search-opinion",
        "EP.SEARCH_REPORT_PUBLISHED",
        "2026-03-18",
        {},
        "EP.REPLY_SEARCH_OPINION",
        1,
        "2026-09-18",
        None,
    ),
    (
        "EPC-R135(1)-further-processing-2-months",
        "EP.LOSS_OF_RIGHTS_NOTED",
        "2026-05-29",
        {},
        "EP.FURTHER_PROCESSING",
        2,
        "2026-07-29",
        None,
    ),
]


@pytest.mark.parametrize(
    ("code", "day", "params", "rule", "version", "due", "latest"),
    [pytest.param(*c[1:], id=c[0]) for c in CASES],
)
def test_ep_periods(code, day, params, rule, version, due, latest):
    dl = one(run("EP", [(code, day, params)]), rule)
    assert dl.rule_version == version
    assert dl.due_date == D(due)
    assert dl.latest_date == (D(latest) if latest else None)
    assert dl.extendable is bool(latest)


def test_ten_day_rule_is_judged_by_document_date_not_today():
    dl = one(run("EP", [("EP.COMMUNICATION_94_3", "2023-10-20")], today="2026-11-21"), "EP.REPLY_94_3")
    notif = dl.explanation["steps"][0]
    assert (notif["op"], notif["result"]) == ("deemed_notification", "2023-10-30")
    assert dl.status == "past_due"


def test_epo_closure_rolls_forward_and_names_notice():
    # 24 Aug 2025 + 4 months = Wed 24 Dec 2025, inside the 24 Dec 2025 - 1 Jan 2026 closure.
    dl = one(
        run("EP", [("EP.RULE_71_3_COMMUNICATION", "2025-08-24")], closures={"EP": EPO_XMAS_2025}),
        "EP.R71_3_APPROVAL",
    )
    assert dl.due_date == D("2026-01-02")
    roll = next(s for s in dl.explanation["steps"] if s["op"] == "roll_forward")
    assert roll["skipped"][0]["causes"][0]["source"].startswith("EPO website notice")
    assert len(roll["skipped"]) == 9
    without = one(run("EP", [("EP.RULE_71_3_COMMUNICATION", "2025-08-24")]), "EP.R71_3_APPROVAL")
    # Without any closure data the year is provisional: 24-26 Dec recur every year, 27-28 Dec is a weekend.
    assert without.due_date == D("2025-12-29")
    assert without.explanation["warnings"][0].startswith("provisional: closure list for 2025 not yet published")


def test_further_processing_named_as_remedy_without_inventing_a_date():
    dl = one(run("EP", [("EP.RULE_71_3_COMMUNICATION", "2026-02-27")]), "EP.R71_3_APPROVAL")
    assert dl.remedies == [
        {
            "name": "further processing",
            "until": None,
            "citation": "EPC Art. 121; Rule 135(1)",
            "basis": "two months from notification of the communication noting the loss of rights (Rule 112(1))",
        }
    ]


@pytest.mark.parametrize(
    ("filing", "year", "due", "surcharge_until"),
    [
        pytest.param("2024-03-15", "3", "2026-03-31", "2026-09-30", id="EPC-R51(1)-year-3-month-end"),
        pytest.param(
            "2023-04-30",
            "3",
            "2025-04-30",
            "2025-10-31",
            id="EPC-R51(2)-surcharge-month-end-to-month-end-31Oct",
        ),
        pytest.param(
            "2024-02-29",
            "3",
            "2026-03-02",
            "2026-08-31",
            id="EPC-R51(1)-29Feb-filing-due-28Feb-Saturday-rolled",
        ),
        pytest.param("2024-03-15", "5", "2028-03-31", "2028-10-02", id="EPC-R51(2)-surcharge-ends-Saturday"),
    ],
)
def test_renewal_fees(filing, year, due, surcharge_until):
    dl = one(run("EP", [("EP.FILED", filing)]), "EP.RENEWAL_FEE", year)
    assert dl.due_date == D(due)
    assert dl.latest_date == D(surcharge_until)
    assert dl.extendable is False


def test_renewals_stop_with_the_year_grant_is_mentioned():
    dls = run("EP", [("EP.FILED", "2024-03-15")], grant_date="2027-06-10")
    assert [d.instance for d in dls if d.rule == "EP.RENEWAL_FEE"] == ["3", "4"]
    assert len([d for d in run("EP", [("EP.FILED", "2024-03-15")]) if d.rule == "EP.RENEWAL_FEE"]) == 18


def test_renewal_paid_answers_only_its_year():
    dls = run(
        "EP",
        [("EP.FILED", "2024-03-15"), ("EP.RENEWAL_FEE_PAID", "2026-03-02", {"year": 3})],
        today="2026-11-21",
    )
    assert one(dls, "EP.RENEWAL_FEE", "3").status == "superseded"
    assert one(dls, "EP.RENEWAL_FEE", "4").status == "open"


def test_reply_answers_94_3_and_r71_3_replaces_it():
    answered = run("EP", [("EP.COMMUNICATION_94_3", "2026-01-15"), ("EP.REPLY_FILED", "2026-04-01")])
    assert one(answered, "EP.REPLY_94_3").status == "superseded"
    replaced = run("EP", [("EP.COMMUNICATION_94_3", "2026-01-15"), ("EP.RULE_71_3_COMMUNICATION", "2026-03-01")])
    assert "replaced by EP.RULE_71_3_COMMUNICATION" in one(replaced, "EP.REPLY_94_3").superseded_reason
    assert one(replaced, "EP.R71_3_APPROVAL").status == "open"


def test_ep_priority_year_with_closure_and_re_establishment():
    closures = {
        "EP": {
            D("2026-12-24"): ("Christmas Eve", "OJ EPO 2025, A40"),
            D("2026-12-25"): ("Christmas Day", "OJ EPO 2025, A40"),
        }
    }
    dl = one(run("EP", [("EP.PRIORITY_APPLICATION_FILED", "2025-12-24")], closures=closures), "EP.PRIORITY_YEAR")
    assert dl.due_date == D("2026-12-28")
    assert skipped_causes(dl) == ["Christmas Eve", "Christmas Day", "Saturday", "Sunday"]
    assert dl.remedies[0]["until"] == D("2027-02-24")
