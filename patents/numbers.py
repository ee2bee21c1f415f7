"""Application numbers as users and offices write them, and their normalized forms.

Pure functions (no Django). ``normalize_application_number`` raises ``InvalidNumber`` with a message a
paralegal can act on ("US application numbers have 8 digits: series code + serial, e.g. 16/123,456").
"""

from __future__ import annotations

import re

# WIPO ST.3 two-letter codes: states plus the IP organisations we docket (EP, WO, EM, EA, AP, OA, GC, IB).
ST3_CODES = frozenset(
    """
    AD AE AF AG AI AL AM AO AP AR AT AU AW AZ BA BB BD BE BF BG BH BI BJ BM BN BO BQ BR BS BT BV BW BX BY
    BZ CA CD CF CG CH CI CK CL CM CN CO CR CU CV CW CY CZ DE DJ DK DM DO DZ EA EC EE EG EH EM EP ER ES ET
    EU FI FJ FK FO FR GA GB GC GD GE GG GH GI GL GM GN GQ GR GS GT GW GY HK HN HR HT HU IB ID IE IL IM IN
    IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME
    MG MK ML MM MN MO MP MR MS MT MU MV MW MX MY MZ NA NE NG NI NL NO NP NR NZ OA OM PA PE PG PH PK PL PT
    PW PY QA QZ RO RS RU RW SA SB SC SD SE SG SH SI SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TG TH TJ TL
    TM TN TO TR TT TV TW TZ UA UG US UY UZ VA VC VE VG VN VU WO WS XN XU XV XX YE ZA ZM ZW
    """.split()
)
REGIONAL_OFFICES = frozenset({"EP", "EA", "AP", "OA", "GC", "EM"})


class InvalidNumber(ValueError):
    pass


_EP_RE = re.compile(r"^(?:EP)?(\d{8})(?:\.(\d))?$")
_US_RE = re.compile(r"^(?:US)?(\d{2})/?(\d{3}),?(\d{3})$")
_PCT_RE = re.compile(r"^PCT/?([A-Z]{2})(\d{4}|\d{2})/?(\d{5,6})$")
_JP_RE = re.compile(r"^(?:JP|特願)?(\d{4})-?(\d{6})$")


def _compact(raw: str) -> str:
    return re.sub(r"\s+", "", (raw or "").strip().upper())


def normalize_pct(raw: str) -> str:
    """PCT/EP2020/012345 (or the pre-2004 form PCT/EP01/12345) → PCT/EP2020/012345."""
    m = _PCT_RE.match(_compact(raw))
    if not m:
        raise InvalidNumber(
            f"{raw!r} is not a PCT application number; write it as PCT/CCYYYY/NNNNNN, e.g. PCT/EP2020/012345"
        )
    country, year, serial = m.groups()
    if country not in ST3_CODES:
        raise InvalidNumber(f"{country!r} in {raw!r} is not a WIPO ST.3 receiving-office code")
    if len(year) == 2:
        year = ("19" if int(year) > 50 else "20") + year
    return f"PCT/{country}{year}/{int(serial):06d}"


def normalize_application_number(office: str, raw: str) -> str:
    """Return the normalized form of ``raw`` for ``office`` or raise InvalidNumber with a clear reason."""
    office = (office or "").strip().upper()
    value = _compact(raw)
    if not value:
        raise InvalidNumber("The application number is empty")
    if office == "EP":
        m = _EP_RE.match(value)
        if not m:
            raise InvalidNumber(
                f"{raw!r} is not an EP application number; EP numbers have 8 digits and an optional "
                "check digit, e.g. EP13860559 or 13860559.4"
            )
        # The ".d" check digit is accepted and dropped: the office matches on the 8 digits, and we hold no
        # published statement of the check algorithm to verify it against.
        return f"EP{m.group(1)}"
    if office == "US":
        if value.startswith("PCT"):
            return normalize_pct(value)
        m = _US_RE.match(value)
        if not m:
            raise InvalidNumber(
                f"{raw!r} is not a US application number; US numbers have 8 digits (series code + "
                "6-digit serial), e.g. 16/123,456 or 16123456, or a PCT form PCT/US2020/012345"
            )
        return "".join(m.groups())
    if office == "JP":
        m = _JP_RE.match(value)
        if not m:
            raise InvalidNumber(
                f"{raw!r} is not a JP application number; write the year and the 6-digit serial, "
                "e.g. 2020-123456 (特願2020-123456)"
            )
        return "".join(m.groups())
    if office == "WO":
        return normalize_pct(value)
    if office not in ST3_CODES:
        raise InvalidNumber(f"{office!r} is not a WIPO ST.3 office code")
    cleaned = re.sub(r"[^0-9A-Z]", "", value)
    if len(cleaned) < 4:
        raise InvalidNumber(f"{raw!r} is too short to be an application number")
    return cleaned
