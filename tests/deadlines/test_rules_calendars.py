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
        pytest.param("EP", "2026-04-06", False, None, id="EPC-R134-no-library-holidays-for-EPO"),
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


def test_missing_epo_closure_year_is_flagged():
    cal = calendar_for("EP", {"EP": {D("2026-12-24"): ("Christmas", "notice")}})
    assert cal.warnings_for(D("2026-06-01")) == []
    assert "no EP closure days stored for 2031" in cal.warnings_for(D("2031-06-02"))[0]


@pytest.mark.parametrize(
    ("code", "office"), [("RO/IB", "IB"), ("wo", "IB"), ("EPO", "EP"), ("us", "US"), ("KR", "KR"), ("", None)]
)
def test_office_codes_normalize(code, office):
    assert normalize_office(code) == office


def test_calendar_refuses_endless_closure():
    cal = OfficeCalendar("EP", {date(2026, 1, 1) + timedelta(days=i): ("strike", "ad hoc") for i in range(90)})
    with pytest.raises(ValueError):
        cal.roll_forward(D("2026-01-01"))
