"""All rule sets, and lookup by trigger event code."""

from __future__ import annotations

from collections import defaultdict
from functools import cache

from . import ep, jp, pct, us
from .model import Rule

RULES: tuple[Rule, ...] = (*us.RULES, *ep.RULES, *pct.RULES, *jp.RULES)
# Problem checks beyond single rules: (matter, event) -> problems (e.g. a validation state we have no rule for).
CHECKS = (*ep.CHECKS,)


@cache
def _by_code() -> dict[str, list[Rule]]:
    out: dict[str, list[Rule]] = defaultdict(list)
    for rule in RULES:
        for code in rule.triggers:
            out[code].append(rule)
    return dict(out)


def rules_for_code(code: str) -> list[Rule]:
    return _by_code().get(code, [])


def trigger_codes() -> set[str]:
    return set(_by_code())


# Facts the engine knows and deliberately computes nothing from, each with the reason. Every other code that
# no rule names is reported as "no rule for CODE" (compute problems -> CLI, recompute, matter page).
NO_DEADLINE: dict[str, str] = {
    "EP.DEEMED_WITHDRAWN": "a lifecycle fact; further processing runs from the loss-of-rights communication "
    "(EP.LOSS_OF_RIGHTS_NOTED), which the engine dockets",
    "EP.REGIONAL_PHASE_ENTERED": "a lifecycle fact; the Euro-PCT matter's own events trigger its deadlines",
}


@cache
def event_codes() -> frozenset[str]:
    """Every code a rule reacts to (triggers, answers, replacements)."""
    codes = set(trigger_codes())
    for rule in RULES:
        codes.update(rule.answered_by)
        codes.update(rule.replaced_by)
    codes.update({"US.RESPONSE_FILED", "US.ADVISORY_ACTION"})
    return frozenset(codes)


@cache
def known_codes() -> frozenset[str]:
    """Codes the engine knows: those rules react to and those it deliberately computes nothing from."""
    # Lifecycle facts (refused, withdrawn, lapsed, revived …) are known on purpose: they change the matter's
    # state and close or reopen its deadlines, but start none themselves.
    from .lifecycle import TRANSITIONS

    return event_codes() | frozenset(NO_DEADLINE) | frozenset(TRANSITIONS)


def no_rule_problem(event_ref: str, code: str) -> dict:
    return {
        "rule": None,
        "trigger": event_ref,
        "code": code,
        "missing": "rule",
        "message": f"no rule for {code}: no deadline is computed from this event -- check it by hand",
    }


def get_rule(rule_id: str, version: int | None = None) -> Rule | None:
    matches = [r for r in RULES if r.id == rule_id and (version is None or r.version == version)]
    return max(matches, key=lambda r: r.version) if matches else None


def _check_unique() -> None:
    seen = set()
    for r in RULES:
        if (r.id, r.version) in seen:
            raise RuntimeError(f"duplicate rule {r.id} v{r.version}")
        seen.add((r.id, r.version))


_check_unique()
