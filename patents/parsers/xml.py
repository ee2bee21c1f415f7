"""Hardened XML parsing and namespace-URI helpers.

Every XML body from an office goes through :func:`parse_xml`. It never expands entities, never loads a DTD,
never touches the network and keeps lxml's size limits (``huge_tree=False``). A body that declares a DTD or
an entity is rejected before and after parsing: offices do not send them, attackers do (XXE, billion laughs).

Lookups match namespace *URIs*, never prefixes: OPS served ``ops:``/``reg:`` in 2016 and ``ns2:``/``ns3:``
in 2025 for the same URIs, and a BadgerFish JSON body converted by :func:`badgerfish_to_element` carries
whatever prefixes its ``@xmlns`` map declares.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from lxml import etree

from .errors import MALFORMED, SCHEMA, ParseError

OPS_NS = "http://ops.epo.org"
REG_NS = "http://www.epo.org/register"
EXCH_NS = "http://www.epo.org/exchange"

MAX_BODY_BYTES = 64 * 1024 * 1024

_FORBIDDEN = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def _parser() -> etree.XMLParser:
    # A fresh parser per call: lxml parsers are not thread-safe and keep error logs between uses.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        dtd_validation=False,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_xml(body: bytes | str, *, source: str = "") -> etree._Element:
    """Return the root element of ``body`` or raise :class:`ParseError`."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    if not body or not body.strip():
        raise ParseError("empty body", category=MALFORMED, source=source)
    if len(body) > MAX_BODY_BYTES:
        raise ParseError(
            f"body of {len(body)} bytes exceeds {MAX_BODY_BYTES}", category=MALFORMED, source=source
        )
    if _FORBIDDEN.search(body):
        raise ParseError(
            "forbidden DTD or entity declaration in XML body (XXE / entity-expansion protection)",
            category=MALFORMED,
            source=source,
        )
    try:
        # An XML declaration with an encoding is only accepted by lxml from bytes, which is what we hold.
        root = etree.fromstring(body, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise ParseError(f"not well-formed XML: {exc}", category=MALFORMED, source=source) from None
    if root is None:
        raise ParseError("no root element", category=MALFORMED, source=source)
    docinfo = root.getroottree().docinfo
    # A UTF-16 body hides "<!DOCTYPE" from the byte scan above; the parsed tree cannot hide it.
    if docinfo.internalDTD is not None or docinfo.externalDTD is not None or docinfo.doctype:
        raise ParseError(
            "forbidden DTD in XML body (XXE / entity-expansion protection)", category=MALFORMED, source=source
        )
    for el in root.iter():
        if isinstance(el, etree._Entity):
            raise ParseError("entity reference in XML body", category=MALFORMED, source=source)
    return root


def q(ns: str, name: str) -> str:
    return f"{{{ns}}}{name}"


def local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def ns_of(el: etree._Element) -> str | None:
    return etree.QName(el).namespace if isinstance(el.tag, str) else None


def children(el: etree._Element | None, ns: str, name: str) -> list[etree._Element]:
    if el is None:
        return []
    return el.findall(q(ns, name))


def child(el: etree._Element | None, ns: str, name: str) -> etree._Element | None:
    if el is None:
        return None
    return el.find(q(ns, name))


def path(el: etree._Element | None, ns: str, *names: str) -> etree._Element | None:
    for name in names:
        el = child(el, ns, name)
        if el is None:
            return None
    return el


def text(el: etree._Element | None) -> str:
    """Whole text content, stripped; '' for a missing element."""
    if el is None:
        return ""
    return "".join(el.itertext()).strip()


def raw_text(el: etree._Element | None) -> str:
    """Text exactly as written (INPADOC codes are space-padded and the padding is data)."""
    if el is None:
        return ""
    return "".join(el.itertext())


def path_text(el: etree._Element | None, ns: str, *names: str) -> str:
    return text(path(el, ns, *names))


def iter_ns(el: etree._Element, ns: str, name: str) -> Iterator[etree._Element]:
    return el.iter(q(ns, name))


def require_root(root: etree._Element, ns: str, name: str, *, source: str) -> None:
    if root.tag != q(ns, name):
        raise ParseError(
            f"unexpected root element {root.tag!r}, expected {{{ns}}}{name}", category=SCHEMA, source=source
        )


# --- BadgerFish JSON (OPS with Accept: application/json) -------------------------------------------------


def badgerfish_to_element(data: Any, *, source: str = "") -> etree._Element:
    """Rebuild the XML element tree from an OPS BadgerFish JSON document.

    BadgerFish: ``"@name"`` is an attribute, ``"$"`` the text, ``"@xmlns"`` maps prefixes to URIs (``"$"``
    in it is the default namespace), a repeated child is a JSON array and a single child is an object.
    ``"@mixed.layout"`` only records element order for mixed content and is ignored. Rebuilding XML lets the
    JSON form go through exactly the same namespace-URI-matching code as the XML form.
    """
    if not isinstance(data, dict) or len([k for k in data if not k.startswith("@")]) != 1:
        raise ParseError("BadgerFish JSON must have exactly one root key", category=SCHEMA, source=source)
    (name, value) = next((k, v) for k, v in data.items() if not k.startswith("@"))
    return _bf_element(name, value, {}, source=source)


def _bf_qname(name: str, nsmap: dict[str | None, str], *, source: str) -> str:
    prefix, _, localname = name.rpartition(":")
    uri = nsmap.get(prefix or None)
    if prefix and uri is None:
        raise ParseError(f"undeclared namespace prefix {prefix!r} in JSON key {name!r}", source=source)
    if not localname or not re.match(r"^[A-Za-z_][\w.\-]*$", localname):
        raise ParseError(f"invalid element name {name!r} in JSON", source=source)
    return f"{{{uri}}}{localname}" if uri else localname


def _bf_element(name: str, value: Any, parent_ns: dict[str | None, str], *, source: str) -> etree._Element:
    nsmap = dict(parent_ns)
    if isinstance(value, dict) and isinstance(value.get("@xmlns"), dict):
        for prefix, uri in value["@xmlns"].items():
            nsmap[None if prefix == "$" else prefix] = str(uri)
    el = etree.Element(_bf_qname(name, nsmap, source=source))
    _bf_fill(el, value, nsmap, source=source)
    return el


def _bf_fill(el: etree._Element, value: Any, nsmap: dict[str | None, str], *, source: str) -> None:
    if value is None:
        return
    if not isinstance(value, dict):
        el.text = str(value)
        return
    for key, item in value.items():
        if key in ("@xmlns", "@mixed.layout"):
            continue
        if key == "$":
            el.text = "" if item is None else str(item)
        elif key.startswith("@"):
            el.set(_bf_qname(key[1:], {k: v for k, v in nsmap.items() if k}, source=source), str(item))
        else:
            for entry in item if isinstance(item, list) else [item]:
                el.append(_bf_element(key, entry, nsmap, source=source))
