"""PCT (WIPO International Bureau, receiving offices, IPEAs) and national/regional phase entry."""

from __future__ import annotations

from .model import Base, Conditions, Kind, Remedy, Rule, Term
from .periods import Convention, Duration

C = Convention.PCT_R80
M = Duration

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
        notes="the later of two months from transmittal of the ISR and 16 months from priority; amendments "
        "reaching the IB later but before technical preparations for publication end are accepted "
        "(Rule 46.1)",
    ),
    Rule(
        id="WO.DEMAND",
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
        notes="the later of three months from transmittal of the ISR and 22 months from priority; not extendable",
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
)
