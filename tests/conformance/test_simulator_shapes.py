"""The simulator writes the shapes the real answers have (tests/fixtures/offices), so the demo, the
integration tests and the benchmarks exercise what the offices really send."""

from __future__ import annotations

import pytest
from lxml import etree

from patents.offices.ep import parser as epo_ops
from patents.simulator import ops_documents as docs
from patents.simulator.portfolio import SyntheticPortfolio

EXCH = "{http://www.epo.org/exchange}"


@pytest.fixture(scope="module")
def portfolio():
    return SyntheticPortfolio(seed=3, size=300)


def _application_ids(xml: str) -> dict[str, tuple[str, str]]:
    root = etree.fromstring(xml.encode())
    ref = next(root.iter(f"{EXCH}application-reference"))
    return {d.get("document-id-type"): (d.findtext(f"{EXCH}country") or "", d.findtext(f"{EXCH}doc-number"))
            for d in ref.iter(f"{EXCH}document-id")}


def test_wo_documents_write_the_pct_number_in_the_three_recorded_forms_and_read_back_as_one(
        office_samples, portfolio):
    real = _application_ids((office_samples / "epo" / "published-data-biblio-WO2009085664A2.xml").read_text())
    assert real == {"docdb": ("US", "2008086599"), "epodoc": ("", "WO2008US86599"), "original": ("", "US2008/086599")}
    wo = [m for m in portfolio.matters("WO") if docs.publications(m)]
    assert wo
    for m in wo:
        body = docs.published_biblio_document(m, docs.publications(m))
        ids = _application_ids(body)
        ro, year, serial = m.pct_application_number[4:6], m.pct_application_number[6:10], m.pct_application_number[11:]
        assert ids["docdb"] == (ro, f"{year}{serial}")  # the receiving office, not "WO", as OPS writes it
        assert ids["epodoc"] == ("", f"WO{year}{ro}{int(serial)}")  # serial without leading zeros
        assert ids["original"] == ("", f"{ro}{year}/{serial}")
        (biblio,) = {b.application_number_normalized for b in epo_ops.parse_published_biblio(body)}
        assert biblio == m.pct_application_number


# --- the shapes through a real sync against the simulator --------------------------------------------------

def _docket(matters: list[tuple[str, str, str, object, bool]]):
    """(reference, office, application number, filing date, synced) → docket matters of one client."""
    from docketapp.audit import attributed
    from patents.models import Matter
    from patents.services import MatterData, ensure_client, upsert_matter

    out = {}
    with attributed(reason="test set-up", process="tests"):
        client, _ = ensure_client(reference="SIM", name="Simulated")
        for reference, office, number, filed, synced in matters:
            kind = Matter.Kind.PCT if office == "WO" else Matter.Kind.PATENT
            out[reference], _ = upsert_matter(data=MatterData(
                client=client, reference=reference, office=office, kind=kind, application_number=number,
                filing_date=filed, sync_enabled=synced))
    return out


@pytest.mark.django_db
@pytest.mark.simulator
@pytest.mark.usefixtures("mappings")
def test_ep_divisionals_keep_their_parent_through_a_real_sync(simulator_factory, sim_client):
    """EPC Art. 76: a divisional's register entry names its parent (related-documents/division)."""
    from patents import sync

    sim = simulator_factory(seed=3, matters=60)
    p = sim.portfolio
    child, parent, orphan = p.matter(9), p.matter(0), p.matter(49)
    assert (child.parent_relation_code, child.parent_application_number) == ("DIV", f"EP{parent.ep_application_digits}")
    assert orphan.parent_relation_code == "DIV" and p.lookup(orphan.parent_application_number) is None
    assert all(docs.is_in_register(m) for m in (child, parent, orphan))
    docket = _docket([(f"SIM-{m.index}", "EP", m.application_number, m.filing_date, True)
                      for m in (child, parent, orphan)])

    run = sync.run_inline(office="EP", client=sim_client(sim, "EP"), max_wait=5.0)

    assert run.errors == 0
    for m in docket.values():
        m.refresh_from_db()
    assert (docket["SIM-9"].parent, docket["SIM-9"].parent_relation) == (docket["SIM-0"], "divisional")
    assert (docket["SIM-49"].parent, docket["SIM-49"].parent_relation, docket["SIM-49"].parent_number) == (
        None, "divisional", orphan.parent_application_number)
    assert docket["SIM-0"].parent is None


@pytest.mark.django_db
@pytest.mark.simulator
@pytest.mark.usefixtures("mappings")
def test_us_continuations_divisionals_and_cips_keep_their_kind_and_parent_through_a_real_sync(
        simulator_factory, sim_client):
    """37 CFR 1.78: ODP's parentContinuityBag names the direct parent (CON/DIV/CIP) and the chain above it."""
    import datetime as dt

    from patents import sync

    sim = simulator_factory(seed=3, matters=40)
    con, div, cip = (sim.portfolio.matter(i) for i in (6, 16, 26))
    assert [m.parent_relation_code for m in (con, div, cip)] == ["CON", "DIV", "CIP"]
    docket = _docket([(f"SIM-{m.index}", "US", m.application_number, m.filing_date, True) for m in (con, div, cip)]
                     # the divisional's parent is in the docket (not synced: the simulator does not know it)
                     + [("PARENT-16", "US", div.parent_application_number, dt.date(2015, 1, 5), False)])

    run = sync.run_inline(office="US", client=sim_client(sim, "US"), max_wait=5.0)

    assert run.errors == 0
    for m in docket.values():
        m.refresh_from_db()
    assert (docket["SIM-6"].parent_relation, docket["SIM-6"].parent_number) == ("continuation",
                                                                               con.parent_application_number)
    assert (docket["SIM-16"].parent, docket["SIM-16"].parent_relation) == (docket["PARENT-16"], "divisional")
    assert (docket["SIM-26"].parent_relation, docket["SIM-26"].parent_number) == ("cip", cip.parent_application_number)
    # The grandparents in the bag are the parents' parents: never this matter's.
    assert docket["PARENT-16"].parent is None and docket["PARENT-16"].parent_number == ""


@pytest.mark.django_db
@pytest.mark.simulator
@pytest.mark.usefixtures("mappings")
def test_a_wo_matter_entered_in_the_receiving_office_form_is_found_by_the_wo_sync(simulator_factory, sim_client):
    """The docket writes US2008/086599, OPS answers WO2008US86599 / US 2008086599 W / US2008/086599: one number."""
    from patents import sync
    from patents.models import OfficeEvent

    sim = simulator_factory(seed=3, matters=60)
    m = next(m for m in sim.portfolio.matters("WO") if docs.publications(m))
    ro, year, serial = m.pct_application_number[4:6], m.pct_application_number[6:10], m.pct_application_number[11:]
    docket = _docket([("SIM-WO", "WO", f"{ro}{year}/{serial}", m.filing_date, True)])["SIM-WO"]
    from docketapp.audit import attributed

    with attributed(reason="test set-up", process="tests"):
        docket.publication_number = m.wo_publication_number
        docket.save(update_fields=["publication_number"])
    assert docket.application_number_normalized == m.pct_application_number

    run = sync.run_inline(office="WO", client=sim_client(sim, "WO"), max_wait=5.0)

    assert run.errors == 0 and run.quarantined == 0
    assert OfficeEvent.objects.filter(matter=docket).exists()
