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


def _compact(raw: str) -> str:
    return re.sub(r"\s+", "", (raw or "").strip().upper())


def normalize_pct(raw: str) -> str:
    """Every written form of one PCT application → PCT/CCYYYY/NNNNNN (the rule lives with the WO office)."""
    from patents.offices.wo.numbers import normalize_pct as rule

    return rule(raw)


def normalize_application_number(office: str, raw: str) -> str:
    """Return the normalized form of ``raw`` for ``office`` or raise InvalidNumber with a clear reason."""
    office = (office or "").strip().upper()
    value = _compact(raw)
    if not value:
        raise InvalidNumber("The application number is empty")
    # Lazy: the office packages' number rules import this module's InvalidNumber and helpers.
    from patents.offices import OFFICES_BY_CODE

    known = OFFICES_BY_CODE.get(office)
    if known is not None and known.normalize_number is not None:
        return known.normalize_number(value, raw)
    if office not in ST3_CODES:
        raise InvalidNumber(f"{office!r} is not a WIPO ST.3 office code")
    cleaned = re.sub(r"[^0-9A-Z]", "", value)
    if len(cleaned) < 4:
        raise InvalidNumber(f"{raw!r} is too short to be an application number")
    return cleaned


# Office names as the USPTO writes them in foreign priority claims (ODP ``ipOfficeName``, PEDS
# ``ipOfficeName``/``countryName``): upper-case English names, some in the "NAME, REPUBLIC OF" style.
# A name missing here is not guessed: the caller keeps the claim and holds it for a person to read.
OFFICE_NAME_CODES: dict[str, str] = {
    "ARGENTINA": "AR", "AUSTRALIA": "AU", "AUSTRIA": "AT", "BELGIUM": "BE", "BRAZIL": "BR", "BULGARIA": "BG",
    "CANADA": "CA", "CHILE": "CL", "CHINA": "CN", "PEOPLES REPUBLIC OF CHINA": "CN", "COLOMBIA": "CO",
    "CROATIA": "HR", "CZECH REPUBLIC": "CZ", "CZECHIA": "CZ", "DENMARK": "DK", "EGYPT": "EG",
    "ESTONIA": "EE", "EURASIAN PATENT OFFICE": "EA", "EURASIAN PATENT ORGANIZATION": "EA",
    "EUROPEAN PATENT OFFICE": "EP", "EUROPEAN PATENT ORGANIZATION": "EP", "EPO": "EP", "FINLAND": "FI",
    "FRANCE": "FR", "GERMANY": "DE", "FEDERAL REPUBLIC OF GERMANY": "DE", "GREECE": "GR",
    "HONG KONG": "HK", "HUNGARY": "HU", "ICELAND": "IS", "INDIA": "IN", "INDONESIA": "ID", "IRELAND": "IE",
    "ISRAEL": "IL", "ITALY": "IT", "JAPAN": "JP", "KOREA, REPUBLIC OF": "KR", "REPUBLIC OF KOREA": "KR",
    "SOUTH KOREA": "KR", "LUXEMBOURG": "LU", "MALAYSIA": "MY", "MEXICO": "MX",
    "NETHERLANDS": "NL", "NEW ZEALAND": "NZ", "NORWAY": "NO", "PATENT COOPERATION TREATY": "WO",
    "PCT": "WO", "WIPO": "WO", "WORLD INTELLECTUAL PROPERTY ORGANIZATION": "WO", "PHILIPPINES": "PH",
    "POLAND": "PL", "PORTUGAL": "PT", "ROMANIA": "RO", "RUSSIA": "RU", "RUSSIAN FEDERATION": "RU",
    "SAUDI ARABIA": "SA", "SINGAPORE": "SG", "SLOVAKIA": "SK", "SLOVENIA": "SI", "SOUTH AFRICA": "ZA",
    "SPAIN": "ES", "SWEDEN": "SE", "SWITZERLAND": "CH", "TAIWAN": "TW", "TAIWAN, PROVINCE OF CHINA": "TW",
    "THAILAND": "TH", "TURKEY": "TR", "TURKIYE": "TR", "UKRAINE": "UA", "UNITED ARAB EMIRATES": "AE",
    "UNITED KINGDOM": "GB", "GREAT BRITAIN": "GB", "UNITED STATES": "US", "UNITED STATES OF AMERICA": "US",
    "VIET NAM": "VN", "VIETNAM": "VN",
}


def office_code_from_name(name: str | None) -> str | None:
    """``"CHINA"`` → ``"CN"``; a two-letter ST.3 code is returned as is; None for a name not in the table."""
    key = " ".join((name or "").replace(".", " ").split()).upper()
    if not key:
        return None
    if key in ST3_CODES:
        return key
    return OFFICE_NAME_CODES.get(key)


def compact_number(value: str | None) -> str:
    """Publication/grant numbers compared without separators or the kind code (EP 3 900 012 A1 = EP3900012)."""
    text = re.sub(r"[^0-9A-Z]", "", (value or "").upper())
    return re.sub(r"[A-Z]\d?$", "", text) if re.search(r"\d[A-Z]\d?$", text) else text


def publication_key(office: str, value: str | None) -> str:
    """A publication or grant number of ``office`` in one comparable form, whichever way it is written (the
    office's rule when it has one: docdb ``US2021210819`` = ``US20210210819A1``), else ``compact_number``."""
    from patents.offices import OFFICES_BY_CODE

    known = OFFICES_BY_CODE.get((office or "").strip().upper())
    if known is not None and known.publication_key is not None:
        return known.publication_key(value or "")
    return compact_number(value)


def has_publication_rule(office: str) -> bool:
    from patents.offices import OFFICES_BY_CODE

    known = OFFICES_BY_CODE.get((office or "").strip().upper())
    return known is not None and known.publication_key is not None


def docdb_application_number(office: str, number: str) -> str | None:
    """An OPS docdb application number in ``office``'s canonical form; None when it cannot be read (never
    guessed: a member without a readable application number is matched on its publications only)."""
    from patents.offices import OFFICES_BY_CODE

    known = OFFICES_BY_CODE.get((office or "").strip().upper())
    if known is not None and known.docdb_application is not None:
        converted = known.docdb_application(number)
        if converted is not None:
            number = converted
    try:
        return normalize_application_number(office, number)
    except InvalidNumber:
        return None
