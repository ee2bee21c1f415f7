"""Issue 15 checklist: every correction and new rule the issue asks for -> the rule that implements it -> the
test that proves it (its id cites the source).

Rendered into docs/rules.md ("Issue 15 checklist") by deadlines.rules.doc; tests/docs/test_rules_checklist.py
checks that every rule named exists, that the office codes stated are exactly the ones mapped to the rules'
triggers (patents.code_seed.MAPPINGS) and that every test named exists with that id. So the checklist cannot
claim a rule, a mapping or a test that is not there.
"""

from __future__ import annotations

from dataclasses import dataclass

# The office codes column: "<office> <source> <code>" for each mapping to a trigger of the item's rules, or
# HAND for triggers entered on the matter (each office package's HAND_ENTERED gives the reason).
HAND = "entered by hand"


@dataclass(frozen=True)
class Item:
    section: str
    item: str
    rules: tuple[str, ...]
    office_codes: tuple[str, ...]
    tests: tuple[str, ...]  # "tests/<path>.py::<function>" or "tests/<path>.py::<function>[<id>]"
    note: str = ""


C = "tests/deadlines/test_rules_corrections.py"
EPN = "tests/deadlines/test_rules_ep_new.py"
USN = "tests/deadlines/test_rules_us_new.py"
PCTN = "tests/deadlines/test_rules_pct_new.py"
JPN = "tests/deadlines/test_rules_jp_new.py"
CAL = "tests/deadlines/test_rules_calendars.py"
NOT = "tests/deadlines/test_rules_closure_notices.py"
NORULE = "tests/deadlines/test_rules_no_rule.py"

ITEMS: tuple[Item, ...] = (
    # --- Corrections ---------------------------------------------------------------------------------------
    Item(
        "Corrections",
        "JP surcharge period counts from the original period's end as moved to the next open day (Art. 112(1); "
        "INPIT FAQ)",
        ("JP.ANNUITY", "JP.DESIGN_ANNUITY"),
        ("JP biblio @grant_date",),
        (
            f"{C}::test_jp_surcharge_period_runs_from_the_end_moved_to_the_next_open_day"
            "[JP-Art112(1)-INPIT-grace-from-rolled-end]",
            f"{C}::test_jp_surcharge_period_runs_from_the_end_moved_to_the_next_open_day"
            "[JP-Art112(1)-grace-weekday-unchanged]",
            f"{JPN}::test_design_annuities[JP-DesignAct-Art44(1)-grace-from-rolled-end]",
        ),
    ),
    Item(
        "Corrections",
        "JP extension of a designated period runs from the unrolled end",
        ("JP.OPINION_FOREIGN",),
        ("JP jpo-progress A131",),
        (f"{C}::test_jp_notice_of_reasons_for_refusal_extensions[JPO-practice-2016-overseas-extension-from-unrolled-end]",),
    ),
    Item(
        "Corrections",
        "JP Notice of Reasons for Refusal: overseas 2 + 1 months (3 in all), domestic 2 months; after expiry one "
        "request within 2 months gives 2 months (JPO practice since 1 April 2016)",
        ("JP.OPINION_FOREIGN", "JP.OPINION_DOMESTIC"),
        ("JP jpo-progress A131",),
        (
            f"{C}::test_jp_notice_of_reasons_for_refusal_extensions[JPO-practice-2016-overseas-2-plus-1-months]",
            f"{C}::test_jp_notice_of_reasons_for_refusal_extensions[JPO-practice-2016-domestic-2-months]",
        ),
        "each case also checks the after-expiry request (its 2-month window)",
    ),
    Item(
        "Corrections",
        "JP appeal against refusal, overseas resident: the 4-month date (Art. 121(1) + Art. 4 ex officio month) "
        "is the due date itself",
        ("JP.APPEAL_FOREIGN",),
        ("JP jpo-progress A02",),
        (f"{C}::test_jp_appeal_for_overseas_resident_is_due_on_the_four_month_date[JP-Art121(1)-Art4-four-months]",),
    ),
    Item(
        "Corrections",
        "US and JP design applications: 6-month priority period (35 USC 172; Paris Art. 4C(1); JP Design Act "
        "Art. 15)",
        ("US.PRIORITY_DESIGN", "JP.PRIORITY_DESIGN"),
        (HAND,),
        (
            f"{C}::test_design_priority_period_is_six_months[35USC172-design-6-months]",
            f"{C}::test_design_priority_period_is_six_months[JP-DesignAct-Art15-6-months]",
            f"{C}::test_design_priority_period_is_six_months[ParisArt4C(1)-design-month-end-Sunday]",
        ),
        "the priority application is our own filing elsewhere: no office reports it",
    ),
    Item(
        "Corrections",
        "US first reply to a final rejection on the next business day after a 2-month date on a weekend or "
        "federal holiday is 'within two months' (MPEP 706.07(f); 37 CFR 1.7)",
        ("US.REPLY_FINAL",),
        ("US odp-transaction MCTFR",),
        (
            f"{C}::test_reply_on_next_business_day_after_two_month_date_counts_as_within_two_months"
            "[MPEP706.07(f)-37CFR1.7-two-month-date-on-Saturday]",
            f"{C}::test_reply_on_next_business_day_after_two_month_date_counts_as_within_two_months"
            "[MPEP706.07(f)-37CFR1.7-two-month-date-on-Memorial-Day]",
        ),
    ),
    Item(
        "Corrections",
        "EP Art. 94(3) period of 6 months is at the ceiling: no routine later date (Guidelines E-VIII, 1.6)",
        ("EP.REPLY_94_3",),
        ("EP procedural-step DDIV", "EP procedural-step EXRE"),
        (
            f"{C}::test_ep_94_3_extension_never_beyond_six_months_in_total"
            "[EPC-Guidelines-E-VIII-1.6-six-months-no-routine-extension]",
            f"{C}::test_ep_94_3_extension_never_beyond_six_months_in_total"
            "[EPC-Guidelines-E-VIII-1.6-five-months-clipped-to-six]",
        ),
    ),
    Item(
        "Corrections",
        "Calendars: EPO filing offices (any closed, Rule 134(1)) and the IB (PCT Rule 80.5) from the published "
        "notices, each site's local days checked; years without a list provisional and recomputed when the "
        "list is added",
        (),
        (),
        (
            f"{NOT}::test_period_ending_on_a_filing_office_holiday_moves_to_the_next_day_all_are_open"
            "[EPC-R134(1)-OJ-EPO-2019-A97-Hague-Kings-Day-2020]",
            f"{NOT}::test_period_ending_on_a_filing_office_holiday_moves_to_the_next_day_all_are_open"
            "[EPC-R134(1)-OJ-EPO-2016-A74-Hague-Liberation-Day-2017-non-lustrum-year]",
            f"{NOT}::test_period_ending_on_a_filing_office_holiday_moves_to_the_next_day_all_are_open"
            "[EPC-R134(1)-EPO-office-holidays-2023-Berlin-Womens-Day]",
            f"{NOT}::test_period_ending_on_a_filing_office_holiday_moves_to_the_next_day_all_are_open"
            "[PCT-R80.5-Newsletter-12-2018-IB-Jeune-genevois-2019]",
            f"{NOT}::test_vienna_sub_office_holidays_do_not_extend_a_period"
            "[EPC-R134(1)-Vienna-National-Holiday-2023-not-a-filing-office]",
            f"{CAL}::test_year_without_published_list_applies_recurring_days_marked_provisional"
            "[EPC-R134(1)-provisional-2028-Good-Friday]",
            f"{CAL}::test_a_single_day_closure_applies_but_does_not_publish_its_year[EPC-R134(1)-ad-hoc-closure-2028]",
            "tests/deadlines/test_rules_closure_list.py::test_first_published_closure_of_a_year_recomputes_its_"
            "provisional_dates",
            f"{NOT}::test_migration_0014_adds_the_new_notices_once_and_marks_affected_matters",
        ),
        "the lists held, and the years still provisional, are in docs/deadlines.md (Office closure data)",
    ),
    # --- New rules: EP -------------------------------------------------------------------------------------
    Item(
        "New rules: EP",
        "opposition period, 9 months from the mention of grant, for watched patents (Art. 99)",
        ("EP.OPPOSITION",),
        ("EP biblio @grant_date",),
        (
            f"{EPN}::test_opposition_period_for_a_watched_patent[EPC-Art99(1)-opposition-9-months-ends-Saturday]",
            f"{EPN}::test_opposition_period_for_a_watched_patent[EPC-Art99(1)-R131(4)-opposition-month-end]",
        ),
    ),
    Item(
        "New rules: EP",
        "Unitary Patent request, 1 month from the mention of grant (Rule 6 UPR)",
        ("EP.UNITARY_EFFECT_REQUEST",),
        ("EP biblio @grant_date",),
        (
            f"{EPN}::test_unitary_effect_request_one_month[UPR-R6(1)-EPC-R131(4)-leap-year]",
            f"{EPN}::test_unitary_effect_request_one_month[UPR-R6(1)-EPC-R131-month-end]",
        ),
    ),
    Item(
        "New rules: EP",
        "national validation / translation, per designated state where required, 3 months as a documented "
        "default table (Art. 65)",
        ("EP.VALIDATION_ES", "EP.VALIDATION_IT"),
        ("EP biblio @grant_date",),
        (
            f"{EPN}::test_validation_per_designated_state_three_months",
            f"{EPN}::test_validation_is_counted_on_the_national_calendar_not_the_epos"
            "[EPC-Art65(1)-national-act-not-moved-by-EPO-Christmas-closure]",
            f"{EPN}::test_validation_is_counted_on_the_national_calendar_not_the_epos"
            "[EPC-Art65(1)-R131(4)-leap-year-month-end]",
            f"{EPN}::test_validation_states_missing_or_unknown_are_problems_not_silence",
            f"{EPN}::test_validation_table_is_consistent",
        ),
        "one rule per state of ep.VALIDATION_TABLE (EP.VALIDATION_AL ... _TR), the table is in the rule list "
        "above; v2 counts on the national office's calendar (v1 rolled over EPO closing days: a later date)",
    ),
    Item(
        "New rules: EP",
        "appeal: notice 2 months, grounds 4 months from notification of the decision (Art. 108)",
        ("EP.APPEAL_NOTICE", "EP.APPEAL_GROUNDS"),
        (HAND,),
        (
            f"{EPN}::test_appeal_notice_two_months_grounds_four_months[EPC-Art108-R126(2)-new-notice-and-grounds]",
            f"{EPN}::test_appeal_notice_two_months_grounds_four_months[EPC-Art108-R126(2)-old-ten-day-leap-year]",
        ),
        "no refusal/decision step in any recorded EPO register answer (patents/offices/ep HAND_ENTERED)",
    ),
    Item(
        "New rules: EP",
        "divisional: renewal fees already due become due on filing and may be paid within 4 months (Rule 51(3))",
        ("EP.RENEWAL_FEE_DIVISIONAL",),
        (HAND,),
        (f"{EPN}::test_divisional_renewal_fees_already_due_are_payable_within_four_months",),
        "the divisional's date of actual filing is not a register step we receive (HAND_ENTERED)",
    ),
    Item(
        "New rules: EP",
        "Euro-PCT renewal fee for year 3 not before the 31-month date (Rule 159(1)(g))",
        ("EP.RENEWAL_FEE",),
        ("EP biblio @filing_date",),
        (
            f"{EPN}::test_euro_pct_third_year_renewal_not_before_31_months[EPC-R159(1)(g)-year-3-at-31-months]",
            f"{EPN}::test_euro_pct_third_year_renewal_not_before_31_months[EPC-R159(1)(g)-no-priority-31-months]",
        ),
    ),
    Item(
        "New rules: EP",
        "further processing (Art. 121, Rule 135(1)) and re-establishment (Art. 122, Rule 136(1))",
        ("EP.FURTHER_PROCESSING", "EP.RE_ESTABLISHMENT"),
        ("EP procedural-step LOPR", HAND),
        (
            "tests/deadlines/test_rules_ep.py::test_ep_periods[EPC-R135(1)-further-processing-2-months]",
            f"{EPN}::test_re_establishment_request_period[EPC-R136(1)-two-months-from-removal]",
            f"{EPN}::test_re_establishment_request_period[EPC-R136(1)-one-year-limit-first]",
        ),
        "removal of the cause of non-compliance is the applicant's fact, entered by hand",
    ),
    # --- New rules: US -------------------------------------------------------------------------------------
    Item(
        "New rules: US",
        "appeal brief, 2 months from the notice of appeal, extendable (37 CFR 41.37; 1.136(a))",
        ("US.APPEAL_BRIEF",),
        ("US odp-transaction N/AP",),
        (
            f"{USN}::test_us_new_periods[37CFR41.37(a)-1.136(a)-appeal-brief-2-plus-5-months-weekends]",
            f"{USN}::test_us_new_periods[37CFR41.37(a)-1.7-month-end-28Feb-Saturday-31May-Sunday]",
        ),
    ),
    Item(
        "New rules: US",
        "RCE and continuation windows: RCE before the issue fee; continuation before issue, the issue "
        "notification as trigger (35 USC 120)",
        ("US.RCE_BEFORE_ISSUE_FEE", "US.CONTINUATION_BEFORE_ISSUE"),
        ("US odp-transaction MN/=.", "US odp-transaction WPIR"),
        (
            f"{USN}::test_us_new_periods[37CFR1.114(b)-RCE-before-issue-fee-Christmas]",
            f"{USN}::test_continuation_window_closes_on_the_issue_date[35USC120-MPEP211.01(b)-issue-date]",
            f"{USN}::test_continuation_window_closes_on_the_issue_date[35USC120-issue-date-unknown-earliest-possible]",
        ),
        "an RCE as the reply to a final rejection (before abandonment) is answered inside US.REPLY_FINAL",
    ),
    Item(
        "New rules: US",
        "Ex parte Quayle action, 2 months",
        ("US.REPLY_QUAYLE",),
        ("US odp-transaction MCTEQ",),
        (f"{USN}::test_us_new_periods[MPEP714.14-Quayle-2-months-capped-at-6]",),
    ),
    Item(
        "New rules: US",
        "information disclosure statement windows (37 CFR 1.97(b)-(d))",
        ("US.IDS_WITHOUT_FEE", "US.IDS_97E_STATEMENT", "US.RCE_BEFORE_ISSUE_FEE"),
        ("US biblio @filing_date", HAND, "US odp-transaction MN/=."),
        (
            f"{USN}::test_us_new_periods[37CFR1.97(b)(1)-IDS-3-months-from-filing]",
            f"{USN}::test_ids_window_closed_by_the_first_action",
            f"{USN}::test_ids_97e_statement_three_months_not_moved_past_a_weekend",
        ),
        "1.97(d) (after allowance, before the issue fee) is the window US.RCE_BEFORE_ISSUE_FEE names; the "
        "foreign office citation that starts 1.97(e) is entered by hand",
    ),
    Item(
        "New rules: US",
        "foreign priority claim: the later of 4 months from filing or 16 months from priority (1.55(d))",
        ("US.FOREIGN_PRIORITY_CLAIM",),
        ("US biblio @filing_date",),
        (
            f"{USN}::test_foreign_priority_claim_later_of_4_and_16_months[37CFR1.55(d)(1)-later-is-16-months]",
            f"{USN}::test_foreign_priority_claim_later_of_4_and_16_months[37CFR1.55(d)(1)-later-is-4-months]",
            f"{USN}::test_foreign_priority_claim_later_of_4_and_16_months[37CFR1.55(d)(1)-leap-year-month-end]",
        ),
    ),
    Item(
        "New rules: US",
        "request for reconsideration of patent term adjustment, 2 months from grant (1.705(b))",
        ("US.PTA_RECONSIDERATION",),
        ("US biblio @grant_date",),
        (
            f"{USN}::test_us_new_periods[37CFR1.705(b)-PTA-2-months-Sunday-extendable-1.136(a)-observed-"
            "Independence-Day]",
        ),
    ),
    Item(
        "New rules: US",
        "track priority of a design where relevant (read as: the design's 6-month priority period)",
        ("US.PRIORITY_DESIGN",),
        (HAND,),
        (f"{C}::test_design_priority_period_is_six_months[35USC172-design-6-months]",),
        "if 'track priority' meant Track One / expedited design examination (37 CFR 1.102(e), 1.155), no rule "
        "exists: neither has a deadline of its own",
    ),
    # --- New rules: PCT ------------------------------------------------------------------------------------
    Item(
        "New rules: PCT",
        "priority claim correction or addition: the later of 16 months from priority or 4 months from the "
        "international filing date (Rule 26bis.1)",
        ("WO.PRIORITY_CLAIM_CORRECTION",),
        ("WO biblio @filing_date",),
        (
            f"{PCTN}::test_priority_claim_correction[PCT-R26bis.1(a)-later-is-16-months]",
            f"{PCTN}::test_priority_claim_correction[PCT-R26bis.1(a)-later-is-4-months]",
            f"{PCTN}::test_priority_claim_correction[PCT-R26bis.1(a)-R80.2-leap-month-end]",
        ),
    ),
    Item(
        "New rules: PCT",
        "fees at 1 month from receipt (Rules 14-16)",
        ("WO.FEES",),
        ("WO biblio @filing_date",),
        (
            f"{PCTN}::test_fees_one_month_from_receipt[PCT-R14.1(c)-R15.3-R16.1(f)-one-month-month-end]",
            f"{PCTN}::test_fees_one_month_from_receipt[PCT-R80.5-RO-US-Christmas]",
        ),
    ),
    Item(
        "New rules: PCT",
        "national-phase entries beyond US/EP/JP in a documented table (CN, KR, CA, AU, IN at 30 or 31 months)",
        ("WO.NATIONAL_PHASE_CN", "WO.NATIONAL_PHASE_KR", "WO.NATIONAL_PHASE_CA", "WO.NATIONAL_PHASE_AU",
         "WO.NATIONAL_PHASE_IN"),
        ("WO biblio @filing_date",),
        (
            f"{PCTN}::test_national_phase_entries_from_the_table[PCT-Art22(3)-CN-R120-30-months]",
            f"{PCTN}::test_national_phase_entries_from_the_table[PCT-Art22(3)-KR-Art201-31-months-Sunday]",
            f"{PCTN}::test_national_phase_entries_from_the_table[PCT-Art22(3)-CA-s154(1)-30-months]",
            f"{PCTN}::test_national_phase_entries_from_the_table[PCT-Art22(3)-AU-s29A-31-months-Sunday]",
            f"{PCTN}::test_national_phase_entries_from_the_table[PCT-Art22(3)-IN-rule20(4)-31-months-Sunday]",
            f"{PCTN}::test_table_has_at_least_the_required_offices",
        ),
    ),
    # --- New rules: JP -------------------------------------------------------------------------------------
    Item(
        "New rules: JP",
        "examination request for a divisional: the later of 3 years from the parent's filing and 30 days from "
        "the divisional's (Art. 48-3(2))",
        ("JP.EXAMINATION_REQUEST_DIVISIONAL",),
        (HAND,),
        (
            f"{JPN}::test_divisional_examination_request_later_of_three_years_and_30_days[JP-Art48-3(2)-30-days-later]",
            f"{JPN}::test_divisional_examination_request_later_of_three_years_and_30_days"
            "[JP-Art48-3(2)-three-years-later-Sunday]",
            f"{JPN}::test_divisional_examination_request_later_of_three_years_and_30_days"
            "[JP-Art48-3(2)-Art3(2)-Golden-Week]",
        ),
        "the divisional's filing is entered by hand (patents/offices/jp HAND_ENTERED)",
    ),
    Item(
        "New rules: JP",
        "first annuities (years 1-3) within 30 days of the decision to grant, extendable by 30 days (Art. 108)",
        ("JP.FIRST_ANNUITIES",),
        ("JP jpo-progress A01",),
        (
            f"{JPN}::test_first_annuities_30_days_extendable_by_30[JP-Art108(1)-(3)-30-plus-30-days]",
            f"{JPN}::test_first_annuities_30_days_extendable_by_30[JP-Art108(3)-Art3(2)-year-end]",
        ),
    ),
    Item(
        "New rules: JP",
        "priority document, 16 months from priority (Art. 43(2))",
        ("JP.PRIORITY_DOCUMENT",),
        ("JP biblio @filing_date",),
        (
            f"{JPN}::test_priority_document_16_months[JP-Art43(2)-16-months-Saturday]",
            f"{JPN}::test_priority_document_16_months[JP-Art43(2)-Art3-leap-year]",
        ),
    ),
    Item(
        "New rules: JP",
        "translation after national documents filed late in the period (Art. 184-4(1) proviso)",
        ("JP.NATIONAL_PHASE_TRANSLATION",),
        ("JP jpo-progress A632",),
        (
            f"{JPN}::test_translation_after_late_national_documents[JP-Art184-4(1)-proviso-two-months-after-documents]",
            f"{JPN}::test_translation_after_late_national_documents[JP-Art184-4(1)-documents-early-30-months]",
        ),
    ),
    Item(
        "New rules: JP",
        "opposition, 6 months from the gazette, for watched patents (Art. 113)",
        ("JP.OPPOSITION",),
        (HAND,),
        (
            f"{JPN}::test_opposition_for_a_watched_patent[JP-Art113-six-months]",
            f"{JPN}::test_opposition_for_a_watched_patent[JP-Art113-Art3-month-end-Sunday]",
        ),
        "a watched (third-party) patent's gazette is entered by hand",
    ),
    Item(
        "New rules: JP",
        "design annuities",
        ("JP.DESIGN_ANNUITY", "JP.DESIGN_ANNUITY_20Y"),
        ("JP biblio @grant_date",),
        (
            f"{JPN}::test_design_annuities[JP-DesignAct-Art43(2)-Art44(1)-year-2]",
            f"{JPN}::test_design_term_limits_the_annuities[JP-DesignAct-Art21(1)-25-years-all]",
            f"{JPN}::test_design_term_limits_the_annuities[JP-DesignAct-old-Art21-20-years]",
        ),
    ),
    # --- Nothing silently dropped, proof -------------------------------------------------------------------
    Item(
        "Unknown codes and proof",
        "an unknown code is never silent: 'no rule for CODE' from compute and recompute, on the matter page, "
        "and event types without a rule listed on a staff report page",
        (),
        (),
        (
            f"{NORULE}::test_engine_reports_an_unknown_code_as_a_problem",
            f"{NORULE}::test_recompute_and_matter_page_show_no_rule_and_staff_report_lists_the_type",
            f"{NORULE}::test_rule_coverage_report_is_staff_only",
        ),
        "the staff report is /deadlines/rules/coverage/ (deadlines/coverage_views.py)",
    ),
    Item(
        "Unknown codes and proof",
        "canonical event codes with mappings from each office's own codes (or entered by hand, with the reason)",
        (),
        (),
        (
            "tests/deadlines/test_rules_codes.py::test_every_code_a_rule_names_is_a_seeded_event_type",
            "tests/deadlines/test_rules_codes.py::test_office_codes_map_to_the_rule_triggers",
            "tests/conformance/test_office_registry_conformance.py::test_every_rule_trigger_of_the_office_is_mapped_or_entered_by_hand",
        ),
    ),
    Item(
        "Unknown codes and proof",
        "`deadlines compute` keeps its JSON contract",
        (),
        (),
        (
            f"{NORULE}::test_cli_compute_reports_no_rule_and_keeps_its_json_contract",
            "tests/deadlines/test_cli.py::test_compute_from_file_prints_issue_shape_and_writes_nothing",
        ),
    ),
    Item(
        "Unknown codes and proof",
        "the generated rule list in the docs is current (this file)",
        (),
        (),
        ("tests/docs/test_rules_md.py::test_docs_rules_md_is_the_commands_output",),
    ),
)
