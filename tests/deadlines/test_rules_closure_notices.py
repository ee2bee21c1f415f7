"""EPC Rule 134(1) / PCT Rule 80.5 with the closing-day lists read in the offices' own publications
(deadlines.closure_data.PUBLISHED_LISTS): each filing office's local holidays, Vienna not a filing office,
the recurring guess checked against real lists, and the data migration that stores the lists."""

from datetime import date
from importlib import import_module
from types import SimpleNamespace

import pytest

from deadlines.closure_data import closures_mapping, partial_lists, published_lists, seed_closures
from deadlines.rules.calendars import calendar_for, recurring_closures
from tests.deadlines.rules_helpers import one, run, skipped_causes

D = date.fromisoformat
SEED = closures_mapping()


@pytest.mark.parametrize(
    ("office", "last_day", "next_open", "cause", "source"),
    [
        # The Hague
        pytest.param("EP", "2020-04-27", "2020-04-28", "King's Day (The Hague)", "OJ EPO 2019, A97",
                     id="EPC-R134(1)-OJ-EPO-2019-A97-Hague-Kings-Day-2020"),
        pytest.param("EP", "2020-05-05", "2020-05-06", "Liberation Day (The Hague)", "OJ EPO 2019, A97",
                     id="EPC-R134(1)-OJ-EPO-2019-A97-Hague-Liberation-Day-2020"),
        pytest.param("EP", "2015-04-27", "2015-04-28", "National Holiday (The Hague)", "OJ EPO 2014, A108",
                     id="EPC-R134(1)-OJ-EPO-2014-A108-Hague-National-Holiday-2015"),
        pytest.param("EP", "2023-05-05", "2023-05-08", "Liberation Day (The Hague)", "Office holidays",
                     id="EPC-R134(1)-EPO-office-holidays-2023-Hague-Liberation-Day-non-lustrum-year"),
        # Berlin
        pytest.param("EP", "2023-03-08", "2023-03-09", "International Women's Day (Berlin)", "Office holidays",
                     id="EPC-R134(1)-EPO-office-holidays-2023-Berlin-Womens-Day"),
        # Munich
        pytest.param("EP", "2020-06-11", "2020-06-12", "Corpus Christi (Munich)", "OJ EPO 2019, A97",
                     id="EPC-R134(1)-OJ-EPO-2019-A97-Munich-Corpus-Christi-2020"),
        pytest.param("EP", "2023-08-15", "2023-08-16", "Assumption Day (Munich)", "Office holidays",
                     id="EPC-R134(1)-EPO-office-holidays-2023-Munich-Assumption"),
        pytest.param("EP", "2024-08-15", "2024-08-16", "Assumption Day (Munich)", "Office holidays",
                     id="EPC-R134(1)-EPO-office-holidays-2024-Munich-Assumption"),
        pytest.param("EP", "2023-11-01", "2023-11-02", "All Saints' Day (Munich)", "Office holidays",
                     id="EPC-R134(1)-EPO-office-holidays-2023-Munich-All-Saints"),
        # All filing offices: bridging days run into the next year's first open day
        pytest.param("EP", "2015-12-28", "2016-01-04", "Bridging day", "OJ EPO 2014, A108",
                     id="EPC-R134(1)-OJ-EPO-2014-A108-bridging-days-2015"),
        pytest.param("EP", "2023-12-27", "2024-01-02", "Bridging day", "Office holidays",
                     id="EPC-R134(1)-EPO-office-holidays-2023-bridging-then-closed-to-1-Jan-2024"),
        # OJ EPO 2016, A74 (2017): The Hague's days in a non-lustrum year, Munich's Assumption, and the
        # supplements read later (31 Oct 2017 without mail in Germany; the 22 May 2020 closure decision)
        pytest.param("EP", "2017-04-27", "2017-04-28", "King's Day (The Hague)", "OJ EPO 2016, A74",
                     id="EPC-R134(1)-OJ-EPO-2016-A74-Hague-Kings-Day-2017"),
        pytest.param("EP", "2017-05-05", "2017-05-08", "Liberation Day (The Hague)", "OJ EPO 2016, A74",
                     id="EPC-R134(1)-OJ-EPO-2016-A74-Hague-Liberation-Day-2017-non-lustrum-year"),
        pytest.param("EP", "2017-08-15", "2017-08-16", "Assumption Day (Munich)", "OJ EPO 2016, A74",
                     id="EPC-R134(1)-OJ-EPO-2016-A74-Munich-Assumption-2017"),
        pytest.param("EP", "2017-10-03", "2017-10-04", "Day of German Unity (Munich, Berlin)", "OJ EPO 2016, A74",
                     id="EPC-R134(1)-OJ-EPO-2016-A74-Berlin-German-Unity-2017"),
        pytest.param("EP", "2017-10-31", "2017-11-02", "Reformation Day 2017: no mail delivered in Germany",
                     "Extension of periods expiring on 31 October 2017",
                     id="EPC-R134(1)-EPO-notice-2017-10-16-no-mail-31-Oct-2017-then-All-Saints"),
        pytest.param("EP", "2020-05-22", "2020-05-25", "Closure of the filing offices (Munich, The Hague, Berlin)",
                     "Decision of the President of the EPO dated 27 April 2020",
                     id="EPC-R134(1)-EPO-decision-2020-04-27-closed-22-May-2020"),
        # International Bureau: Geneva's fast and the days in lieu the IB lists
        pytest.param("IB", "2019-09-05", "2019-09-06", "Jeune genevois", "PCT Newsletter No. 12/2018",
                     id="PCT-R80.5-Newsletter-12-2018-IB-Jeune-genevois-2019"),
        pytest.param("IB", "2017-01-02", "2017-01-03", "non-working day as listed (1 January is a Sunday)",
                     "PCT Newsletter No. 11/2016", id="PCT-R80.5-Newsletter-11-2016-IB-day-in-lieu-2-Jan-2017"),
        pytest.param("IB", "2017-12-29", "2018-01-02", "non-working day as listed (31 December is a Sunday)",
                     "PCT Newsletter No. 11/2016", id="PCT-R80.5-Newsletter-11-2016-IB-day-in-lieu-29-Dec-2017"),
    ],
)
def test_period_ending_on_a_filing_office_holiday_moves_to_the_next_day_all_are_open(
    office, last_day, next_open, cause, source
):
    cal = calendar_for(office, SEED)
    rolled, steps = cal.roll_forward(D(last_day))
    assert rolled == D(next_open)
    first = steps[0]["causes"]
    assert [c["name"] for c in first] == [cause]
    assert source in first[0]["source"]
    assert cal.warnings_for(D(last_day)) == []  # a published year: nothing provisional about it


@pytest.mark.parametrize(
    "day",
    [
        pytest.param("2023-10-26", id="EPC-R134(1)-Vienna-National-Holiday-2023-not-a-filing-office"),
        pytest.param("2023-12-08", id="EPC-R134(1)-Vienna-Immaculate-Conception-2023-not-a-filing-office"),
        pytest.param("2020-10-26", id="EPC-R134(1)-OJ-EPO-2019-A97-Vienna-not-listed-2020"),
    ],
)
def test_vienna_sub_office_holidays_do_not_extend_a_period(day):
    # OJ EPO 2019, A97 point 2: the filing offices are Munich, The Hague and Berlin. The EPO's office-holidays
    # page lists Vienna's days too, but Vienna does not receive filings, so Rule 134(1) ignores them.
    assert calendar_for("EP", SEED).is_open(D(day))


def test_reply_period_ending_on_kings_day_2020_is_due_the_next_day():
    # 94(3) communication dated 17 Dec 2019: deemed notified 27 Dec 2019 (R126(2) EPC, old version), four
    # months end Monday 27 Apr 2020 -- King's Day, The Hague closed (OJ EPO 2019, A97) -> Tuesday 28 Apr.
    dl = one(
        run("EP", [("EP.COMMUNICATION_94_3", "2019-12-17", {"period_months": 4})], closures=SEED, today="2019-12-20",
            filing_date="2018-03-15"),
        "EP.REPLY_94_3",
    )
    assert dl.due_date == D("2020-04-28")
    assert skipped_causes(dl) == ["King's Day (The Hague)"]
    # Without the list the day would have been treated as open: the closure data decides.
    plain = one(
        run("EP", [("EP.COMMUNICATION_94_3", "2019-12-17", {"period_months": 4})], closures={"EP": {}},
            today="2019-12-20", filing_date="2018-03-15"),
        "EP.REPLY_94_3",
    )
    assert plain.due_date == D("2020-04-27")


def test_reply_period_ending_on_berlin_womens_day_2023_is_due_the_next_day():
    # Communication dated 29 Oct 2022 -> deemed notified 8 Nov 2022 -> four months end Wed 8 Mar 2023,
    # International Women's Day, Berlin closed (EPO office holidays 2023) -> Thursday 9 Mar 2023.
    dl = one(
        run("EP", [("EP.COMMUNICATION_94_3", "2022-10-29", {"period_months": 4})], closures=SEED, today="2022-11-01",
            filing_date="2021-03-15"),
        "EP.REPLY_94_3",
    )
    assert dl.due_date == D("2023-03-09")
    assert skipped_causes(dl) == ["International Women's Day (Berlin)"]


@pytest.mark.parametrize(
    ("office", "year"),
    [
        pytest.param("EP", 2015, id="EPC-R134(1)-recurring-days-all-in-OJ-EPO-2014-A108"),
        pytest.param("EP", 2017, id="EPC-R134(1)-recurring-days-all-in-OJ-EPO-2016-A74"),
        pytest.param("EP", 2020, id="EPC-R134(1)-recurring-days-all-in-OJ-EPO-2019-A97"),
        pytest.param("EP", 2023, id="EPC-R134(1)-recurring-days-all-in-EPO-office-holidays-2023"),
        pytest.param("EP", 2024, id="EPC-R134(1)-recurring-days-all-in-EPO-office-holidays-2024-Munich"),
        pytest.param("IB", 2017, id="PCT-R80.5-recurring-days-all-in-Newsletter-11-2016"),
        pytest.param("IB", 2019, id="PCT-R80.5-recurring-days-all-in-Newsletter-12-2018"),
    ],
)
def test_recurring_guess_never_closes_a_day_a_real_list_kept_open(office, year):
    """The provisional days (applied to years without a list) are all closing days in every real list read:
    the guess can miss a local day (an earlier date, the safe side) but never invents one."""
    stored = SEED[office]
    weekdays = {d for d in recurring_closures(office, year) if d.weekday() < 5}
    assert weekdays
    assert sorted(d for d in weekdays if d not in stored) == []
    assert not calendar_for(office, SEED).provisional(year)


def test_published_lists_hold_weekdays_only_and_are_in_the_seed():
    rows = published_lists() + partial_lists()
    assert all(r.date.weekday() < 5 and r.certainty == "published" for r in rows)
    assert all(r.source.startswith("partial list:") for r in partial_lists())
    seeded = {(r.office, r.date): r.source for r in seed_closures()}
    for r in rows:
        # 24-31 Dec 2024 keep the Christmas notice they were seeded from; every other day is from its list.
        assert (r.office, r.date) in seeded


def test_docs_list_every_day_not_seeded():
    from pathlib import Path

    from deadlines.closure_data import NOT_SEEDED

    docs = (Path(__file__).resolve().parents[2] / "docs" / "deadlines.md").read_text(encoding="utf-8")
    assert [line for line in NOT_SEEDED if f"* {line}\n" not in docs] == []


# --- notices about single days: they apply, but the year stays provisional ----------------------------


@pytest.mark.parametrize(
    ("office", "last_day", "next_open", "year"),
    [
        # 24 Dec 2020 - 10 Jan 2021 closed (A97's days, then the COVID notice); Fri 1 Jan and 4-8 Jan 2021 are
        # from the notice, the weekends between are weekends.
        pytest.param("EP", "2020-12-24", "2021-01-11", 2021,
                     id="EPC-R134(1)-EPO-notice-2020-12-17-COVID-closure-to-10-Jan-2021"),
        pytest.param("EP", "2021-12-24", "2022-01-03", 2021,
                     id="EPC-R134(1)-EPO-notice-2021-12-14-closed-24-Dec-2021-to-2-Jan-2022"),
        pytest.param("EP", "2022-12-26", "2023-01-02", 2022,
                     id="EPC-R134(1)-EPO-notice-2022-12-07-closed-24-Dec-2022-to-1-Jan-2023"),
        pytest.param("IB", "2016-12-24", "2016-12-27", 2016,
                     id="PCT-R80.5-Newsletter-11-2016-IB-day-in-lieu-26-Dec-2016"),
    ],
)
def test_single_day_notices_move_the_date_and_leave_the_year_provisional(office, last_day, next_open, year):
    cal = calendar_for(office, SEED)
    assert cal.roll_forward(D(last_day))[0] == D(next_open)
    # The year's own list was not read: its recurring days still apply and the date says so.
    assert cal.provisional(year)
    assert cal.warnings_for(D(f"{year}-06-01"))[0].startswith(f"provisional: closure list for {year}")


def test_the_covid_closure_does_not_hide_good_friday_2021():
    # Without the partial-list rule the six January rows would have made 2021 "published" and Good Friday
    # (2 Apr 2021, not in any list we hold) an open day, with no warning.
    cal = calendar_for("EP", SEED)
    assert [c["type"] for c in cal.causes(D("2021-04-02"))] == ["provisional"]


# --- the data migration -------------------------------------------------------------------------------

MIGRATION = import_module("deadlines.migrations.0010_h15_published_closures")


def _migrate():
    # The models as the migration sees them (no simple-history signals, no chained save()).
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    state = MigrationExecutor(connection).loader.project_state(("deadlines", "0010_h15_published_closures"))
    MIGRATION.add_published_closures(state.apps, SimpleNamespace(connection=connection))


@pytest.mark.django_db
def test_migration_leaves_a_database_without_closures_to_seed_closures():
    from deadlines.models import OfficeClosure

    _migrate()
    assert not OfficeClosure.objects.exists()


@pytest.mark.django_db
def test_migration_adds_the_lists_with_attributed_history_and_marks_affected_matters():
    from deadlines.models import MatterComputation, OfficeClosure
    from docketapp.audit import attributed
    from docketapp.audit_chain import verify
    from tests.factories import DeadlineFactory, OfficeClosureFactory

    with attributed(reason="test setup", process="tests"):
        # A database seeded before the lists existed, where someone deleted Liberation Day 2020 on purpose.
        OfficeClosureFactory(office="EP", date=D("2026-12-24"))
        deleted = OfficeClosureFactory(office="EP", date=D("2020-05-05"))
        deleted.delete()
        affected = DeadlineFactory(due_date=D("2020-04-27"))
        untouched = DeadlineFactory(due_date=D("2026-03-02"))

    _migrate()

    added = OfficeClosure.objects.filter(date__year__in=[2015, 2017, 2019, 2020, 2023, 2024])
    assert added.count() == len(published_lists()) - 1
    assert not OfficeClosure.objects.filter(office="EP", date=D("2020-05-05")).exists()  # not re-added
    kings_day = OfficeClosure.objects.get(office="EP", date=D("2020-04-27"))
    assert "OJ EPO 2019, A97" in kings_day.source
    record = kings_day.history.get()
    assert record.history_actor == "process:migrate"
    assert "PUBLISHED_LISTS" in record.history_change_reason
    assert verify().ok
    marked = MatterComputation.objects.filter(recompute_requested_at__isnull=False)
    pending = set(marked.values_list("matter_id", flat=True))
    assert affected.matter_id in pending and untouched.matter_id not in pending

    before = OfficeClosure.history.count()
    _migrate()  # again: nothing new
    assert OfficeClosure.history.count() == before


MIGRATION_0014 = import_module("deadlines.migrations.0014_h15cal_more_closures")


@pytest.mark.django_db
def test_migration_0014_adds_the_new_notices_once_and_marks_affected_matters():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from deadlines.models import MatterComputation, OfficeClosure
    from docketapp.audit import attributed
    from docketapp.audit_chain import verify
    from tests.factories import DeadlineFactory, OfficeClosureFactory

    def migrate():
        state = MigrationExecutor(connection).loader.project_state(("deadlines", "0014_h15cal_more_closures"))
        MIGRATION_0014.add_closures(state.apps, SimpleNamespace(connection=connection))

    with attributed(reason="test setup", process="tests"):
        # A database seeded and migrated through 0010 before these notices were read.
        OfficeClosureFactory(office="EP", date=D("2026-12-24"))
        OfficeClosureFactory(office="EP", date=D("2020-12-24"), source="OJ EPO 2019, A97")
        affected = DeadlineFactory(due_date=D("2021-01-04"))
        untouched = DeadlineFactory(due_date=D("2026-03-02"))

    migrate()

    covid = OfficeClosure.objects.get(office="EP", date=D("2021-01-04"))
    assert covid.source.startswith("partial list:")
    assert OfficeClosure.objects.filter(office="EP", date=D("2017-04-27")).exists()  # the 2017 list
    assert OfficeClosure.objects.filter(office="WO", date=D("2016-12-26")).exists()
    record = covid.history.get()
    assert record.history_actor == "process:migrate" and "PARTIAL_LISTS" in record.history_change_reason
    assert verify().ok
    pending = set(
        MatterComputation.objects.filter(recompute_requested_at__isnull=False).values_list("matter_id", flat=True)
    )
    assert affected.matter_id in pending and untouched.matter_id not in pending

    before = OfficeClosure.history.count()
    migrate()  # again: nothing new
    assert OfficeClosure.history.count() == before
