"""The synthetic portfolio: deterministic per seed, generated on demand, found by any number form, and
placed around today so the demo always has deadlines due soon and just missed."""

from __future__ import annotations

import time
from datetime import date, timedelta
from itertools import islice

import pytest

from patents.numbers import normalize_application_number
from patents.simulator.portfolio import SyntheticPortfolio, add_months

TODAY = date(2026, 3, 15)


def test_same_seed_same_matters_other_seed_other_matters():
    a, b, c = (SyntheticPortfolio(seed=s, size=300, today=TODAY) for s in (5, 5, 6))
    assert [a.matter(i) for i in range(0, 300, 7)] == [b.matter(i) for i in range(0, 300, 7)]
    assert [a.matter(i).events for i in range(20)] != [c.matter(i).events for i in range(20)]


def test_one_matter_of_a_100k_portfolio_is_generated_without_the_others():
    p = SyntheticPortfolio(seed=1, size=100_000, today=TODAY)
    started = time.perf_counter()
    last = p.matter(99_999)
    assert time.perf_counter() - started < 0.5
    assert p.lookup(last.application_number) == last


def test_matters_by_office_are_that_office_and_slice_like_a_list():
    p = SyntheticPortfolio(seed=1, size=200, today=TODAY)
    for office in ("EP", "WO", "US", "JP"):
        subset = p.matters(office)
        first = subset[:10]
        assert {m.office for m in first} == {office}
        assert first == list(islice(iter(subset), 10))
        assert len(subset) == sum(1 for m in p if m.office == office)
    assert sum(len(p.matters(o)) for o in ("EP", "WO", "US", "JP")) == len(p) == 200


def test_written_numbers_are_accepted_by_the_docket_normalizer():
    p = SyntheticPortfolio(seed=1, size=200, today=TODAY)
    for m in p:
        normalized = normalize_application_number(m.office, m.application_number)
        assert p.lookup(normalized) == m, m.application_number


@pytest.mark.parametrize(
    "form",
    [
        lambda m: m.application_number,
        lambda m: m.application_number.split(".")[0],
        lambda m: f"EP{m.ep_application_digits}",
        lambda m: m.epodoc_application,
        lambda m: m.publication_number,
        lambda m: f"({m.publication_number[:2]}).({m.publication_number[2:]}).({m.publication_kind})",
        lambda m: f"{m.publication_number[:2]}.{m.publication_number[2:]}.{m.publication_kind}",
        lambda m: f"{m.grant_number}{m.grant_kind}",
    ],
    ids=[
        "written",
        "no-check-digit",
        "register-epodoc",
        "published-epodoc",
        "publication",
        "docdb-parens",
        "docdb-dots",
        "grant",
    ],
)
def test_every_ep_number_form_finds_the_matter(form):
    p = SyntheticPortfolio(seed=1, size=400, today=TODAY)
    granted = [m for m in p.matters("EP") if m.grant_number and m.kind == "ep-direct"]
    assert granted
    for m in granted[:5]:
        assert p.lookup(form(m)) == m


def test_unknown_numbers_find_nothing():
    p = SyntheticPortfolio(seed=1, size=200, today=TODAY)
    for number in ("EP99999999", "EP3999999", "17/999,999", "2020-999999", "PCT/EP2020/999999", ""):
        assert p.lookup(number) is None


def test_histories_are_placed_around_today_with_near_future_and_missed_deadlines():
    p = SyntheticPortfolio(seed=1, size=1000, today=TODAY)
    due: list[int] = []
    for m in p:
        assert all(e.date <= TODAY for e in m.events)
        assert m.events == tuple(sorted(m.events, key=lambda e: (e.date, e.kind)))
        open_periods = [e for e in m.events if e.period_months or e.period_days]
        if not open_periods:
            continue
        last = open_periods[-1]
        answered = any(e.date > last.date and e.kind not in ("renewal_paid", "national_renewal_paid") for e in m.events)
        if not answered:
            end = (
                add_months(last.date, last.period_months)
                if last.period_months
                else last.date + timedelta(days=last.period_days)
            )
            due.append((end - TODAY).days)
    upcoming = sum(1 for d in due if 0 <= d <= 60)
    overdue = sum(1 for d in due if -30 <= d < 0)
    assert upcoming >= 100 and overdue >= 40, (upcoming, overdue)


def test_office_histories_have_their_characteristic_steps():
    p = SyntheticPortfolio(seed=1, size=1000, today=TODAY)
    kinds_by_route: dict[str, set[str]] = {}
    for m in p:
        kinds_by_route.setdefault(m.kind, set()).update(e.kind for e in m.events)
    assert {
        "search_report",
        "publication",
        "exam_request",
        "exam_report",
        "exam_reply",
        "r71_3",
        "grant",
        "renewal_paid",
        "no_opposition",
        "national_lapse",
        "deemed_withdrawn",
    } <= kinds_by_route["ep-direct"]
    assert {"isr", "wo_publication", "ep_entry", "r161", "r161_reply"} <= kinds_by_route["euro-pct"]
    assert {"isr", "wo_publication", "national_phase_entry"} <= kinds_by_route["pct"]
    assert {
        "ctrs",
        "ctnf",
        "response_nonfinal",
        "ctfr",
        "rce",
        "noa",
        "issue_fee_paid",
        "patent_granted",
        "abandonment",
    } <= kinds_by_route["us-utility"]
    assert {
        "exam_request",
        "jp_oa",
        "jp_opinion",
        "jp_decision_grant",
        "jp_registration",
        "jp_decision_refusal",
    } <= kinds_by_route["jp-patent"]
    euro_pct = next(m for m in p.matters("EP") if m.kind == "euro-pct" and m.wo_publication_number)
    assert euro_pct.pct_application_number.startswith("PCT/") and euro_pct.filing_date < TODAY


def test_ep_renewal_fees_start_in_year_three_and_stop_at_grant():
    p = SyntheticPortfolio(seed=2, size=500, today=TODAY)
    for m in p.matters("EP"):
        years = [int(e.get("year")) for e in m.events_of("renewal_paid")]
        assert years == sorted(years) and all(y >= 3 for y in years)
        if m.grant_date:
            assert all(e.date <= m.grant_date for e in m.events_of("renewal_paid"))


def test_advance_adds_the_offices_next_step_today_and_only_that():
    p = SyntheticPortfolio(seed=1, size=300, today=TODAY)
    before = {i: p.matter(i) for i in range(300)}
    changed = p.advance(count=12)
    assert len(changed) == 12
    for m in changed:
        old = before[m.index]
        assert m.events[: len(old.events)] == old.events  # history is only ever appended to
        new = m.events[len(old.events) :]
        assert new and all(e.date == TODAY for e in new)
        assert m.application_number == old.application_number and m.stage != old.stage
    untouched = [i for i in range(300) if i not in {m.index for m in changed}]
    assert all(p.matter(i) == before[i] for i in untouched)
    replied = next(m for m in before.values() if m.kind == "us-utility" and m.stage == "replied")
    (after,) = p.advance(indexes=[replied.index])
    assert after.events[-1].kind == "ctfr" and after.status_code == "61"
    assert SyntheticPortfolio(seed=1, size=300, today=TODAY).advance(count=12) == changed  # deterministic
