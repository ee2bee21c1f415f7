"""European Patent Office. Calendar: EPC Rule 134(1) -- any EPO filing office closed (weekends and the
closing days published each year in the Official Journal, stored as OfficeClosure rows)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import TypedDict

from .model import (
    Base,
    Conditions,
    EventFact,
    Extension,
    ExtensionModel,
    Kind,
    MatterFacts,
    Notification,
    Remedy,
    Rule,
    Series,
    Term,
)
from .periods import Convention, Duration

C = Convention.EPC_R131
M = Duration
NOTIFICATION_CHANGE = date(2023, 11, 1)

FURTHER_PROCESSING = Remedy(
    name="further processing",
    citation="EPC Art. 121; Rule 135(1)",
    basis="two months from notification of the communication noting the loss of rights (Rule 112(1))",
)
RE_ESTABLISHMENT_RENEWAL = Remedy(
    name="re-establishment of rights",
    citation="EPC Art. 122; Rule 136(1)",
    after_expiry=M(years=1),
    basis="within two months of the removal of the cause of non-compliance, at the latest one year after expiry",
)
ACTIONS = ("EP.COMMUNICATION_94_3", "EP.RULE_71_3_COMMUNICATION", "EP.SUMMONS_ORAL_PROCEEDINGS")
RE_ESTABLISHMENT = Remedy(
    name="re-establishment of rights",
    citation="EPC Art. 122; Rule 136(1)",
    after_expiry=M(years=1),
    basis="within two months of the removal of the cause of non-compliance, at the latest one year after expiry",
)
OWN = ("watched", False)  # the owner's grant: not a watched third-party patent
WATCHED = ("watched", True)
UPC_START = date(2023, 6, 1)  # Unitary Patent system in force (Regulation (EU) 1257/2012; UPR)

# Art. 65(1) EPC: a state may require a translation (or other validation act) within a period ending NOT
# EARLIER than three months after the mention of grant -- so three months is the earliest any state may set
# and is used for every state below (the safe date; several states allow no longer). Which act a state
# requires depends on the language of the proceedings and the London Agreement; the note says what to check.
# States that require nothing for any EPO language (London Agreement, full) get no deadline; a designated
# state in neither table is reported as a problem, never skipped.
VALIDATION_TABLE: tuple[tuple[str, str], ...] = (
    ("AL", "claims translation (London Agreement Art. 1(3))"),
    ("AT", "full translation into German unless the proceedings were in German"),
    ("BG", "full translation into Bulgarian"),
    ("CY", "full translation into Greek unless the proceedings were in English (verify)"),
    ("CZ", "full translation into Czech"),
    ("DK", "claims translation into Danish; description in English or Danish (London Agreement)"),
    ("EE", "full translation into Estonian"),
    ("ES", "full translation into Spanish"),
    ("FI", "claims translation into Finnish; description in English or Finnish (London Agreement)"),
    ("GR", "full translation into Greek"),
    ("HR", "claims translation into Croatian (London Agreement)"),
    ("HU", "claims translation into Hungarian (London Agreement)"),
    ("IS", "claims translation into Icelandic (London Agreement)"),
    ("IT", "full translation into Italian"),
    ("LT", "claims translation into Lithuanian (London Agreement)"),
    ("LV", "claims translation into Latvian (London Agreement)"),
    ("ME", "full translation into Montenegrin"),
    ("MK", "claims translation into Macedonian (London Agreement)"),
    ("MT", "translation unless the proceedings were in English (verify)"),
    ("NL", "description in English or Dutch; check the current Dutch requirement"),
    ("NO", "claims translation into Norwegian (London Agreement); full translation if not in English"),
    ("PL", "full translation into Polish"),
    ("PT", "full translation into Portuguese"),
    ("RO", "full translation into Romanian"),
    ("RS", "full translation into Serbian"),
    ("SE", "claims translation into Swedish; description in English or Swedish (London Agreement)"),
    ("SI", "claims translation into Slovenian (London Agreement)"),
    ("SK", "full translation into Slovak"),
    ("SM", "full translation into Italian"),
    ("TR", "full translation into Turkish"),
)
NO_VALIDATION_ACT = ("BE", "CH", "DE", "FR", "GB", "IE", "LI", "LU", "MC")


def _validation_rule(state: str, what: str) -> Rule:
    return Rule(
        id=f"EP.VALIDATION_{state}",
        # v2: counted on the national office's calendar, not the EPO's (v1 rolled over EPO closing days such as
        # Corpus Christi or the Christmas bridging days, giving a date after the national one).
        version=2,
        office="EP",
        title=f"Validate European patent in {state} (translation / national formalities)",
        triggers=("EP.PATENT_GRANTED",),
        kind=Kind.STATUTORY,
        citation="EPC Art. 65(1), (3); national law of the contracting state",
        terms=(Term(M(months=3)),),
        convention=C,
        calendar=state,
        conditions=Conditions(designated_office=state, event_flag=OWN, needs_designations=True),
        answered_by=("EP.VALIDATED",),
        replaced_by=("EP.REVOKED",),
        notes=f"{what}. Default table: three months from the mention of grant, the earliest period Art. 65(1) "
        "allows a state to set. The act is done at the national office, so EPO closing days do not move it; "
        "without a holiday calendar for that office only weekends (and closures stored for it) are counted: "
        "a national holiday may give a later date -- verify locally",
    )


def validation_problems(matter: MatterFacts, event: EventFact) -> list[dict]:
    """A designated state with no entry in either validation table is reported, not silently skipped."""
    if event.code != "EP.PATENT_GRANTED" or event.params.get("watched"):
        return []
    known = {s for s, _ in VALIDATION_TABLE} | set(NO_VALIDATION_ACT)
    return [
        {
            "rule": "EP.VALIDATION",
            "trigger": event.ref,
            "missing": f"validation_table:{state}",
            "message": f"no validation rule for {state}: check its national requirement (EPC Art. 65) by hand",
        }
        for state in sorted({s.strip().upper() for s in matter.designated_offices})
        if state not in known and state not in {"EP", "US", "JP", "WO", "IB"}
    ]


CHECKS = (validation_problems,)


def _r159_1_g(*, rule: Rule, matter: MatterFacts, instance: str, unrolled: date, steps: list[dict], **_kw: object):
    """EPC Rule 159(1)(g): for a Euro-PCT application the renewal fee for the third year is not due before the
    31-month time limit (when it would otherwise fall due earlier)."""
    if matter.route != "pct" or instance != "3":
        return None
    base = matter.priority_date or matter.filing_date
    if base is None:
        return None
    from .periods import add_period

    thirty_one, _ = add_period(base, M(months=31), C)
    if thirty_one <= unrolled:
        return None
    steps.append(
        {
            "op": "epc_r159_1_g",
            "from": unrolled.isoformat(),
            "result": thirty_one.isoformat(),
            "citation": "EPC Rule 159(1)(g)",
            "note": "Euro-PCT: the third-year renewal fee falls due no earlier than the 31-month date from "
            f"{'priority' if matter.priority_date else 'filing'}; the six-month surcharge period runs from that "
            "date (Rule 51(2), counted under Rule 131(4): the earlier of the two readings)",
        }
    )
    return {"unrolled": thirty_one, "ext_from": thirty_one, "ext_convention": C}


def _r51_3(*, rule: Rule, event: EventFact, matter: MatterFacts, unrolled: date, steps: list[dict], **_kw: object):
    """EPC Rule 51(3): renewal fees already due for the parent when the divisional is filed, and those falling
    due within four months of that filing, may be paid within four months of the filing without surcharge."""
    from .periods import add_period

    four, _ = add_period(event.date, M(months=4), C)
    own_due = max(unrolled, event.date)
    steps.append(
        {
            "op": "epc_r51_3",
            "regular_due": unrolled.isoformat(),
            "divisional_filed": event.date.isoformat(),
            "result": four.isoformat(),
            "citation": "EPC Rule 51(3); Guidelines A-IV, 1.4.3",
            "note": "due on filing of the divisional (or on its own due date if later), payable without surcharge "
            "within four months of the filing; the surcharge period is counted six months from that due date "
            f"({own_due.isoformat()}), the earlier of the readings of Rule 51(3) last sentence with Rule 51(2)",
        }
    )
    return {"unrolled": four, "ext_from": own_due, "ext_convention": C}


def _r136_1(*, rule: Rule, event: EventFact, unrolled: date, steps: list[dict], **_kw: object):
    """EPC Rule 136(1): two months from the removal of the cause, but at the latest one year after the expiry of
    the unobserved time limit (params.time_limit_expired)."""
    from .periods import add_period

    raw = event.params.get("time_limit_expired")
    try:
        expired = date.fromisoformat(str(raw)) if raw else None
    except ValueError:
        expired = None
    if expired is None:
        steps.append(
            {
                "op": "epc_r136_1",
                "note": "the one-year limit from the expiry of the missed time limit was not checked: record "
                "params.time_limit_expired (YYYY-MM-DD) on the event -- the real date may be EARLIER",
            }
        )
        return None
    one_year, _ = add_period(expired, M(years=1), C)
    if one_year >= unrolled:
        steps.append({"op": "epc_r136_1", "one_year_limit": one_year.isoformat(), "note": "two months apply"})
        return None
    steps.append(
        {
            "op": "epc_r136_1",
            "from": unrolled.isoformat(),
            "result": one_year.isoformat(),
            "citation": "EPC Rule 136(1)",
            "note": "at the latest one year after the expiry of the unobserved time limit",
        }
    )
    return {"unrolled": one_year}


SPECIALS = {"epc_r159_1_g": _r159_1_g, "epc_r51_3": _r51_3, "epc_r136_1": _r136_1}


def _by_document_date(rule: Rule) -> tuple[Rule, Rule]:
    """A notified communication in two versions, chosen by the document's date (never by today)."""
    old = replace(rule, version=1, effective_until=date(2023, 10, 31), notification=Notification.EPO_TEN_DAY)
    new = replace(rule, version=2, effective_from=NOTIFICATION_CHANGE, notification=Notification.EPO_DATE_BORNE)
    return old, new


class _SharedRuleFields(TypedDict):
    """The fields several rules share, typed so that spreading them into Rule(...) is checked."""

    triggers: tuple[str, ...]
    kind: Kind
    terms: tuple[Term, ...]
    convention: Convention
    calendar: str
    remedies: tuple[Remedy, ...]


_search_report: _SharedRuleFields = {
    "triggers": ("EP.SEARCH_REPORT_PUBLISHED",),
    "kind": Kind.STATUTORY,
    "terms": (Term(M(months=6)),),
    "convention": C,
    "calendar": "EP",
    "remedies": (FURTHER_PROCESSING,),
}

RULES: tuple[Rule, ...] = (
    *_by_document_date(
        Rule(
            id="EP.REPLY_94_3",
            version=0,
            office="EP",
            title="Reply to communication under Art. 94(3) EPC",
            triggers=("EP.COMMUNICATION_94_3",),
            kind=Kind.STATUTORY,
            citation="EPC Art. 94(3); Rules 71(1), 132(2)",
            terms=(Term(M(months=4), param="period_months"),),
            convention=C,
            calendar="EP",
            # Guidelines E-VIII, 1.6: an extension granted on request runs from the start of the
            # original period, and one beyond six months in total is granted only in exceptional cases --
            # so a six-month period offers no routine later date.
            extension=Extension(
                ExtensionModel.ON_REQUEST,
                months=2,
                max_total=M(months=6),
                citation="EPC Rule 132(2); Guidelines E-VIII, 1.6",
            ),
            remedies=(FURTHER_PROCESSING,),
            answered_by=("EP.REPLY_FILED",),
            replaced_by=ACTIONS + ("EP.PATENT_GRANTED",),
        )
    ),
    *_by_document_date(
        Rule(
            id="EP.R71_3_APPROVAL",
            version=0,
            office="EP",
            title="Approve text for grant, pay grant and publishing fee, file claim translations",
            triggers=("EP.RULE_71_3_COMMUNICATION",),
            kind=Kind.STATUTORY,
            citation="EPC Rule 71(3)",
            terms=(Term(M(months=4)),),
            convention=C,
            calendar="EP",
            remedies=(FURTHER_PROCESSING,),
            answered_by=("EP.R71_3_APPROVED", "EP.REPLY_FILED"),
            replaced_by=ACTIONS + ("EP.PATENT_GRANTED",),
            notes="not extendable",
        )
    ),
    *_by_document_date(
        Rule(
            id="EP.R161_162",
            version=0,
            office="EP",
            title="Reply to Rule 161/162 communication (amend, pay claims fees)",
            triggers=("EP.RULE_161_162_COMMUNICATION",),
            kind=Kind.STATUTORY,
            citation="EPC Rules 161(1), 162(2)",
            terms=(Term(M(months=6)),),
            convention=C,
            calendar="EP",
            remedies=(FURTHER_PROCESSING,),
            answered_by=("EP.REPLY_FILED",),
            replaced_by=ACTIONS,
            notes="not extendable",
        )
    ),
    Rule(
        id="EP.EXAMINATION_REQUEST",
        version=1,
        office="EP",
        title="Request examination (pay examination fee)",
        citation="EPC Art. 94(1); Rule 70(1)",
        answered_by=("EP.EXAMINATION_REQUESTED",),
        notes="six months from the date the European Patent Bulletin mentions the publication of the search report",
        **_search_report,
    ),
    Rule(
        id="EP.DESIGNATION_FEE",
        version=1,
        office="EP",
        title="Pay designation fee",
        citation="EPC Art. 79(2); Rule 39(1)",
        answered_by=("EP.DESIGNATION_FEE_PAID",),
        **_search_report,
    ),
    Rule(
        id="EP.REPLY_SEARCH_OPINION",
        version=1,
        office="EP",
        title="Reply to the extended European search report",
        citation="EPC Rule 70a(1)",
        answered_by=("EP.REPLY_FILED",),
        **_search_report,
    ),
    *_by_document_date(
        Rule(
            id="EP.FURTHER_PROCESSING",
            version=0,
            office="EP",
            title="Request further processing",
            triggers=("EP.LOSS_OF_RIGHTS_NOTED",),
            kind=Kind.STATUTORY,
            citation="EPC Art. 121; Rules 112(1), 135(1)",
            terms=(Term(M(months=2)),),
            convention=C,
            calendar="EP",
            answered_by=("EP.FURTHER_PROCESSING_REQUESTED", "EP.RE_ESTABLISHMENT_REQUESTED"),
            replaced_by=("EP.LOSS_OF_RIGHTS_REVOKED",),
            notes="not extendable; re-establishment is excluded for this period (Art. 122(4), Rule 136(3)); for a "
            "period where further processing is excluded (Rule 135(2), e.g. renewal fees) re-establishment is the "
            "remedy, and requesting it closes this one",
        )
    ),
    Rule(
        id="EP.RENEWAL_FEE",
        version=2,
        office="EP",
        title="Renewal fee",
        triggers=("EP.FILED",),
        kind=Kind.STATUTORY,
        citation="EPC Art. 86(1); Rule 51(1), (2)",
        terms=(Term(M(years=2), base=Base.EVENT),),
        convention=C,
        calendar="EP",
        series=Series(
            instances=tuple((str(n), M(years=n - 1)) for n in range(3, 21)),
            stop_at_grant=True,
            due_at_month_end=True,
            yield_to="EP.DIVISIONAL_FILED",
            yield_within=M(months=4),
        ),
        special="epc_r159_1_g",
        extension=Extension(
            ExtensionModel.GRACE_SURCHARGE,
            months=6,
            counted_from="unrolled_due",
            surcharge=True,
            convention=Convention.MONTH_END,
            citation="EPC Rule 51(2); J 4/91",
        ),
        remedies=(RE_ESTABLISHMENT_RENEWAL,),
        answered_by=("EP.RENEWAL_FEE_PAID",),
        notes="year n is due on the last day of the month containing the (n-1)th anniversary of filing; "
        "the EPO stops collecting after the year in which grant is mentioned (Art. 86(2)); Euro-PCT year 3 "
        "not before the 31-month date (Rule 159(1)(g)); on a divisional, years due by four months after its "
        "filing follow Rule 51(3) (rule EP.RENEWAL_FEE_DIVISIONAL)",
    ),
    Rule(
        id="EP.PRIORITY_YEAR",
        version=1,
        office="EP",
        title="File European application claiming priority",
        triggers=("EP.PRIORITY_APPLICATION_FILED",),
        kind=Kind.STATUTORY,
        citation="EPC Art. 87(1); Rules 131, 134(1); Paris Convention Art. 4C",
        terms=(Term(M(months=12)),),
        convention=C,
        calendar="EP",
        remedies=(
            Remedy(
                "re-establishment of the priority period",
                "EPC Art. 122; Rule 136(1)",
                after_expiry=M(months=2),
            ),
        ),
        answered_by=("EP.FILED", "WO.FILED"),
    ),
    Rule(
        id="EP.RENEWAL_FEE_DIVISIONAL",
        version=1,
        office="EP",
        title="Renewal fee on filing a divisional",
        triggers=("EP.DIVISIONAL_FILED",),
        kind=Kind.STATUTORY,
        citation="EPC Art. 76(1), 86(1); Rule 51(3)",
        # Renewal years count from the parent's date of filing (Art. 76(1)): the divisional matter's filing date.
        terms=(Term(M(years=2), base=Base.FILING),),
        convention=C,
        calendar="EP",
        series=Series(
            instances=tuple((str(n), M(years=n - 1)) for n in range(3, 21)),
            due_at_month_end=True,
            due_by_event_plus=M(months=4),
        ),
        special="epc_r51_3",
        extension=Extension(
            ExtensionModel.GRACE_SURCHARGE,
            months=6,
            surcharge=True,
            citation="EPC Rule 51(3) last sentence, 51(2)",
        ),
        remedies=(RE_ESTABLISHMENT_RENEWAL,),
        answered_by=("EP.RENEWAL_FEE_PAID",),
        notes="only the years already due on the divisional's filing or falling due within four months of it",
    ),
    Rule(
        id="EP.OPPOSITION",
        optional=True,
        version=1,
        office="EP",
        title="File opposition against a watched European patent",
        triggers=("EP.PATENT_GRANTED",),
        kind=Kind.STATUTORY,
        citation="EPC Art. 99(1); Rule 131",
        terms=(Term(M(months=9)),),
        convention=C,
        calendar="EP",
        conditions=Conditions(event_flag=WATCHED),
        answered_by=("EP.OPPOSITION_FILED",),
        notes="optional: an opposition against a third party's patent is a choice; not filing loses no right of the "
        "client. "
        "nine months from the mention of grant in the European Patent Bulletin; no further processing "
        "and no re-establishment for an opponent (Art. 121, 122 protect the applicant/proprietor only)",
    ),
    Rule(
        id="EP.UNITARY_EFFECT_REQUEST",
        optional=True,
        version=1,
        office="EP",
        title="Request unitary effect",
        triggers=("EP.PATENT_GRANTED",),
        kind=Kind.STATUTORY,
        citation="Regulation (EU) 1257/2012 Art. 9(1)(g); Rules 6(1), 20 UPR",
        terms=(Term(M(months=1)),),
        convention=C,
        calendar="EP",
        conditions=Conditions(event_flag=OWN),
        effective_from=UPC_START,
        remedies=(
            Remedy(
                "re-establishment of rights",
                "Rule 22 UPR",
                basis="within two months of the removal of the cause of non-compliance; no further processing",
            ),
        ),
        answered_by=("EP.UNITARY_EFFECT_REQUESTED",),
        notes="optional: without the request the patent stays a bundle of national patents (validation deadlines "
        "apply); only unitary effect is forgone. "
        "one month from the mention of grant; not extendable; only for patents whose grant is "
        "mentioned on or after 1 June 2023",
    ),
    *(_validation_rule(state, what) for state, what in VALIDATION_TABLE),
    *_by_document_date(
        Rule(
            id="EP.APPEAL_NOTICE",
            version=0,
            office="EP",
            title="File notice of appeal and pay the appeal fee",
            triggers=("EP.APPEALABLE_DECISION",),
            kind=Kind.STATUTORY,
            citation="EPC Art. 108, first and second sentences; Rule 99(1)",
            terms=(Term(M(months=2)),),
            convention=C,
            calendar="EP",
            remedies=(RE_ESTABLISHMENT,),
            answered_by=("EP.APPEAL_FILED",),
            notes="two months from notification of the decision; not extendable; further processing excluded "
            "(Art. 121(4)); re-establishment for the applicant/proprietor (Art. 122)",
        )
    ),
    *_by_document_date(
        Rule(
            id="EP.APPEAL_GROUNDS",
            version=0,
            office="EP",
            title="File statement of grounds of appeal",
            triggers=("EP.APPEALABLE_DECISION",),
            kind=Kind.STATUTORY,
            citation="EPC Art. 108, third sentence; Rule 99(2)",
            terms=(Term(M(months=4)),),
            convention=C,
            calendar="EP",
            remedies=(RE_ESTABLISHMENT,),
            answered_by=("EP.APPEAL_GROUNDS_FILED",),
            notes="four months from notification of the decision; not extendable; further processing excluded "
            "(Art. 121(4))",
        )
    ),
    Rule(
        id="EP.RE_ESTABLISHMENT",
        version=2,
        office="EP",
        title="Request re-establishment of rights",
        # The communication noting the loss of rights is the latest moment the cause of non-compliance can be
        # removed (the applicant then knows of the missed period; Guidelines E-VIII, 3.1.3), so two months from
        # its date is the conservative date when the removal itself is not recorded.
        triggers=("EP.NON_COMPLIANCE_CAUSE_REMOVED", "EP.LOSS_OF_RIGHTS_NOTED"),
        kind=Kind.STATUTORY,
        citation="EPC Art. 122; Rule 136(1)",
        terms=(Term(M(months=2)),),
        convention=C,
        calendar="EP",
        special="epc_r136_1",
        answered_by=("EP.RE_ESTABLISHMENT_REQUESTED", "EP.FURTHER_PROCESSING_REQUESTED"),
        replaced_by=("EP.LOSS_OF_RIGHTS_REVOKED", "EP.RE_ESTABLISHMENT_GRANTED"),
        notes="two months from the removal of the cause of non-compliance, at the latest one year after the "
        "expiry of the unobserved time limit; after a loss of rights the cause is removed at the latest when "
        "its communication arrives, so two months from the communication's date are docketed (the earlier, "
        "safe date; the true removal may be later, never the one-year limit); only for periods where further "
        "processing is not available (Rule 136(3)): a request for further processing closes it; the fee is "
        "due within the same period",
    ),
)
