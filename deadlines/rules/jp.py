"""Japan Patent Office. Arithmetic and calendar: Patent Act Art. 3 (first day not counted; a period ending
on a Saturday, Sunday, national holiday or 29 Dec - 3 Jan ends on the next day)."""

from __future__ import annotations

from .model import Base, Conditions, Extension, ExtensionModel, Kind, Remedy, Rule, Series, Term
from .periods import Convention, Duration

C = Convention.JP_ART3
M = Duration

_ACTIONS = ("JP.NOTICE_OF_REASONS_FOR_REFUSAL", "JP.DECISION_TO_GRANT", "JP.DECISION_OF_REFUSAL")
# JPO practice since 1 April 2016 ("extension of designated periods"): an extension of two months may be
# requested within the period, or within two months after it with a higher fee; either way it is counted
# from the end of the original period before any holiday roll-forward.
_OPINION_EXT = Extension(
    ExtensionModel.ON_REQUEST,
    months=2,
    counted_from="unrolled_due",
    citation="Patent Act (Japan) Art. 5(1); JPO practice on extension of designated periods",
)

RULES: tuple[Rule, ...] = (
    Rule(
        id="JP.EXAMINATION_REQUEST",
        version=1,
        office="JP",
        title="Request substantive examination",
        triggers=("JP.FILED",),
        kind=Kind.STATUTORY,
        citation="Patent Act (Japan) Art. 48-3(1), (4)",
        terms=(Term(M(years=3)),),
        convention=C,
        calendar="JP",
        remedies=(
            Remedy(
                "late request (justifiable reason / unintentional)",
                "Patent Act (Japan) Art. 48-3(5)",
                after_expiry=M(years=1),
                basis="within two months after the reason ceased, at the latest one year after expiry",
            ),
        ),
        answered_by=("JP.EXAMINATION_REQUESTED",),
        notes="not extendable; missing it withdraws the application",
    ),
    Rule(
        id="JP.OPINION_DOMESTIC",
        version=1,
        office="JP",
        title="File written opinion / amendment",
        triggers=("JP.NOTICE_OF_REASONS_FOR_REFUSAL",),
        kind=Kind.STATUTORY,
        citation="Patent Act (Japan) Art. 50, 17bis(1)(i); Art. 5(1)",
        terms=(Term(M(days=60)),),
        convention=C,
        calendar="JP",
        conditions=Conditions(residence="domestic"),
        extension=_OPINION_EXT,
        answered_by=("JP.RESPONSE_FILED",),
        replaced_by=_ACTIONS,
        notes="60 days designated for applicants residing in Japan",
    ),
    Rule(
        id="JP.OPINION_FOREIGN",
        version=1,
        office="JP",
        title="File written opinion / amendment",
        triggers=("JP.NOTICE_OF_REASONS_FOR_REFUSAL",),
        kind=Kind.STATUTORY,
        citation="Patent Act (Japan) Art. 50, 17bis(1)(i); Art. 5(1)",
        terms=(Term(M(months=3)),),
        convention=C,
        calendar="JP",
        conditions=Conditions(residence="foreign"),
        extension=_OPINION_EXT,
        answered_by=("JP.RESPONSE_FILED",),
        replaced_by=_ACTIONS,
        notes="three months designated for applicants residing abroad",
    ),
    Rule(
        id="JP.APPEAL_DOMESTIC",
        version=1,
        office="JP",
        title="Request appeal against decision of refusal",
        triggers=("JP.DECISION_OF_REFUSAL",),
        kind=Kind.STATUTORY,
        citation="Patent Act (Japan) Art. 121(1)",
        terms=(Term(M(months=3)),),
        convention=C,
        calendar="JP",
        conditions=Conditions(residence="domestic"),
        answered_by=("JP.APPEAL_FILED",),
        notes="not extendable for residents of Japan",
    ),
    Rule(
        id="JP.APPEAL_FOREIGN",
        version=1,
        office="JP",
        title="Request appeal against decision of refusal",
        triggers=("JP.DECISION_OF_REFUSAL",),
        kind=Kind.STATUTORY,
        citation="Patent Act (Japan) Art. 121(1), 4",
        terms=(Term(M(months=3)),),
        convention=C,
        calendar="JP",
        conditions=Conditions(residence="foreign"),
        extension=Extension(
            ExtensionModel.ON_REQUEST,
            months=1,
            counted_from="unrolled_due",
            citation="Patent Act (Japan) Art. 4 (one month for persons residing abroad, on request)",
        ),
        answered_by=("JP.APPEAL_FILED",),
    ),
    Rule(
        id="JP.ANNUITY",
        version=1,
        office="JP",
        title="Patent annuity",
        triggers=("JP.REGISTERED",),
        kind=Kind.STATUTORY,
        citation="Patent Act (Japan) Art. 107(1), 108(2)",
        terms=(Term(M(years=3), base=Base.EVENT),),
        convention=C,
        calendar="JP",
        series=Series(instances=tuple((str(n), M(years=n - 1)) for n in range(4, 21))),
        extension=Extension(
            ExtensionModel.GRACE_SURCHARGE,
            months=6,
            counted_from="unrolled_due",
            surcharge=True,
            citation="Patent Act (Japan) Art. 112(1), (2) (surcharge equal to the annuity)",
        ),
        remedies=(
            Remedy(
                "restoration (unintentional)",
                "Patent Act (Japan) Art. 112bis(1)",
                after_expiry=M(years=1),
                basis="within one year after the grace period ends",
            ),
        ),
        answered_by=("JP.ANNUITY_PAID",),
        notes="years 1-3 are paid at registration (Art. 108(1)); year n (n >= 4) by the end of "
        "year n-1 counted "
        "from registration",
    ),
    Rule(
        id="JP.PRIORITY_YEAR",
        version=1,
        office="JP",
        title="File Japanese application claiming priority",
        triggers=("JP.PRIORITY_APPLICATION_FILED",),
        kind=Kind.STATUTORY,
        citation="Patent Act (Japan) Art. 43(1), 43bis(1), Art. 3; Paris Convention Art. 4C",
        terms=(Term(M(months=12)),),
        convention=C,
        calendar="JP",
        remedies=(
            Remedy(
                "late priority claim (unintentional)",
                "Patent Act (Japan) Art. 41(1)(i), 43bis; Regulations Art. 27-4-2",
                after_expiry=M(months=2),
            ),
        ),
        answered_by=("JP.FILED", "WO.FILED"),
    ),
)
