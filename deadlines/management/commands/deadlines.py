"""`python manage.py deadlines <compute|explain|recompute|preview-change|seed-closures|rules>`.

compute        JSON in (file or stdin), JSON list of deadlines out; reads closures, writes nothing.
explain        the explanation of a stored deadline.
recompute      recompute stored deadlines (``--dry-run`` shows what a rule change would move first).
preview-change what adding/removing an office closure would move; ``--apply`` stores it and moves them.
seed-closures  store the seed closing days (deadlines/closure_data.py) that were never stored.
rules          the rule list; ``--markdown`` prints docs/rules.md as it must be committed.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

BAD_INPUT = 2
CODE_RE = re.compile(r"^[A-Z]{2}\.[A-Z0-9_]+$")
OFFICE_RE = re.compile(r"^[A-Z]{2}$")


class InputError(CommandError):
    def __init__(self, field: str, message: str):
        super().__init__(f"invalid input: {field}: {message}", returncode=BAD_INPUT)


def _date(value: Any, field: str, *, required: bool = False) -> dt.date | None:
    if value is None or value == "":
        if required:
            raise InputError(field, "is required (YYYY-MM-DD)")
        return None
    if not isinstance(value, str):
        raise InputError(field, f"{value!r} is not a date string (YYYY-MM-DD)")
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(field, f"{value!r} is not a valid date (YYYY-MM-DD)")


def _required_date(value: Any, field: str) -> dt.date:
    date = _date(value, field, required=True)
    assert date is not None  # required=True raises instead of returning None
    return date


def _office(value: Any, field: str, *, required: bool = False) -> str | None:
    if value is None or value == "":
        if required:
            raise InputError(field, "is required (an office code such as EP, US, JP, WO)")
        return None
    if not isinstance(value, str) or not OFFICE_RE.match(value.strip().upper().removeprefix("RO/")):
        raise InputError(field, f"{value!r} is not a two-letter office code (EP, US, JP, WO, ...)")
    return value.strip().upper()


def parse_input(data: Any):
    """Validate the documented JSON shape; every error names the offending field."""
    from deadlines.rules import EventFact, MatterFacts

    if not isinstance(data, dict):
        raise InputError("(root)", "expected a JSON object with office, matter and events")
    office = _office(data.get("office"), "office", required=True)
    assert office is not None  # required=True raises instead of returning None
    matter = data.get("matter", {})
    if not isinstance(matter, dict):
        raise InputError("matter", "expected an object")
    unknown = set(matter) - {
        "kind",
        "filing_date",
        "priority_date",
        "grant_date",
        "applicant_residence",
        "receiving_office",
        "ipea",
        "designated_offices",
        "route",
    }
    if unknown:
        raise InputError(f"matter.{sorted(unknown)[0]}", "unknown field")
    residence = matter.get("applicant_residence", "domestic")
    if residence not in ("domestic", "foreign"):
        raise InputError("matter.applicant_residence", f"{residence!r} must be 'domestic' or 'foreign'")
    designated = matter.get("designated_offices", [])
    if not isinstance(designated, list):
        raise InputError("matter.designated_offices", "expected a list of office codes")
    designated = [_office(o, f"matter.designated_offices[{i}]", required=True) for i, o in enumerate(designated)]
    kind = matter.get("kind", "patent")
    if not isinstance(kind, str):
        raise InputError("matter.kind", f"{kind!r} is not a string")
    facts = MatterFacts(
        office=office,
        kind=kind or "patent",
        route=str(matter.get("route") or "direct"),
        filing_date=_date(matter.get("filing_date"), "matter.filing_date"),
        priority_date=_date(matter.get("priority_date"), "matter.priority_date"),
        grant_date=_date(matter.get("grant_date"), "matter.grant_date"),
        applicant_residence=residence,
        receiving_office=_office(matter.get("receiving_office"), "matter.receiving_office"),
        ipea=_office(matter.get("ipea"), "matter.ipea"),
        designated_offices=tuple(designated),
    )
    events = data.get("events")
    if not isinstance(events, list):
        raise InputError("events", "expected a list of events")
    out = []
    for i, ev in enumerate(events):
        where = f"events[{i}]"
        if not isinstance(ev, dict):
            raise InputError(where, "expected an object with code, date and optional params")
        code = ev.get("code")
        if not isinstance(code, str) or not CODE_RE.match(code):
            raise InputError(f"{where}.code", f"{code!r} is not an event code such as EP.COMMUNICATION_94_3")
        params = ev.get("params", {}) or {}
        if not isinstance(params, dict):
            raise InputError(f"{where}.params", "expected an object")
        if "period_months" in params:
            pm = params["period_months"]
            if isinstance(pm, bool) or not isinstance(pm, int) or not 1 <= pm <= 6:
                raise InputError(f"{where}.params.period_months", f"{pm!r} must be a whole number of months 1-6")
        ref = ev.get("ref") or ev.get("id") or where
        out.append(
            EventFact(
                ref=str(ref),
                code=code,
                date=_required_date(ev.get("date"), f"{where}.date"),
                params=params,
            )
        )
    refs = [e.ref for e in out]
    if len(set(refs)) != len(refs):
        raise InputError("events[].ref", "event refs must be unique")
    return facts, out


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        compute = sub.add_parser("compute", help="compute deadlines for JSON input; writes nothing")
        compute.add_argument("--input", "-i", help="JSON file (default: stdin)")
        compute.add_argument("--today", help="judge past-due against this date (default: today, UTC)")
        compute.add_argument(
            "--closures",
            choices=["db", "seed", "none"],
            default="db",
            help="closing days from the database (default; falls back to the seed data), "
            "from deadlines/closure_data.py, or none",
        )
        compute.add_argument("--indent", type=int, default=2)

        explain = sub.add_parser("explain", help="explain a stored deadline")
        explain.add_argument("deadline_id", type=int)
        explain.add_argument("--json", action="store_true")

        rec = sub.add_parser("recompute", help="recompute stored deadlines (preview with --dry-run)")
        target = rec.add_mutually_exclusive_group(required=True)
        target.add_argument("--matter", action="append", help="matter reference or id (repeatable)")
        target.add_argument("--all", action="store_true")
        rec.add_argument("--office", help="with --all: only matters at this office")
        rec.add_argument("--dry-run", action="store_true", help="show what would change, write nothing")
        rec.add_argument(
            "--force",
            action="store_true",
            help="recompute matters whose inputs are unchanged too (after changing engine code "
            "that is not under deadlines/rules)",
        )
        rec.add_argument("--reason", default="recompute requested from the command line")
        rec.add_argument("--json", action="store_true")

        prev = sub.add_parser("preview-change", help="what an office closure change would move")
        prev.add_argument("--office", required=True, help="EP, US, JP or WO")
        prev.add_argument("--date", required=True)
        prev.add_argument("--remove", action="store_true", help="preview removing the closure")
        prev.add_argument("--reason", default="")
        prev.add_argument("--source", default="")
        prev.add_argument("--apply", action="store_true", help="store the change and move the deadlines")
        prev.add_argument("--json", action="store_true")

        sub.add_parser("seed-closures", help="store the seed closing days never stored before")

        rules = sub.add_parser("rules", help="list the deadline rules (--markdown: the text of docs/rules.md)")
        rules.add_argument("--markdown", action="store_true", help="print docs/rules.md (redirect it there)")

    def handle(self, *args, **options):
        return getattr(self, "_" + options["action"].replace("-", "_"))(options)

    # --- compute -------------------------------------------------------------------------------------

    def _load_closures(self, mode: str):
        from deadlines.closure_data import closures_mapping

        if mode == "none":
            return {}
        if mode == "seed":
            return closures_mapping()
        try:
            from deadlines.services import load_closures

            closures = load_closures()
            if closures:
                return closures
            self.stderr.write("note: no closures stored in the database; using deadlines/closure_data.py")
        except DatabaseError as exc:
            self.stderr.write(
                f"note: closures table not readable ({exc.__class__.__name__}); using deadlines/closure_data.py"
            )
        return closures_mapping()

    def _compute(self, options):
        from deadlines.rules import compute

        raw = self._read(options.get("input"))
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise InputError("(root)", f"not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})")
        matter, events = parse_input(data)
        today = _date(options.get("today"), "--today") or dt.datetime.now(dt.UTC).date()
        # An unknown code comes back from the engine as a "no rule for CODE" problem (stderr; stdout keeps
        # its JSON list of deadlines).
        result = compute(matter, events, self._load_closures(options["closures"]), today=today)
        for problem in result.problems:
            self.stderr.write(f"warning: {problem['message']} (trigger {problem['trigger']})")
        self.stdout.write(json.dumps([d.as_json() for d in result.deadlines], indent=options["indent"] or None))

    def _read(self, path: str | None) -> str:
        if not path or path == "-":
            return sys.stdin.read()
        try:
            with open(path, encoding="utf-8") as fh:
                return fh.read()
        except OSError as exc:
            raise CommandError(f"cannot read --input {path}: {exc.strerror}", returncode=BAD_INPUT)

    # --- stored deadlines ------------------------------------------------------------------------------

    def _explain(self, options):
        from deadlines import explanation
        from deadlines.models import Deadline

        deadline = Deadline.objects.select_related("matter").filter(pk=options["deadline_id"]).first()
        if deadline is None:
            raise CommandError(f"no deadline with id {options['deadline_id']}")
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "id": deadline.pk,
                        "key": deadline.key,
                        "explanation": deadline.explanation,
                        "remedies": deadline.remedies,
                    },
                    indent=2,
                )
            )
        else:
            self.stdout.write(explanation.render_text(explanation.explain_deadline(deadline), deadline=deadline))

    def _matter_ids(self, options) -> list[int]:
        from deadlines.services import all_engine_matter_ids
        from patents.models import Matter

        if options.get("all"):
            return all_engine_matter_ids(office=options.get("office"))
        ids = []
        for ref in options["matter"]:
            matter = Matter.objects.filter(reference=ref).first()
            if matter is None and ref.isdigit():
                matter = Matter.objects.filter(pk=int(ref)).first()
            if matter is None:
                raise CommandError(f"no matter {ref!r}")
            ids.append(matter.pk)
        return ids

    def _report(self, outcome, options, *, applied: bool) -> None:
        if options.get("json"):
            self.stdout.write(
                json.dumps(
                    {
                        "applied": applied,
                        "summary": outcome.summary(),
                        "changes": [c.as_dict() for c in outcome.changes],
                        "problems": outcome.problems,
                    },
                    indent=2,
                    default=str,
                )
            )
            return
        verb = "applied" if applied else "would apply (dry run, nothing written)"
        for c in outcome.changes:
            dates = ""
            if c.action in ("move", "held"):
                dates = f" due {c.old_due} → {c.new_due}"
                if c.old_latest != c.new_latest:
                    dates += f", latest {c.old_latest} → {c.new_latest}"
            elif c.action == "create":
                dates = f" due {c.new_due}"
            self.stdout.write(f"{c.action:9} matter {c.matter_id} {c.key}{dates} — {c.reason}")
        for p in outcome.problems:
            self.stdout.write(f"problem   matter {p.get('matter')}: {p.get('message')}")
        self.stdout.write(f"{verb}: {outcome.summary()}")

    def _recompute(self, options):
        from deadlines.services import recompute_matters

        outcome = recompute_matters(
            matter_ids=self._matter_ids(options), reason=options["reason"], dry_run=options["dry_run"]
        )
        self._report(outcome, options, applied=not options["dry_run"])

    def _preview_change(self, options):
        from deadlines.services import apply_closure_change, preview_closure_change

        office = _office(options["office"], "--office", required=True)
        day = _date(options["date"], "--date", required=True)
        kwargs = dict(
            office=office,
            day=day,
            remove=options["remove"],
            reason=options["reason"],
            source=options["source"],
        )
        if options["apply"]:
            if not options["remove"] and not (options["reason"] and options["source"]):
                raise CommandError(
                    "--apply of a new closure needs --reason and --source (where it was published)",
                    returncode=BAD_INPUT,
                )
            outcome = apply_closure_change(**kwargs)
        else:
            outcome = preview_closure_change(**kwargs)
        self._report(outcome, options, applied=options["apply"])

    def _seed_closures(self, options):
        from deadlines.services import seed_office_closures

        self.stdout.write(json.dumps(seed_office_closures()))

    # --- rule list -------------------------------------------------------------------------------------

    def _rules(self, options):
        from deadlines.rules.doc import rule_lines, rules_markdown

        # ending="" keeps the output byte-identical to docs/rules.md, which the docs test compares with.
        self.stdout.write(rules_markdown() if options["markdown"] else rule_lines(), ending="")
