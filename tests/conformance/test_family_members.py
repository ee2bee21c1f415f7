"""Family answers (OPS ``family/…/biblio,legal`` and multi-member ``legal``): each member's numbers and
INPADOC events land on THAT member's matter only, matched application number to application number and
publication to publication; members the docket does not hold are reported, never merged or created; an
ambiguous member is held; a second run writes nothing.

Bodies: the real recordings in tests/fixtures/offices/epo (SOURCES.md). No real family answer WITH legal
constituents was found; the multi-member legal body here is put together from the ``ops:family-member``
elements of two real legal answers (EP1000000A1 and US10465445B2), each element copied unchanged.
"""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from lxml import etree

from patents.models import Matter, OfficeEvent, OfficePayload, QuarantineItem
from patents.offices.ep import documents as ep_documents
from tests.factories import ClientFactory, MatterFactory
from tests.sync.conftest import history_count

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("mappings", "no_hooks")]

OPS = "{http://ops.epo.org}"


def ingest(path, *target: str) -> dict:
    out = StringIO()
    call_command("ingest_file", "--office", "EP", "--kind", "family", *target, str(path), "--json", stdout=out)
    return json.loads(out.getvalue())


def two_member_legal_body(office_samples, tmp_path):
    """The EP1000000A1 legal answer with the US10465445B2 answer's family-member appended (both verbatim)."""
    ep = etree.parse(str(office_samples / "epo" / "legal-inpadoc-EP1000000A1.xml"))
    us = etree.parse(str(office_samples / "epo" / "legal-inpadoc-US10465445B2.xml"))
    family = next(ep.iter(f"{OPS}patent-family"))
    family.append(next(us.iter(f"{OPS}family-member")))
    path = tmp_path / "legal-EP1000000A1-plus-US10465445B2-members.xml"
    path.write_bytes(etree.tostring(ep, xml_declaration=True, encoding="UTF-8"))
    return path


def test_a_family_answer_names_each_member_by_its_own_kind_of_number(office_samples):
    """WO2009085664 family: 20 publications of 10 applications (WO, CN, EP, JP, TW, US)."""
    docs = ep_documents.parse(ep_documents.FAMILY, (office_samples / "epo" / "family-WO2009085664A2.xml").read_bytes())
    by_office = {}
    for d in docs:
        by_office.setdefault(d.office, []).append(d)
    assert sorted(by_office) == ["CN", "EP", "JP", "TW", "US", "WO"]
    (ep,) = by_office["EP"]
    assert ep.family_member and ep.application_numbers == ("EP08868513",)  # A2 and A4 are one application
    assert "EP2225660" in ep.numbers
    (wo,) = by_office["WO"]
    assert wo.application_numbers == ("PCT/US2008/086599",)  # docdb "US 2008086599 W", read by the WO rule
    (jp,) = by_office["JP"]
    assert jp.application_numbers == ("2010540766",)
    assert "2011511970" in jp.numbers and "2011511970" not in jp.application_numbers  # a publication


def test_members_land_only_on_their_own_matters_and_the_rest_are_reported_not_in_the_docket(office_samples):
    client = ClientFactory()
    ep = MatterFactory(client=client, reference="EP-FAM", office="EP", application_number="EP08868513")
    jp = MatterFactory(client=client, reference="JP-FAM", office="JP", application_number="2010-540766",
                       filing_date=dt.date(2008, 12, 12))
    # A JP application whose number has the digits of the family's JP *publication* 2011-511970: an
    # application number is never matched against a publication number.
    decoy = MatterFactory(client=client, reference="JP-DECOY", office="JP", application_number="2011-511970")
    matters_before = Matter.objects.count()

    report = ingest(office_samples / "epo" / "family-WO2009085664A2.xml", "--matter", "EP-FAM")

    assert sorted(report["matter"]) == ["EP-FAM", "JP-FAM"]
    payload = OfficePayload.objects.get()
    assert set(payload.matters.all()) == {ep, jp}
    assert decoy not in payload.matters.all()
    assert Matter.objects.count() == matters_before, "a family answer creates no matter"
    assert report["quarantined"] == []
    skipped = report["not_in_docket"]
    assert {s.split()[0] for s in skipped} == {"CN", "TW", "US", "WO"}
    assert any("PCT/US2008/086599" in s for s in skipped)
    assert payload.outcome == "parsed"


def test_each_members_legal_events_go_to_that_members_matter_only(office_samples, tmp_path):
    """The reported defect: a family-with-legal body put the other members' events on the EP matter."""
    body = two_member_legal_body(office_samples, tmp_path)
    ep = MatterFactory(reference="EP-1000000", office="EP", application_number="EP99203729",
                       filing_date=dt.date(1999, 11, 8))
    us = MatterFactory(reference="US-10465445", office="US", application_number="15/919,370",
                       filing_date=dt.date(2018, 3, 13), grant_number="10465445")

    report = ingest(body, "--matter", "EP-1000000")

    ep_codes = set(OfficeEvent.objects.filter(matter=ep).values_list("office_code", flat=True))
    assert ep_codes, "the EP member's INPADOC events are recorded on the EP matter"
    us_codes = {c.strip() for c in ("AS", "FEPP", "STPP", "STCF", "IPR", "PGR")}
    assert not {c.strip() for c in ep_codes} & us_codes, "no US event on the EP matter"
    # The US member's events are the US matter's: recorded there, or held there as unmapped codes.
    us_recorded = {c.strip() for c in OfficeEvent.objects.filter(matter=us).values_list("office_code", flat=True)}
    us_held = {q.office_code for q in QuarantineItem.objects.filter(matter=us)}
    assert (us_recorded | us_held) & us_codes
    assert not QuarantineItem.objects.filter(matter=ep, office_code__in=us_codes).exists()
    assert sorted(report["matter"]) == ["EP-1000000", "US-10465445"]


def test_the_same_family_body_again_writes_nothing(office_samples, tmp_path):
    body = two_member_legal_body(office_samples, tmp_path)
    MatterFactory(reference="EP-1000000", office="EP", application_number="EP99203729",
                  filing_date=dt.date(1999, 11, 8))
    first = ingest(body, "--matter", "EP-1000000")
    assert first["events_created"] > 0
    rows = history_count()
    again = ingest(body, "--matter", "EP-1000000")
    assert again["events_created"] == 0
    assert history_count() == rows
    # Even processed again from scratch (a replay), nothing new: the events are upserts.
    from patents.ingestion import process_payload

    assert process_payload(payload=OfficePayload.objects.get()).events_created == 0
    assert history_count() == rows


def test_a_member_two_matters_could_be_is_held_and_put_on_neither(office_samples):
    client = ClientFactory()
    # Two EP matters carrying the family's EP publication number (one typed in by mistake), neither with
    # the member's application number: which one it is cannot be told, so neither gets it.
    a = MatterFactory(client=client, reference="EP-A", office="EP", application_number="EP08000001",
                      publication_number="EP2225660")
    b = MatterFactory(client=client, reference="EP-B", office="EP", application_number="EP08000002",
                      publication_number="EP2225660")
    report = ingest(office_samples / "epo" / "family-WO2009085664A2.xml", "--matter", "EP-A")
    assert [q["category"] for q in report["quarantined"]] == ["conflict"]
    assert "EP-A" in report["quarantined"][0]["reason"] and "EP-B" in report["quarantined"][0]["reason"]
    payload = OfficePayload.objects.get()
    assert not payload.matters.filter(pk__in=[a.pk, b.pk]).exists()


@pytest.mark.simulator
def test_the_ep_sync_fetches_each_matters_family_with_legal_and_ingests_it_like_ingest_file(
        simulator_factory, sim_client, settings):
    from docketapp.audit import attributed
    from patents import sync
    from patents.services import MatterData, ensure_client, upsert_matter
    from patents.simulator.ops_documents import is_in_register

    settings.OPS_SYNC_FAMILY = True
    sim = simulator_factory(seed=3, matters=60)
    with attributed(reason="test set-up", process="tests"):
        client, _ = ensure_client(reference="SIM", name="Simulated")
        picked = [m for m in sim.portfolio.matters("EP") if is_in_register(m)][:4]
        matters = [upsert_matter(data=MatterData(client=client, reference=f"SIM-{m.index:04d}", office="EP",
                                                 kind=Matter.Kind.PATENT, application_number=m.application_number,
                                                 filing_date=m.filing_date))[0] for m in picked]
    assert len(matters) == 4

    run = sync.run_inline(office="EP", client=sim_client(sim, "EP"), max_wait=5.0)

    assert (run.matters_synced, run.errors) == (4, 0)
    families = OfficePayload.objects.filter(kind=ep_documents.FAMILY)
    assert families.count() == 4 and {p.endpoint for p in families} == {"family/biblio,legal"}
    for sim_matter, matter in zip(picked, matters, strict=True):
        inpadoc = OfficeEvent.objects.filter(matter=matter, natural_key__contains="|inpadoc:")
        if sim_matter.publication_number.startswith("EP"):
            assert families.filter(matters=matter).count() == 1, matter.reference
            assert inpadoc.exists(), matter.reference
        else:
            # A Euro-PCT application not yet published by the EPO: its family holds only the WO publication,
            # the PCT application's, whose events are not this EP matter's.
            assert not families.filter(matters=matter).exists() and not inpadoc.exists(), matter.reference
    assert any(not m.publication_number.startswith("EP") for m in picked)
    assert not QuarantineItem.objects.exclude(category="unmapped_code").exists()
    # The same answers again: stored once, applied once.
    rows = history_count()
    again = sync.run_inline(office="EP", client=sim_client(sim, "EP"), max_wait=5.0,
                            older_than=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1))
    assert again.events_created == 0 and again.payloads_unchanged == 5
    assert history_count() == rows


@pytest.mark.simulator
def test_without_the_setting_the_ep_sync_asks_for_no_family(simulator_factory, sim_client, settings):
    from docketapp.audit import attributed
    from patents import sync
    from patents.services import MatterData, ensure_client, upsert_matter
    from patents.simulator.ops_documents import is_in_register

    settings.OPS_SYNC_FAMILY = False
    sim = simulator_factory(seed=3, matters=30)
    m = next(m for m in sim.portfolio.matters("EP") if is_in_register(m))
    with attributed(reason="test set-up", process="tests"):
        client, _ = ensure_client(reference="SIM", name="Simulated")
        upsert_matter(data=MatterData(client=client, reference="SIM-1", office="EP", kind=Matter.Kind.PATENT,
                                      application_number=m.application_number, filing_date=m.filing_date))
    sync.run_inline(office="EP", client=sim_client(sim, "EP"), max_wait=5.0)
    assert not OfficePayload.objects.filter(kind=ep_documents.FAMILY).exists()


def test_the_ca_and_us_members_of_an_ep_family_stay_off_the_ep_matter(office_samples):
    """family-EP2400812A1: EP, CA, CN, US … members; only the EP application is the EP matter's."""
    ep = MatterFactory(reference="EP10167109", office="EP", application_number="EP10167109",
                       filing_date=dt.date(2010, 6, 24))
    report = ingest(office_samples / "epo" / "family-EP2400812A1.xml", "--matter", "EP10167109")
    assert report["matter"] == "EP10167109" and report["quarantined"] == []
    assert any(s.startswith("CA ") for s in report["not_in_docket"])
    assert set(OfficePayload.objects.get().matters.all()) == {ep}
    assert Matter.objects.count() == 1


# --- members written in the office's own number form (issue 13) ---------------------------------------------

def test_us_and_jp_members_attach_when_the_docket_holds_the_offices_own_publication_form(office_samples):
    """OPS writes the docdb forms (US2009171930, JP2011511970); a paralegal types the USPTO's
    US 2009/0171930 A1 (37 CFR 1.211 pre-grant publication, year + 7-digit serial) and the JPO's
    特表2011-511970. Publication is compared with publication only: the JP decoy holding those digits as
    its application number gets nothing."""
    client = ClientFactory()
    MatterFactory(client=client, reference="EP-FAM", office="EP", application_number="EP08868513")
    # The old docdb form of 11/964,952 (96495207: serial + year) names no series code: only the publication
    # can tell which matter the member is.
    us = MatterFactory(client=client, reference="US-FAM", office="US", application_number="11/964,952",
                       filing_date=dt.date(2007, 12, 27), publication_number="US 2009/0171930 A1")
    jp = MatterFactory(client=client, reference="JP-FAM", office="JP", application_number="",
                       filing_date=dt.date(2008, 12, 12), publication_number="特表2011-511970")
    decoy = MatterFactory(client=client, reference="JP-DECOY", office="JP", application_number="2011-511970")

    report = ingest(office_samples / "epo" / "family-WO2009085664A2.xml", "--matter", "EP-FAM")

    assert sorted(report["matter"]) == ["EP-FAM", "JP-FAM", "US-FAM"]
    payload = OfficePayload.objects.get()
    assert {us, jp} <= set(payload.matters.all()) and decoy not in payload.matters.all()
    assert report["quarantined"] == []
    assert not any("2009171930" in s for s in report["not_in_docket"])


def test_a_us_member_is_matched_on_its_docdb_application_number(office_samples, tmp_path):
    """OPS docdb writes 15/919,370 as 201815919370 (filing year + series code + serial); the US member of a
    family-with-legal body lands on the matter holding 15/919,370 even without its grant number."""
    body = two_member_legal_body(office_samples, tmp_path)
    MatterFactory(reference="EP-1000000", office="EP", application_number="EP99203729",
                  filing_date=dt.date(1999, 11, 8))
    us = MatterFactory(reference="US-15919370", office="US", application_number="15/919,370",
                       filing_date=dt.date(2018, 3, 13))

    report = ingest(body, "--matter", "EP-1000000")

    assert sorted(report["matter"]) == ["EP-1000000", "US-15919370"]
    assert us in OfficePayload.objects.get().matters.all()


def test_a_member_two_matters_hold_in_different_forms_is_held_and_put_on_neither(office_samples):
    """Two US matters carry the member's publication, one as 2009/0171930, one as US20090171930A1: never
    guessed, held as a conflict naming both."""
    client = ClientFactory()
    MatterFactory(client=client, reference="EP-FAM", office="EP", application_number="EP08868513")
    a = MatterFactory(client=client, reference="US-A", office="US", application_number="11/964,952",
                      publication_number="2009/0171930")
    b = MatterFactory(client=client, reference="US-B", office="US", application_number="12/000,001",
                      publication_number="US20090171930A1")

    report = ingest(office_samples / "epo" / "family-WO2009085664A2.xml", "--matter", "EP-FAM")

    (held,) = [q for q in report["quarantined"] if q["category"] == "conflict"]
    assert "US-A" in held["reason"] and "US-B" in held["reason"]
    assert not OfficePayload.objects.get().matters.filter(pk__in=[a.pk, b.pk]).exists()


@pytest.mark.parametrize(("office", "written", "key"), [
    ("US", "US2021210819", "US20210210819"),  # OPS docdb
    ("US", "US20210210819A1", "US20210210819"),  # USPTO, 37 CFR 1.211
    ("US", "US 2021/0210819 A1", "US20210210819"),
    ("US", "10,465,445 B2", "US10465445"),
    ("US", "US10465445", "US10465445"),
    ("JP", "JP2011511970A", "JP2011511970"),
    ("JP", "特表2011-511970", "JP2011511970"),
    ("JP", "特許第4961043号", "JP4961043"),
    ("JP", "", ""),
])
def test_publication_numbers_compare_in_the_offices_own_form(office, written, key):
    from patents.numbers import publication_key

    assert publication_key(office, written) == key


def test_docdb_us_application_numbers_are_read_only_when_they_name_the_series_code():
    from patents.numbers import docdb_application_number

    assert docdb_application_number("US", "201815919370") == "15919370"
    assert docdb_application_number("US", "13372047") == "13372047"
    assert docdb_application_number("JP", "2010540766") == "2010540766"
