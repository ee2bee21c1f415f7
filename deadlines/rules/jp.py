"""Japan Patent Office. Arithmetic and calendar: Patent Act Art. 3 (first day not counted; a period ending
on a Saturday, Sunday, national holiday or 29 Dec - 3 Jan ends on the next day)."""

from __future__ import annotations

from datetime import date

from .model import Base, Conditions, Extension, ExtensionModel, Kind, Remedy, Rule, Series, Term
from .periods import Convention, Duration

C = Convention.JP_ART3
M = Duration

_ACTIONS = ("JP.NOTICE_OF_REASONS_FOR_REFUSAL", "JP.DECISION_TO_GRANT", "JP.DECISION_OF_REFUSAL")
# JPO practice since 1 April 2016 ("extension of designated periods"): an extension of a designated period
# is counted from the end of the original period before any holiday roll-forward (unlike the Art. 112(1)
# surcharge period, which runs "after that period has expired", i.e. from the rolled end).
_PRACTICE_2016 = "Patent Act (Japan) Art. 5(1), (3); JPO practice on extension of designated periods (1 April 2016)"
_OPINION_EXT_DOMESTIC = Extension(
    ExtensionModel.ON_REQUEST,
    months=2,
    counted_from="unrolled_due",
    citation=_PRACTICE_2016 + ": applicants in Japan, 2 months",
)
# Overseas applicants: a first request gives 2 months and a further request 1 month more, 3 months in all.
_OPINION_EXT_FOREIGN = Extension(
    ExtensionModel.ON_REQUEST,
    months=3,
    options=(2, 3),
    counted_from="unrolled_due",
    citation=_PRACTICE_2016 + ": overseas applicants, 2 months and a further 1 month (3 in all)",
)
# After expiry: one request within two months of the end of the original period gives two months from it.
_LATE_EXTENSION = Remedy(
    "extension request after expiry (fee)",
    _PRACTICE_2016 + "; Art. 5(3)",
    from_due=M(months=2),
    basis="one request within two months after the original period expired; extends it by two months",
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
        # Designs are examined without a request (Design Act Art. 16): a JPO design file must not get one.
        conditions=Conditions(exclude_kinds=("design",)),
        # A divisional's own period is the later one of Art. 48-3(2) (rule JP.EXAMINATION_REQUEST_DIVISIONAL).
        replaced_by=("JP.DIVISIONAL_FILED",),
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
        extension=_OPINION_EXT_DOMESTIC,
        remedies=(_LATE_EXTENSION,),
        answered_by=("JP.RESPONSE_FILED",),
        replaced_by=_ACTIONS,
        notes="60 days designated for applicants residing in Japan",
    ),
    Rule(
        id="JP.OPINION_FOREIGN",
        version=2,
        office="JP",
        title="File written opinion / amendment",
        triggers=("JP.NOTICE_OF_REASONS_FOR_REFUSAL",),
        kind=Kind.STATUTORY,
        citation="Patent Act (Japan) Art. 50, 17bis(1)(i); Art. 5(1)",
        terms=(Term(M(months=3)),),
        convention=C,
        calendar="JP",
        conditions=Conditions(residence="foreign"),
        extension=_OPINION_EXT_FOREIGN,
        remedies=(_LATE_EXTENSION,),
        answered_by=("JP.RESPONSE_FILED",),
        replaced_by=_ACTIONS,
        notes="three months designated for applicants residing abroad; extension 2 + 1 months (v1 offered 2)",
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
        version=2,
        office="JP",
        title="Request appeal against decision of refusal",
        triggers=("JP.DECISION_OF_REFUSAL",),
        kind=Kind.STATUTORY,
        citation="Patent Act (Japan) Art. 121(1), Art. 4 (ex officio extension of one month for overseas residents)",
        # The JPO extends the three months by one month ex officio for a person residing abroad (Art. 4 and
        # JPO practice): the due date itself is the four-month date, not a later "latest" date to request.
        terms=(Term(M(months=4)),),
        convention=C,
        calendar="JP",
        conditions=Conditions(residence="foreign"),
        answered_by=("JP.APPEAL_FILED",),
        notes="3 months (Art. 121(1)) + 1 month extended ex officio for overseas residents (Art. 4) = 4 months",
    ),
    Rule(
        id="JP.ANNUITY",
        version=2,
        office="JP",
        title="Patent annuity",
        triggers=("JP.REGISTERED",),
        kind=Kind.STATUTORY,
        citation="Patent Act (Japan) Art. 107(1), 108(2)",
        terms=(Term(M(years=3), base=Base.EVENT),),
        convention=C,
        calendar="JP",
        conditions=Conditions(exclude_kinds=("design",)),
        series=Series(instances=tuple((str(n), M(years=n - 1)) for n in range(4, 21))),
        extension=Extension(
            ExtensionModel.GRACE_SURCHARGE,
            months=6,
            # Art. 112(1): "within six months after that period has expired" -- counted from the day after
            # the original period's end as moved to the next open day by Art. 3(2) (INPIT FAQ on period
            # computation), not from the unrolled end.
            counted_from="rolled_due",
            surcharge=True,
            citation="Patent Act (Japan) Art. 112(1), (2) (surcharge equal to the annuity); INPIT FAQ on period "
            "computation (late payment runs from the end as moved to the next open day)",
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
        conditions=Conditions(exclude_kinds=("design",)),
        remedies=(
            Remedy(
                "late priority claim (unintentional)",
                "Patent Act (Japan) Art. 41(1)(i), 43bis; Regulations Art. 27-4-2",
                after_expiry=M(months=2),
            ),
        ),
        answered_by=("JP.FILED", "WO.FILED"),
    ),
    Rule(
        id="JP.PRIORITY_DESIGN",
        version=1,
        office="JP",
        title="File Japanese design application claiming priority",
        triggers=("JP.PRIORITY_APPLICATION_FILED",),
        kind=Kind.STATUTORY,
        citation="Design Act (Japan) Art. 15(1) applying Patent Act Art. 43; Paris Convention Art. 4C(1) (six months "
        "for industrial designs)",
        terms=(Term(M(months=6)),),
        convention=C,
        calendar="JP",
        conditions=Conditions(matter_kinds=("design",)),
        answered_by=("JP.FILED",),
        notes="six months for designs; no restoration of the priority period is listed for designs (not "
        "applied by Design Act Art. 15 as far as verified): treat the date as final",
    ),
    Rule(
        id="JP.EXAMINATION_REQUEST_DIVISIONAL",
        version=1,
        office="JP",
        title="Request substantive examination of the divisional application",
        triggers=("JP.DIVISIONAL_FILED",),
        kind=Kind.STATUTORY,
        citation="Patent Act (Japan) Art. 48-3(1), (2), 44(2)",
        # The divisional's filing date is the parent's (Art. 44(2)): the matter's filing date; the event is the
        # day the divisional was actually filed.
        terms=(Term(M(years=3), base=Base.FILING), Term(M(days=30))),
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
        notes="the later of three years from the parent's filing date and 30 days from the divisional's filing",
    ),
    Rule(
        id="JP.FIRST_ANNUITIES",
        version=1,
        office="JP",
        title="Pay the patent fees for years 1-3 (registration)",
        triggers=("JP.DECISION_TO_GRANT",),
        kind=Kind.STATUTORY,
        citation="Patent Act (Japan) Art. 107(1), 108(1), (3)",
        terms=(Term(M(days=30)),),
        convention=C,
        calendar="JP",
        extension=Extension(
            ExtensionModel.ON_REQUEST,
            months=0,
            days=30,
            counted_from="unrolled_due",
            citation="Patent Act (Japan) Art. 108(3) (extension by up to 30 days on request)",
        ),
        remedies=(
            Remedy(
                "late payment for reasons beyond the applicant's control",
                "Patent Act (Japan) Art. 108(4)",
                basis="after the reason ceased, within the period Art. 108(4) sets (verify); no date computed",
            ),
        ),
        answered_by=("JP.REGISTRATION_FEE_PAID", "JP.REGISTERED"),
        notes="30 days from the transmittal of the decision to grant (the event date); a request may extend it by "
        "30 days; unpaid, the application is dismissed and the patent is never registered",
    ),
    Rule(
        id="JP.PRIORITY_DOCUMENT",
        version=1,
        office="JP",
        title="Submit the priority document",
        triggers=("JP.FILED",),
        kind=Kind.STATUTORY,
        citation="Patent Act (Japan) Art. 43(2), 43bis(2)",
        terms=(Term(M(months=16), base=Base.PRIORITY),),
        convention=C,
        calendar="JP",
        conditions=Conditions(routes=("direct",), requires_priority=True, exclude_kinds=("design",)),
        remedies=(
            Remedy(
                "submission after the JPO's notice",
                "Patent Act (Japan) Art. 43(6), (7)",
                basis="the JPO notifies a missing document; the period runs from that notice",
            ),
        ),
        answered_by=("JP.PRIORITY_DOCUMENT_FILED",),
        notes="one year and four months from the earliest priority date; national phase applications follow "
        "PCT Rule 17 instead (not docketed here)",
    ),
    Rule(
        id="JP.NATIONAL_PHASE_TRANSLATION",
        version=1,
        office="JP",
        title="File the Japanese translation of the international application",
        triggers=("JP.NATIONAL_DOCUMENTS_FILED",),
        kind=Kind.STATUTORY,
        citation="Patent Act (Japan) Art. 184-4(1) proviso, Art. 184-5(1), Art. 3",
        terms=(Term(M(months=30), base=Base.PRIORITY), Term(M(months=2))),
        convention=C,
        calendar="JP",
        remedies=(
            Remedy(
                "late translation (justifiable reason)",
                "Patent Act (Japan) Art. 184-4(4)",
                after_expiry=M(years=1),
                basis="within two months after the reason ceased, at the latest one year after expiry",
            ),
        ),
        answered_by=("JP.TRANSLATION_FILED",),
        notes="national documents filed within the last two months before the 30-month date: the translation "
        "may follow within two months of that filing (the later date applies); filed earlier: 30 months",
    ),
    Rule(
        id="JP.OPPOSITION",
        optional=True,
        version=1,
        office="JP",
        title="File opposition against a watched Japanese patent",
        triggers=("JP.GAZETTE_PUBLISHED",),
        kind=Kind.STATUTORY,
        citation="Patent Act (Japan) Art. 113, Art. 3",
        terms=(Term(M(months=6)),),
        convention=C,
        calendar="JP",
        conditions=Conditions(event_flag=("watched", True)),
        answered_by=("JP.OPPOSITION_FILED",),
        notes="optional: an opposition against a third party's patent is a choice; not filing loses no right of the "
        "client. "
        "six months from the issue of the patent gazette containing the patent; not extendable",
    ),
    Rule(
        id="JP.DESIGN_ANNUITY",
        version=1,
        office="JP",
        title="Design registration fee",
        triggers=("JP.REGISTERED",),
        kind=Kind.STATUTORY,
        citation="Design Act (Japan) Art. 21(1), 42(1), 43(2); Patent Act Art. 3 via Design Act Art. 68(1)",
        terms=(Term(M(years=1), base=Base.EVENT),),
        convention=C,
        calendar="JP",
        conditions=Conditions(matter_kinds=("design",), filed_from=date(2020, 4, 1)),
        series=Series(
            instances=tuple((str(n), M(years=n - 1)) for n in range(2, 26)),
            term_from_filing=M(years=25),
        ),
        extension=Extension(
            ExtensionModel.GRACE_SURCHARGE,
            months=6,
            counted_from="rolled_due",
            surcharge=True,
            citation="Design Act (Japan) Art. 44(1), (2) (surcharge equal to the fee; counted like Patent Act "
            "Art. 112(1) from the end as moved to the next open day)",
        ),
        remedies=(
            Remedy(
                "restoration (unintentional)",
                "Design Act (Japan) Art. 44-2(1)",
                after_expiry=M(years=1),
                basis="within one year after the late-payment period ends",
            ),
        ),
        answered_by=("JP.ANNUITY_PAID",),
        notes="year 1 is paid at registration (Art. 43(1)); year n (n >= 2) before the end of year n-1 from "
        "registration; the right ends 25 years from filing for applications filed from 1 April 2020",
    ),
    Rule(
        id="JP.DESIGN_ANNUITY_20Y",
        version=1,
        office="JP",
        title="Design registration fee",
        triggers=("JP.REGISTERED",),
        kind=Kind.STATUTORY,
        citation="Design Act (Japan) Art. 21(1) as before the 2019 amendment, 42(1), 43(2)",
        terms=(Term(M(years=1), base=Base.EVENT),),
        convention=C,
        calendar="JP",
        conditions=Conditions(matter_kinds=("design",), filed_until=date(2020, 3, 31)),
        series=Series(instances=tuple((str(n), M(years=n - 1)) for n in range(2, 21))),
        extension=Extension(
            ExtensionModel.GRACE_SURCHARGE,
            months=6,
            counted_from="rolled_due",
            surcharge=True,
            citation="Design Act (Japan) Art. 44(1), (2)",
        ),
        remedies=(
            Remedy(
                "restoration (unintentional)",
                "Design Act (Japan) Art. 44-2(1)",
                after_expiry=M(years=1),
                basis="within one year after the late-payment period ends",
            ),
        ),
        answered_by=("JP.ANNUITY_PAID",),
        notes="applications filed up to 31 March 2020: the right ends 20 years from registration",
    ),
    Rule(
        id="JP.RESTORATION",
        version=1,
        office="JP",
        title="Request restoration of the lapsed patent right",
        triggers=("JP.RIGHT_LAPSED",),
        kind=Kind.STATUTORY,
        citation="Patent Act (Japan) Art. 112-2(1); Art. 112(1), (4)",
        terms=(Term(M(months=18)),),
        convention=C,
        calendar="JP",
        no_roll=True,
        answered_by=("JP.RESTORATION_REQUESTED", "JP.RESTORED"),
        notes="the right is deemed extinguished at the end of the ordinary payment period (Art. 112(4)), the date "
        "the registry records; late payment with the surcharge was possible for six months after it (Art. "
        "112(1)), and restoration must be requested within one year after that late-payment period (Art. "
        "112-2(1), unintentional failure): eighteen months from the extinguishment, counted from the unrolled "
        "end of the ordinary period and not moved past closed days (the earlier, safe date)",
    ),
)
