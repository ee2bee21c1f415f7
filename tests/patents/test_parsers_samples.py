"""Every recorded office response in tests/fixtures/offices/{epo,uspto,jpo,lens} has a parser that reads it.

A sample added later without a parser entry here fails this test: the conformance suite cannot silently
fall behind the samples. The detailed value checks are in test_parsers_<office>.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from patents.offices.ep import parser as epo_ops
from patents.offices.jp import parser as jpo
from patents.offices.lens import parser as lens
from patents.offices.us import parser as uspto_odp

OFFICES = ("epo", "uspto", "jpo", "lens")


def _headers(body: bytes):
    return [
        epo_ops.parse_quota_headers(v["headers"])
        for k, v in json.loads(body).items()
        if not k.startswith("_")
    ]


PARSERS = {
    "epo/auth-accesstoken-response-redacted-by-source.json": epo_ops.parse_ops_token,
    "epo/error-400-invalid_access_token.xml": epo_ops.parse_ops_fault,
    "epo/error-401-auth-accesstoken-clientid-invalid.xml": epo_ops.parse_ops_fault,
    "epo/error-403-fair-use-IndividualQuotaPerHour.xml": epo_ops.parse_ops_fault,
    "epo/family-EP2400812A1.xml": epo_ops.parse_family,
    "epo/legal-inpadoc-EP2400812A1-trimmed.xml": epo_ops.parse_inpadoc_legal,
    "epo/legal-inpadoc-US10465445B2.xml": epo_ops.parse_inpadoc_legal,
    "epo/published-data-biblio-EP2400812A1.xml": epo_ops.parse_published_biblio,
    "epo/register-biblio-EP13860559-json-badgerfish.json": epo_ops.parse_register_biblio,
    "epo/register-biblio-EP14731659-2016.xml": epo_ops.parse_register_biblio,
    "epo/register-biblio-EP2400812-ns2ns3-prefixes.xml": epo_ops.parse_register_biblio,
    "epo/register-biblio-EP99203729-2016-ops-reg-prefixes.xml": epo_ops.parse_register_biblio,
    "epo/register-events-EP2400812.xml": epo_ops.parse_register_events,
    "epo/register-procedural-steps-EP2400812.xml": epo_ops.parse_procedural_steps,
    "epo/register-search-pd20160203-range1-2.xml": epo_ops.parse_register_search,
    "epo/register-search-ti-battery-range1-5.xml": epo_ops.parse_register_search,
    "epo/register-upp-EP2400812-not-a-unitary-patent.xml": epo_ops.parse_register_biblio,
    "epo/response-headers-observed.json": _headers,
    "uspto/odp-adjustment-17248024.json": uspto_odp.parse_odp_adjustment,
    "uspto/odp-application-17248024.json": uspto_odp.parse_odp_application,
    "uspto/odp-beta-2024-application-data-16123456.json": uspto_odp.parse_odp_beta_application,
    "uspto/odp-beta-2024-error-404-no-matching-records.json": uspto_odp.parse_odp_error,
    "uspto/odp-continuity-17248024.json": uspto_odp.parse_odp_continuity,
    "uspto/odp-documents-17248024.json": uspto_odp.parse_odp_documents,
    "uspto/odp-search-applicationNumberText-17248024-limit1.json": uspto_odp.parse_odp_search,
    "uspto/odp-status-codes-truncated.json": uspto_odp.parse_odp_status_codes,
    "uspto/odp-transactions-17248024.json": uspto_odp.parse_odp_transactions,
    "uspto/peds-application-12721698-facets-removed.json": uspto_odp.parse_peds,
    "jpo/auth-token-response-redacted-by-source.json": jpo.parse_jpo_token,
    "jpo/patent-app_progress-2020123456.json": jpo.parse_app_progress,
    "jpo/patent-app_progress-9999999999-status107-no-data.json": jpo.parse_app_progress,
    "jpo/patent-app_progress_simple-2020123456.json": jpo.parse_app_progress,
    "jpo/patent-case_number_reference-application-2020123456.json": jpo.parse_case_number_reference,
    "jpo/patent-divisional_app_info-2020123456.json": jpo.parse_divisional_info,
    "jpo/patent-priority_right_app_info-2020123456.json": jpo.parse_priority_info,
    "jpo/patent-registration_info-2020123456.json": jpo.parse_registration_info,
    "epo/family-EP1000000A1.xml": epo_ops.parse_family,
    "epo/family-WO2009085664A2.xml": epo_ops.parse_family,
    "epo/legal-inpadoc-EP1000000A1.xml": epo_ops.parse_inpadoc_legal,
    "epo/number-service-original-PCT-GB02-04635-docdb.xml": epo_ops.parse_number_service,
    "epo/published-data-biblio-JP2005533465A.xml": epo_ops.parse_published_biblio,
    "epo/published-data-biblio-WO2009085664A2.xml": epo_ops.parse_published_biblio,
    "epo/published-data-search-applicant-Tesla-range1-1.xml": epo_ops.parse_published_search,
    "epo/published-data-search-pa-Google-LLC-range1-100.xml": epo_ops.parse_published_search,
    "uspto/odp-beta-2024-continuity-15123456.json": uspto_odp.parse_odp_beta_continuity,
    "uspto/odp-beta-2024-foreign-priority-16123456.json": uspto_odp.parse_odp_beta_foreign_priority,
    "jpo/design-app_progress-2020015234.json": jpo.parse_app_progress,
    "jpo/trademark-app_progress-2024123456.json": jpo.parse_app_progress,
    "jpo/patent-applicant_attorney_cd-000003207.json": jpo.parse_jpo_status,
    "jpo/patent-case_number_reference-publication-2020123456.json": jpo.parse_case_number_reference,
    "jpo/patent-cite_doc_info-2020123456.json": jpo.parse_jpo_status,
    "jpo/patent-pct_national_phase_application_number-JP9999999999-status107-no-data.json": jpo.parse_jpo_status,
    "lens/patent-search-response-EP2471949-lens-api-docs-sample.json": lens.parse_lens_search,
}


def _files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for office in OFFICES for p in (root / office).glob("*") if p.is_file()}


def test_every_sample_has_a_parser(office_samples):
    present = _files(office_samples)
    assert len(present) >= len(PARSERS)
    assert present - PARSERS.keys() == set(), "new sample without a parser entry"
    assert PARSERS.keys() - present == set(), "parser entry for a sample that is gone"


@pytest.mark.parametrize("name", sorted(PARSERS))
def test_sample_parses(office_samples, name):
    result = PARSERS[name]((office_samples / name).read_bytes())
    assert result is not None
