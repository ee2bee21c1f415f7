"""Deadline and matter history in plain words for the dashboard (no writes, no queries).

The explanation of a deadline is rendered by ``deadlines.explanation``; this module turns simple-history
records into who/when/why/what-changed rows, and stored JSON fields into short readable text.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from docketapp.audit import actor_label

from .explanation import remedies
from .formatting import fmt_date

USER_FIELDS = {
    "verified_by",
    "last_changed_by",
    "responsible",
    "responsible_attorney",
    "responsible_paralegal",
}


def history_changes(records: list, *, resolve: bool = True) -> list[dict]:
    """simple-history records (newest first) → who/when/why/what changed, for the page and the timeline.

    With ``resolve=False`` user ids and event codes are left for one ``resolve_changes`` call over the changes
    of many record lists (the matter timeline): one query for the whole page instead of one per list."""
    out = []
    for i, record in enumerate(records):
        older = records[i + 1] if i + 1 < len(records) else None
        changes = []
        if older is not None and record.history_type == "~":
            try:
                delta = record.diff_against(older)
            except Exception:  # a schema change between the two rows: show the row without a diff
                delta = None
            for change in delta.changes if delta else []:
                if change.field in {"updated_at"}:
                    continue
                if _is_json(change.old) or _is_json(change.new):
                    # JSON fields (explanation, remedies, params…) come out of diff_against as dicts and
                    # lists: unhashable for the choice lookup and unreadable as a repr, so they are told in words.
                    old, new = describe_json_change(change.field, change.old, change.new)
                    changes.append({"field": change.field.replace("_", " "), "old": old, "new": new})
                    continue
                if change.field in USER_FIELDS:
                    # An id until resolve_changes names it.
                    changes.append({"field": change.field.replace("_", " "), "old": change.old, "new": change.new,
                                    "user_field": True})
                    continue
                labels = _choice_labels(record, change.field)
                changes.append({
                    "field": change.field.replace("_", " "),
                    "old": _short(labels.get(change.old, change.old)),
                    "new": _short(labels.get(change.new, change.new)),
                })
        out.append(
            {
                "when": record.history_date,
                "who": "",
                # Who made it: the actor column, or (rows written before it existed) the history user's name,
                # looked up by resolve_changes with the other names, never one query per row.
                "actor": (getattr(record, "history_actor", "") or "", getattr(record, "history_user_id", None)),
                "why": record.history_change_reason or "",
                "type": {"+": "created", "~": "changed", "-": "deleted"}.get(record.history_type, record.history_type),
                "changes": changes,
            }
        )
    if resolve:
        resolve_changes(out)
    return out


class _Named:
    def __init__(self, name: str) -> None:
        self.name = name

    def get_username(self) -> str:
        return self.name


def resolve_changes(entries: list[dict]) -> None:
    """Name the users (ids of the user fields and of the history user) and give the event codes named in the
    reasons and new values their labels, in place: one query for all the entries (none if nothing to look up).
    """
    ids = {v for e in entries for c in e["changes"] if c.get("user_field") for v in (c["old"], c["new"]) if v}
    ids |= {e["actor"][1] for e in entries if "actor" in e and not e["actor"][0] and e["actor"][1]}
    # Reasons written by the engine name canonical event codes ("answered by JP.EXAMINATION_REQUESTED"):
    # people read the event type's label instead.
    texts = [e["why"] for e in entries] + [str(c["new"]) for e in entries for c in e["changes"]
                                          if not c.get("user_field")]
    codes = {code for text in texts if text for code in EVENT_CODE.findall(text)}
    names, labels = _lookup(ids, codes)
    for entry in entries:
        if "actor" in entry:
            actor, user_id = entry.pop("actor")
            user = _Named(names[user_id]) if user_id in names else None
            entry["who"] = actor_label(actor, entry["why"], user)
        for item in entry["changes"]:
            if item.pop("user_field", False):
                for side in ("old", "new"):
                    value = item[side]
                    item[side] = names.get(value, value) if value else _short(value)
    label = _labeller(labels)
    for entry in entries:
        entry["why"] = label(entry["why"])
        for change in entry["changes"]:
            for side in ("old", "new"):
                if isinstance(change[side], str):
                    change[side] = label(change[side])


def _lookup(ids: set, codes: set[str]) -> tuple[dict, dict[str, str]]:
    """Usernames by id and event type labels by code, in one query (a UNION when both are wanted)."""
    from django.contrib.auth import get_user_model
    from django.db.models import CharField, Value
    from django.db.models.functions import Cast

    from patents.models import EventType

    queries: list[Any] = []
    if ids:
        queries.append(
            # order_by(): no model ordering inside the UNION's arms (SQLite refuses ORDER BY there).
            get_user_model().objects.filter(pk__in=ids).order_by()
            .annotate(what=Value("user", output_field=CharField()), key=Cast("pk", CharField()))
            .values_list("what", "key", "username")
        )
    if codes:
        queries.append(
            EventType.objects.filter(code__in=codes).exclude(label="").order_by()
            .annotate(what=Value("code", output_field=CharField())).values_list("what", "code", "label")
        )
    if not queries:
        return {}, {}
    rows = queries[0].union(*queries[1:], all=True) if len(queries) > 1 else queries[0]
    names: dict = {}
    labels: dict[str, str] = {}
    for what, key, text in rows:
        if what == "user":
            names[int(key)] = text
        else:
            labels[key] = text
    return names, labels


EVENT_CODE = re.compile(r"\b[A-Z]{2}\.[A-Z0-9_]{3,}\b")


def code_labeller(texts: list[str]):
    """A function that replaces each canonical event code in a text by its event type's human label (codes
    without a label stay as they are). One query for all the codes in ``texts``; none when there are none."""
    codes = {code for text in texts if text for code in EVENT_CODE.findall(text)}
    if not codes:
        return lambda text: text
    return _labeller(_lookup(set(), codes)[1])


def _labeller(labels: dict[str, str]):
    if not labels:
        return lambda text: text

    def label(text: str) -> str:
        return EVENT_CODE.sub(lambda m: labels.get(m.group(0), m.group(0)), text) if text else text

    return label


def _choice_labels(record, name: str) -> dict:
    try:
        return dict(record._meta.get_field(name).flatchoices)
    except Exception:  # a field removed since: show raw values
        return {}


def _short(value: Any, limit: int = 80) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, dt.datetime):
        moment = value.astimezone(dt.UTC) if value.tzinfo else value
        return f"{fmt_date(moment)}, {moment:%H:%M} UTC"
    if isinstance(value, dt.date):
        return fmt_date(value)
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _is_json(value: Any) -> bool:
    return isinstance(value, dict | list)


def describe_json_change(name: str, old: Any, new: Any) -> tuple[str, str]:
    """Old and new value of a JSON field in plain words (never a Python repr).

    When the short summaries of both sides read the same (e.g. only a roll-forward step of the explanation
    changed), the parts that differ are named, so a recorded change is never shown as "X → X".
    """
    old_text, new_text = describe_json(name, old), describe_json(name, new)
    if old_text == new_text and isinstance(old, dict) and isinstance(new, dict):
        differ = sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))
        if differ:
            new_text += " (changed: " + ", ".join(k.replace("_", " ") for k in differ) + ")"
    return old_text, new_text


def describe_json(name: str, value: Any) -> str:
    if value in (None, "", {}, []):
        return "—"
    if name == "explanation" and isinstance(value, dict):
        return _describe_explanation(value)
    if name == "remedies" and isinstance(value, list):
        parts = [
            f"{r.name}" + (f" until {r.until}" if r.until else "") + (f" ({r.citation})" if r.citation else "")
            for r in remedies(value)
        ]
        return _short("; ".join(parts) or "none", limit=200)
    return _short(_plain(value), limit=200)


def _describe_explanation(data: dict) -> str:
    if isinstance(data.get("manual"), dict):
        manual = data["manual"]
        text = f"entered by hand by {manual.get('entered_by', '?')}"
        return text + (f": {manual['reason']}" if manual.get("reason") else "")
    parts = []
    if data.get("due_date"):
        parts.append(f"computed due {fmt_date(data['due_date'])}")
    if data.get("latest_date") and data.get("latest_date") != data.get("due_date"):
        parts.append(f"latest {fmt_date(data['latest_date'])}")
    periods = [str(s["period"]) for s in data.get("steps") or [] if isinstance(s, dict) and s.get("op") == "add"]
    if periods:
        parts.append("period " + " + ".join(periods))
    rule = data.get("rule")
    if isinstance(rule, dict) and rule.get("id"):
        parts.append(f"rule {rule['id']}" + (f" v{rule['version']}" if rule.get("version") else ""))
    if data.get("superseded"):
        parts.append(f"superseded: {data['superseded']}")
    return ", ".join(parts) if parts else _short(_plain(data), limit=200)


def _plain(value: Any) -> str:
    """Nested JSON as 'key: value' text."""
    if isinstance(value, dict):
        return ", ".join(f"{str(k).replace('_', ' ')}: {_plain(v)}" for k, v in value.items()) or "—"
    if isinstance(value, list):
        return "; ".join(_plain(v) for v in value) or "—"
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def group_by_matter_and_rule(rows) -> list[dict]:
    """The verification queue's rows in groups of one matter and one rule (a manual deadline is its own
    group), in the order their first, most urgent, row appears: one decision covers a matter's renewal years
    or the deadlines one office action started."""
    groups: dict[tuple, dict] = {}
    for row in rows:
        rule = row.rule_id or f"manual:{row.pk}"
        group = groups.get((row.matter_id, rule))
        if group is None:
            group = groups[(row.matter_id, rule)] = {
                "matter": row.matter,
                "rule_id": row.rule_id,
                "citation": row.citation,
                "rows": [],
            }
        group["rows"].append(row)
    for group in groups.values():
        group["verifiable"] = sum(1 for r in group["rows"] if getattr(r, "can_verify", False))
    return list(groups.values())
