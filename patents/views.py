"""patents' own pages and the matter-page parts that need only patents data (family tree, priority links,
sync panel). The matter page itself shows deadlines too: it lives in the site layer (docketapp.pages).
Every lookup goes through ``Matter.objects.visible_to(request.user)`` (404 otherwise)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.db import models
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from .models import Matter, OfficePayload, PriorityClaim, SyncRun
from .numbers import InvalidNumber, normalize_application_number
from .review import visible_quarantine
from .timezones import in_user_timezone


@dataclass
class TreeNode:
    matter: Matter
    relation: str = ""
    children: list[TreeNode] = field(default_factory=list)


def family_tree(matter: Matter, visible: models.QuerySet[Matter]) -> tuple[TreeNode, list[Matter]]:
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
            nodes[child.parent_id or root.pk].children.append(node)  # never None: filtered on parent_id
            nodes[child.pk] = node
            frontier.append(child.pk)
    others: list[Matter] = []
    if matter.family_id:
        others = list(visible.filter(family_id=matter.family_id).exclude(pk__in=nodes).order_by("reference"))
    return nodes[root.pk], others


def priority_links(matter: Matter, visible: models.QuerySet[Matter]) -> list[dict]:
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
