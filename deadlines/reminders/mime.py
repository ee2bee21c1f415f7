"""The reminder e-mail's MIME form: Django's ``EmailMultiAlternatives`` bytes, produced at sweep speed.

Every shortcut here gives the same bytes on the wire as Django's own path; ``tests/reminders/
test_message_bytes.py`` compares them. Anything unusual (attachments, another charset, a line over SMTP's limit)
takes Django's path.
"""

from __future__ import annotations

import copy
import random
import re
import sys
from email.generator import BytesGenerator
from email.policy import Compat32
from email.utils import formatdate, make_msgid
from io import BytesIO
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import SafeMIMEMultipart, SafeMIMEText
from django.core.mail.utils import DNS_NAME


class _ShortHeaders(Compat32):
    """Django's policy (compat32) with its commonest case answered directly: a header that fits on one line
    and is plain printable ASCII comes out as ``Name: value`` — which is what the ``Header`` folding algorithm
    returns for it, after a parse that cost a fifth of producing each message. Everything else (long,
    non-ASCII, encoded words, runs of spaces) still goes through ``Compat32``. Same bytes: see
    ``tests/reminders/test_message_bytes.py``."""

    def _fold(self, name: str, value: Any, sanitize: bool) -> str:
        limit = self.max_line_length
        if (
            isinstance(value, str)
            and limit
            and len(name) + 2 + len(value) <= limit
            and value.isascii()
            and value.isprintable()
            and value == value.strip()
            and "  " not in value
            and "=?" not in value
        ):
            return f"{name}: {value}{self.linesep}"
        if isinstance(value, str) and name.lower() == "content-type" and (found := _BOUNDARY.search(value)):
            # The multipart header differs from message to message only in its random boundary, which has no
            # place the folding algorithm may break at: fold it once with a stand-in of the same length.
            real = found.group(1)
            stand_in = "=" * len(real)
            key = (name, value[: found.start(1)] + stand_in + value[found.end(1) :], sanitize, self.linesep)
            folded = _FOLDED.get(key)
            if folded is None:
                folded = super()._fold(name, key[1], sanitize)  # type: ignore[misc]  # private in typeshed
                if len(_FOLDED) < 64:
                    _FOLDED[key] = folded
            return folded.replace(f'boundary="{stand_in}"', f'boundary="{real}"', 1)
        return super()._fold(name, value, sanitize)  # type: ignore[misc]  # private in typeshed


# A multipart boundary as email.generator and ReminderEmail choose it: "=" and digits, maybe ".N".
_BOUNDARY = re.compile(r'boundary="([=0-9.]+)"')
_FOLDED: dict[tuple[str, str, bool, str], str] = {}
_SHORT_HEADERS = _ShortHeaders()


class _LinesGenerator(BytesGenerator):
    """``email.generator.BytesGenerator`` writing a text's lines in one piece: the stock one writes every line
    and every line ending separately (a third of the time spent serialising a reminder). Same bytes:
    joining the lines with the line separator is what its loop writes."""

    def _write_lines(self, lines: str) -> None:
        if lines:
            self.write(_NEWLINES.sub(self._NL, lines))  # type: ignore[attr-defined]  # set by flatten()


_NEWLINES = re.compile(r"\r\n|\r|\n")  # email.generator's NLCRE


class _ReminderMIME(SafeMIMEMultipart):
    def as_bytes(self, unixfrom: bool = False, linesep: str = "\n") -> bytes:  # type: ignore[override]  # Django's signature
        # Django's MIMEMixin.as_bytes with the generator above.
        fp = BytesIO()
        _LinesGenerator(fp, mangle_from_=False).flatten(self, unixfrom=unixfrom, linesep=linesep)
        return fp.getvalue()


_BOUNDARY_DIGITS = len(repr(sys.maxsize - 1))


class ReminderEmail(EmailMultiAlternatives):
    """The reminder e-mail: Django's message, with a MIME form that costs less to produce (same bytes).

    Besides the header shortcut above, the multipart boundary is chosen here the way ``email.generator``
    chooses it (15 "=", a random number, "=="), checked against the texts with a substring test; the generator
    compiles a new regular expression for every message to do that check.
    """

    def message(self) -> Any:
        msg = self._reminder_message() if self._plain_pair() else super().message()
        msg.policy = _SHORT_HEADERS
        if msg.is_multipart() and msg.get_boundary() is None:
            texts = [str(self.body), *(str(alternative[0]) for alternative in self.alternatives)]
            boundary = f"{'=' * 15}{random.randrange(sys.maxsize):0{_BOUNDARY_DIGITS}d}=="  # noqa: S311 - not secret
            candidate, counter = boundary, 0
            while any(f"--{candidate}" in text for text in texts):
                candidate = f"{boundary}.{counter}"
                counter += 1
            msg.set_boundary(candidate)
        if type(msg) is SafeMIMEMultipart:
            msg.__class__ = _ReminderMIME  # the same object, serialised by the faster generator
        return msg

    def _plain_pair(self) -> bool:
        """What every reminder is: a text and its HTML alternative in UTF-8, no attachments, no Cc/Reply-To."""
        return (
            not self.attachments
            and not self.cc
            and not self.reply_to
            and (self.encoding or settings.DEFAULT_CHARSET) == "utf-8"
            and len(self.alternatives) == 1
            and self.alternatives[0][1] == "text/html"
            and isinstance(self.body, str)
            and isinstance(self.alternatives[0][0], str)
        )

    def _reminder_message(self) -> Any:
        """``EmailMultiAlternatives.message()`` for ``_plain_pair`` (the same steps in the same order), with the
        text parts from ``_text_part``. ``tests/reminders/test_message_bytes.py`` compares the bytes with Django's
        on every run, so a Django upgrade that changes its steps is caught."""
        msg = SafeMIMEMultipart(_subtype=self.alternative_subtype, encoding="utf-8")
        if self.body:
            msg.attach(_text_part(str(self.body), "plain"))
        msg.attach(_text_part(str(self.alternatives[0][0]), "html"))
        msg["Subject"] = str(self.subject)
        msg["From"] = self.extra_headers.get("From", self.from_email)
        self._set_list_header_if_not_empty(msg, "To", self.to)  # type: ignore[attr-defined]  # not in the stubs
        header_names = [key.lower() for key in self.extra_headers]
        if "date" not in header_names:
            msg["Date"] = formatdate(localtime=settings.EMAIL_USE_LOCALTIME)
        if "message-id" not in header_names:
            msg["Message-ID"] = make_msgid(domain=DNS_NAME)
        for name, value in self.extra_headers.items():
            if name.lower() not in {"from", "to", "cc", "reply-to"}:
                msg[name] = value
        return msg


def _text_part(text: str, subtype: str) -> SafeMIMEText:
    """``SafeMIMEText(text, subtype, "utf-8")`` for a text without lines over SMTP's 998 bytes: a copy of a
    part made once, with this text as its payload. Building each part afresh (charset, transfer-encoding
    check, headers through Django's injection guard) cost as much as rendering the message. A longer line
    takes Django's own path (it switches that part to quoted-printable)."""
    try:
        payload = text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: Django's path, and its error
        return SafeMIMEText(text, subtype, "utf-8")
    if len(payload) > _SMTP_LINE and max(len(line) for line in payload.splitlines()) > _SMTP_LINE:
        # bytes.splitlines splits at fewer characters than Django's str.splitlines: a line short here is short
        # there too, and anything else goes Django's way.
        return SafeMIMEText(text, subtype, "utf-8")
    ascii_only = text.isascii()
    prototype = _PROTOTYPES.get((subtype, ascii_only))
    if prototype is None:
        prototype = _PROTOTYPES[(subtype, ascii_only)] = SafeMIMEText("x" if ascii_only else "\xe9", subtype, "utf-8")
    part: Any = copy.copy(prototype)
    part._headers = list(prototype._headers)  # type: ignore[attr-defined]  # a new list: headers may be added
    part.defects = []
    # What email.message.Message.set_payload keeps for a UTF-8 body without transfer encoding (7bit: ASCII,
    # 8bit otherwise — the prototype's Content-Transfer-Encoding says which).
    part._payload = payload.decode("ascii", "surrogateescape")
    return part


_SMTP_LINE = 998  # django.core.mail.message.RFC5322_EMAIL_LINE_LENGTH_LIMIT
_PROTOTYPES: dict[tuple[str, bool], SafeMIMEText] = {}
