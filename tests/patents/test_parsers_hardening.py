"""What the parsers refuse, and what they tolerate.

Hostile XML (XXE, billion laughs, external DTDs), truncated or malformed bodies, namespace prefixes that
change between OPS generations, BadgerFish JSON that turns one child into an object and several into an
array, the date forms offices use — and that ``patents/parsers`` never imports Django.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from patents.offices.ep import parser as epo_ops
from patents.offices.jp import parser as jpo
from patents.offices.lens import parser as lens
from patents.offices.us import parser as uspto_odp
from patents.parsers import MALFORMED, SCHEMA, ParseError
from patents.parsers._util import parse_date
from patents.parsers.xml import badgerfish_to_element, parse_xml

ROOT = Path(__file__).resolve().parents[2]
PARSERS = ROOT / "patents" / "parsers"
OFFICES = ROOT / "patents" / "offices"

XXE_FILE = b"""<?xml version="1.0"?>
<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<ops:world-patent-data xmlns:ops="http://ops.epo.org"><ops:x>&xxe;</ops:x></ops:world-patent-data>"""

XXE_NETWORK = b"""<?xml version="1.0"?>
<!DOCTYPE foo SYSTEM "http://127.0.0.1:9/evil.dtd">
<ops:world-patent-data xmlns:ops="http://ops.epo.org"/>"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol9 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
]>
<lolz>&lol9;</lolz>"""

PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/x.dtd"> %remote;]><r/>"""


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(XXE_FILE, id="xxe-local-file"),
        pytest.param(XXE_NETWORK, id="xxe-external-dtd"),
        pytest.param(BILLION_LAUGHS, id="billion-laughs"),
        pytest.param(PARAMETER_ENTITY, id="parameter-entity"),
        # UTF-16 hides "<!DOCTYPE" from a byte scan; the parsed tree still shows it.
        pytest.param(
            XXE_FILE.decode().replace('version="1.0"', 'version="1.0" encoding="UTF-16"').encode("utf-16"),
            id="xxe-utf16",
        ),
    ],
)
def test_hostile_xml_is_rejected_before_anything_is_read(body):
    with pytest.raises(ParseError) as err:
        parse_xml(body)
    assert err.value.category == MALFORMED
    assert "DTD" in err.value.reason
    with pytest.raises(ParseError, match="DTD"):
        epo_ops.parse_register_biblio(body)


@pytest.mark.parametrize(
    "body, category",
    [
        (b"", MALFORMED),
        (b"   \n", MALFORMED),
        (b"<ops:world-patent-data xmlns:ops='http://ops.epo.org'>", MALFORMED),
        (b"not xml at all", MALFORMED),
        (b"<a><b></a>", MALFORMED),
        (b"<?xml version='1.0'?><html><body>Service Unavailable</body></html>", SCHEMA),
    ],
)
def test_malformed_or_foreign_bodies_get_a_typed_error(body, category):
    with pytest.raises(ParseError) as err:
        epo_ops.parse_register_biblio(body)
    assert err.value.category == category
    assert str(err.value).startswith(f"[{category}]")


@pytest.fixture
def epo_xml_samples(office_samples):
    return sorted((office_samples / "epo").glob("*.xml"))


def test_every_truncated_epo_sample_is_rejected_as_malformed(epo_xml_samples):
    assert epo_xml_samples
    parsers = {
        "register-search": epo_ops.parse_register_search,
        "published-data-search": epo_ops.parse_published_search,
        "number-service": epo_ops.parse_number_service,
        "register": epo_ops.parse_register,
        "legal": epo_ops.parse_inpadoc_legal,
        "published": epo_ops.parse_published_biblio,
        "family": epo_ops.parse_family,
        "error": epo_ops.parse_ops_fault,
    }
    for path in epo_xml_samples:
        parse = next(p for prefix, p in parsers.items() if path.name.startswith(prefix))
        body = path.read_bytes()
        parse(body)  # the whole body is fine …
        with pytest.raises(ParseError) as err:
            parse(body[: len(body) * 2 // 3])  # … two thirds of it is not
        assert err.value.category == MALFORMED, path.name


@pytest.mark.parametrize("name", ["patent-app_progress-2020123456.json"])
def test_truncated_json_is_malformed(office_samples, name):
    body = (office_samples / "jpo" / name).read_bytes()
    with pytest.raises(ParseError) as err:
        jpo.parse_app_progress(body[:100])
    assert err.value.category == MALFORMED


def test_missing_required_values_are_schema_errors():
    no_app = b"""<ops:world-patent-data xmlns:ops="http://ops.epo.org" xmlns:reg="http://www.epo.org/register">
      <reg:register-document><reg:bibliographic-data/></reg:register-document></ops:world-patent-data>"""
    with pytest.raises(ParseError, match="application-reference") as err:
        epo_ops.parse_register_biblio(no_app)
    assert err.value.category == SCHEMA
    undated = b"""<ops:world-patent-data xmlns:ops="http://ops.epo.org" xmlns:reg="http://www.epo.org/register">
      <reg:register-document><reg:events-data><reg:dossier-event id="EVT_1">
      <reg:event-code>0009250</reg:event-code></reg:dossier-event></reg:events-data></reg:register-document>
      </ops:world-patent-data>"""
    with pytest.raises(ParseError, match="event-date: missing date"):
        epo_ops.parse_register_events(undated)
    bad_date = undated.replace(
        b"<reg:event-code>", b"<reg:event-date><reg:date>20221345</reg:date></reg:event-date><reg:event-code>"
    )
    with pytest.raises(ParseError, match="'20221345' is not a date"):
        epo_ops.parse_register_events(bad_date)
    with pytest.raises(ParseError, match="eventDate"):
        uspto_odp.parse_odp_transactions(
            json.dumps(
                {
                    "count": 1,
                    "patentFileWrapperDataBag": [
                        {"applicationNumberText": "17248024", "eventDataBag": [{"eventCode": "CTNF"}]}
                    ],
                }
            )
        )
    with pytest.raises(ParseError, match="lens_id"):
        lens.parse_lens_search(json.dumps({"total": 1, "data": [{"jurisdiction": "EP"}]}))
    with pytest.raises(ParseError, match="statusCode"):
        jpo.parse_app_progress(b'{"result": {"errorMessage": ""}}')


# --- namespaces ---------------------------------------------------------------------------------------------


def _rename_prefixes(body: bytes, mapping: dict[str, str]) -> bytes:
    text = body.decode("utf-8")
    for old, new in mapping.items():
        text = (
            text.replace(f"<{old}:", f"<{new}:")
            .replace(f"</{old}:", f"</{new}:")
            .replace(f"xmlns:{old}=", f"xmlns:{new}=")
        )
    return text.encode("utf-8")


def test_namespace_prefixes_do_not_matter_only_uris(office_samples):
    body = (office_samples / "epo" / "register-events-EP2400812.xml").read_bytes()
    renamed = _rename_prefixes(body, {"ns2": "ops", "ns3": "reg"})
    weird = _rename_prefixes(body, {"ns2": "a", "ns3": "b"})
    assert renamed != body and weird != body
    expected = epo_ops.parse_register(body)
    assert epo_ops.parse_register(renamed) == expected
    assert epo_ops.parse_register(weird) == expected

    # The same prefixes bound to a different URI are a different vocabulary: not read as the register.
    wrong_uri = body.replace(
        b'xmlns:ns3="http://www.epo.org/register"', b'xmlns:ns3="http://example.org/register"'
    )
    with pytest.raises(ParseError, match="register-document"):
        epo_ops.parse_register(wrong_uri)


def test_default_namespace_form_reads_like_prefixed(office_samples):
    body = (office_samples / "epo" / "register-biblio-EP99203729-2016-ops-reg-prefixes.xml").read_bytes()
    text = body.decode()
    defaulted = (
        text.replace("<reg:", "<")
        .replace("</reg:", "</")
        .replace('xmlns:reg="http://www.epo.org/register"', 'xmlns="http://www.epo.org/register"')
    )
    assert epo_ops.parse_register_biblio(defaulted.encode()) == epo_ops.parse_register_biblio(body)


# --- BadgerFish JSON ----------------------------------------------------------------------------------------


def _bf_register(inventors, statuses) -> bytes:
    doc = {
        "ops:world-patent-data": {
            "@xmlns": {"ops": "http://ops.epo.org", "reg": "http://www.epo.org/register"},
            "ops:register-search": {
                "reg:register-documents": {
                    "reg:register-document": {
                        "reg:ep-patent-statuses": {"reg:ep-patent-status": statuses},
                        "reg:bibliographic-data": {
                            "reg:application-reference": {
                                "reg:document-id": {
                                    "reg:country": {"$": "EP"},
                                    "reg:doc-number": {"$": "13860559"},
                                }
                            },
                            "reg:parties": {"reg:inventors": {"reg:inventor": inventors}},
                        },
                    }
                }
            },
        }
    }
    return json.dumps(doc).encode()


def _inv(name: str) -> dict:
    return {"reg:addressbook": {"reg:name": {"$": name}}}


def test_badgerfish_single_child_object_and_several_children_array():
    status = {
        "@status-code": "10",
        "@change-date": "20150708",
        "$": "The application is deemed to be withdrawn",
    }
    one = epo_ops.parse_register_biblio(_bf_register(_inv("ABALI, Bulent"), status))
    assert [i.name for i in one.inventors] == ["ABALI, Bulent"]
    assert one.status_date == dt.date(2015, 7, 8)
    two = epo_ops.parse_register_biblio(
        _bf_register(
            [_inv("BANIKAZEMI, Mohammad"), _inv("ABALI, Bulent")], [status, {**status, "@status-code": "14"}]
        )
    )
    assert [i.name for i in two.inventors] == ["BANIKAZEMI, Mohammad", "ABALI, Bulent"]
    assert [s.code for s in two.statuses] == ["10", "14"]


def test_badgerfish_undeclared_prefix_is_rejected():
    with pytest.raises(ParseError, match="undeclared namespace prefix"):
        badgerfish_to_element(
            {"ops:world-patent-data": {"x:y": {"$": "1"}, "@xmlns": {"ops": "http://ops.epo.org"}}}
        )


# --- dates --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("20240709", dt.date(2024, 7, 9)),  # EPO, JPO
        ("2024-07-09", dt.date(2024, 7, 9)),  # ODP, INPADOC, Lens
        ("2023-10-03T09:18:25.000-0400", dt.date(2023, 10, 3)),  # ODP documents: local date kept
        ("2023-01-13T23:30:00.000-0500", dt.date(2023, 1, 13)),  # would be the 14th in UTC
        ("2010-03-11T00:00:00Z", dt.date(2010, 3, 11)),  # PEDS
        ("2020-10-28 00:00:00", dt.date(2020, 10, 28)),  # PEDS transactions
        ("06-27-2019", dt.date(2019, 6, 27)),  # PEDS assignments
        ("", None),
        (None, None),
    ],
)
def test_office_date_forms(raw, expected):
    assert parse_date(raw, field="d") == expected


@pytest.mark.parametrize("raw", ["2024-02-30", "20241301", "yesterday", "2024/07/09"])
def test_impossible_dates_are_schema_errors(raw):
    with pytest.raises(ParseError) as err:
        parse_date(raw, field="eventDate")
    assert err.value.category == SCHEMA and "eventDate" in err.value.reason


# --- purity -------------------------------------------------------------------------------------------------


def test_parsers_never_import_django_in_source():
    offenders = []
    # The shared parser modules, each office's parser, and the registry the parsers' packages load with.
    paths = [*PARSERS.rglob("*.py"), *OFFICES.rglob("parser.py"), *OFFICES.rglob("__init__.py")]
    assert len(paths) > 10
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n == "django" or n.startswith("django.")]
    assert offenders == []


def test_parsers_import_and_run_without_django_loaded():
    code = (
        "import sys, patents.parsers, patents.offices.ep.parser, patents.offices.us.parser, "
        "patents.offices.jp.parser, patents.offices.lens.parser\n"
        "patents.offices.ep.parser.parse_ops_fault(b'<error><code>400</code><message>m</message></error>')\n"
        "bad = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_absurdly_nested_json_is_malformed_not_a_crash():
    depth = 5000
    body = (
        '{"ops:world-patent-data": {"@xmlns": {"ops": "http://ops.epo.org"}, '
        + '"ops:x": {' * depth
        + "}" * depth
        + "}}"
    )
    with pytest.raises(ParseError) as err:
        epo_ops.parse_register_biblio(body.encode())
    assert err.value.category == MALFORMED
