"""Period arithmetic per convention, checked against the examples in the texts themselves."""

from datetime import date

import pytest

from deadlines.rules.periods import Convention, Duration, add_period

EPC, US, PCT, JP, ME = (
    Convention.EPC_R131,
    Convention.US_1_7,
    Convention.PCT_R80,
    Convention.JP_ART3,
    Convention.MONTH_END,
)
D = date.fromisoformat

CASES = [
    # (citation id, start, duration, convention, expected end)
    ("EPC-R131(4)-same-day", "2026-01-15", Duration(months=4), EPC, "2026-05-15"),
    ("EPC-R131(4)-no-31-Feb", "2025-10-31", Duration(months=4), EPC, "2026-02-28"),
    ("EPC-R131(4)-29-Feb-leap", "2023-10-31", Duration(months=4), EPC, "2024-02-29"),
    ("EPC-R131(4)-year-from-29-Feb", "2024-02-29", Duration(months=12), EPC, "2025-02-28"),
    ("EPC-R131(3)-days", "2026-03-01", Duration(days=10), EPC, "2026-03-11"),
    ("MPEP-710.01(a)-Nov30-to-Feb28", "2025-11-30", Duration(months=3), US, "2026-02-28"),
    ("MPEP-710.01(a)-Nov30-to-Feb29-leap", "2023-11-30", Duration(months=3), US, "2024-02-29"),
    ("MPEP-710.01(a)-Feb28-to-May28-not-May31", "2026-02-28", Duration(months=3), US, "2026-05-28"),
    ("MPEP-710.01(a)-Jan31-to-Apr30", "2026-01-31", Duration(months=3), US, "2026-04-30"),
    ("MPEP-710.01(a)-1-month-EOT-May31", "2026-01-31", Duration(months=4), US, "2026-05-31"),
    ("PCT-R80.2-30-months", "2025-04-30", Duration(months=30), PCT, "2027-10-30"),
    ("PCT-R80.2-no-corresponding-day", "2024-08-31", Duration(months=18), PCT, "2026-02-28"),
    ("JP-Art3-30Apr-plus-3-months-is-31Jul", "2026-04-30", Duration(months=3), JP, "2026-07-31"),
    ("JP-Art3-28Feb-plus-1-month-is-31Mar", "2026-02-28", Duration(months=1), JP, "2026-03-31"),
    ("JP-Art3-mid-month", "2026-01-15", Duration(months=3), JP, "2026-04-15"),
    ("JP-Art3(1)(iv)-no-corresponding-day", "2025-11-29", Duration(months=3), JP, "2026-02-28"),
    ("JP-Art3-year-ending-29-Feb", "2023-02-28", Duration(years=1), JP, "2024-02-29"),
    ("JP-Art3-3-years-from-29-Feb", "2024-02-29", Duration(years=3), JP, "2027-02-28"),
    ("JP-Art3-60-days", "2026-10-30", Duration(days=60), JP, "2026-12-29"),
    ("EPC-R51(2)-month-end-30Apr-to-31Oct", "2026-04-30", Duration(months=6), ME, "2026-10-31"),
    ("EPC-R51(2)-month-end-31Mar-to-30Sep", "2026-03-31", Duration(months=6), ME, "2026-09-30"),
    ("EPC-R51(2)-month-end-28Feb-to-31Aug", "2026-02-28", Duration(months=6), ME, "2026-08-31"),
]


@pytest.mark.parametrize(
    ("start", "duration", "convention", "expected"), [pytest.param(*c[1:], id=c[0]) for c in CASES]
)
def test_period_ends_where_the_law_says(start, duration, convention, expected):
    end, steps = add_period(D(start), duration, convention)
    assert end == D(expected)
    assert steps[0]["result"] == expected
    assert steps[0]["convention"] == convention.value


def test_jp_and_epc_differ_only_where_the_first_day_rule_bites():
    # R131 counts from the event day: 28 Feb + 1 month = 28 Mar; Art. 3 starts the next day (1 Mar).
    assert add_period(D("2026-02-28"), Duration(months=1), EPC)[0] == D("2026-03-28")
    assert add_period(D("2026-02-28"), Duration(months=1), JP)[0] == D("2026-03-31")


@pytest.mark.parametrize("kwargs", [{"months": -1}, {"days": 3, "months": 1}])
def test_invalid_durations_are_refused(kwargs):
    with pytest.raises(ValueError):
        Duration(**kwargs)


def test_month_arithmetic_agrees_with_relativedelta_on_every_day():
    # The engine adds months without building a relativedelta (speed, issue 18); it must give the same day
    # for every start date of a leap and a common year and every duration the rules use.
    from datetime import timedelta

    from dateutil.relativedelta import relativedelta

    from deadlines.rules.periods import _shift

    durations = [Duration(months=m) for m in (1, 2, 3, 4, 6, 9, 11, 12, 16, 18, 30, 31)]
    durations += [Duration(years=y) for y in (1, 3, 4, 20)] + [Duration(years=1, months=6), Duration(days=10)]
    start = date(2023, 1, 1)
    for offset in range(731):
        day = start + timedelta(days=offset)
        for d in durations:
            assert _shift(day, d) == day + relativedelta(years=d.years, months=d.months, days=d.days), (day, d)
