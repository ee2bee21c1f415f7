"""PCT (WIPO International Bureau, receiving offices, IPEAs) and national/regional phase entry."""

from __future__ import annotations

from .model import Base, Conditions, Extension, ExtensionModel, Kind, Remedy, Rule, Term
from .periods import Convention, Duration

C = Convention.PCT_R80
M = Duration

# National phase entries beyond US/EP/JP (PCT Art. 22(3), 39(1)(b): the national law may fix a later time
# limit than 30 months). Months from the priority date as listed in the WIPO PCT Applicant's Guide, National
# Phase, national chapter of each office (and the law cited). No holiday calendar is kept for these offices:
# only weekends are skipped and the explanation says so -- a public holiday on which the office is open would
# otherwise give a date too late. (office, months, citation, grace, note)
NATIONAL_PHASE_TABLE: tuple[tuple[str, int, str, Extension | None, str], ...] = (
    (
        "CN",
        30,
        "PCT Art. 22(3); Implementing Regulations of the Patent Law of China Rule 120 (formerly 103)",
        Extension(
            ExtensionModel.GRACE_SURCHARGE,
            months=2,
            surcharge=True,
            citation="Implementing Regulations (CN) Rule 120: within 32 months with the fee for grace",
        ),
        "30 months; 32 months with the fee for grace",
    ),
    ("KR", 31, "PCT Art. 22(3); Patent Act (KR) Art. 201(1), 203(1)", None, "31 months (translation)"),
    (
        "CA",
        30,
        "PCT Art. 22(3); Patent Rules (CA) s. 154(1)",
        None,
        "30 months; late entry up to 42 months only on request with a statement and fee (s. 154(3)) -- treat "
        "the 30-month date as the deadline",
    ),
    ("AU", 31, "PCT Art. 22(3), 39(1)(b); Patents Act 1990 (AU) s. 29A; Patents Regulations 1991", None, "31 months"),
    ("IN", 31, "PCT Art. 22(3); Patents Act 1970 (IN) s. 7(1A); Patents Rules 2003 rule 20(4)(i)", None, "31 months"),
)


def _national_phase_rule(office: str, months: int, citation: str, grace: Extension | None, note: str) -> Rule:
    return Rule(
        id=f"WO.NATIONAL_PHASE_{office}",
        version=1,
        office=office,
        title=f"Enter {office} national phase",
        triggers=("WO.FILED",),
        kind=Kind.STATUTORY,
        citation=citation,
        terms=(Term(M(months=months), base=Base.PRIORITY),),
        convention=C,
        calendar=office,
        conditions=Conditions(designated_office=office),
        extension=grace,
        answered_by=("WO.NATIONAL_PHASE_ENTERED",),
        replaced_by=("WO.WITHDRAWN",),
        notes=note + "; months from the priority date (WIPO PCT Applicant's Guide, national chapter " + office + ")",
    )


RULES: tuple[Rule, ...] = (
    Rule(
        id="WO.NATIONAL_PHASE_US",
        version=1,
        office="US",
        title="Enter US national phase (35 U.S.C. 371)",
        triggers=("WO.FILED",),
        kind=Kind.STATUTORY,
        citation="PCT Art. 22(1); 35 U.S.C. 371(b); 37 CFR 1.495(b)",
        terms=(Term(M(months=30), base=Base.PRIORITY),),
        convention=C,
        calendar="US",
        conditions=Conditions(designated_office="US"),
        remedies=(Remedy("petition to revive (unintentional delay)", "37 CFR 1.137(a)", basis="no fixed period"),),
        answered_by=("WO.NATIONAL_PHASE_ENTERED",),
        replaced_by=("WO.WITHDRAWN",),
    ),
    Rule(
        id="WO.REGIONAL_PHASE_EP",
        version=1,
        office="EP",
        title="Enter European regional phase",
        triggers=("WO.FILED",),
        kind=Kind.STATUTORY,
        citation="PCT Art. 22(3), 39(1)(b); EPC Rule 159(1)",
        terms=(Term(M(months=31), base=Base.PRIORITY),),
        convention=Convention.EPC_R131,
        calendar="EP",
        conditions=Conditions(designated_office="EP"),
        remedies=(
            Remedy(
                "further processing",
                "EPC Art. 121; Rules 135(1), 160(2)",
                basis="two months from notification of the loss-of-rights communication",
            ),
        ),
        answered_by=("WO.NATIONAL_PHASE_ENTERED",),
        replaced_by=("WO.WITHDRAWN",),
    ),
    Rule(
        id="WO.NATIONAL_PHASE_JP",
        version=1,
        office="JP",
        title="Enter Japanese national phase (translation, national documents)",
        triggers=("WO.FILED",),
        kind=Kind.STATUTORY,
        citation="PCT Art. 22(3); Patent Act (Japan) Art. 184-4(1), Art. 3",
        terms=(Term(M(months=30), base=Base.PRIORITY),),
        convention=Convention.JP_ART3,
        calendar="JP",
        conditions=Conditions(designated_office="JP"),
        remedies=(
            Remedy(
                "late translation (justifiable reason)",
                "Patent Act (Japan) Art. 184-4(4)",
                after_expiry=M(years=1),
                basis="within two months after the reason ceased, at the latest one year after expiry",
            ),
        ),
        answered_by=("WO.NATIONAL_PHASE_ENTERED",),
        replaced_by=("WO.WITHDRAWN",),
    ),
    Rule(
        id="WO.ART19_AMENDMENTS",
        optional=True,
        version=1,
        office="WO",
        title="Amend claims under PCT Art. 19 (optional)",
        triggers=("WO.ISR_TRANSMITTED",),
        kind=Kind.PROCEDURAL,
        citation="PCT Art. 19; Rule 46.1",
        terms=(Term(M(months=2)), Term(M(months=16), base=Base.PRIORITY)),
        convention=C,
        calendar="IB",
        answered_by=("WO.ART19_AMENDMENTS_FILED",),
        replaced_by=("WO.WITHDRAWN",),
        notes="optional: not amending loses only this chance to amend before publication; the claims can still be "
        "amended under Art. 34 and in the national phase (Art. 28, 41). "
        "the later of two months from transmittal of the ISR and 16 months from priority; amendments "
        "reaching the IB later but before technical preparations for publication end are accepted "
        "(Rule 46.1)",
    ),
    Rule(
        id="WO.DEMAND",
        optional=True,
        version=1,
        office="WO",
        title="File demand for international preliminary examination",
        triggers=("WO.ISR_TRANSMITTED",),
        kind=Kind.PROCEDURAL,
        citation="PCT Art. 31; Rule 54bis.1(a)",
        terms=(Term(M(months=3)), Term(M(months=22), base=Base.PRIORITY)),
        convention=C,
        calendar="@ipea",
        answered_by=("WO.DEMAND_FILED",),
        replaced_by=("WO.WITHDRAWN",),
        notes="optional: without a demand the application continues under Chapter I to the national phase (Art. 22); "
        "only international preliminary examination is forgone. "
        "the later of three months from transmittal of the ISR and 22 months from priority; not extendable",
    ),
    Rule(
        id="WO.PRIORITY_YEAR",
        version=1,
        office="WO",
        title="File PCT application claiming priority",
        triggers=("WO.PRIORITY_APPLICATION_FILED",),
        kind=Kind.STATUTORY,
        citation="PCT Art. 8(2)(a); Rule 80.2, 80.5; Paris Convention Art. 4C",
        terms=(Term(M(months=12)),),
        convention=C,
        calendar="@receiving_office",
        remedies=(Remedy("restoration of the right of priority", "PCT Rule 26bis.3(e)", after_expiry=M(months=2)),),
        answered_by=("WO.FILED",),
    ),
    Rule(
        id="WO.PRIORITY_CLAIM_CORRECTION",
        optional=True,
        version=1,
        office="WO",
        title="Correct or add a priority claim",
        triggers=("WO.FILED",),
        kind=Kind.PROCEDURAL,
        citation="PCT Rule 26bis.1(a)",
        terms=(Term(M(months=16), base=Base.PRIORITY, only_with_priority=True), Term(M(months=4))),
        convention=C,
        calendar="@receiving_office",
        answered_by=("WO.PRIORITY_CLAIM_CORRECTED",),
        replaced_by=("WO.WITHDRAWN", "WO.NATIONAL_PHASE_ENTERED"),
        notes="optional: needed only when a priority claim is wrong or missing; with correct claims nothing is lost. "
        "the later of 16 months from the priority date (the changed one if earlier) and four months from "
        "the international filing date; ends earlier if early publication is requested (Rule 26bis.1(b)). "
        "Without a priority claimed only the four-month date is shown (the 16 months would run from a priority "
        "date we do not know)",
    ),
    Rule(
        id="WO.FEES",
        version=1,
        office="WO",
        title="Pay transmittal, international filing and search fees",
        triggers=("WO.FILED",),
        kind=Kind.STATUTORY,
        citation="PCT Rules 14.1(c), 15.3, 16.1(f)",
        terms=(Term(M(months=1)),),
        convention=C,
        calendar="@receiving_office",
        remedies=(
            Remedy(
                "payment on invitation with late payment fee",
                "PCT Rule 16bis.1(a), 16bis.2",
                basis="one month from the receiving office's invitation; we do not know its date yet",
            ),
        ),
        answered_by=("WO.FEES_PAID",),
        # A search report proves the search fee was paid; after a national phase entry the international
        # fees are moot: neither leaves an old PCT matter with a false "overdue".
        replaced_by=("WO.WITHDRAWN", "WO.ISR_TRANSMITTED", "WO.NATIONAL_PHASE_ENTERED"),
        notes="one month from the receipt of the international application (its filing date)",
    ),
    *(_national_phase_rule(*row) for row in NATIONAL_PHASE_TABLE),
)
