"""The matter list and the matter page: a matter's office data (patents) with its deadlines (deadlines).

Every lookup goes through ``Matter.objects.visible_to(request.user)`` (404 otherwise).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from deadlines.charts import KIND_COLOURS
from deadlines.models import Deadline, MatterComputation
from deadlines.presentation import history_changes
from patents.dates import format_date
from patents.filters import MatterFilter
from patents.models import Document, Matter, OfficeEvent, PriorityClaim
from patents.sync_now import runs_visible_to
from patents.timezones import in_user_timezone, user_today, user_tz
from patents.views import family_tree, priority_links, sync_panel

from .sync_progress import progress_for


@login_required
@in_user_timezone
@require_GET
def matter_list(request: HttpRequest) -> HttpResponse:
    # Open deadlines counted per row shown (a subquery PostgreSQL evaluates after the page is cut): as a
    # join grouped over every visible matter's deadlines it took 27 s at 100k matters under load.
    open_deadlines = (
        Deadline.objects.filter(matter=OuterRef("pk"), status=Deadline.Status.OPEN)
        .order_by()
        .values("matter")
        .annotate(n=Count("pk"))
        .values("n")
    )
    qs = (
        Matter.objects.visible_to(request.user)
        .select_related("client", "responsible_paralegal")
        .annotate(open_deadlines=Coalesce(Subquery(open_deadlines), 0))
        .order_by("reference")
    )
    matter_filter = MatterFilter(request.GET, queryset=qs, user=request.user)
    page = Paginator(matter_filter.qs, 50).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("sync", None)
    run_ids = [int(v) for v in request.GET.get("sync", "").split(",") if v.strip().isdigit()][:20]
    runs = runs_visible_to(request.user, run_ids) if run_ids else []
    return render(
        request,
        "docketapp/matter_list.html",
        {"filter": matter_filter, "page": page, "qs_no_page": params.urlencode(),
         "progress": progress_for(runs), "runs_param": [r.pk for r in runs]},
    )


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


def deadline_outcome(deadline: Deadline, today: dt.date) -> str:
    """What became of a deadline, in the words the timeline shows."""
    if deadline.status == Deadline.Status.DONE:
        return f"Done on {format_date(deadline.done_on)}" if deadline.done_on else "Done"
    if deadline.status == Deadline.Status.WAIVED:
        return f"Waived: {deadline.waived_reason}"
    if deadline.status == Deadline.Status.LET_LAPSE:
        return deadline.closed_reason or deadline.get_status_display()
    if deadline.status == Deadline.Status.SUPERSEDED:
        return "Superseded (replaced by a later computation or answered)"
    if deadline.is_overdue(today):
        return f"OVERDUE by {(today - deadline.effective_date).days} days"
    if deadline.is_window_passed(today):
        return "Optional: window passed — confirm not used, or record it done"
    return deadline.get_status_display()


def _event_entries(matter: Matter) -> list[TimelineEntry]:
    return [
        TimelineEntry(
            date=event.date,
            moment=None,
            kind="event",
            title=event.event_type.label or event.event_type.code,
            detail=f"{event.office_code.strip()}: {event.office_text}" if event.office_text else event.office_code,
            who=event.get_source_display(),
        )
        for event in matter.events.select_related("event_type").order_by("date", "pk")
    ]


def _deadline_entries(deadlines: list[Deadline], today: dt.date) -> list[TimelineEntry]:
    return [
        TimelineEntry(
            date=d.effective_date,
            moment=None,
            kind="deadline",
            title=d.title,
            detail=deadline_outcome(d, today),
            url=d.get_absolute_url(),
            status=d.status,
            deadline=d,
        )
        for d in deadlines
    ]


def _change_entries(records: list, title: str, tz: zoneinfo.ZoneInfo, url: str = "") -> list[TimelineEntry]:
    return [
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
        for change in history_changes(records)
    ]


def _history_entries(matter: Matter, titles: dict[int, str], tz: zoneinfo.ZoneInfo) -> list[TimelineEntry]:
    """Every recorded change of the matter, its deadlines, office events and priority claims."""
    entries = _change_entries(list(matter.history.order_by("-history_date", "-history_id")), "Matter", tz)
    # Per deadline row, newest first, so each record is diffed against its own predecessor.
    deadline_records = list(Deadline.history.filter(matter_id=matter.pk).order_by("id", "-history_date", "-history_id"))
    by_deadline: dict[int, list] = {}
    for record in deadline_records:
        by_deadline.setdefault(record.id, []).append(record)
    for pk, records in by_deadline.items():
        title = titles.get(pk) or records[0].title
        url = reverse("deadlines:deadline-detail", args=[pk]) if pk in titles else ""
        entries += _change_entries(records, f"Deadline “{title}”", tz, url)
    event_records = list(
        OfficeEvent.history.filter(matter_id=matter.pk)
        .exclude(history_type="+")
        .order_by("-history_date", "-history_id")
    )
    entries += _change_entries(event_records, "Office event", tz)
    claim_records = list(PriorityClaim.history.filter(matter_id=matter.pk).order_by("-history_date", "-history_id"))
    entries += _change_entries(claim_records, "Priority claim", tz)
    return entries


def build_timeline(matter: Matter, tz: zoneinfo.ZoneInfo, today: dt.date) -> list[TimelineEntry]:
    """Office events, deadlines with their outcome, and every recorded change, newest first."""
    deadlines = list(matter.deadlines.select_related("responsible", "verified_by").order_by("due_date", "pk"))
    entries = _event_entries(matter) + _deadline_entries(deadlines, today)
    entries += _history_entries(matter, {d.pk: d.title for d in deadlines}, tz)
    far_past = dt.datetime.min.replace(tzinfo=dt.UTC)
    entries.sort(key=lambda e: (e.date, e.moment or far_past, e.kind), reverse=True)
    return entries


@dataclass
class EngineReport:
    """What the last recompute of the matter's deadlines stored: when, and what it could not compute.

    The page reads this instead of running the rules engine on every view. ``pending_since``: a recompute was
    requested (an office event changed) and has not finished, so the deadlines may not reflect that event yet.
    """

    computed_at: dt.datetime | None = None
    problems: list[dict] = field(default_factory=list)
    pending_since: dt.datetime | None = None

    @property
    def never_computed(self) -> bool:
        return self.computed_at is None


def engine_report(matter: Matter) -> EngineReport:
    row = MatterComputation.objects.filter(matter=matter).first()
    if row is None:
        return EngineReport()
    return EngineReport(
        computed_at=row.computed_at, problems=list(row.problems or []), pending_since=row.recompute_requested_at
    )


def _current_deadlines(matter: Matter, today: dt.date) -> list[Deadline]:
    rows = list(
        matter.deadlines.exclude(status=Deadline.Status.SUPERSEDED)
        .with_forecast_flag()
        .select_related("responsible")
        .order_by("due_date", "pk")
    )
    for d in rows:
        d.effective = d.effective_date
        d.days_left = (d.effective_date - today).days
        d.overdue = d.is_overdue(today)
        d.window_passed = d.is_window_passed(today)
    return rows


def _split_forecast(rows: list[Deadline]) -> dict[str, list[Deadline]]:
    return {
        "deadlines": [d for d in rows if not getattr(d, "is_forecast", False)],
        "forecast": [d for d in rows if getattr(d, "is_forecast", False)],
    }


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
    tree, family_others = family_tree(matter, visible)
    run_ids = [int(v) for v in request.GET.get("sync", "").split(",") if v.strip().isdigit()][:20]
    runs = runs_visible_to(request.user, run_ids) if run_ids else []
    return render(
        request,
        "docketapp/matter_detail.html",
        {
            "matter": matter,
            "today": today,
            "tree": tree,
            "family_others": family_others,
            "priority": priority_links(matter, visible),
            # Later renewal years are a forecast: listed apart, collapsed (docs/renewals.md).
            **_split_forecast(_current_deadlines(matter, today)),
            "timeline": build_timeline(matter, user_tz(request.user), today),
            "sync": sync_panel(matter, request.user),
            "engine": engine_report(matter),
            "documents": list(Document.objects.visible_to(request.user).filter(matter=matter)
                              .defer("reading").order_by("-received_at", "-pk")[:50]),
            "can_upload": request.user.has_perm("patents.add_document"),
            "kind_colours": {k.value: c for k, c in KIND_COLOURS.items()},
            "progress": progress_for(runs),
            "runs_param": [r.pk for r in runs],
        },
    )


__all__ = ["build_timeline", "deadline_outcome", "engine_report", "matter_detail", "matter_list"]
