"""The family page: the priority tree of a family's matters, each with its status and next open deadline, the
priority claims linked to the matters that hold those numbers, and one deadline list for the whole family.

The tree: a matter hangs under its parent when it has one in the family (national/regional phase,
continuation, divisional), else under the family member whose application it claims priority from (Paris or
PCT filing); a matter with neither is a root (the first filing). A fixed number of queries whatever the
family's size (tested).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from deadlines.models import Deadline
from patents.models import Family, Matter, PriorityClaim
from patents.numbers import InvalidNumber, normalize_application_number
from patents.timezones import in_user_timezone, user_today

PRIORITY = "claims priority of"


@dataclass
class Member:
    matter: Matter
    relation: str = ""
    next_deadline: Deadline | None = None
    # Optional acts whose window has passed stay open (nothing closed them) but are not what comes next.
    windows_passed: int = 0
    claims: list[dict[str, Any]] = field(default_factory=list)
    children: list[Member] = field(default_factory=list)


def _key(country: str, number: str) -> tuple[str, str] | None:
    try:
        return country, normalize_application_number(country, number)
    except InvalidNumber:
        return None


def claim_links(claims: list[PriorityClaim], visible: Any) -> list[dict[str, Any]]:
    """Each claim with the visible matter holding that application number (matched on the canonical form),
    in one query for all of them."""
    keyed = [(claim, _key(claim.country, claim.number)) for claim in claims]
    wanted = {key for _, key in keyed if key}
    found: dict[tuple[str, str], Matter] = {}
    if wanted:
        offices = {office for office, _ in wanted}
        numbers = {number for _, number in wanted}
        for m in visible.filter(office__in=offices, application_number_normalized__in=numbers).only(
            "pk", "reference", "office", "application_number_normalized"
        ):
            found[(m.office, m.application_number_normalized)] = m
    return [{"claim": claim, "matter": found.get(key) if key else None} for claim, key in keyed]


def _family_for(user: Any, pk: int) -> Family:
    families = Family.objects.select_related("client")
    if not user.is_superuser:
        families = families.filter(client__memberships__user=user)
    return get_object_or_404(families, pk=pk)


def build_tree(members: dict[int, Member]) -> list[Member]:
    """Hang every member under its parent or the member it claims priority from; returns the roots."""
    roots: list[Member] = []
    for member in sorted(members.values(), key=_order):
        matter = member.matter
        up: Member | None = None
        if matter.parent_id in members:
            up, member.relation = members[matter.parent_id], matter.get_parent_relation_display()
        else:
            for link in sorted(member.claims, key=lambda c: c["claim"].date):
                holder = members.get(link["matter"].pk) if link["matter"] is not None else None
                if holder is not None and holder is not member:
                    up, member.relation = holder, PRIORITY
                    break
        if up is not None and not _is_below(up, member, members):
            up.children.append(member)
        else:
            member.relation = ""
            roots.append(member)
    return roots


def _order(member: Member) -> tuple[dt.date, str]:
    return member.matter.filing_date or dt.date.max, member.matter.reference


def _is_below(candidate: Member, member: Member, members: dict[int, Member]) -> bool:
    """True when ``candidate`` already hangs (directly or not) under ``member``: a link would close a loop."""
    stack = list(member.children)
    while stack:
        node = stack.pop()
        if node is candidate:
            return True
        stack.extend(node.children)
    return False


@login_required
@in_user_timezone
@require_GET
def family_detail(request: HttpRequest, pk: int) -> HttpResponse:
    family = _family_for(request.user, pk)
    visible = Matter.objects.visible_to(request.user)
    matters = list(
        visible.filter(family=family).select_related("responsible_paralegal").order_by("filing_date", "reference")
    )
    members = {m.pk: Member(matter=m) for m in matters}
    claims = list(PriorityClaim.objects.filter(matter_id__in=members).order_by("date", "country", "number"))
    for link in claim_links(claims, visible):
        members[link["claim"].matter_id].claims.append(link)
    deadlines = list(
        Deadline.objects.filter(matter_id__in=members, status=Deadline.Status.OPEN)
        .select_related("matter__responsible_paralegal", "responsible").order_by("due_date", "pk")
    )
    today = user_today(request.user)
    for d in deadlines:
        d.overdue = d.is_overdue(today)
        d.window_passed = d.is_window_passed(today)
        d.days_left = (d.effective_date - today).days
        member = members[d.matter_id]
        if d.window_passed:
            member.windows_passed += 1
            continue
        if member.next_deadline is None or d.effective_date < member.next_deadline.effective_date:
            member.next_deadline = d
    return render(
        request,
        "docketapp/family_detail.html",
        {"family": family, "roots": build_tree(members), "members": list(members.values()),
         "deadlines": deadlines, "today": today},
    )
