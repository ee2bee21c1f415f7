"""The official fee of each renewal, from the seeded fee tables, with the schedule cited in each test id."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from deadlines.fees import FeeBook, fee_for
from deadlines.models import FeeAmount, FeeSchedule
from docketapp.audit import attributed
from tests.factories import MatterFactory

from .conftest import TODAY, renewal

D = dt.date
EP, US, JP = "EP.RENEWAL_FEE", "US.MAINTENANCE_FEE", "JP.ANNUITY"

CASES = [
    pytest.param("EP", EP, "3", {}, D(2026, 6, 30), None, Decimal(690), Decimal(345), "EUR",
                 id="EPO RFees Art 2(1) item 4 (CA-D 16-23 from 2024-04-01): year 3 = 690 EUR, Rule 51(2) +50%"),
    pytest.param("EP", EP, "6", {}, D(2026, 8, 31), None, Decimal(1155), Decimal("577.50"), "EUR",
                 id="EPO RFees Art 2(1) item 4 (from 2024-04-01): year 6 = 1155 EUR"),
    pytest.param("EP", EP, "12", {}, D(2026, 8, 31), None, Decimal(1775), Decimal("887.50"), "EUR",
                 id="EPO RFees Art 2(1) item 4 (from 2024-04-01): years 10-20 = 1775 EUR"),
    pytest.param("EP", "EP.RENEWAL_FEE_DIVISIONAL", "7", {}, D(2026, 8, 31), None, Decimal(1310), Decimal(655), "EUR",
                 id="EPO RFees Art 2(1) item 4 via EPC Rule 51(3): divisional year 7 = 1310 EUR"),
    pytest.param("US", US, "3.5", {"entity_size": "large"}, D(2026, 9, 1), None, Decimal(2150), Decimal(540), "USD",
                 id="37 CFR 1.20(e), (h) (89 FR 91898, from 2025-01-19): 3.5 years undiscounted = 2150 USD, +540"),
    pytest.param("US", US, "7.5", {"entity_size": "small"}, D(2026, 9, 1), None, Decimal(1616), Decimal(216), "USD",
                 id="37 CFR 1.20(f), (h), 35 USC 41(h)(1) small entity 40 percent: 7.5 years = 1616 USD, +216"),
    pytest.param("US", US, "11.5", {"entity_size": "micro"}, D(2026, 9, 1), None, Decimal(1656), Decimal(108), "USD",
                 id="37 CFR 1.20(g), (h), 35 USC 41(h)(3) micro entity 20 percent: 11.5 years = 1656 USD, +108"),
    pytest.param("JP", JP, "4", {"claim_count": 10}, D(2026, 5, 20), None, Decimal(18300), Decimal(18300), "JPY",
                 id="JP Patent Act Art 107(1) table (from 2022-04-01): year 4 = 10300 + 10 x 800, Art 112(2) twice"),
    pytest.param("JP", JP, "10", {"claim_count": 5}, D(2026, 5, 20), None, Decimal(82400), Decimal(82400), "JPY",
                 id="JP Patent Act Art 107(1) table (from 2022-04-01): year 10 = 59400 + 5 x 4600 JPY"),
]


@pytest.mark.parametrize(("office", "rule_id", "year", "facts", "due", "latest", "amount", "surcharge", "currency"),
                         CASES)
def test_fee_for_a_renewal_comes_from_the_official_table_with_its_source(
    fee_tables, office, rule_id, year, facts, due, latest, amount, surcharge, currency
):
    matter = MatterFactory(office=office, **facts)
    quote = fee_for(renewal(matter, year, due, rule_id=rule_id, latest=latest), today=TODAY)
    assert (quote.amount, quote.currency, quote.surcharge, quote.problem) == (amount, currency, surcharge, "")
    assert quote.schedule == fee_tables[office]
    assert quote.schedule.source and quote.schedule.legal_basis and quote.schedule.source_url.startswith("https://")
    assert str(quote.schedule.effective_from.year) in quote.source


def test_in_grace_the_payable_amount_adds_the_epo_surcharge_rule_51_2(fee_tables):
    """EPC Rule 51(2): paid within six months of the due date with an additional fee of 50 %."""
    matter = MatterFactory(office="EP")
    quote = fee_for(renewal(matter, "5", D(2026, 1, 31), latest=D(2026, 7, 31)), today=TODAY)
    assert quote.in_grace and quote.amount == 1000 and quote.payable_now == 1500


def test_jpo_late_payment_doubles_the_annuity_art_112_2(fee_tables):
    matter = MatterFactory(office="JP", claim_count=3)
    quote = fee_for(renewal(matter, "5", D(2026, 2, 20), rule_id=JP, latest=D(2026, 8, 20)), today=TODAY)
    assert quote.in_grace and quote.amount == 10300 + 3 * 800 and quote.payable_now == 2 * (10300 + 3 * 800)


@pytest.mark.parametrize(("entity", "fee", "surcharge"), [
    pytest.param("large", 2150, 540, id="37 CFR 1.20(e)+(h) other than small or micro: 2150 + 540"),
    pytest.param("small", 860, 216, id="37 CFR 1.20(e)+(h) small entity (60 percent reduction): 860 + 216"),
    pytest.param("micro", 430, 108, id="37 CFR 1.20(e)+(h) micro entity (80 percent reduction): 430 + 108"),
])
def test_in_grace_the_us_maintenance_fee_adds_the_1_20_h_surcharge_for_the_entity_size(
    fee_tables, entity, fee, surcharge
):
    matter = MatterFactory(office="US", entity_size=entity)
    quote = fee_for(renewal(matter, "3.5", D(2026, 1, 5), rule_id=US, latest=D(2026, 7, 5)), today=TODAY)
    assert quote.in_grace and (quote.amount, quote.surcharge, quote.payable_now) == (fee, surcharge, fee + surcharge)
    assert "1.20(h)" in quote.schedule.surcharge_basis and "1.20(e)-(h)" in quote.schedule.source


def test_the_surcharge_figures_carry_their_own_history_row(fee_tables):
    line = FeeAmount.objects.get(schedule=fee_tables["US"], year_from=Decimal("7.5"), entity_size="small")
    latest = line.history.order_by("-history_id").first()
    assert latest.surcharge == 216 and "1.20(h)" in latest.history_change_reason


@pytest.mark.parametrize(("office", "rule_id", "year", "problem"), [
    pytest.param("US", US, "3.5", "entity size unknown", id="37 CFR 1.27, 1.29: entity size unknown, no figure"),
    pytest.param("JP", JP, "4", "claim count unknown", id="JP Patent Act Art 107(1): per claim, count unknown"),
    pytest.param("JP", "JP.DESIGN_ANNUITY", "4", "no fee table for JP.DESIGN_ANNUITY",
                 id="JP Design Act Art 42: no design annuity table seeded"),
])
def test_missing_data_says_what_is_missing_never_a_figure(fee_tables, office, rule_id, year, problem):
    matter = MatterFactory(office=office)
    quote = fee_for(renewal(matter, year, D(2026, 9, 30), rule_id=rule_id), today=TODAY)
    assert quote.amount is None and quote.payable_now is None
    assert quote.problem.startswith(problem)


def test_a_year_outside_the_table_and_a_date_before_it_have_no_fee(fee_tables):
    matter = MatterFactory(office="EP")
    beyond = fee_for(renewal(matter, "21", D(2026, 9, 30)), today=TODAY)
    assert beyond.problem == "no fee table for EP.RENEWAL_FEE year 21"
    old = fee_for(renewal(matter, "3", D(2023, 6, 30), latest=D(2023, 12, 31)), today=D(2023, 7, 1))
    assert old.problem == "no fee table for EP.RENEWAL_FEE in force on 2023-07-01"


def test_a_new_table_applies_from_its_effective_date_old_fees_stay_for_earlier_payments(fee_tables):
    with attributed(reason="EPO fees from 1 April 2027 (test)", process="tests"):
        new = FeeSchedule.objects.create(
            office="EP", name=fee_tables["EP"].name, rule_ids="EP.RENEWAL_FEE", currency="EUR",
            effective_from=D(2027, 4, 1), legal_basis="RFees (test table)", source="test", surcharge_percent=50,
        )
        FeeAmount.objects.create(schedule=new, year_from=3, year_to=20, amount=Decimal(2000))
    matter = MatterFactory(office="EP")
    book = FeeBook()
    assert fee_for(renewal(matter, "4", D(2027, 3, 31)), book=book, today=TODAY).amount == 845
    assert fee_for(renewal(matter, "5", D(2027, 4, 30)), book=book, today=TODAY).amount == 2000


def test_seeded_tables_carry_their_attributed_creation_in_the_history(fee_tables):
    for schedule in fee_tables.values():
        [created] = schedule.history.filter(history_type="+")
        assert created.history_actor == "process:migrate"
        assert "deadlines.0012" in created.history_change_reason
        assert schedule.amounts.count() and all(a.history.filter(history_type="+").count() == 1
                                                for a in schedule.amounts.all())
    # The USPTO surcharge (deadlines.0015) completed the US rows: one attributed change each, nothing else.
    for schedule in fee_tables.values():
        changes = [h for a in schedule.amounts.all() for h in a.history.filter(history_type="~")]
        assert len(changes) == (3 * 3 if schedule.office == "US" else 0)
        assert all(h.history_actor == "process:migrate" and "deadlines.0015" in h.history_change_reason
                   for h in changes)
