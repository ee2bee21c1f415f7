"""The recompute's hot paths were made cheaper (issue 18) without changing a byte of what they store: the
fingerprint is still the plain JSON digest of the computed values, and the period steps the explanations show
are the same dicts, in the same key order, for every convention and note."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json

import pytest

from deadlines import services
from deadlines.models import Deadline
from deadlines.rules import compute
from deadlines.rules.periods import Convention, Duration, add_period
from deadlines.services.facts import load_snapshots

pytestmark = pytest.mark.django_db

D = dt.date.fromisoformat
TODAY = D("2026-01-15")


def _plain_fingerprint(cd) -> str:
    # What diff.deadline_values computed before issue 18: ComputedDeadline.as_json() and json.dumps per call.
    data = cd.as_json()
    values = {
        "rule_id": cd.rule,
        "rule_version": str(cd.rule_version),
        "title": cd.title[:300],
        "office": cd.office,
        "kind": cd.kind,
        "due_date": cd.due_date,
        "extendable": cd.extendable,
        "latest_date": cd.latest_date,
        "citation": cd.citation[:300],
        "optional": cd.optional,
        "explanation": data["explanation"],
        "remedies": data["remedies"],
        "trigger_event_id": int(cd.trigger) if cd.trigger.isdigit() else None,
    }
    canonical = json.dumps(values, default=str, separators=(",", ":"))
    return hashlib.sha1(canonical.encode(), usedforsecurity=False).hexdigest()


def test_stored_fingerprints_and_explanations_are_those_of_a_plain_computation():
    from deadlines.benchmarks.recompute import _ensure_portfolio

    ids = _ensure_portfolio(8, 11, io.StringIO())  # EP/US/JP/PCT with replies, renewals, national phases
    services.recompute_matters(matter_ids=ids, reason="pass", today=TODAY, chunk_size=5)
    stored = {
        (mid, key): (fingerprint, explanation)
        for mid, key, fingerprint, explanation in Deadline.objects.filter(matter_id__in=ids).values_list(
            "matter_id", "key", "fingerprint", "explanation"
        )
    }
    checked = 0
    for snapshot in load_snapshots(ids, lock=False):
        # A fresh computation: no shared calendars, nothing skipped as already superseded.
        for cd in compute(snapshot.facts, snapshot.events, services.load_closures(), today=TODAY).deadlines:
            if (snapshot.pk, cd.key) not in stored:
                continue  # answered before it was first stored: never created
            fingerprint, explanation = stored[(snapshot.pk, cd.key)]
            assert fingerprint == _plain_fingerprint(cd), cd.key
            assert explanation == json.loads(json.dumps(cd.as_json()["explanation"])), cd.key
            checked += 1
    assert checked > 50


@pytest.mark.parametrize(
    ("start", "duration", "convention", "result", "note"),
    [
        ("2024-01-31", Duration(months=1), Convention.EPC_R131, "2024-02-29",
         "the final month has no day 31: last day of that month"),
        ("2024-01-15", Duration(months=4), Convention.EPC_R131, "2024-05-15", "same day number"),
        ("2024-01-15", Duration(days=10), Convention.US_1_7, "2024-01-25", "days counted from the day after the event"),
        ("2024-04-30", Duration(months=3), Convention.JP_ART3, "2024-07-31",
         "first day not counted, counting starts 2024-05-01; the period ends the day before the corresponding day "
         "2024-08-01"),
        ("2024-01-30", Duration(months=1), Convention.JP_ART3, "2024-02-29",
         "first day not counted, counting starts 2024-01-31; the last month has no day 31, so the period ends on "
         "the last day of that month"),
        ("2024-01-15", Duration(days=30), Convention.JP_ART3, "2024-02-14",
         "days counted from the day after the event"),
        ("2023-11-30", Duration(months=3), Convention.MONTH_END, "2024-02-29",
         "a period running from a month end ends on the last day of the final month"),
    ],
)
def test_period_steps_keep_their_keys_order_and_notes(start, duration, convention, result, note):
    end, steps = add_period(D(start), duration, convention)
    assert end == D(result)
    assert steps == [
        {"op": "add", "from": start, "period": str(duration), "result": result, "convention": convention.value,
         "citation": steps[0]["citation"], "note": note}
    ]
    assert list(steps[0]) == ["op", "from", "period", "result", "convention", "citation", "note"]
    assert steps[0] is not add_period(D(start), duration, convention)[1][0]  # callers annotate their own steps
