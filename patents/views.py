"""Matter pages. Every lookup goes through ``Matter.objects.visible_to(request.user)`` (404 otherwise)."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from deadlines.charts import KIND_COLOURS
from deadlines.models import Deadline
from deadlines.presentation import history_changes, in_user_timezone, user_today, user_tz

from .filters import MatterFilter
from .models import Matter, OfficeEvent, OfficePayload, PriorityClaim, SyncRun
from .numbers import InvalidNumber, normalize_application_number
from .review import visible_quarantine

logger = logging.getLogger(__name__)


@login_required
@in_user_timezone
@require_GET
def matter_list(request: HttpRequest) -> HttpResponse:
    qs = (
        Matter.objects.visible_to(request.user)
        .select_related("client", "responsible_paralegal")
        .annotate(open_deadlines=Count("deadlines", filter=Q(deadlines__status=Deadline.Status.OPEN)))
        .order_by("reference")
    )
    matter_filter = MatterFilter(request.GET, queryset=qs, user=request.user)
    page = Paginator(matter_filter.qs, 50).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "patents/matter_list.html",
        {"filter": matter_filter, "page": page, "qs_no_page": params.urlencode()},
    )


@dataclass
class TreeNode:
    matter: Matter
    relation: str = ""
    children: list[TreeNode] = field(default_factory=list)


def family_tree(matter: Matter, visible) -> tuple[TreeNode, list[Matter]]:
    """The parent/child tree (PCT → national phases, continuations, divisionals) around ``matter``.

    Only matters the user may see are walked, so another client's matter never appears, not even by name.
    Returns the root node and the other members of the same family that hang on no link.
    """
    root = matter
    for _ in range(20):  # a cycle is impossible by validation; the bound is belt and braces
        if not root.parent_id:
            break
        parent = visible.filter(pk=root.parent_id).select_related("client").first()
        if parent is None:
            break
        root = parent
    nodes = {root.pk: TreeNode(matter=root)}
    frontier = [root.pk]
    for _ in range(20):
        if not frontier:
            break
        children = list(visible.filter(parent_id__in=frontier).order_by("office", "reference"))
        frontier = []
        for child in children:
            if child.pk in nodes:
                continue
            node = TreeNode(matter=child, relation=child.get_parent_relation_display())
            nodes[child.parent_id].children.append(node)
            nodes[child.pk] = node
            frontier.append(child.pk)
    others: list[Matter] = []
    if matter.family_id:
        others = list(visible.filter(family_id=matter.family_id).exclude(pk__in=nodes).order_by("reference"))
    return nodes[root.pk], others


def _priority_links(matter: Matter, visible) -> list[dict]:
    """Each priority claim with the visible matter it names, if the docket holds one."""
    keyed: list[tuple[PriorityClaim, tuple[str, str] | None]] = []
    for claim in matter.priority_claims.all():
        try:
            keyed.append((claim, (claim.country, normalize_application_number(claim.country, claim.number))))
        except InvalidNumber:
            keyed.append((claim, None))
    found: dict[tuple[str, str], Matter] = {}
    wanted = {key for _, key in keyed if key}
    if wanted:
        q = Q()
        for office, number in wanted:
            q |= Q(office=office, application_number_normalized=number)
        for m in visible.filter(q):
            found[(m.office, m.application_number_normalized)] = m
    return [{"claim": claim, "matter": found.get(key) if key else None} for claim, key in keyed]


@dataclass
class TimelineEntry:
    date: dt.date
    moment: dt.datetime | None
    kind: str  # "event" | "deadline" | "change"
    title: str
    detail: str = ""
    who: str = ""
    why: str = ""
    url: str = ""
    status: str = ""
    changes: list[dict] = field(default_factory=list)
    deadline: Any = None


def build_timeline(matter: Matter, tz, today: dt.date) -> list[TimelineEntry]:
    """Office events, deadlines with their outcome, and every recorded change, newest first."""
    entries: list[TimelineEntry] = []
    for event in matter.events.select_related("event_type").order_by("date", "pk"):
        entries.append(
            TimelineEntry(
                date=event.date,
                moment=None,
                kind="event",
                title=event.event_type.label or event.event_type.code,
                detail=f"{event.office_code.strip()}: {event.office_text}" if event.office_text else event.office_code,
                who=event.get_source_display(),
            )
        )
    deadlines = list(matter.deadlines.select_related("responsible", "verified_by").order_by("due_date", "pk"))
    titles = {}
    for d in deadlines:
        titles[d.pk] = d.title
        effective = d.effective_date
        if d.status == Deadline.Status.DONE:
            outcome = f"Done on {d.done_on:%d %b %Y}" if d.done_on else "Done"
        elif d.status == Deadline.Status.WAIVED:
            outcome = f"Waived: {d.waived_reason}"
        elif d.status == Deadline.Status.SUPERSEDED:
            outcome = "Superseded (replaced by a later computation or answered)"
        elif d.is_overdue(today):
            outcome = f"OVERDUE by {(today - effective).days} days"
        else:
            outcome = d.get_status_display()
        d.needs_verification = d.verified_at is None and d.status != Deadline.Status.SUPERSEDED
        entries.append(
            TimelineEntry(
                date=effective,
                moment=None,
                kind="deadline",
                title=d.title,
                detail=outcome,
                url=d.get_absolute_url(),
                status=d.status,
                deadline=d,
            )
        )

    def changes(records, title: str, url: str = "") -> None:
        for change in history_changes(records):
            entries.append(
                TimelineEntry(
                    date=change["when"].astimezone(tz).date(),
                    moment=change["when"],
                    kind="change",
                    title=f"{title} {change['type']}",
                    who=change["who"],
                    why=change["why"],
                    changes=change["changes"],
                    url=url,
                )
            )

    changes(list(matter.history.order_by("-history_date", "-history_id")), "Matter")
    # Per deadline row, newest first, so each record is diffed against its own predecessor.
    deadline_records = list(Deadline.history.filter(matter_id=matter.pk).order_by("id", "-history_date", "-history_id"))
    by_deadline: dict[int, list] = {}
    for record in deadline_records:
        by_deadline.setdefault(record.id, []).append(record)
    for pk, records in by_deadline.items():
        title = titles.get(pk) or records[0].title
        url = reverse("deadlines:deadline-detail", args=[pk]) if pk in titles else ""
        changes(records, f"Deadline “{title}”", url)
    event_records = list(
        OfficeEvent.history.filter(matter_id=matter.pk)
        .exclude(history_type="+")
        .order_by("-history_date", "-history_id")
    )
    changes(event_records, "Office event")
    claim_records = list(PriorityClaim.history.filter(matter_id=matter.pk).order_by("-history_date", "-history_id"))
    changes(claim_records, "Priority claim")
    far_past = dt.datetime.min.replace(tzinfo=dt.UTC)
    entries.sort(key=lambda e: (e.date, e.moment or far_past, e.kind), reverse=True)
    return entries


@dataclass
class SyncPanel:
    """Sync data for one matter."""

    payloads: list = field(default_factory=list)
    quarantine: list = field(default_factory=list)
    reconciliation: list = field(default_factory=list)


def sync_panel(matter: Matter, user, limit: int = 5) -> SyncPanel:
    """Latest raw payloads, quarantined items and docket/office disagreements for this matter."""
    return SyncPanel(
        payloads=list(
            OfficePayload.objects.readable_by(user).filter(matters=matter)
            .defer("body").order_by("-fetched_at", "-pk")[:limit]
        ),
        # Open items first: they are what a person still has to decide.
        quarantine=list(
            matter.quarantine_items.order_by(
                models.Case(models.When(status="open", then=0), default=1), "-created_at", "-pk"
            )[: limit * 2]
        ),
        reconciliation=list(matter.reconciliation_items.filter(status="open").order_by("field")),
    )


def engine_problems(matter: Matter, today: dt.date) -> list[dict]:
    """What the deadline engine cannot compute for this matter (a missing filing date, …), computed now.

    The engine reports these instead of guessing; they are shown on the matter page so a paralegal sees
    that a deadline is missing, not just that none is listed. An engine failure is shown the same way.
    """
    from deadlines.rules.engine import compute
    from deadlines.services import event_facts, load_closures, matter_facts

    try:
        events = list(matter.events.for_deadlines().order_by("date", "pk"))
        result = compute(matter_facts(matter), event_facts(events), load_closures(), today=today)
    except Exception as exc:  # the page must still show everything else; the failure is itself reported
        logger.exception("deadline engine failed on matter %s", matter.pk)
        return [
            {
                "message": f"The deadline engine failed on this matter ({type(exc).__name__}); "
                "its deadlines may be incomplete. Report this to the docketing team."
            }
        ]
    return result.problems


@login_required
@in_user_timezone
@require_GET
def matter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visible = Matter.objects.visible_to(request.user)
    matter = get_object_or_404(
        visible.select_related("client", "family", "parent", "responsible_attorney", "responsible_paralegal"),
        pk=pk,
    )
    today = user_today(request.user)
    tz = user_tz(request.user)
    tree, family_others = family_tree(matter, visible)
    open_deadlines = list(
        matter.deadlines.exclude(status=Deadline.Status.SUPERSEDED)
        .select_related("responsible")
        .order_by("due_date", "pk")
    )
    for d in open_deadlines:
        d.effective = d.effective_date
        d.days_left = (d.effective - today).days
        d.overdue = d.is_overdue(today)
        d.needs_verification = d.verified_at is None
    return render(
        request,
        "patents/matter_detail.html",
        {
            "matter": matter,
            "today": today,
            "tree": tree,
            "family_others": family_others,
            "priority": _priority_links(matter, visible),
            "deadlines": open_deadlines,
            "timeline": build_timeline(matter, tz, today),
            "sync": sync_panel(matter, request.user),
            "engine_problems": engine_problems(matter, today),
            "kind_colours": {k.value: c for k, c in KIND_COLOURS.items()},
        },
    )


@staff_member_required
@in_user_timezone
@require_GET
def payload_raw(request: HttpRequest, pk: int, payload_pk: int) -> HttpResponse:
    """A raw office payload exactly as received, for staff checking a parse. Only via a visible matter."""
    matter = get_object_or_404(Matter.objects.visible_to(request.user), pk=pk)
    payload = get_object_or_404(OfficePayload.objects.readable_by(request.user).filter(matters=matter), pk=payload_pk)
    body = payload.raw.decode("utf-8", errors="replace")
    return render(request, "patents/matter_raw.html", {"matter": matter, "payload": payload, "body": body})


@login_required
@in_user_timezone
@require_GET
def sync_overview(request: HttpRequest) -> HttpResponse:
    """Recent office sync runs and the open quarantine for the matters this user may see."""
    runs = list(SyncRun.objects.order_by("-started_at", "-pk")[:30])
    # Items tied to no matter hold other clients' data: only a docketing admin sees them (patents.review).
    items = list(
        visible_quarantine(request.user).filter(status="open").select_related("matter")
        .order_by("-created_at", "-pk")[:100]
    )
    return render(request, "patents/sync.html", {"runs": runs, "items": items})
