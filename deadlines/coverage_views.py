"""Staff report: event types the deadline engine has no rule for ("nothing silently dropped").

An office event whose type no rule names computes no deadline. That is right for a fact the engine knows
and deliberately ignores (registry.NO_DEADLINE, listed with its reason), and a gap otherwise: this page lists
each such type with how many events and matters carry it, so a docketing lead can add a rule or a mapping.
Internal types (office steps kept in the timeline) never reach the engine and are not listed.
"""

from __future__ import annotations

from django.contrib.admin.views.decorators import staff_member_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from patents.models import EventType

from .rules.registry import NO_DEADLINE, event_codes


def rule_coverage_rows() -> dict[str, object]:
    ruled = event_codes()
    types = (
        EventType.objects.filter(internal=False)
        .annotate(n_events=Count("events", distinct=True), n_matters=Count("events__matter", distinct=True))
        .order_by("office", "code")
    )
    no_rule: list[dict] = []
    deliberate: list[dict] = []
    for et in types:
        if et.code in ruled:
            continue
        row = {"code": et.code, "label": et.label, "office": et.office, "events": et.n_events, "matters": et.n_matters}
        if et.code in NO_DEADLINE:
            deliberate.append({**row, "why": NO_DEADLINE[et.code]})
        else:
            no_rule.append(row)
    seeded = set(EventType.objects.values_list("code", flat=True))
    return {
        "no_rule": no_rule,
        "deliberate": deliberate,
        "rule_codes_without_type": sorted(ruled - seeded),
    }


@staff_member_required
def rule_coverage(request: HttpRequest) -> HttpResponse:
    return render(request, "deadlines/rule_coverage.html", rule_coverage_rows())


urlpatterns = [path("rules/coverage/", rule_coverage, name="rule-coverage")]
