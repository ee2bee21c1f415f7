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
from email.generator import (  # type: ignore[attr-defined]  # NLCRE: a module constant typeshed leaves out
    NLCRE,
    BytesGenerator,
)
from email.header import MAXLINELEN  # type: ignore[attr-defined]  # likewise
from email.message import Message
from email.policy import Compat32
from email.utils import formatdate, make_msgid
from io import BytesIO
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import (
    RFC5322_EMAIL_LINE_LENGTH_LIMIT,
    SafeMIMEMultipart,
    SafeMIMEText,
    forbid_multi_line_headers,
)
from django.core.mail.utils import DNS_NAME


class _ShortHeaders(Compat32):
    """Django's policy (compat32) with its commonest case answered directly: a header that fits on one line
    and is plain printable ASCII comes out as ``Name: value`` — which is what the ``Header`` folding algorithm
    returns for it, after a parse that cost a fifth of producing each message. Everything else (long,
    non-ASCII, encoded words, runs of spaces) still goes through ``Compat32``. Same bytes: see
    ``tests/reminders/test_message_bytes.py``."""

    def _fold(self, name: str, value: Any, sanitize: bool) -> str:
        limit = self.max_line_length
        if isinstance(value, str) and limit and len(name) + 2 + len(value) <= limit and _plain_line(value):
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
        if isinstance(value, str) and limit and _plain_line(value):
            return f"{name}: {_fold_plain(value, len(name) + 2, limit, self.linesep)}{self.linesep}"
        return super()._fold(name, value, sanitize)  # type: ignore[misc]  # private in typeshed


def _fold_plain(value: str, first: int, limit: int, linesep: str) -> str:
    """``Header(value, header_name=name).encode(linesep=linesep, maxlinelen=limit)`` for a ``_plain_line``
    value (``first`` = len(name) + 2): ``email.header._ValueFormatter`` feeding one US-ASCII chunk whose white
    space is single spaces, step for step — a line that grows over ``limit`` is cut after its last word ending
    in ";", else ",", else before its last word; a first word too long for the header's line goes on a line of
    its own. Long subjects (most reminders': reference, title and date) were a tenth of the sweep's CPU in that
    class. ``tests/reminders/test_message_bytes.py`` compares it with ``Compat32`` on thousands of values."""
    lines: list[str] = []
    line: list[tuple[str, str]] = []  # (white space before, word)
    initial = first  # the accumulator's initial size: the header name, on the first line only
    size = initial
    for n, word in enumerate(value.split(" ")):
        fws = " " if n else ""
        line.append((fws, word))
        size += len(fws) + len(word)
        if size <= limit:
            continue
        cut = next(
            (i for ch in ";," for i in range(len(line) - 1, 0, -1) if line[i - 1][1].endswith(ch)),
            len(line) - 1,  # every white space is a space: the last one
        )
        if cut:
            lines.append("".join(f + w for f, w in line[:cut]))
            line = line[cut:]
            initial = 0
        else:  # one word, longer than the line
            line.pop()
            if initial:
                lines.append("")  # the header name stays on a line by itself
                initial = 0
                fws = fws or " "
            line.append((fws, word))
        size = initial + sum(len(f) + len(w) for f, w in line)
    lines.append("".join(f + w for f, w in line))
    return linesep.join(lines)


def _plain_line(value: str) -> bool:
    """Printable ASCII, single spaces, nothing around it, nothing like an encoded word: what the ``Header``
    algorithms give back unchanged when it fits on a line."""
    return (
        value.isascii() and value.isprintable() and value == value.strip() and "  " not in value and "=?" not in value
    )


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
            self.write(NLCRE.sub(self._NL, lines))  # type: ignore[attr-defined]  # set by flatten()



class _ReminderMIME(SafeMIMEMultipart):
    def as_bytes(self, unixfrom: bool = False, linesep: str = "\n") -> bytes:  # type: ignore[override]  # Django's signature
        # Django's MIMEMixin.as_bytes with the generator above.
        fp = BytesIO()
        _LinesGenerator(fp, mangle_from_=False).flatten(self, unixfrom=unixfrom, linesep=linesep)
        return fp.getvalue()


_BOUNDARY_DIGITS = len(repr(sys.maxsize - 1))


class ReminderEmail(EmailMultiAlternatives):
    """The reminder e-mail: Django's message, with a MIME form that costs less to produce (same bytes).

    A text and its HTML alternative (every reminder, digest and report) become a ``_WireMessage``: the bytes
    written from the header lines and the two texts, without building the ``email`` objects. Anything else
    takes Django's path with the shortcuts above. The multipart boundary is chosen here the way
    ``email.generator`` chooses it (15 "=", a random number, "=="), checked against the texts with a substring
    test; the generator compiles a new regular expression for every message to do that check.
    """

    def message(self) -> Any:
        if not self._plain_pair():
            msg = super().message()
            msg.policy = _SHORT_HEADERS
            if msg.is_multipart() and msg.get_boundary() is None:
                msg.set_boundary(_boundary([str(self.body), *(str(a[0]) for a in self.alternatives)]))
            if type(msg) is SafeMIMEMultipart:
                msg.__class__ = _ReminderMIME  # the same object, serialised by the faster generator
            return msg
        texts = [str(self.body), str(self.alternatives[0][0])]
        # What Django's message() does in this order: the parts (its line-length check), the headers (its guard
        # against header injection, which may raise), then the generator draws the boundary.
        parts = [(subtype, _short_lines(text), text) for subtype, text in zip(("plain", "html"), texts, strict=True)]
        if not texts[0]:
            del parts[0]  # Django attaches no text part for an empty body
        wire = _WireMessage(self.alternative_subtype, self._headers(), parts, _boundary(texts))
        return wire if all(payload is not None for _, payload, _ in parts) else wire.mime()

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

    def _headers(self) -> list[tuple[str, str]]:
        """The headers ``EmailMessage.message()`` sets after the Content-Type and MIME-Version, in its order, each
        as its ``SafeMIMEMultipart`` stores it (after ``forbid_multi_line_headers``). A Django upgrade that changes
        these steps is caught by ``tests/reminders/test_message_bytes.py``, which compares the bytes."""
        given = [("Subject", self.subject), ("From", self.extra_headers.get("From", self.from_email))]
        for name, values in (("To", self.to), ("Cc", self.cc), ("Reply-To", self.reply_to)):
            # EmailMessage._set_list_header_if_not_empty
            if name in self.extra_headers:
                given.append((name, self.extra_headers[name]))
            elif values:
                given.append((name, ", ".join(str(v) for v in values)))
        names = [key.lower() for key in self.extra_headers]
        if "date" not in names:
            given.append(("Date", formatdate(localtime=settings.EMAIL_USE_LOCALTIME)))
        if "message-id" not in names:
            given.append(("Message-ID", make_msgid(domain=DNS_NAME)))
        given += [(n, v) for n, v in self.extra_headers.items() if n.lower() not in {"from", "to", "cc", "reply-to"}]
        return [(name, _guarded(name, value)) for name, value in given]


def _guarded(name: str, value: Any) -> str:
    """``forbid_multi_line_headers(name, value, "utf-8")``'s value. It runs every subject through
    ``Header(value).encode()`` (a fifth of building a header block), which gives back a plain one-line
    subject unchanged: such a subject is answered directly."""
    value = str(value)
    if name.lower() == "subject" and value and len(value) <= MAXLINELEN and _plain_line(value):
        return value
    return forbid_multi_line_headers(name, value, "utf-8")[1]



def _boundary(texts: list[str]) -> str:
    boundary = f"{'=' * 15}{random.randrange(sys.maxsize):0{_BOUNDARY_DIGITS}d}=="  # noqa: S311 - not secret
    candidate, counter = boundary, 0
    while any(f"--{candidate}" in text for text in texts):
        candidate = f"{boundary}.{counter}"
        counter += 1
    return candidate


class _WireMessage:
    """What ``ReminderEmail.message()`` returns for a text and its HTML: ``as_bytes()`` (all that Django's SMTP,
    console and file backends ask of a message) writes the bytes ``email.generator`` would write for Django's
    ``SafeMIMEMultipart`` directly — the header lines folded by the same policy, the parts' constant headers
    once per process, the texts with their line endings replaced. Anything else asked of it (a header, the
    payload, ``as_string``) is answered by the ``email`` message itself, built on first use with the same
    headers, boundary and parts."""

    def __init__(
        self, subtype: str, headers: list[tuple[str, str]], parts: list[tuple[str, Any, str]], boundary: str
    ) -> None:
        self._subtype = subtype
        self._headers = headers  # (name, value as stored), after Content-Type and MIME-Version
        self._parts = parts  # (subtype, UTF-8 bytes or None when too long a line, text)
        self._boundary = boundary
        self._wire: dict[str, bytes] = {}
        self._mime: Any = None

    def as_bytes(self, unixfrom: bool = False, linesep: str = "\n") -> bytes:
        if unixfrom:
            return self.mime().as_bytes(unixfrom, linesep)
        wire = self._wire.get(linesep)
        if wire is None:
            wire = self._wire[linesep] = self._write(linesep)
        return wire

    def _write(self, linesep: str) -> bytes:
        policy = _policy(linesep)
        nl = linesep.encode("ascii")
        dash = f"--{self._boundary}".encode("ascii")
        out = [
            policy.fold_binary("Content-Type", f'multipart/{self._subtype}; boundary="{self._boundary}"'),
            policy.fold_binary("MIME-Version", "1.0"),
            *(policy.fold_binary(name, value) for name, value in self._headers),
            nl,  # the end of the headers
        ]
        for i, (subtype, payload, _) in enumerate(self._parts):
            out.append(dash + nl if i == 0 else nl + dash + nl)
            out.append(_part_head(subtype, payload.isascii(), linesep))
            out.append(_NEWLINES_BYTES.sub(nl, payload))  # BytesGenerator._write_lines
        out.append(nl + dash + b"--" + nl)
        return b"".join(out)

    def mime(self) -> Any:
        """The ``email`` message Django's ``message()`` returns for the same e-mail (``_ReminderMIME``)."""
        if self._mime is None:
            msg = SafeMIMEMultipart(_subtype=self._subtype, encoding="utf-8")
            for subtype, _, text in self._parts:
                msg.attach(_text_part(text, subtype))
            for name, value in self._headers:
                Message.__setitem__(msg, name, value)  # already through Django's guard
            msg.set_boundary(self._boundary)
            msg.policy = _SHORT_HEADERS
            msg.__class__ = _ReminderMIME
            self._mime = msg
        return self._mime

    def __bytes__(self) -> bytes:
        return self.as_bytes()

    def __str__(self) -> str:
        return str(self.mime())

    def __getattr__(self, name: str) -> Any:
        return getattr(self.mime(), name)

    def __getitem__(self, name: str) -> Any:
        return self.mime()[name]

    def __contains__(self, name: str) -> bool:
        return name in self.mime()

    def __len__(self) -> int:
        return len(self.mime())

    def __iter__(self) -> Any:
        return iter(self.mime())


_NEWLINES_BYTES = re.compile(rb"\r\n|\r|\n")
_POLICIES: dict[str, Compat32] = {}
_PART_HEADS: dict[tuple[str, bool, str], bytes] = {}


def _policy(linesep: str) -> Compat32:
    """``_SHORT_HEADERS`` as ``BytesGenerator.flatten(linesep=...)`` clones it."""
    policy = _POLICIES.get(linesep)
    if policy is None:
        policy = _POLICIES[linesep] = _SHORT_HEADERS.clone(linesep=linesep)
    return policy


def _part_head(subtype: str, ascii_only: bool, linesep: str) -> bytes:
    """A text part's header lines and the blank line after them: the same for every part of its kind."""
    key = (subtype, ascii_only, linesep)
    head = _PART_HEADS.get(key)
    if head is None:
        policy = _policy(linesep)
        lines = [policy.fold_binary(n, v) for n, v in _prototype(subtype, ascii_only).raw_items()]
        head = _PART_HEADS[key] = b"".join(lines) + linesep.encode("ascii")
    return head


def _short_lines(text: str) -> bytes | None:
    """``text`` in UTF-8 when Django's ``SafeMIMEText`` keeps it as it is (7bit or 8bit): None for a line over
    SMTP's 998 bytes (Django switches that part to quoted-printable) or text UTF-8 cannot encode."""
    try:
        payload = text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: Django's path, and its error
        return None
    limit = RFC5322_EMAIL_LINE_LENGTH_LIMIT
    if len(payload) > limit and max(map(len, payload.splitlines())) > limit:
        # bytes.splitlines splits at fewer characters than Django's str.splitlines: a line short here is short
        # there too, and anything else goes Django's way. (A regular expression for "999 bytes without a line
        # break" tries every position: 10 ms for a digest of 50 kB.)
        return None
    return payload


def _prototype(subtype: str, ascii_only: bool) -> SafeMIMEText:
    prototype = _PROTOTYPES.get((subtype, ascii_only))
    if prototype is None:
        prototype = _PROTOTYPES[(subtype, ascii_only)] = SafeMIMEText("x" if ascii_only else "\xe9", subtype, "utf-8")
    return prototype


def _text_part(text: str, subtype: str) -> SafeMIMEText:
    """``SafeMIMEText(text, subtype, "utf-8")`` for a text without lines over SMTP's 998 bytes: a copy of a
    part made once, with this text as its payload. Building each part afresh (charset, transfer-encoding
    check, headers through Django's injection guard) cost as much as rendering the message. A longer line
    takes Django's own path (it switches that part to quoted-printable)."""
    payload = _short_lines(text)
    if payload is None:
        return SafeMIMEText(text, subtype, "utf-8")
    prototype = _prototype(subtype, text.isascii())
    part: Any = copy.copy(prototype)
    part._headers = list(prototype._headers)  # type: ignore[attr-defined]  # a new list: headers may be added
    part.defects = []
    # What email.message.Message.set_payload keeps for a UTF-8 body without transfer encoding (7bit: ASCII,
    # 8bit otherwise — the prototype's Content-Transfer-Encoding says which).
    part._payload = payload.decode("ascii", "surrogateescape")
    return part


_PROTOTYPES: dict[tuple[str, bool], SafeMIMEText] = {}
