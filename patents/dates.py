"""Dates as people read and type them: one helper for showing a date in a person's chosen format
(UserProfile.date_format) and one form field for reading a date typed in that format.

Every page, e-mail and form goes through here, so the docket, the forms and the messages never disagree about
how 2 March 2026 is written. A date *typed* into the dashboard is read in the person's format or as ISO
(YYYY-MM-DD, always accepted); anything that could be read two ways (03/02/2026 for someone whose format is
day-first with dots) or that is not a day of the calendar is a field error, never a guess and never a 500.

The format in force is the viewer's during a request (``DatePreferenceMiddleware``) and the recipient's while
an e-mail is rendered (``preferences_for``); without either, the firm's default (UserProfile.DateFormat.WEEKDAY).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.dateformat import format as django_date_format
from django.utils.functional import lazy

DEFAULT_FORMAT = "D j M Y"  # UserProfile.DateFormat.WEEKDAY: "Mon 2 Mar 2026"

# Django format → (how the format is written for a person, an example of 2 March 2026).
HINTS = {
    "D j M Y": ("D MMM YYYY", "2 Mar 2026"),
    "Y-m-d": ("YYYY-MM-DD", "2026-03-02"),
    "d.m.Y": ("DD.MM.YYYY", "02.03.2026"),
    "m/d/Y": ("MM/DD/YYYY", "03/02/2026"),
}

# The format in force: a string, or a callable giving it (the request's user is only read when a date is shown).
_active: ContextVar[str | Callable[[], str] | None] = ContextVar("docketapp_date_format", default=None)


def format_of(user: Any) -> str:
    """The person's date format (UserProfile.date_format); the firm's default without a profile."""
    profile = getattr(user, "profile", None) if getattr(user, "is_authenticated", False) else None
    fmt = getattr(profile, "date_format", "") or ""
    return fmt or DEFAULT_FORMAT


def active_format() -> str:
    value = _active.get()
    if callable(value):
        value = value()
    return value or DEFAULT_FORMAT


@contextlib.contextmanager
def preferences_for(user_or_format: Any) -> Iterator[str]:
    """Show and read dates in this person's (or this) format inside the block: e-mails to a recipient."""
    fmt = user_or_format if isinstance(user_or_format, str) else format_of(user_or_format)
    token = _active.set(fmt)
    try:
        yield fmt
    finally:
        _active.reset(token)


class DatePreferenceMiddleware:
    """Dates shown and typed during a request follow the signed-in person's format (read lazily: a page that
    shows no date never loads the profile)."""

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        token = _active.set(lambda: format_of(getattr(request, "user", None)))
        try:
            return self.get_response(request)
        finally:
            _active.reset(token)


def format_date(value: Any, fmt: str | None = None) -> str:
    """A date in ``fmt`` (default: the format in force); "—" for none. A datetime is shown by its own day, so
    put it on the reader's clock first (the template tags do)."""
    if value in (None, ""):
        return "—"
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    fmt = fmt or active_format()
    day = value.date() if isinstance(value, dt.datetime) else value
    # strftime for the known formats: e-mail digests format thousands of rows and Django's formatter is slow.
    if fmt == "D j M Y":
        return f"{_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]} {day.year}"
    if fmt == "Y-m-d":
        return day.isoformat()
    if fmt == "d.m.Y":
        return f"{day.day:02d}.{day.month:02d}.{day.year:04d}"
    if fmt == "m/d/Y":
        return f"{day.month:02d}/{day.day:02d}/{day.year:04d}"
    return django_date_format(value, fmt)


def hint(fmt: str | None = None) -> str:
    fmt = fmt or active_format()
    written, example = HINTS.get(fmt, HINTS["Y-m-d"])
    if fmt == "Y-m-d":
        return f"{written}, e.g. {example}"
    return f"{written} (e.g. {example}) or YYYY-MM-DD"


_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
                "november", "december")
_WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_NUMERIC = {"d.m.Y": re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})"), "m/d/Y": re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")}
_WORDS = re.compile(r"(?:([a-z]+)\.?,?\s+)?(\d{1,2})\.?\s+([a-z]+)\.?,?\s+(\d{4})")
_ANY_NUMERIC = re.compile(r"(\d{1,4})[./\-\s](\d{1,2})[./\-\s](\d{1,4})")


def _day(year: int, month: int, day: int, text: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValidationError(f"“{text}” is not a day of the calendar.", code="invalid") from None


def _readable(year: int, month: int, day: int) -> str:
    try:
        return f"{day} {_MONTH_NAMES[month - 1].title()} {year}" if dt.date(year, month, day) else ""
    except ValueError:
        return "no day at all"


def _prefix(word: str, names: tuple[str, ...]) -> int | None:
    """Index of the name ``word`` abbreviates (at least three letters: "Mar", "March", "Sept")."""
    if len(word) < 3:
        return None
    found = [i for i, name in enumerate(names) if name.startswith(word)]
    return found[0] if len(found) == 1 else None


def parse_date_input(text: str, fmt: str | None = None) -> dt.date | None:
    """The date a person typed, read in their format ``fmt`` or as ISO; ``None`` for an empty box.

    Raises ValidationError (code "invalid") with a message that says what to write instead."""
    fmt = fmt or active_format()
    raw = " ".join((text or "").split())
    if not raw:
        return None
    if m := _ISO.fullmatch(raw):
        return _day(int(m[1]), int(m[2]), int(m[3]), raw)
    if fmt in _NUMERIC and (m := _NUMERIC[fmt].fullmatch(raw)):
        first, second = int(m[1]), int(m[2])
        day, month = (first, second) if fmt == "d.m.Y" else (second, first)
        return _day(int(m[3]), month, day, raw)
    if m := _WORDS.fullmatch(raw.lower()):
        # A month written as a word cannot be misread, whatever the person's format.
        month_index = _prefix(m[3], _MONTH_NAMES)
        if month_index is None:
            raise ValidationError(f"“{raw}”: “{m[3]}” is not a month. Write {hint(fmt)}.", code="invalid")
        written = _day(int(m[4]), month_index + 1, int(m[2]), raw)
        if m[1]:
            weekday = _prefix(m[1], _WEEKDAY_NAMES)
            if weekday is None or weekday != written.weekday():
                raise ValidationError(
                    f"“{raw}”: {format_date(written, 'j M Y')} is a {_WEEKDAY_NAMES[written.weekday()].title()}. "
                    f"Check the date.", code="invalid",
                )
        return written
    if m := _ANY_NUMERIC.fullmatch(raw):
        if len(m[1]) < 4 and len(m[3]) < 4:
            raise ValidationError(
                f"“{raw}”: write the year with four digits ({hint(fmt)}).", code="invalid"
            )
        if len(m[3]) == 4 and 1 <= int(m[1]) <= 12 and 1 <= int(m[2]) <= 12 and m[1] != m[2]:
            readings = " or ".join(_readable(int(m[3]), month, day) for month, day in
                                   ((int(m[2]), int(m[1])), (int(m[1]), int(m[2]))))
            raise ValidationError(f"“{raw}” could be {readings}. Write {hint(fmt)}.", code="invalid")
        raise ValidationError(f"“{raw}” is not in your date format. Write {hint(fmt)}.", code="invalid")
    raise ValidationError(f"“{raw}” is not a date. Write {hint(fmt)}.", code="invalid")


_lazy_hint = lazy(hint, str)


class UserDateInput(forms.TextInput):
    """A text box (not the browser's date box, which shows the format of the browser's locale): it shows the date in
    the person's format, with that format as its placeholder."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"autocomplete": "off", "size": 16, "class": "date-input", **(attrs or {})})

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        written, _example = HINTS.get(active_format(), HINTS["Y-m-d"])
        attrs = {"placeholder": written, "title": hint(), **(attrs or {})}
        return super().get_context(name, value, attrs)

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, dt.date):
            return format_date(value)
        return super().format_value(value)


class UserDateField(forms.DateField):
    """A date typed in the person's format (or ISO); ambiguous or impossible input is a field error."""

    widget = UserDateInput

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", _lazy_hint())
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> dt.date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        return parse_date_input(str(value))
