"""The family page: priority tree (first filing → Paris/PCT filings → national/regional phases, continuations),
each member's status and next deadline, priority claims linked by canonical number, one deadline list, and a
query count that does not grow with the family."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from patents.models import Matter
from tests.factories import DeadlineFactory, FamilyFactory, MatterFactory, PriorityClaimFactory
from tests.matter_page import open_matter_page

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    assert response.status_code == 200
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def build_family(client, family, n_national: int = 1, seed: int = 0) -> dict[str, Matter]:
    prov = MatterFactory(client=client, family=family, reference=f"{family.reference}-USP", office="US",
                         kind=Matter.Kind.PROVISIONAL, application_number=f"63/{123456 + seed}",
                         filing_date=dt.date(2023, 3, 1))
    pct = MatterFactory(client=client, family=family, reference=f"{family.reference}-PCT", office="WO",
                        kind=Matter.Kind.PCT, application_number=f"PCT/US2024/{12345 + seed:06d}",
                        filing_date=dt.date(2024, 2, 28))
    # Written differently from the provisional's number: matched on the canonical form.
    PriorityClaimFactory(matter=pct, country="US", number=f"{63123456 + seed}", date=dt.date(2023, 3, 1))
    ep = MatterFactory(client=client, family=family, reference=f"{family.reference}-EP", office="EP",
                       kind=Matter.Kind.REGIONAL, application_number=f"EP{24700001 + seed}", parent=pct,
                       parent_relation=Matter.Relation.REGIONAL_PHASE, filing_date=dt.date(2024, 2, 28))
    out = {"prov": prov, "pct": pct, "ep": ep}
    for i in range(n_national):
        us = MatterFactory(client=client, family=family, reference=f"{family.reference}-US{i}", office="US",
                           application_number=f"18/{100000 + 100 * seed + i:06d}", parent=pct,
                           parent_relation=Matter.Relation.NATIONAL_PHASE, filing_date=dt.date(2024, 2, 28))
        DeadlineFactory(matter=us, office="US", title=f"Reply to Office action {i}", due_date=dt.date(2026, 5, 1))
        out[f"us{i}"] = us
    DeadlineFactory(matter=ep, title="Request examination", due_date=dt.date(2026, 4, 1))
    DeadlineFactory(matter=ep, title="Renewal fee year 3", due_date=dt.date(2026, 6, 30))
    return out


def test_family_page_shows_the_priority_tree_with_status_next_deadline_and_linked_claims(client, portfolio):
    acme = portfolio["client_a"]
    family = FamilyFactory(client=acme, reference="WIDGET")
    m = build_family(acme, family)
    client.force_login(portfolio["alice"])
    response = client.get(reverse("patents:family-detail", args=[family.pk]))
    text = text_of(response)
    body = response.content.decode()
    # Nesting: provisional → PCT (claims its priority) → EP regional phase and US national phase.
    tree = re.sub(r"\s+", " ", body[body.find('id="family-tree"'):body.find('id="family-deadlines"')])
    prov_at, pct_at, ep_at = (tree.find(f'data-reference="{m[k].reference}"') for k in ("prov", "pct", "ep"))
    assert 0 <= prov_at < pct_at < ep_at
    assert tree.count("<ul") >= 3  # three levels
    assert "claims priority of: WIDGET-PCT" in text
    assert "Regional phase of a PCT application: WIDGET-EP" in text
    assert "National phase of a PCT application: WIDGET-US0" in text
    # The claim is linked to the matter holding that number: "US 63123456 (WIDGET-USP)".
    assert "US 63123456 ( WIDGET-USP )" in text
    assert f'href="{m["prov"].get_absolute_url()}"' in body
    # Each member's next open deadline; the family-wide list has them all.
    assert "next deadline: Request examination, Wed 1 Apr 2026" in text
    deadlines = body[body.find('id="family-deadlines"'):]
    for title in ("Request examination", "Renewal fee year 3", "Reply to Office action 0"):
        assert title in deadlines


def test_an_optional_window_that_passed_is_not_shown_as_the_members_next_deadline(client, portfolio):
    """An optional act (e.g. a divisional or a PCT Ch. II demand) whose window passed stays open — nothing closed
    it — but it is not what the member must do next: the family tree names the next real deadline and says how
    many optional windows passed, instead of pointing at a dead window in red."""
    acme = portfolio["client_a"]
    family = FamilyFactory(client=acme, reference="GADGET")
    m = build_family(acme, family)
    DeadlineFactory(matter=m["ep"], title="Divisional application (optional)", optional=True,
                    due_date=dt.date(2025, 1, 15))
    DeadlineFactory(matter=m["prov"], title="Foreign filing (optional)", optional=True,
                    due_date=dt.date(2024, 3, 1))
    client.force_login(portfolio["alice"])
    text = text_of(client.get(reverse("patents:family-detail", args=[family.pk])))
    ep_line = text[text.find("GADGET-EP"):text.find("GADGET-US0")]
    assert "next deadline: Request examination, Wed 1 Apr 2026" in ep_line
    assert "(1 optional window passed, still open)" in ep_line
    prov_line = text[text.find("GADGET-USP"):text.find("GADGET-PCT")]
    assert "next deadline: none ahead (1 optional window passed, still open)" in prov_line
    # Both stay in the family's deadline list: nothing is dropped.
    assert "Divisional application (optional)" in text and "Foreign filing (optional)" in text


def test_a_number_written_with_its_office_code_is_not_shown_with_the_code_twice(client, portfolio):
    """The EP member's number was pasted from the Register as "EP24700001": the tree shows "EP24700001",
    not "EP EP24700001"; numbers without the code keep it in front ("US 18/100000"), unfiled ones say so."""
    acme = portfolio["client_a"]
    family = FamilyFactory(client=acme, reference="DOUBLE")
    m = build_family(acme, family)
    MatterFactory(client=acme, family=family, reference="DOUBLE-JP", office="JP", application_number="")
    client.force_login(portfolio["alice"])
    text = text_of(client.get(reverse("patents:family-detail", args=[family.pk])))
    assert "EP EP" not in text
    assert f"DOUBLE-EP — {m['ep'].application_number}," in text
    assert "DOUBLE-US0 — US 18/100000," in text
    assert "DOUBLE-JP — JP (unfiled)" in text
    assert str(m["ep"]) == "DOUBLE-EP (EP24700001)"
    page = client.get(m["ep"].get_absolute_url()).content.decode()
    heading = " ".join(re.sub(r"<[^>]+>", " ", page[page.find("<h1"):page.find("</h1>")]).split())
    assert heading == "DOUBLE-EP — EP24700001"


def test_matter_page_shows_priority_claims_with_the_matter_holding_the_number(client, portfolio):
    acme = portfolio["client_a"]
    m = build_family(acme, FamilyFactory(client=acme, reference="WIDGET"))
    PriorityClaimFactory(matter=m["ep"], country="JP", number="2023-000111", date=dt.date(2023, 4, 1))
    client.force_login(portfolio["alice"])
    text = text_of(open_matter_page(client, m["pct"].get_absolute_url()))
    assert "US 63123456 ( WIDGET-USP ) of Wed 1 Mar 2023" in text
    text = text_of(open_matter_page(client, m["ep"].get_absolute_url()))
    assert "JP 2023-000111 of Sat 1 Apr 2023" in text  # not in the docket: the office's form of the number


def test_another_clients_family_is_not_found_and_their_matters_never_appear(client, portfolio):
    beta_family = FamilyFactory(client=portfolio["client_b"], reference="SECRET")
    build_family(portfolio["client_b"], beta_family)
    client.force_login(portfolio["alice"])
    assert client.get(reverse("patents:family-detail", args=[beta_family.pk])).status_code == 404


def test_family_page_queries_do_not_grow_with_the_family(client, portfolio):
    acme = portfolio["client_a"]
    small, large = FamilyFactory(client=acme, reference="SMALL"), FamilyFactory(client=acme, reference="LARGE")
    build_family(acme, small, n_national=1)
    build_family(acme, large, n_national=12, seed=1)
    client.force_login(portfolio["alice"])
    client.get(reverse("patents:family-detail", args=[small.pk]))  # warm the session and caches
    counts = []
    for family in (small, large):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("patents:family-detail", args=[family.pk])).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


def test_family_page_stays_within_a_fixed_query_budget(client, portfolio, django_assert_max_num_queries):
    acme = portfolio["client_a"]
    family = FamilyFactory(client=acme, reference="BIG")
    build_family(acme, family, n_national=20)
    client.force_login(portfolio["alice"])
    with django_assert_max_num_queries(12):
        assert client.get(reverse("patents:family-detail", args=[family.pk])).status_code == 200
