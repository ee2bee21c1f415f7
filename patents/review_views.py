"""Review pages for what the office sync could not apply by itself: quarantine and reconciliation.

Each view parses input, calls one service (``patents.review`` / ``patents.ingestion``) and redirects; every
decision lands in the history with the user and the note they gave.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from .ingestion import decide_reconciliation
from .models import EventType, Matter, QuarantineItem, ReconciliationItem
from .review import ConfirmationNeeded, accept_item, is_docketing_admin, map_code, reject_item, visible_quarantine


def _visible_quarantine(request: HttpRequest):
    return visible_quarantine(request.user)


@login_required
@require_GET
def quarantine_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "open")
    # The page shows the payload's kind, never its body (compressed answers of up to megabytes each).
    items = _visible_quarantine(request).select_related("matter", "payload", "decided_by").defer("payload__body")
    items = items.filter(status=status) if status != "all" else items
    return render(request, "patents/review/quarantine.html", {
        "items": list(items.order_by("-created_at", "-pk")[:200]),
        "status": status,
        "statuses": [("open", "Open"), *[(s, label) for s, label in QuarantineItem.Status.choices if s != "open"],
                     ("all", "All")],
        "event_types": list(EventType.objects.order_by("office", "code")),
        "docketing_admin": is_docketing_admin(request.user),
    })


def _confirmed(request: HttpRequest) -> tuple[int, int] | None:
    raw = (request.POST.get("confirm_items", ""), request.POST.get("confirm_clients", ""))
    return (int(raw[0]), int(raw[1])) if all(r.isdigit() for r in raw) else None


@login_required
@require_POST
def quarantine_decide(request: HttpRequest, pk: int) -> HttpResponse:
    # Another client's item, or a matter-less one for anyone but a docketing admin: 404, nothing shown.
    item = get_object_or_404(_visible_quarantine(request).select_related("matter"), pk=pk)
    action = request.POST.get("action", "")
    note = request.POST.get("note", "").strip()
    confirmed = _confirmed(request)
    try:
        if action == "map":
            raw = request.POST.get("event_type", "")
            event_type = EventType.objects.filter(pk=raw).first() if raw.isdigit() else None
            if event_type is None:
                raise ValidationError("choose the event type to map the code to")
            outcome = map_code(item=item, event_type=event_type, user=request.user, note=note, confirmed=confirmed)
            scope = "for every client" if outcome["global"] else "for your matters only"
            messages.success(request, f"{item.office_code!r} mapped to {event_type.code} {scope}; replayed "
                                      f"{outcome['items']} item(s), {outcome['events_created']} event(s) recorded.")
        elif action == "accept":
            outcome = accept_item(item=item, user=request.user, note=note, confirmed=confirmed)
            messages.success(request, f"Accepted; {outcome['events_created']} event(s) recorded.")
        elif action == "reject":
            reject_item(item=item, user=request.user, note=note)
            messages.success(request, "Rejected; nothing was recorded.")
        else:
            messages.error(request, "Choose map, accept or reject.")
    except ConfirmationNeeded as exc:
        # A mapping for every client: show what it touches; it is applied when confirmed with these numbers.
        return render(request, "patents/review/quarantine_confirm.html", {
            "item": item, "impact": exc.impact, "action": action, "note": note,
            "changed": confirmed is not None,
        })
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    return redirect("patents:quarantine-review")


def _visible_reconciliation(request: HttpRequest):
    return ReconciliationItem.objects.filter(matter__in=Matter.objects.visible_to(request.user))


@login_required
@require_GET
def reconciliation_list(request: HttpRequest) -> HttpResponse:
    office = request.GET.get("office", "")
    items = _visible_reconciliation(request).filter(status=ReconciliationItem.Status.OPEN)
    if office:
        items = items.filter(matter__office=office)
    return render(request, "patents/review/reconciliation.html", {
        "items": list(items.select_related("matter").order_by("matter__reference", "field")[:500]),
        "office": office,
        "decided": list(_visible_reconciliation(request).exclude(status=ReconciliationItem.Status.OPEN)
                        .select_related("matter", "decided_by").order_by("-decided_at", "-pk")[:20]),
    })


@login_required
@require_POST
def reconciliation_decide(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(_visible_reconciliation(request), pk=pk)
    action = request.POST.get("action", "")
    note = request.POST.get("note", "")
    try:
        if action not in ("accept", "ignore"):
            raise ValidationError("choose accept or ignore")
        decide_reconciliation(item=item, accept=action == "accept", user=request.user, note=note)
        messages.success(request, f"{item.matter.reference}: {item.get_field_display()} "
                                  + ("updated to the office value." if action == "accept" else "ignored."))
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    return redirect("patents:reconciliation-review")
