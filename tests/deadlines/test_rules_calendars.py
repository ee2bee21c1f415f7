"""Office calendars: every holiday source, closures as data, roll-forward with the cause named."""

from datetime import date, timedelta

import pytest

from deadlines.rules.calendars import OfficeCalendar, calendar_for, normalize_office

D = date.fromisoformat

INAUGURATION_2029 = {D("2029-01-22"): ("Inauguration Day", "5 U.S.C. 6103(c)")}


@pytest.mark.parametrize(
    ("office", "day", "closed", "cause"),
    [
        pytest.param("US", "2026-07-03", True, "Independence Day (observed)", id="35USC21(b)-observed-federal-holiday"),
        pytest.param(
            "US",
            "2027-06-18",
            True,
            "Juneteenth National Independence Day (observed)",
            id="35USC21(b)-Juneteenth-observed-Friday",
        ),
        pytest.param(
            "US",
            "2025-01-09",
            True,
            "National Day of Mourning for former President Jimmy Carter",
            id="35USC21(b)-executive-order-closure",
        ),
        pytest.param("US", "2024-12-24", True, "Christmas Eve", id="35USC21(b)-executive-order-Christmas-Eve"),
        pytest.param("US", "2026-04-16", False, None, id="35USC21(b)-DC-Emancipation-Day-is-not-federal"),
        pytest.param("US", "2026-11-11", True, "Veterans Day", id="35USC21(b)-Veterans-Day"),
        pytest.param("US", "2026-11-12", False, None, id="35USC21(b)-ordinary-Thursday-open"),
        pytest.param("JP", "2025-02-24", True, "Substitute Holiday", id="JP-Art3(2)-substitute-holiday"),
        pytest.param("JP", "2026-09-22", True, "National Holiday", id="JP-Art3(2)-citizens-holiday"),
        pytest.param("JP", "2026-12-29", True, "year-end closure (29 Dec - 3 Jan)", id="JP-Art3(2)-year-end"),
        pytest.param("JP", "2027-01-04", False, None, id="JP-Art3(2)-open-4-Jan-2027"),
        pytest.param("EP", "2026-04-08", False, None, id="EPC-R134-no-library-holidays-for-EPO"),
        pytest.param("IB", "2026-11-13", False, None, id="PCT-R80.5-IB-weekday-open"),
    ],
)
def test_office_open_or_closed_with_named_cause(office, day, closed, cause):
    cal = calendar_for(office, {})
    causes = cal.causes(D(day))
    assert (not cal.is_open(D(day))) is closed
    if cause:
        assert cause in [c["name"] for c in causes]


def test_closures_come_in_as_data_with_their_source():
    closures = {"EP": {D("2026-04-03"): ("Good Friday", "OJ EPO 2025, A40")}}
    cal = calendar_for("EP", closures)
    assert cal.causes(D("2026-04-03")) == [{"type": "closure", "name": "Good Friday", "source": "OJ EPO 2025, A40"}]
    assert calendar_for("US", closures).is_open(D("2026-04-03"))


def test_roll_forward_records_each_skipped_day_and_cause():
    # Fri 3 Jul 2026 (observed Independence Day), Sat 4 Jul, Sun 5 Jul -> Mon 6 Jul.
    rolled, steps = calendar_for("US", {}).roll_forward(D("2026-07-03"))
    assert rolled == D("2026-07-06")
    assert [s["date"] for s in steps] == ["2026-07-03", "2026-07-04", "2026-07-05"]
    assert steps[0]["causes"][0]["source"].startswith("holidays.US")
    assert {c["type"] for c in steps[1]["causes"]} == {"weekend", "holiday"}  # Sat 4 Jul is also the holiday


def test_inauguration_day_only_counts_when_stored():
    assert calendar_for("US", {}).is_open(D("2029-01-22"))
    assert not calendar_for("US", {"US": INAUGURATION_2029}).is_open(D("2029-01-22"))


def test_unknown_office_falls_back_to_weekends_and_says_so():
    cal = calendar_for("KR", {})
    assert cal.roll_forward(D("2026-11-21"))[0] == D("2026-11-23")
    assert "no holiday calendar" in cal.warnings_for(D("2026-11-23"))[0]


def test_year_with_a_published_list_is_not_provisional():
    cal = calendar_for("EP", {"EP": {D("2026-12-24"): ("Christmas", "OJ EPO 2025, A40")}})
    assert cal.warnings_for(D("2026-06-01")) == []
    assert cal.is_open(D("2026-04-06"))  # Easter Monday is not in that (test) list: the list decides
    assert "provisional: closure list for 2031 not yet published" in cal.warnings_for(D("2031-06-02"))[0]


@pytest.mark.parametrize(
    "source",
    [
        pytest.param("ad hoc: EPO IT outage notice of 3 March 2028", id="EPC-R134(1)-ad-hoc-closure-2028"),
        pytest.param("partial list: EPO notice on a single closing day", id="EPC-R134(1)-single-day-notice-2028"),
    ],
)
def test_a_single_day_closure_applies_but_does_not_publish_its_year(source):
    # An outage announced before the 2028 list must not end 2028's provisional status: Good Friday 2028 stays
    # closed (provisionally) and every 2028 date keeps its warning.
    cal = calendar_for("EP", {"EP": {D("2028-03-03"): ("IT outage", source)}})
    assert [c["type"] for c in cal.causes(D("2028-03-03"))] == ["closure"]
    assert cal.provisional(2028)
    assert [c["type"] for c in cal.causes(D("2028-04-14"))] == ["provisional"]
    # A real list for the year still ends the provisional status, whatever single days come with it.
    listed = calendar_for("EP", {"EP": {D("2028-03-03"): ("IT outage", source), D("2028-01-06"): ("Epiphany", "OJ")}})
    assert not listed.provisional(2028)


@pytest.mark.parametrize(
    ("office", "day", "name"),
    [
        pytest.param("EP", "2028-04-14", "Good Friday", id="EPC-R134(1)-provisional-2028-Good-Friday"),
        pytest.param("EP", "2028-06-15", "Corpus Christi", id="EPC-R134(1)-provisional-2028-Corpus-Christi-Munich"),
        pytest.param("EP", "2029-10-03", "Day of German Unity", id="EPC-R134(1)-provisional-2029-German-Unity"),
        pytest.param("EP", "2028-11-01", "All Saints' Day", id="EPC-R134(1)-provisional-2028-All-Saints"),
        pytest.param("EP", "2029-12-24", "Christmas Eve", id="EPC-R134(1)-provisional-2029-Christmas-Eve"),
        pytest.param("IB", "2028-09-07", "Jeûne genevois", id="PCT-R80.5-provisional-2028-Jeune-genevois"),
        pytest.param("IB", "2028-05-25", "Ascension Day", id="PCT-R80.5-provisional-2028-Ascension"),
    ],
)
def test_year_without_published_list_applies_recurring_days_marked_provisional(office, day, name):
    cal = calendar_for(office, {})
    causes = cal.causes(D(day))
    assert [(c["type"], c["name"]) for c in causes] == [("provisional", name)]
    assert "provisional: closure list for " + day[:4] + " not yet published" in causes[0]["source"]
    assert cal.warnings_for(D(day)) == [cal.warnings_for(D(day))[0]]
    assert cal.warnings_for(D(day))[0].startswith(f"provisional: closure list for {day[:4]} not yet published")


@pytest.mark.parametrize(
    ("day", "closed"),
    [
        # Local days not in every notice are never guessed (a wrong closing day gives a date too late).
        pytest.param("2028-04-27", False, id="EPC-R134(1)-Hague-Kings-Day-not-guessed"),
        pytest.param("2028-05-05", False, id="EPC-R134(1)-Hague-Liberation-Day-not-guessed"),
        pytest.param("2028-03-08", False, id="EPC-R134(1)-Berlin-8-March-not-guessed"),
        pytest.param("2028-08-15", False, id="EPC-R134(1)-Munich-Assumption-not-guessed"),
    ],
)
def test_local_days_not_in_every_notice_are_not_applied(day, closed):
    assert (not calendar_for("EP", {}).is_open(D(day))) is closed


def test_seeded_recurring_rows_do_not_publish_a_year():
    from deadlines.closure_data import closures_mapping

    seed = closures_mapping()
    ep = calendar_for("EP", seed)
    assert not ep.provisional(2026)  # OJ EPO 2025, A40 (read in a published copy)
    assert ep.provisional(2025) and ep.provisional(2027)  # recurring rows only: the notices were not checked
    assert calendar_for("IB", seed).provisional(2026)


@pytest.mark.parametrize(
    ("code", "office"), [("RO/IB", "IB"), ("wo", "IB"), ("EPO", "EP"), ("us", "US"), ("KR", "KR"), ("", None)]
)
def test_office_codes_normalize(code, office):
    assert normalize_office(code) == office


def test_calendar_refuses_endless_closure():
    cal = OfficeCalendar("EP", {date(2026, 1, 1) + timedelta(days=i): ("strike", "ad hoc") for i in range(90)})
    with pytest.raises(ValueError):
        cal.roll_forward(D("2026-01-01"))


@pytest.mark.parametrize(
    ("office", "year"),
    [
        pytest.param("EP", 2026, id="EPC-R134(1)-recurring-days-all-in-OJ-EPO-2025-A40-list"),
        pytest.param("EP", 2025, id="EPC-R134(1)-recurring-days-match-seeded-2025"),
        pytest.param("EP", 2027, id="EPC-R134(1)-recurring-days-match-seeded-2027"),
        pytest.param("IB", 2026, id="PCT-R80.5-recurring-days-match-seeded-2026"),
        pytest.param("IB", 2027, id="PCT-R80.5-recurring-days-match-seeded-2027"),
    ],
)
def test_recurring_days_agree_with_the_closure_data(office, year):
    """Every weekday the recurring table closes is in the stored data for that year (a published list or the
    seeded rows), so the provisional days are never more than the data we have says."""
    from deadlines.closure_data import closures_mapping
    from deadlines.rules.calendars import recurring_closures

    stored = closures_mapping()[office]
    weekdays = {d for d in recurring_closures(office, year) if d.weekday() < 5}
    assert weekdays, "the recurring table must produce days"
    assert sorted(d for d in weekdays if d not in stored) == []
