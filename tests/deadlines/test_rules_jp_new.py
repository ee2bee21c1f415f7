"""JPO rules added by issue 15: divisional examination request, first annuities, priority document,
national-phase translation proviso, opposition (watched), design annuities. Citation in each test id."""

import pytest

from .rules_helpers import D, one, run


@pytest.mark.parametrize(
    ("parent", "divisional", "due"),
    [
        # 30 days from 20 Apr 2026 = 20 May 2026, later than 3 years from 10 May 2023 (Sun 10 May 2026).
        pytest.param("2023-05-10", "2026-04-20", "2026-05-20", id="JP-Art48-3(2)-30-days-later"),
        # 3 years (10 May 2026, Sunday -> Mon 11 May) later than 30 days from 1 Mar (31 Mar 2026).
        pytest.param("2023-05-10", "2026-03-01", "2026-05-11", id="JP-Art48-3(2)-three-years-later-Sunday"),
        # 30 days from 3 Apr 2026 = Sun 3 May (Constitution Day), 4-5 May holidays, 6 May substitute -> 7 May.
        pytest.param("2023-03-01", "2026-04-03", "2026-05-07", id="JP-Art48-3(2)-Art3(2)-Golden-Week"),
    ],
)
def test_divisional_examination_request_later_of_three_years_and_30_days(parent, divisional, due):
    dls = run("JP", [("JP.FILED", parent), ("JP.DIVISIONAL_FILED", divisional)], filing_date=parent)
    assert one(dls, "JP.EXAMINATION_REQUEST_DIVISIONAL").due_date == D(due)
    # The ordinary three-year deadline gives way to the divisional's own (never two dates for one act).
    assert one(dls, "JP.EXAMINATION_REQUEST").status == "superseded"


@pytest.mark.parametrize(
    ("decision", "due", "latest"),
    [
        # 30 days = Fri 10 Jul 2026; +30 days from it = Sun 9 Aug -> Mon 10 Aug 2026.
        pytest.param("2026-06-10", "2026-07-10", "2026-08-10", id="JP-Art108(1)-(3)-30-plus-30-days"),
        # 30 days = 31 Dec 2026 (year-end closure) -> Mon 4 Jan 2027; extension from the unrolled 31 Dec:
        # Sat 30 Jan -> Mon 1 Feb 2027.
        pytest.param("2026-12-01", "2027-01-04", "2027-02-01", id="JP-Art108(3)-Art3(2)-year-end"),
    ],
)
def test_first_annuities_30_days_extendable_by_30(decision, due, latest):
    dl = one(run("JP", [("JP.DECISION_TO_GRANT", decision)]), "JP.FIRST_ANNUITIES")
    assert (dl.due_date, dl.latest_date, dl.extendable) == (D(due), D(latest), True)
    registered = run("JP", [("JP.DECISION_TO_GRANT", decision), ("JP.REGISTERED", "2026-12-20")])
    assert one(registered, "JP.FIRST_ANNUITIES").status == "superseded"  # registration proves payment


@pytest.mark.parametrize(
    ("priority", "due"),
    [
        # Counting starts 1 Jul 2025; ends Sat 31 Oct 2026 -> Mon 2 Nov 2026.
        pytest.param("2025-06-30", "2026-11-02", id="JP-Art43(2)-16-months-Saturday"),
        # Counting starts 1 Nov 2026; the day before 1 Mar 2028 is 29 Feb 2028 (leap year).
        pytest.param("2026-10-31", "2028-02-29", id="JP-Art43(2)-Art3-leap-year"),
    ],
)
def test_priority_document_16_months(priority, due):
    dl = one(run("JP", [("JP.FILED", "2026-01-20")], priority_date=priority), "JP.PRIORITY_DOCUMENT")
    assert dl.due_date == D(due)


def test_no_priority_document_deadline_without_priority_or_for_national_phase():
    assert "JP.PRIORITY_DOCUMENT" not in [d.rule for d in run("JP", [("JP.FILED", "2026-01-20")])]
    pct = run("JP", [("JP.FILED", "2026-01-20")], priority_date="2025-06-30", route="pct")
    assert "JP.PRIORITY_DOCUMENT" not in [d.rule for d in pct]


@pytest.mark.parametrize(
    ("documents", "due"),
    [
        # 30 months from 15 Jan 2024 (Art. 3) = 15 Jul 2026; documents on 20 Jun 2026 (last two months):
        # translation within two months of them = Thu 20 Aug 2026.
        pytest.param("2026-06-20", "2026-08-20", id="JP-Art184-4(1)-proviso-two-months-after-documents"),
        # Documents on 1 Apr 2026: two months end 1 Jun, before the 30-month date, which applies.
        pytest.param("2026-04-01", "2026-07-15", id="JP-Art184-4(1)-documents-early-30-months"),
    ],
)
def test_translation_after_late_national_documents(documents, due):
    dl = one(
        run(
            "JP",
            [("JP.NATIONAL_DOCUMENTS_FILED", documents)],
            route="pct",
            priority_date="2024-01-15",
            filing_date="2025-01-10",
        ),
        "JP.NATIONAL_PHASE_TRANSLATION",
    )
    assert dl.due_date == D(due)


@pytest.mark.parametrize(
    ("gazette", "due"),
    [
        pytest.param("2026-03-04", "2026-09-04", id="JP-Art113-six-months"),
        # Counting starts 1 Sep 2026; ends 28 Feb 2027 (Sunday) -> Mon 1 Mar 2027.
        pytest.param("2026-08-31", "2027-03-01", id="JP-Art113-Art3-month-end-Sunday"),
    ],
)
def test_opposition_for_a_watched_patent(gazette, due):
    dl = one(run("JP", [("JP.GAZETTE_PUBLISHED", gazette, {"watched": True})]), "JP.OPPOSITION")
    assert dl.due_date == D(due)
    assert not run("JP", [("JP.GAZETTE_PUBLISHED", gazette)])  # not for our own patent


@pytest.mark.parametrize(
    ("year", "due", "grace"),
    [
        pytest.param("2", "2023-03-15", "2023-09-15", id="JP-DesignAct-Art43(2)-Art44(1)-year-2"),
        # Year 4 due Sat 15 Mar 2025 -> Mon 17 Mar; late payment counted from 18 Mar -> 17 Sep 2025.
        pytest.param("4", "2025-03-17", "2025-09-17", id="JP-DesignAct-Art44(1)-grace-from-rolled-end"),
    ],
)
def test_design_annuities(year, due, grace):
    dls = run("JP", [("JP.REGISTERED", "2022-03-15")], kind="design", filing_date="2021-04-01")
    dl = one(dls, "JP.DESIGN_ANNUITY", year)
    assert (dl.due_date, dl.latest_date) == (D(due), D(grace))
    assert "JP.ANNUITY" not in [d.rule for d in dls]  # patent annuities never for a design


@pytest.mark.parametrize(
    ("filed", "registered", "rule", "years"),
    [
        # 25 years from filing (to 1 Apr 2046): registration 15 Mar 2022 -> years 2-25.
        pytest.param("2021-04-01", "2022-03-15", "JP.DESIGN_ANNUITY", 24, id="JP-DesignAct-Art21(1)-25-years-all"),
        # Registration 15 May 2022: year 25 would start 15 May 2046, after the term ends -> years 2-24.
        pytest.param("2021-04-01", "2022-05-15", "JP.DESIGN_ANNUITY", 23, id="JP-DesignAct-Art21(1)-term-from-filing"),
        # Filed before 1 April 2020: 20 years from registration -> years 2-20.
        pytest.param("2019-05-01", "2020-06-01", "JP.DESIGN_ANNUITY_20Y", 19, id="JP-DesignAct-old-Art21-20-years"),
    ],
)
def test_design_term_limits_the_annuities(filed, registered, rule, years):
    dls = run("JP", [("JP.REGISTERED", registered)], kind="design", filing_date=filed)
    assert {d.rule for d in dls} == {rule}
    assert len(dls) == years
