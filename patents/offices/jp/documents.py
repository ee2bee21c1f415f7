"""JPO Patent Information Retrieval API answers → the common ``Document`` shape."""

from __future__ import annotations

import datetime as dt

from patents.parsers._util import normalized_number
from patents.parsers.errors import ParseError
from patents.parsers.types import Document, Event

from . import parser as jpo

PROGRESS = "jp-app-progress"
REGISTRATION = "jp-registration"
KINDS = frozenset({PROGRESS, REGISTRATION})
# registration_info states its facts without document codes; they are recorded as biblio facts.
FACT = "biblio"
RIGHT_SUBSISTS = "00"  # erasureIdentifier of a right in force


def parse(kind: str, body: bytes) -> list[Document]:
    if kind not in KINDS:
        raise ParseError(f"no parser for payload kind {kind!r}", category="schema")
    if kind == REGISTRATION:
        return registration_documents(body)
    result = jpo.parse_app_progress(body)
    if result.data is None:
        return [_no_data(result.status)]
    b = result.data.biblio
    number = b.application_number_normalized or ""
    if b.right == "trademark":
        return [Document("JP", None, [], (number,), application_numbers=(number,), out_of_scope=(
            f"JPO trademark application {b.application_number} ({b.title or 'no mark text'}): trademarks "
            "are not docketed here; nothing was recorded"))]
    return [Document("JP", b, list(result.data.events), (number,), application_numbers=(number,))]


def _no_data(status: jpo.JpoStatus) -> Document:
    return Document("JP", None, [], (), no_data=True,
                    no_data_reason=f"JPO statusCode {status.code}: {status.message}".strip())


def registration_documents(body: bytes) -> list[Document]:
    """registration_info → the annuity years paid and, when the registry says so, the right's extinction."""
    result = jpo.parse_registration_info(body)
    if result.data is None:
        return [_no_data(result.status)]
    reg = result.data
    number = normalized_number("JP", reg.application_number) or reg.application_number
    return [Document("JP", None, registration_events(reg), (number,), application_numbers=(number,))]


def registration_events(reg: jpo.JpoRegistration) -> list[Event]:
    events: list[Event] = []
    # The registry publishes how far the right is paid up, not when each year was paid. Each paid year is
    # dated on the registration date: stable from one answer to the next (the event's identity includes its
    # date, and updateDate moves with every change of the record), never in the future, and not earlier than
    # the registration the annuity deadlines run from. The text says what is known.
    when = reg.registration_date
    as_of = reg.update_date.isoformat() if reg.update_date else "its latest update"
    if when is not None and reg.last_paid_year:
        # Years 1-3 are paid with the registration fee (Art. 108(1)); the annuity deadlines start at year 4.
        for year in range(4, reg.last_paid_year + 1):
            events.append(Event(
                office="JP", source=FACT, code="@annuity_paid", date=when, discriminator=f"year:{year}",
                text=f"Annual fee for year {year} paid (registry: paid up to year {reg.last_paid_year} as of "
                     f"{as_of}; the payment date is not published)",
                params={"year": year},
            ))
    if reg.erasure_identifier and reg.erasure_identifier != RIGHT_SUBSISTS and reg.disappearance_date:
        events.append(_extinction(reg, reg.disappearance_date))
    return events


def paid_up_until(reg: jpo.JpoRegistration) -> dt.date | None:
    """The end of the period the paid years cover: year n+1 falls due n years after registration (Art. 108(2))."""
    if reg.registration_date is None or not reg.last_paid_year:
        return None
    start = reg.registration_date
    try:
        return start.replace(year=start.year + reg.last_paid_year)
    except ValueError:  # registered on 29 February: the period ends with the month (Art. 3(1)(ii))
        return start.replace(year=start.year + reg.last_paid_year, day=28)


def _extinction(reg: jpo.JpoRegistration, when: dt.date) -> Event:
    params = {"erasure_identifier": reg.erasure_identifier, "last_paid_year": reg.last_paid_year,
              "next_payment_date": reg.next_payment_date.isoformat() if reg.next_payment_date else None}
    due = reg.next_payment_date or paid_up_until(reg)
    # Art. 112(4): a right whose annuity was not paid (nor late, with the surcharge) is deemed extinguished
    # retroactively at the end of the ordinary payment period: that is the date the registry records.
    if due is not None and when == due:
        return Event(office="JP", source=FACT, code="@right_lapsed", date=when, discriminator="registry",
                     text=f"Right extinguished on {when.isoformat()}: annuity for year {(reg.last_paid_year or 0) + 1} "
                          f"not paid (registry erasure identifier {reg.erasure_identifier})", params=params)
    return Event(office="JP", source=FACT, code="@right_extinguished", date=when, discriminator="registry",
                 text=f"Right extinguished on {when.isoformat()} (registry erasure identifier "
                      f"{reg.erasure_identifier})", params=params)
