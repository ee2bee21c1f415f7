"""Conformance: every recorded office answer, through ``ingest_file`` exactly as a user would feed it, ends
as accepted, quarantined with a reason, or refused, and lands where a paralegal would check: the right
matter, office, kind, numbers, priorities and deadline rules.

The bodies are the real recordings in tests/fixtures/offices (see SOURCES.md there). Each row says what
the body SHOULD give; the defect each row guards against is named in its id.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from io import StringIO

import pytest
from django.core.management import call_command

from patents.models import Matter, OfficePayload, QuarantineItem

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("mappings", "no_hooks")]

D = dt.date.fromisoformat


def ingest(path, office: str, kind: str, *target: str) -> dict:
    out = StringIO()
    call_command("ingest_file", "--office", office, "--kind", kind, *(target or ("--create",)), str(path), "--json",
                 stdout=out)
    return json.loads(out.getvalue())


@dataclass
class Expect:
    """What a paralegal checks after feeding one file."""

    office: str  # --office given
    kind: str  # --kind given
    matter: str | None = None  # reference of the matter the data landed on (None: no matter at all)
    matter_office: str | None = None
    matter_kind: str | None = None
    application: str | None = None
    publication: str | None = None
    grant: str | None = None
    filing: str | None = None
    priorities: list[tuple[str, str]] = field(default_factory=list)  # (country, date)
    held: str | None = None  # quarantine category the body is held under (None: accepted cleanly)
    words: str = ""  # part of the reason the operator reads
    absent_rules: tuple[str, ...] = ()
    present_rules: tuple[str, ...] = ()


CASES = {
    # --- EPO register: both namespace generations and the BadgerFish JSON ---
    "epo/register-biblio-EP2400812-ns2ns3-prefixes.xml": Expect(
        "EP", "register", "EP10167109", "EP", "patent", "EP10167109", "EP2400812", "EP2400812", "2010-06-24"),
    "epo/register-biblio-EP99203729-2016-ops-reg-prefixes.xml": Expect(
        "EP", "register", "EP99203729", "EP", "patent", "EP99203729", "EP1000000", "EP1000000", "1999-11-08",
        priorities=[("NL", "1998-11-12")]),
    "epo/register-biblio-EP14731659-2016.xml": Expect(
        "EP", "register", "EP14731659", "EP", "patent", "EP14731659", "EP3013552", None, "2014-06-23",
        priorities=[("DE", "2013-06-26")]),
    "epo/register-biblio-EP13860559-json-badgerfish.json": Expect(
        "EP", "register", "EP13860559", "EP", "patent", "EP13860559", None, None, "2013-08-21",
        priorities=[("US", "2012-12-07")]),
    # --- published-data: EP, WO (crashed with a ValidationError), and other offices' documents ---
    "epo/published-data-biblio-EP2400812A1.xml#self-priority": Expect(
        "EP", "biblio", "EP10167109", "EP", "patent", "EP10167109", "EP2400812", None, "2010-06-24",
        priorities=[]),  # OPS lists the application as its own priority: not a priority claim
    "epo/published-data-biblio-WO2009085664A2.xml#wo-validationerror": Expect(
        "WO", "biblio", "WO-PCT-US2008-086599", "WO", "pct", "PCT/US2008/086599", "WO2009085664", None,
        "2008-12-12", priorities=[("US", "2007-12-27")], present_rules=("WO.NATIONAL_PHASE_US",)),
    "epo/published-data-biblio-WO2009085664A2.xml#wo-offered-as-ep": Expect(
        "EP", "biblio", held="out_of_scope", words="WO document (PCT/US2008/086599), offered as EP"),
    "epo/published-data-biblio-JP2005533465A.xml#other-office-offered-as-ep": Expect(
        "EP", "biblio", held="out_of_scope", words="JP document (2005505120), offered as EP"),
    "epo/published-data-search-pa-Google-LLC-range1-100.xml#search-page-as-document": Expect(
        "EP", "biblio", held="out_of_scope", words="search page"),
    "epo/legal-inpadoc-US10465445B2.xml#us-legal-offered-as-ep": Expect(
        "EP", "legal", held="out_of_scope", words="US document (US10465445), offered as EP"),
    # --- USPTO ODP ---
    "uspto/odp-application-17248024.json": Expect(
        "US", "application", "US-17248024", "US", "patent", "17248024", "US20210210819A1", "11646472",
        "2021-01-05", present_rules=("US.MAINTENANCE_FEE",)),
    "uspto/odp-search-applicationNumberText-17248024-limit1.json": Expect(
        "US", "application", "US-17248024", "US", "patent", "17248024", "US20210210819A1", "11646472",
        "2021-01-05"),
    "uspto/odp-beta-2024-error-404-no-matching-records.json#odp-404-is-no-data": Expect(
        "US", "application", held="no_data", words="No matching records found"),
    # --- JPO: patents, designs (took patent deadlines), trademarks, lookups (created empty matters), 107 ---
    "jpo/patent-app_progress-2020123456.json": Expect(
        "JP", "progress", "JP-2020123456", "JP", "patent", "2020123456", "2021090037", "7533889", "2020-07-20",
        priorities=[("JP", "2019-11-21")], present_rules=("JP.ANNUITY",)),  # domestic priority 2019-210418
    "jpo/patent-app_progress_simple-2020123456.json": Expect(
        "JP", "progress", "JP-2020123456", "JP", "patent", "2020123456", "2021090037", "7533889", "2020-07-20"),
    "jpo/design-app_progress-2020015234.json#design-taken-as-patent": Expect(
        "JP", "progress", "JP-2020015234", "JP", "design", "2020015234", None, "1680736", "2020-06-24",
        absent_rules=("JP.EXAMINATION_REQUEST", "JP.ANNUITY"), present_rules=("JP.DESIGN_ANNUITY",)),
    "jpo/trademark-app_progress-2024123456.json#trademark-taken-as-patent": Expect(
        "JP", "progress", held="out_of_scope", words="trademarks are not docketed"),
    "jpo/patent-case_number_reference-publication-2020123456.json#lookup-creates-matter": Expect(
        "JP", "progress", held="out_of_scope", words="case number reference"),
    "jpo/patent-cite_doc_info-2020123456.json#lookup-creates-matter": Expect(
        "JP", "progress", held="out_of_scope", words="cited documents"),
    "jpo/patent-applicant_attorney_cd-000003207.json#lookup-creates-matter": Expect(
        "JP", "progress", held="out_of_scope", words="applicant/attorney code lookup"),
    "jpo/patent-divisional_app_info-2020123456.json#lookup-creates-matter": Expect(
        "JP", "progress", held="out_of_scope", words="divisional application information"),
    "jpo/patent-app_progress-9999999999-status107-no-data.json#jpo-107-not-reported": Expect(
        "JP", "progress", held="no_data", words="該当するデータがありません"),
    "jpo/patent-pct_national_phase_application_number-JP9999999999-status107-no-data.json#jpo-107-not-reported":
        Expect("JP", "progress", held="no_data", words="107"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_recorded_answer_lands_where_a_paralegal_would_check(office_samples, case):
    expect = CASES[case]
    path = office_samples / case.split("#")[0]
    report = ingest(path, expect.office, expect.kind)
    payload = OfficePayload.objects.latest("pk")
    assert payload.outcome in {"parsed", "quarantined", "no-data"}, "every body ends accepted or held"
    if expect.matter is None:
        assert report["matter"] is None and not Matter.objects.exists(), "nothing may be docketed from it"
    else:
        assert report["matter"] == expect.matter
        m = Matter.objects.get(reference=expect.matter)
        assert (m.office, m.kind, m.application_number) == (expect.matter_office, expect.matter_kind,
                                                            expect.application)
        assert (m.publication_number or None, m.grant_number or None) == (expect.publication, expect.grant)
        assert m.filing_date == (D(expect.filing) if expect.filing else None)
        assert sorted((c.country, c.date.isoformat()) for c in m.priority_claims.all()) == expect.priorities
    held = [q for q in report["quarantined"] if q["category"] != "unmapped_code"]
    if expect.held is None:
        assert held == []
    else:
        assert [q["category"] for q in held] == [expect.held]
        assert expect.words in held[0]["reason"]
        item = QuarantineItem.objects.get(category=expect.held)
        assert item.payload.raw == path.read_bytes()  # the operator can read the very body
    rules = {d["rule"] for d in report["deadlines"]}
    assert set(expect.present_rules) <= rules
    assert not set(expect.absent_rules) & rules


def test_every_fixture_of_an_ingestible_shape_is_in_the_table(office_samples):
    """A new recording of a shape ``ingest_file`` reads cannot be added without saying what it should give."""
    covered = {c.split("#")[0] for c in CASES}
    ingestible = {
        str(p.relative_to(office_samples)) for pattern in ("epo/register-biblio-*", "epo/published-data-biblio-*",
                                                           "jpo/*app_progress*", "uspto/odp-application-*")
        for p in office_samples.glob(pattern)
    }
    assert ingestible - covered == set()
