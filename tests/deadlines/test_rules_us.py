"""US rules: 35 U.S.C. 133/21(b), 37 CFR 1.7, 1.136(a), 1.362, MPEP 706.07(f)."""

import pytest

from .rules_helpers import D, one, run, skipped_causes

CASES = [
    # (id with citation, trigger code, trigger date, rule, due, latest, per-month extension dates)
    (
        "37CFR1.136(a)-non-final-ends-Saturday-28Feb",
        "US.NON_FINAL_REJECTION",
        "2025-11-28",
        "US.REPLY_NON_FINAL",
        "2026-03-02",
        "2026-05-28",
        ["2026-03-30", "2026-04-28", "2026-05-28"],
    ),
    (
        "35USC21(b)-non-final-ends-on-observed-Independence-Day",
        "US.NON_FINAL_REJECTION",
        "2026-04-03",
        "US.REPLY_NON_FINAL",
        "2026-07-06",
        "2026-10-05",
        ["2026-08-03", "2026-09-03", "2026-10-05"],
    ),
    (
        "MPEP817-restriction-2-months-extendable-to-6",
        "US.RESTRICTION_REQUIREMENT",
        "2026-01-15",
        "US.REPLY_RESTRICTION",
        "2026-03-16",
        "2026-07-15",
        ["2026-04-15", "2026-05-15", "2026-06-15", "2026-07-15"],
    ),
    (
        "37CFR1.53(f)-missing-parts-2-plus-5-months",
        "US.MISSING_PARTS_NOTICE",
        "2026-01-20",
        "US.MISSING_PARTS",
        "2026-03-20",
        "2026-08-20",
        ["2026-04-20", "2026-05-20", "2026-06-22", "2026-07-20", "2026-08-20"],
    ),
    (
        "35USC151-issue-fee-Christmas-not-extendable",
        "US.NOTICE_OF_ALLOWANCE",
        "2026-09-25",
        "US.ISSUE_FEE",
        "2026-12-28",
        None,
        [],
    ),
    (
        "35USC133-final-rejection-3-months",
        "US.FINAL_REJECTION",
        "2025-03-03",
        "US.REPLY_FINAL",
        "2025-06-03",
        "2025-09-03",
        ["2025-07-03", "2025-08-04", "2025-09-03"],
    ),
]


@pytest.mark.parametrize(
    ("code", "day", "rule", "due", "latest", "extensions"), [pytest.param(*c[1:], id=c[0]) for c in CASES]
)
def test_us_response_periods(code, day, rule, due, latest, extensions):
    dl = one(run("US", [(code, day)]), rule)
    assert dl.due_date == D(due)
    assert dl.latest_date == (D(latest) if latest else None)
    assert dl.extendable is bool(extensions)
    ext_steps = [s for s in dl.explanation["steps"] if s["op"] == "extension"]
    assert [o["until"] for o in (ext_steps[0]["options"] if ext_steps else [])] == extensions


def test_holiday_roll_forward_names_the_holiday():
    dl = one(run("US", [("US.NON_FINAL_REJECTION", "2026-04-03")]), "US.REPLY_NON_FINAL")
    assert skipped_causes(dl)[:1] == ["Independence Day (observed)"]


def test_extension_months_count_from_the_mailing_date_not_the_rolled_date():
    # MPEP 710.01(a): 31 Jan + 3 months = 30 Apr; one extension month = 31 May regardless of weekends.
    dl = one(run("US", [("US.NON_FINAL_REJECTION", "2026-01-31")]), "US.REPLY_NON_FINAL")
    options = next(s for s in dl.explanation["steps"] if s["op"] == "extension")["options"]
    assert options[0]["unrolled"] == "2026-05-31"
    assert options[0]["until"] == "2026-06-01"  # 31 May 2026 is a Sunday


@pytest.mark.parametrize(
    ("events", "due", "latest", "note"),
    [
        pytest.param(
            [
                ("US.FINAL_REJECTION", "2025-03-03"),
                ("US.RESPONSE_FILED", "2025-04-25"),
                ("US.ADVISORY_ACTION", "2025-06-17"),
            ],
            "2025-06-17",
            "2025-09-03",
            "advisory",
            id="MPEP706.07(f)-reply-within-2-months-late-advisory-moves-period",
        ),
        pytest.param(
            [
                ("US.FINAL_REJECTION", "2025-03-03"),
                # two-month date Sat 3 May 2025 -> Mon 5 May (37 CFR 1.7); 6 May is too late
                ("US.RESPONSE_FILED", "2025-05-06"),
                ("US.ADVISORY_ACTION", "2025-06-17"),
            ],
            "2025-06-03",
            "2025-09-03",
            "not within two months",
            id="MPEP706.07(f)-reply-after-2-months-no-reset",
        ),
        pytest.param(
            [
                ("US.FINAL_REJECTION", "2025-03-03"),
                ("US.RESPONSE_FILED", "2025-04-10"),
                ("US.ADVISORY_ACTION", "2025-05-20"),
            ],
            "2025-06-03",
            "2025-09-03",
            "before the end",
            id="MPEP706.07(f)-advisory-before-3-months-no-change",
        ),
        pytest.param(
            [("US.FINAL_REJECTION", "2025-03-03"), ("US.RESPONSE_FILED", "2025-04-10")],
            "2025-06-03",
            "2025-09-03",
            "no advisory",
            id="MPEP706.07(f)-no-advisory-yet",
        ),
    ],
)
def test_advisory_action_logic(events, due, latest, note):
    dl = one(run("US", events), "US.REPLY_FINAL")
    assert dl.due_date == D(due)
    assert dl.latest_date == D(latest)
    assert dl.status == "open"  # a reply after final does not end the period
    steps = [s for s in dl.explanation["steps"] if s["op"] == "mpep_706_07_f"]
    assert note in steps[0]["note"]


def test_advisory_extensions_counted_from_advisory_date_and_capped_at_six_months():
    dl = one(
        run(
            "US",
            [
                ("US.FINAL_REJECTION", "2025-03-03"),
                ("US.RESPONSE_FILED", "2025-04-25"),
                ("US.ADVISORY_ACTION", "2025-06-17"),
            ],
        ),
        "US.REPLY_FINAL",
    )
    options = next(s for s in dl.explanation["steps"] if s["op"] == "extension")["options"]
    # 17 Jul; 17 Aug 2025 is a Sunday -> 18 Aug; 17 Sep is past six months -> capped at 3 Sep.
    assert [o["until"] for o in options] == ["2025-07-17", "2025-08-18", "2025-09-03"]


@pytest.mark.parametrize(
    ("answer", "status"),
    [
        pytest.param("US.RCE_FILED", "superseded", id="37CFR1.114-RCE-answers-final"),
        pytest.param("US.NOTICE_OF_APPEAL_FILED", "superseded", id="37CFR41.31-appeal-answers-final"),
        pytest.param("US.RESPONSE_FILED", "open", id="MPEP714.13-reply-after-final-does-not-end-period"),
    ],
)
def test_what_answers_a_final_rejection(answer, status):
    dl = one(
        run("US", [("US.FINAL_REJECTION", "2026-03-03"), (answer, "2026-05-01")], today="2026-05-02"),
        "US.REPLY_FINAL",
    )
    assert dl.status == status


def test_response_answers_non_final_and_new_action_replaces_old():
    dls = run(
        "US",
        [
            ("US.NON_FINAL_REJECTION", "2026-01-05"),
            ("US.RESPONSE_FILED", "2026-03-01"),
            ("US.FINAL_REJECTION", "2026-05-05"),
        ],
    )
    first = one(dls, "US.REPLY_NON_FINAL")
    assert (first.status, first.superseded_by) == ("superseded", "e1")
    assert "answered by US.RESPONSE_FILED" in first.superseded_reason
    assert one(dls, "US.REPLY_FINAL").status == "open"
    pair = [d for d in run("US", [("US.NON_FINAL_REJECTION", "2026-01-05"), ("US.NON_FINAL_REJECTION", "2026-02-02")])]
    assert [(d.trigger, d.status) for d in pair] == [("e0", "superseded"), ("e1", "open")]
    assert "replaced by US.NON_FINAL_REJECTION" in pair[0].superseded_reason


def test_unanswered_action_past_its_date_is_kept_and_flagged():
    dls = run("US", [("US.NON_FINAL_REJECTION", "2025-11-28")], today="2026-04-01")
    dl = one(dls, "US.REPLY_NON_FINAL")
    assert dl.status == "past_due"
    assert dl.latest_date == D("2026-05-28")  # extensions still possible


@pytest.mark.parametrize(
    ("grant", "instance", "due", "opens", "grace"),
    [
        pytest.param(
            "2021-08-31",
            "3.5",
            "2025-02-28",
            "2024-08-31",
            "2025-09-02",
            id="37CFR1.362-3.5y-month-end-grace-past-Labor-Day",
        ),
        pytest.param("2021-08-31", "7.5", "2029-02-28", "2028-08-31", "2029-08-31", id="37CFR1.362-7.5y"),
        pytest.param(
            "2024-02-27",
            "3.5",
            "2027-08-27",
            "2027-02-27",
            "2028-02-28",
            id="37CFR1.362(e)-grace-ends-Sunday-27Feb-2028",
        ),
        pytest.param("2024-02-27", "11.5", "2035-08-27", "2035-02-27", "2036-02-27", id="37CFR1.362-11.5y"),
    ],
)
def test_maintenance_fees(grant, instance, due, opens, grace):
    dl = one(run("US", [("US.PATENT_GRANTED", grant)]), "US.MAINTENANCE_FEE", instance)
    assert dl.due_date == D(due)
    assert dl.explanation["window_opens"] == opens
    assert dl.latest_date == D(grace)
    assert dl.extendable is False  # grace with surcharge is not an extension
    assert dl.key == f"US.MAINTENANCE_FEE:e0:{instance}"


def test_paying_one_maintenance_fee_answers_only_that_instance():
    dls = run("US", [("US.PATENT_GRANTED", "2021-08-31"), ("US.MAINTENANCE_FEE_PAID", "2025-01-10", {"year": 3.5})])
    assert one(dls, "US.MAINTENANCE_FEE", "3.5").status == "superseded"
    assert one(dls, "US.MAINTENANCE_FEE", "7.5").status == "open"


def test_provisional_twelve_months_with_restoration_to_fourteen():
    dl = one(run("US", [("US.PROVISIONAL_FILED", "2025-07-03")]), "US.NONPROVISIONAL_FROM_PROVISIONAL")
    assert dl.due_date == D("2026-07-06")  # 3 Jul 2026 is the observed Independence Day
    assert dl.remedies[0]["until"] == D("2026-09-03")
    assert dl.remedies[0]["citation"] == "37 CFR 1.78(b)"


@pytest.mark.parametrize(
    ("closures", "due"),
    [
        pytest.param({}, "2033-01-20", id="35USC119(a)-priority-year-no-closure-data"),
        pytest.param(
            {"US": {D("2033-01-20"): ("Inauguration Day", "5 U.S.C. 6103(c)")}},
            "2033-01-21",
            id="35USC21(b)-priority-year-Inauguration-Day-closure",
        ),
    ],
)
def test_priority_year_and_inauguration_day(closures, due):
    dl = one(run("US", [("US.PRIORITY_APPLICATION_FILED", "2032-01-20")], closures=closures), "US.PRIORITY_YEAR")
    assert dl.due_date == D(due)
    assert dl.remedies[0]["until"] == D("2033-03-21")  # 37 CFR 1.55(c): 14 months
