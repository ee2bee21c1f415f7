"""JPO: Patent Act Art. 3 arithmetic and calendar (holidays.JP + 29 Dec - 3 Jan), residence rules."""

import pytest

from .rules_helpers import D, one, run, skipped_causes

CASES = [
    # (id, code, date, residence, rule, due, latest)
    (
        "JP-Art50-60-days-domestic-citizens-holiday-then-equinox",
        "JP.NOTICE_OF_REASONS_FOR_REFUSAL",
        "2026-07-24",
        "domestic",
        "JP.OPINION_DOMESTIC",
        "2026-09-24",
        "2026-11-24",
    ),
    (
        "JP-Art3(2)-60-days-into-year-end-closure",
        "JP.NOTICE_OF_REASONS_FOR_REFUSAL",
        "2026-10-30",
        "domestic",
        "JP.OPINION_DOMESTIC",
        "2027-01-04",
        "2027-03-01",
    ),
    (
        "JP-Art3-foreign-3-months-30Apr-to-31Jul",
        "JP.NOTICE_OF_REASONS_FOR_REFUSAL",
        "2026-04-30",
        "foreign",
        "JP.OPINION_FOREIGN",
        "2026-07-31",
        "2026-11-02",
    ),
    (
        "JP-Art3(2)-Emperors-Birthday-then-substitute-holiday",
        "JP.NOTICE_OF_REASONS_FOR_REFUSAL",
        "2024-11-23",
        "foreign",
        "JP.OPINION_FOREIGN",
        "2025-02-25",
        "2025-05-23",
    ),
    (
        "JP-Art121(1)-appeal-domestic-not-extendable",
        "JP.DECISION_OF_REFUSAL",
        "2026-09-28",
        "domestic",
        "JP.APPEAL_DOMESTIC",
        "2026-12-28",
        None,
    ),
    (
        "JP-Art121(1)-Art4-appeal-foreign-4-months-ex-officio",
        "JP.DECISION_OF_REFUSAL",
        "2026-09-28",
        "foreign",
        "JP.APPEAL_FOREIGN",
        "2027-01-28",
        None,
    ),
    (
        "JP-Art48-3-exam-request-3-years-from-29Feb",
        "JP.FILED",
        "2024-02-29",
        "domestic",
        "JP.EXAMINATION_REQUEST",
        "2027-03-01",
        None,
    ),
    (
        "JP-Art43-priority-year-Art3",
        "JP.PRIORITY_APPLICATION_FILED",
        "2025-04-30",
        "foreign",
        "JP.PRIORITY_YEAR",
        "2026-04-30",
        None,
    ),
]


@pytest.mark.parametrize(
    ("code", "day", "residence", "rule", "due", "latest"), [pytest.param(*c[1:], id=c[0]) for c in CASES]
)
def test_jp_periods(code, day, residence, rule, due, latest):
    dls = run("JP", [(code, day)], applicant_residence=residence)
    dl = one(dls, rule)
    assert dl.due_date == D(due)
    assert dl.latest_date == (D(latest) if latest else None)
    assert len([d for d in dls if d.trigger_code == "JP.NOTICE_OF_REASONS_FOR_REFUSAL"]) <= 1  # one residence


def test_roll_forward_names_each_japanese_holiday():
    dl = one(
        run("JP", [("JP.NOTICE_OF_REASONS_FOR_REFUSAL", "2024-11-23")], applicant_residence="foreign"),
        "JP.OPINION_FOREIGN",
    )
    # 23 Feb 2025 is both a Sunday and the Emperor's Birthday; 24 Feb is the substitute holiday.
    assert skipped_causes(dl) == ["Sunday", "Emperor's Birthday", "Substitute Holiday"]
    year_end = one(run("JP", [("JP.NOTICE_OF_REASONS_FOR_REFUSAL", "2026-10-30")]), "JP.OPINION_DOMESTIC")
    assert "year-end closure (29 Dec - 3 Jan)" in skipped_causes(year_end)


def test_extension_counted_from_the_unrolled_end():
    # Unrolled end 29 Dec 2026 (closed) + 2 months, counted Art. 3-style from 30 Dec: no 30 Feb -> 28 Feb 2027
    # (Sunday) -> 1 Mar 2027. Counting from the rolled 4 Jan would wrongly give 4 Mar.
    dl = one(run("JP", [("JP.NOTICE_OF_REASONS_FOR_REFUSAL", "2026-10-30")]), "JP.OPINION_DOMESTIC")
    ext = next(s for s in dl.explanation["steps"] if s["op"] == "extension")
    assert ext["options"][0]["unrolled"] == "2027-02-28"
    assert dl.latest_date == D("2027-03-01")


@pytest.mark.parametrize(
    ("year", "due", "grace", "restoration"),
    [
        pytest.param("4", "2029-06-12", "2029-12-12", "2030-12-12", id="JP-Art108(2)-Art112-year-4"),
        pytest.param("10", "2035-06-12", "2035-12-12", "2036-12-12", id="JP-Art108(2)-Art112-year-10"),
        # 12 Jun 2027 + ... year 5 due 12 Jun 2030 (Wed); year 7 due 12 Jun 2032 is a Saturday -> Mon 14 Jun.
        pytest.param("7", "2032-06-14", "2032-12-14", "2033-12-14", id="JP-Art3(2)-Art112(1)-annuity-on-Saturday"),
    ],
)
def test_annuities(year, due, grace, restoration):
    dl = one(run("JP", [("JP.REGISTERED", "2026-06-12")]), "JP.ANNUITY", year)
    assert dl.due_date == D(due)
    assert dl.latest_date == D(grace)
    assert dl.remedies[0]["until"] == D(restoration)
    assert dl.title == f"Patent annuity (year {year})"


def test_annuity_years_start_at_four():
    dls = run("JP", [("JP.REGISTERED", "2026-06-12")])
    assert [d.instance for d in dls] == [str(n) for n in range(4, 21)]
