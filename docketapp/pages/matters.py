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
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from deadlines.charts import KIND_COLOURS
from deadlines.freshness import exact_figure, request_filters, visible_clients_key
from deadlines.models import Deadline, MatterComputation
from deadlines.presentation import history_changes, resolve_changes
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
    paginator = Paginator(matter_filter.qs, 50)
    # The count of every visible matter (20 ms at 100,000): an exact figure, counted again once anything
    # has changed, for everyone who sees the same clients.
    filters = request_filters(request, "page", "sync")
    paginator.count = exact_figure(
        "matter-list-count", (visible_clients_key(request.user), filters), matter_filter.qs.count
    )
    page = paginator.get_page(request.GET.get("page"))
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


def _change_entries(changes: list[dict], title: str, tz: zoneinfo.ZoneInfo, url: str = "") -> list[TimelineEntry]:
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
        for change in changes
    ]


def _histories_in_one_query(querysets: list[QuerySet]) -> list[list]:
    """The rows of several history tables in one UNION ALL query, rebuilt as their history model instances,
    newest first per table.

    Each table's columns sit in a block of their own; the other tables' blocks are typed NULLs (so PostgreSQL
    can match the column types of the union and Django converts every value as its own field would). Used for
    the matter page's small histories (the matter, its office events and priority claims): one query instead
    of three keeps the timeline within the query budget."""
    layouts = [[f for f in qs.model._meta.concrete_fields] for qs in querysets]
    arms = []
    for i, qs in enumerate(querysets):
        columns: list[Any] = [Value(i, output_field=IntegerField())]
        for j, fields in enumerate(layouts):
            columns += [f.attname if j == i else Cast(Value(None), output_field=f) for f in fields]
        arms.append(qs.order_by().values_list(*columns))
    rows = arms[0].union(*arms[1:], all=True) if len(arms) > 1 else arms[0]
    out: list[list] = [[] for _ in querysets]
    offsets = [1 + sum(len(f) for f in layouts[:j]) for j in range(len(layouts))]
    for row in rows:
        i = row[0]
        fields = layouts[i]
        values = row[offsets[i] : offsets[i] + len(fields)]
        out[i].append(querysets[i].model.from_db(querysets[i].db, [f.attname for f in fields], values))
    for records in out:
        records.sort(key=lambda r: (r.history_date, r.history_id), reverse=True)
    return out


def _history_entries(matter: Matter, titles: dict[int, str], tz: zoneinfo.ZoneInfo) -> list[TimelineEntry]:
    """Every recorded change of the matter, its deadlines, office events and priority claims.

    Two history reads and one look-up of every user and event code they name (``resolve_changes``), whatever
    the number of changes: before, each deadline's reassignments cost a query for its users' names and each
    change by a user one for the user (29 queries at 100k after 8 reassignments; issue 18)."""
    matter_records, event_records, claim_records = _histories_in_one_query([
        Matter.history.filter(id=matter.pk),
        OfficeEvent.history.filter(matter_id=matter.pk).exclude(history_type="+"),
        PriorityClaim.history.filter(matter_id=matter.pk),
    ])
    groups: list[tuple[list[dict], str, str]] = [(history_changes(matter_records, resolve=False), "Matter", "")]
    # Per deadline row, newest first, so each record is diffed against its own predecessor.
    deadline_records = list(Deadline.history.filter(matter_id=matter.pk).order_by("id", "-history_date", "-history_id"))
    by_deadline: dict[int, list] = {}
    for record in deadline_records:
        by_deadline.setdefault(record.id, []).append(record)
    for pk, records in by_deadline.items():
        title = titles.get(pk) or records[0].title
        url = reverse("deadlines:deadline-detail", args=[pk]) if pk in titles else ""
        groups.append((history_changes(records, resolve=False), f"Deadline “{title}”", url))
    groups.append((history_changes(event_records, resolve=False), "Office event", ""))
    groups.append((history_changes(claim_records, resolve=False), "Priority claim", ""))
    resolve_changes([change for changes, _, _ in groups for change in changes])
    entries: list[TimelineEntry] = []
    for changes, title, url in groups:
        entries += _change_entries(changes, title, tz, url)
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
    # Read through the matter's one-to-one relation: no query when the matter was loaded with
    # select_related("deadline_computation") (the matter page), one otherwise.
    try:
        row = matter.deadline_computation
    except MatterComputation.DoesNotExist:
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


def _visible_matter(request: HttpRequest, pk: int, *related: str) -> tuple[Matter, Any]:
    visible = Matter.objects.visible_to(request.user)
    return get_object_or_404(visible.select_related(*related), pk=pk), visible


def _preload_permissions(user: Any) -> None:
    """The user's permissions in one query instead of ModelBackend's two (user and group permissions), so the
    page's "may edit / may upload" checks cost one query. Same answer: active users only, superusers have all."""
    from django.contrib.auth.models import Permission

    if not user.is_active or user.is_superuser or hasattr(user, "_perm_cache"):
        return
    rows = (
        Permission.objects.filter(Q(user=user) | Q(group__user=user))
        .values_list("content_type__app_label", "codename").distinct()
    )
    user._perm_cache = {f"{app}.{codename}" for app, codename in rows}


def _fragment(request: HttpRequest, fragment: str, page_title: str, matter: Matter, context: dict) -> HttpResponse:
    """A part of the matter page loaded by htmx after the page; opened without htmx (no JavaScript, a link)
    the same part as a page of its own with a link back to the matter."""
    context = {"matter": matter, **context}
    if getattr(request, "htmx", False):  # django-htmx's middleware: true for a request sent by htmx
        return render(request, fragment, context)
    return render(request, "docketapp/matter_part.html", {**context, "fragment": fragment, "part_title": page_title})


@login_required
@in_user_timezone
@require_GET
def matter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The matter, its deadlines, documents and the engine's report; the family, the office data (sync panel)
    and the timeline come as htmx fragments (``matter_family``, ``matter_sync_panel``, ``matter_timeline``) so
    each request stays within the query budget (tests/dashboard/test_query_budget.py)."""
    matter, _visible = _visible_matter(
        request, pk, "client", "family", "responsible_attorney", "responsible_paralegal", "closed_by",
        "deadline_computation",
    )
    today = user_today(request.user)
    run_ids = [int(v) for v in request.GET.get("sync", "").split(",") if v.strip().isdigit()][:20]
    runs = runs_visible_to(request.user, run_ids) if run_ids else []
    _preload_permissions(request.user)
    return render(
        request,
        "docketapp/matter_detail.html",
        {
            "matter": matter,
            "today": today,
            # Later renewal years are a forecast: listed apart, collapsed (docs/renewals.md).
            **_split_forecast(_current_deadlines(matter, today)),
            "engine": engine_report(matter),
            "documents": list(Document.objects.visible_to(request.user).filter(matter=matter)
                              .defer("reading").order_by("-received_at", "-pk")[:50]),
            "can_upload": request.user.has_perm("patents.add_document"),
            "kind_colours": {k.value: c for k, c in KIND_COLOURS.items()},
            "progress": progress_for(runs),
            "runs_param": [r.pk for r in runs],
        },
    )


@login_required
@in_user_timezone
@require_GET
def matter_family(request: HttpRequest, pk: int) -> HttpResponse:
    """The matter page's family card: priority claims with the matters they name, the parent/child tree and
    the other members of the family (only matters the user may see)."""
    matter, visible = _visible_matter(request, pk, "family", "parent")
    tree, family_others = family_tree(matter, visible)
    return _fragment(request, "docketapp/_matter_family.html", "Family", matter, {
        "tree": tree, "family_others": family_others, "priority": priority_links(matter, visible),
    })


@login_required
@in_user_timezone
@require_GET
def matter_sync_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """The matter page's office data: disagreements to decide, quarantined items, last payloads."""
    matter, _visible = _visible_matter(request, pk)
    return _fragment(request, "patents/_sync_panel.html", "Office data", matter,
                     {"sync": sync_panel(matter, request.user)})


@login_required
@in_user_timezone
@require_GET
def matter_timeline(request: HttpRequest, pk: int) -> HttpResponse:
    """The matter page's timeline: office events, deadlines with their outcome and every recorded change."""
    matter, _visible = _visible_matter(request, pk)
    return _fragment(request, "docketapp/_matter_timeline.html", "Timeline", matter, {
        "timeline": build_timeline(matter, user_tz(request.user), user_today(request.user)),
    })


__all__ = [
    "build_timeline", "deadline_outcome", "engine_report", "matter_detail", "matter_family", "matter_list",
    "matter_sync_panel", "matter_timeline",
]
