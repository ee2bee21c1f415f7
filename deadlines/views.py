"""Dashboard pages for deadlines. Every query starts from ``visible_to(request.user)``: another client's
deadline is a 404, exactly like one that does not exist."""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from types import SimpleNamespace
from typing import cast

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.db.models import Count, F, Max, Q, Window
from django.db.models.functions import RowNumber
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotModified,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from docketapp import csvsafe
from patents.dates import format_date
from patents.models import Matter, UserProfile
from patents.timezones import in_user_timezone, user_today, user_tz

from . import actions
from .charts import KIND_COLOURS, Chart, chart_from_counts, chart_range
from .explanation import explain, remedies
from .feeds import SCOPES, cached_calendar
from .filters import (
    DEFAULT_WINDOW_DAYS,
    SORTABLE,
    DeadlineFilter,
    RowsInParts,
    apply_default_window,
    docket_ordering,
    order_docket,
    overdue_q,
    window_passed_q,
    with_docket_annotations,
)
from .forms import AsOfForm, ExtensionForm, ManualDeadlineForm, MarkDoneForm, VerifyForm, WaiveForm
from .freshness import exact_figure, nav_figures, request_filters, scope_key, visible_clients_key
from .models import NEEDS_ACTION, Deadline, SavedView
from .presentation import group_by_matter_and_rule, history_changes
from .templatetags.docket_tags import DocketingTeams, responsible_of

PAGE_SIZE = 50
CALENDAR_ITEMS_PER_DAY = 6
RESULTS_TARGET = "docket-results"


def _querystring(request: HttpRequest, *drop: str) -> str:
    params = request.GET.copy()
    for name in drop:
        params.pop(name, None)
    return params.urlencode()


def _docket_queryset(request: HttpRequest, today: dt.date):
    base = with_docket_annotations(Deadline.objects.visible_to(request.user).tasks(), today)
    docket_filter = DeadlineFilter(request.GET, queryset=base, user=request.user)
    qs = docket_filter.qs
    if docket_filter.uses_default_window:
        qs = apply_default_window(qs, today)
    qs, sort_key, descending = order_docket(qs, request.GET.get("sort", "due"))
    qs = qs.select_related(
        "matter", "matter__client", "responsible", "matter__responsible_paralegal", "matter__responsible_attorney"
    )
    return docket_filter, qs, sort_key, descending


def _decorate(rows, today: dt.date) -> None:
    for row in rows:
        row.days_left = (row.effective - today).days
        row.overdue = row.is_overdue(today)
        row.window_passed = row.is_window_passed(today)


WINDOWS_PASSED_LIMIT = 50


def _count_days(qs):
    """Per date in force: every row, the open ones of each kind (the chart) and those needing action, optional
    or not (overdue, windows passed). Grouped by the date alone: grouping by date, kind, status and optional
    sorted the rows by three text columns first, 40 % of the cold docket's count at 92,000 rows."""
    return qs.order_by().values("effective").annotate(
        n=Count("pk"),
        needs_optional=Count("pk", filter=Q(status__in=NEEDS_ACTION, optional=True)),
        needs_required=Count("pk", filter=Q(status__in=NEEDS_ACTION, optional=False)),
        **{
            f"open_{kind.value}": Count("pk", filter=Q(status=Deadline.Status.OPEN, kind=kind))
            for kind in Deadline.Kind
        },
    )


def _add_days(days, stats: dict[str, int], chart_rows: list[dict], today: dt.date, apart: bool) -> None:
    """Dates' counts (``_count_days``) into the figures and the chart's rows."""
    chart_start, chart_end = chart_range(today)
    window_end = today + dt.timedelta(days=DEFAULT_WINDOW_DAYS)
    for day in days:
        when, n = day["effective"], day["n"]
        if chart_start <= when <= chart_end:
            chart_rows.extend(
                {"when": when, "kind": kind.value, "n": day[f"open_{kind.value}"]}
                for kind in Deadline.Kind
                if day[f"open_{kind.value}"]
            )
        if apart and when > window_end:
            continue
        if when < today:
            stats["passed"] += day["needs_optional"]
            stats["overdue"] += day["needs_required"]
            if apart:  # on the default docket the windows passed have their own section, not rows of the list
                n -= day["needs_optional"]
        stats["total"] += n


def _docket_counts(
    request: HttpRequest, docket_filter: DeadlineFilter, today: dt.date
) -> tuple[dict[str, int], Chart]:
    """The list's total (for the paginator), the exact overdue count for the headline, the number of optional
    acts whose window passed, and the weekly chart, from counts per date in force (``_count_days``) over the
    filtered docket, limited to the dates the figures need (the list's window and the chart's 26 weeks): one
    row per calendar day, whatever the portfolio.

    The counts are one exact figure (``freshness.exact_figure``): kept per scope and filters (the people of
    one team share them: ``freshness.scope_key``) and counted again as soon as any deadline, matter, membership
    or client has changed since (the data version), so the overdue count a paralegal relies on is what
    counting now would give, never an estimate or an older count. Counting them on every request was most of
    the page for a team that sees 100,000 matters (150-240 ms for 66,000 overdue rows).

    On the default docket (no date range, no search) the list is overdue + the next 90 days and window-passed
    optional acts have their own section ("confirm not used"), not rows among the open work; a search or a
    date range shows them in the list. The chart follows the same filters (without the 90-day window: it has
    its own 26 weeks) and counts open deadlines only."""
    apart = docket_filter.uses_default_window
    window_end = today + dt.timedelta(days=DEFAULT_WINDOW_DAYS)
    chart_start, chart_end = chart_range(today)
    rows = docket_filter.qs
    if apart:
        rows = rows.filter(
            Q(effective__lte=window_end)
            | Q(effective__gte=chart_start, effective__lte=chart_end, status=Deadline.Status.OPEN)
        )
    filters = request_filters(request, "page", "sort")
    who = scope_key(request.user, docket_filter.scope_in_force, docket_filter.client_ids)
    days = exact_figure("docket-by-day", (who, today, filters), lambda: list(_count_days(rows)))
    stats = {"total": 0, "overdue": 0, "passed": 0}
    chart_rows: list[dict] = []
    _add_days(days, stats, chart_rows, today, apart)
    return stats, chart_from_counts(chart_rows, today)


def _docket_rows(qs, sort: str, stats: dict[str, int], apart: bool, today: dt.date) -> RowsInParts:
    """The docket's list in the order of ``order_docket`` as two parts, the overdue rows and then the others,
    each in the chosen column's order; by date (the default) each part is a range of the index
    ``deadline_action_eff_id`` read in order (on the default docket the others are the next 90 days)."""
    ordering, _key, _descending = docket_ordering(sort)
    overdue = stats["overdue"]
    rest = qs.filter(effective__gte=today) if apart else qs.exclude(overdue_q(today))
    return RowsInParts([
        (qs.filter(overdue_q(today)).order_by(*ordering), overdue),
        (rest.order_by(*ordering), stats["total"] - overdue),
    ])


@login_required
@in_user_timezone
@require_GET
def docket(request: HttpRequest) -> HttpResponse:
    today = user_today(request.user)
    docket_filter, qs, sort_key, descending = _docket_queryset(request, today)
    stats, chart = _docket_counts(request, docket_filter, today)
    passed_q = window_passed_q(today)
    apart = docket_filter.uses_default_window
    if apart:
        qs = qs.exclude(passed_q)
    rows = _docket_rows(qs, request.GET.get("sort", "due"), stats, apart, today)
    # RowsInParts is sliced and counted like a queryset, which is all the Paginator does with it.
    page = Paginator(cast("Sequence[Deadline]", rows), PAGE_SIZE).get_page(request.GET.get("page"))
    _decorate(page.object_list, today)
    # Same filters as the list (scope, client, office …); queried only when there are any.
    windows_passed: list[Deadline] = []
    if apart and stats["passed"]:
        windows_passed = list(
            docket_filter.qs.filter(passed_q)
            .select_related("matter", "matter__client")
            .order_by("effective", "pk")[:WINDOWS_PASSED_LIMIT]
        )
        _decorate(windows_passed, today)
    columns = [
        {
            "key": key,
            "label": label,
            "sort": ("-" if key == sort_key and not descending else "") + key,
            "active": key == sort_key,
            "descending": descending,
        }
        for key, (label, _expr) in SORTABLE.items()
    ]
    context = {
        "filter": docket_filter,
        "page": page,
        "overdue_total": stats["overdue"],
        "windows_passed": windows_passed,
        "windows_passed_total": stats["passed"],
        "today": today,
        "columns": columns,
        "sort_key": sort_key,
        "qs_no_page": _querystring(request, "page"),
        "qs_no_sort": _querystring(request, "page", "sort"),
        "qs_export": _querystring(request, "page"),
        "default_window": docket_filter.uses_default_window,
        "window_end": today + dt.timedelta(days=DEFAULT_WINDOW_DAYS),
        "chart": chart,
        "results_target": RESULTS_TARGET,
        # Whatever the filters, deadlines nobody is responsible for are counted on every docket page.
        "unassigned_total": nav_figures(request, docket_filter.client_ids)["unassigned"],
        "saved_views": SavedView.objects.filter(user=cast(User, request.user)),
    }
    htmx = getattr(request, "htmx", None)  # django_htmx's middleware sets it on every request
    if htmx and htmx.target == RESULTS_TARGET:
        return render(request, "deadlines/_docket_results.html", context)
    return render(request, "deadlines/docket.html", context)


CSV_ROWS_PER_CHUNK = 256  # about 40 KB of a docket export per streamed chunk


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
@in_user_timezone
@require_GET
def docket_csv(request: HttpRequest) -> StreamingHttpResponse:
    today = user_today(request.user)
    _filter, qs, _key, _desc = _docket_queryset(request, today)
    return csv_response(request, qs, today)


# What a CSV row reads, as plain values: building model instances (a deadline, its matter, client and up to
# four users per row) and decoding their timestamps and JSON columns was most of an export's time.
CSV_VALUES = (
    "pk", "due_date", "extended_to", "latest_date", "effective", "matter__reference", "matter__client__reference",
    "office", "matter__application_number", "title", "kind", "status", "responsible_id", "responsible__username",
    "matter__responsible_paralegal__username", "matter__responsible_attorney__username", "matter__client_id",
    "verified_at", "verified_by__username", "citation",
)


class _Person(str):
    """A username standing in for the user in ``responsible_of`` (which asks ``get_username()``)."""

    def get_username(self) -> str:
        return str(self)


def _person(name: str | None) -> _Person | None:
    return None if name is None else _Person(name)


def csv_response(request: HttpRequest, qs, today: dt.date) -> StreamingHttpResponse:
    """The docket's CSV for ``qs`` (the filtered docket, or a selection of it)."""
    # Every cell is escaped by csvsafe: titles, references, names and citations can all come from outside.
    writer = csvsafe.writer(_Echo())
    header = [
        "due_date",
        "extended_to",
        "days_left",
        "latest_date",
        "matter",
        "client",
        "office",
        "application_number",
        "deadline",
        "kind",
        "status",
        "responsible",
        "verified",
        "verified_by",
        "citation",
        "url",
    ]

    teams = DocketingTeams(request.user)
    # One reverse() for the whole export: the row's id goes into the same URL (reverse per row cost ~10%).
    marker = 987654321987
    url_pattern = request.build_absolute_uri(reverse("deadlines:deadline-detail", args=[marker]))

    kinds, statuses = dict(Deadline.Kind.choices), dict(Deadline.Status.choices)  # get_*_display, once

    def rows():
        yield writer.writerow(header)
        # Rows go out CSV_ROWS_PER_CHUNK at a time: a chunk per row cost the response's encoding and the
        # server's write once per row (a seventh of a 54,000-row export).
        chunk: list[str] = []
        for (
            pk, due_date, extended_to, latest_date, effective, reference, client_reference, office, application,
            title, kind, status, responsible_id, responsible, paralegal, attorney, client_id, verified_at,
            verified_by, citation,
        ) in qs.values_list(*CSV_VALUES).iterator(chunk_size=500):
            if len(chunk) >= CSV_ROWS_PER_CHUNK:
                yield "".join(chunk)
                chunk = []
            # The same rule as the docket's Responsible column (docket_tags.responsible_of), on the values.
            matter = SimpleNamespace(
                responsible_paralegal=_person(paralegal), responsible_attorney=_person(attorney), client_id=client_id
            )
            row = SimpleNamespace(responsible_id=responsible_id, responsible=_person(responsible), matter=matter)
            chunk.append(writer.writerow(
                [
                    due_date.isoformat(),
                    extended_to.isoformat() if extended_to else "",
                    (effective - today).days,
                    latest_date.isoformat() if latest_date else "",
                    reference,
                    client_reference,
                    office,
                    application,
                    title,
                    kinds.get(kind, kind),
                    statuses.get(status, status),
                    _responsible_text(row, teams),
                    "yes" if verified_at is not None else "NO",
                    verified_by or "",
                    citation,
                    url_pattern.replace(str(marker), str(pk)),
                ]
            ))
        if chunk:
            yield "".join(chunk)

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="docket-{today.isoformat()}.csv"'
    return response


def _responsible_text(deadline, teams: DocketingTeams | None = None) -> str:
    name, inherited = responsible_of(deadline, teams)
    return f"{name} (matter)" if inherited else name


def _visible_deadline(request: HttpRequest, pk: int) -> Deadline:
    return get_object_or_404(
        Deadline.objects.visible_to(request.user).select_related(
            "matter",
            "matter__client",
            "responsible",
            "matter__responsible_paralegal",
            "matter__responsible_attorney",
            "last_changed_by",
            "verified_by",
            "trigger_event",
            "trigger_event__event_type",
        ),
        pk=pk,
    )


def _trigger_label(deadline: Deadline) -> dict[str, str]:
    event = deadline.trigger_event
    if event is None or not event.event_type.label:
        return {}
    return {event.event_type.code: event.event_type.label}


def _deadline_context(request: HttpRequest, deadline: Deadline, **forms) -> dict:
    today = user_today(request.user)
    is_open = deadline.status == Deadline.Status.OPEN
    records = list(deadline.history.select_related("history_user").order_by("-history_date", "-history_id"))
    effective = deadline.effective_date
    options = _extension_options(deadline)
    context = {
        "deadline": deadline,
        "matter": deadline.matter,
        "today": today,
        "days_left": (effective - today).days,
        "overdue": deadline.is_overdue(today),
        "window_passed": deadline.is_window_passed(today),
        "explanation": explain(deadline.explanation, event_labels=_trigger_label(deadline)),
        "remedies": remedies(deadline.remedies),
        "history": history_changes(records),
        "is_open": is_open,
        "extension_options": options,
        # Who created it and its newest version come from the history rows already read for the page.
        "verify_refusal": actions.verification_refusal(
            deadline, request.user, creator=records[-1].history_user_id if records else None
        ),
        "needs_verification": deadline.needs_verification,
        "other_versions": Deadline.objects.filter(matter=deadline.matter, key=deadline.key)
        .exclude(pk=deadline.pk)
        .order_by("-created_at"),
    }
    if is_open:
        context["done_form"] = forms.get("done_form") or MarkDoneForm(initial={"done_on": today})
        context["waive_form"] = forms.get("waive_form") or WaiveForm()
        if options:
            context["extension_form"] = forms.get("extension_form") or ExtensionForm(options=options)
    version = max((r.history_id for r in records), default=0)  # actions.current_version, without a query
    context["verify_form"] = forms.get("verify_form") or VerifyForm(initial={"seen": version})
    context["action_error"] = forms.get("action_error")
    return context


@login_required
@in_user_timezone
@require_GET
def deadline_detail(request: HttpRequest, pk: int) -> HttpResponse:
    deadline = _visible_deadline(request, pk)
    return render(request, "deadlines/deadline_detail.html", _deadline_context(request, deadline))


def _back(request: HttpRequest, deadline: Deadline) -> HttpResponseRedirect:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return redirect(deadline)


def _refused(request: HttpRequest, deadline: Deadline, form_name: str, form, error: str | None = None):
    context = _deadline_context(request, deadline, **{form_name: form, "action_error": error})
    return render(request, "deadlines/deadline_detail.html", context, status=400)


def _apply_form(request: HttpRequest, deadline: Deadline, form_name: str, form, act, success) -> HttpResponse:
    """The shared path of the detail page's action forms: a bad form or a refused action re-renders the page
    with the error (400); otherwise the success message and back to where the user came from.
    ``act(cleaned_data)`` performs the action; ``success`` is the message, or a function of the cleaned data."""
    if not form.is_valid():
        return _refused(request, deadline, form_name, form)
    try:
        act(form.cleaned_data)
    except actions.ActionRefused as exc:
        return _refused(request, deadline, form_name, form, " ".join(exc.messages))
    messages.success(request, success(form.cleaned_data) if callable(success) else success)
    return _back(request, deadline)


def _extension_options(deadline: Deadline) -> list[dict]:
    # Only an option later than the date already in force is an extension.
    return [o for o in actions.extension_options(deadline) if o["until"] > deadline.effective_date]


@login_required
@in_user_timezone
@require_POST
def deadline_mark_done(request: HttpRequest, pk: int) -> HttpResponse:
    deadline = _visible_deadline(request, pk)
    return _apply_form(
        request,
        deadline,
        "done_form",
        MarkDoneForm(request.POST),
        lambda data: actions.mark_done(
            deadline=deadline, user=request.user, done_on=data["done_on"], evidence=data["evidence"]
        ),
        "Marked done. It now waits for a second person to verify it.",
    )


@login_required
@in_user_timezone
@require_POST
def deadline_extend(request: HttpRequest, pk: int) -> HttpResponse:
    deadline = _visible_deadline(request, pk)
    return _apply_form(
        request,
        deadline,
        "extension_form",
        ExtensionForm(request.POST, options=_extension_options(deadline)),
        lambda data: actions.record_extension(
            deadline=deadline, user=request.user, until=data["until"], reason=data["reason"]
        ),
        lambda data: (
            f"Extension recorded: now due {format_date(data['until'])}. It waits for a second person to verify it."
        ),
    )


@login_required
@in_user_timezone
@require_POST
def deadline_waive(request: HttpRequest, pk: int) -> HttpResponse:
    deadline = _visible_deadline(request, pk)
    return _apply_form(
        request,
        deadline,
        "waive_form",
        WaiveForm(request.POST),
        lambda data: actions.waive(deadline=deadline, user=request.user, reason=data["reason"]),
        "Waived. It waits for a second person to verify it.",
    )


@login_required
@in_user_timezone
@require_POST
def deadline_not_used(request: HttpRequest, pk: int) -> HttpResponse:
    deadline = _visible_deadline(request, pk)
    try:
        actions.confirm_not_used(deadline=deadline, user=request.user)
    except actions.ActionRefused as exc:
        messages.error(request, f"{deadline.matter.reference} – {deadline.title}: {' '.join(exc.messages)}")
        return _back(request, deadline)
    messages.success(
        request,
        f"Closed as not used: {deadline.matter.reference} – {deadline.title}. It waits for a second person to "
        "verify it.",
    )
    return _back(request, deadline)


@login_required
@in_user_timezone
@require_POST
def deadline_verify(request: HttpRequest, pk: int) -> HttpResponse:
    deadline = _visible_deadline(request, pk)
    form = VerifyForm(request.POST)
    seen = form.cleaned_data["seen"] if form.is_valid() else None
    try:
        actions.verify_deadline(deadline=deadline, user=request.user, seen_version=seen)
    except actions.ActionRefused as exc:
        if request.POST.get("next"):
            messages.error(request, f"{deadline.matter.reference} – {deadline.title}: {' '.join(exc.messages)}")
            return _back(request, deadline)
        return _refused(request, deadline, "verify_form", form, " ".join(exc.messages))
    messages.success(request, f"Verified: {deadline.matter.reference} – {deadline.title}.")
    return _back(request, deadline)


def _team_users(user):
    users = get_user_model().objects.filter(is_active=True).order_by("username")
    if user.is_superuser:
        return users
    return users.filter(memberships__client__memberships__user=user).distinct()


@login_required
@in_user_timezone
def deadline_add(request: HttpRequest, matter_pk: int) -> HttpResponse:
    matter = get_object_or_404(Matter.objects.visible_to(request.user).select_related("client"), pk=matter_pk)
    users = _team_users(request.user)
    form = ManualDeadlineForm(request.POST or None, users=users)
    error = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            deadline = actions.add_manual_deadline(
                matter=matter,
                user=request.user,
                title=data["title"],
                kind=data["kind"],
                due_date=data["due_date"],
                reason=data["reason"],
                responsible=data["responsible"],
                citation=data["citation"],
            )
        except actions.ActionRefused as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, "Deadline added. It waits for a second person to verify it.")
            return redirect(deadline)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "deadlines/deadline_add.html",
        {"matter": matter, "form": form, "error": error},
        status=status,
    )


def _overdue_first_by_date(request: HttpRequest, qs, today: dt.date, name: str, who: str) -> RowsInParts:
    """All of ``qs`` in the order ``overdue_rank, effective, pk`` as three parts an index reads in order:
    the overdue rows, the other rows before today (closed but unverified, optional acts past their date),
    then everything from today on (never overdue). The three counts are one exact figure, as the docket's
    (``_docket_counts``), kept under ``who`` (what the rows depend on besides the filters)."""
    before = Q(effective__lt=today)
    filters = request_filters(request, "page")
    counts = exact_figure(name, (who, today, filters), lambda: qs.order_by().aggregate(
        overdue=Count("pk", filter=overdue_q(today)), past=Count("pk", filter=before),
        later=Count("pk", filter=~before),
    ))
    by_date = ("effective", "pk")
    return RowsInParts([
        (qs.filter(overdue_q(today)).order_by(*by_date), counts["overdue"]),
        (qs.filter(before).exclude(overdue_q(today)).order_by(*by_date), counts["past"] - counts["overdue"]),
        (qs.exclude(before).order_by(*by_date), counts["later"]),
    ])


@login_required
@in_user_timezone
@require_GET
def verification_queue(request: HttpRequest) -> HttpResponse:
    today = user_today(request.user)
    qs = with_docket_annotations(Deadline.objects.visible_to(request.user).tasks().unverified(), today).select_related(
        "matter", "matter__client", "responsible", "last_changed_by"
    )
    only_mine = request.GET.get("can_verify") == "1"
    if only_mine:
        # What this user may verify: not last changed by them, not created by them.
        created_by_me = Deadline.history.filter(history_type="+", history_user=request.user).values("id")
        qs = qs.exclude(last_changed_by=request.user).exclude(pk__in=created_by_me)
    # The queue is everything unverified the user may see: users who see the same clients share its count;
    # "what I may verify" depends on the user.
    who = f"user:{request.user.pk}" if only_mine else f"clients:{visible_clients_key(request.user)}"
    rows = _overdue_first_by_date(request, qs, today, "verification-queue", who)
    page = Paginator(cast("Sequence[Deadline]", rows), PAGE_SIZE).get_page(request.GET.get("page"))
    _decorate(page.object_list, today)
    ids = [d.pk for d in page.object_list]
    # The version each row is verified against and who created it, in one query over the page's rows.
    history = (
        Deadline.history.filter(id__in=ids)
        .order_by()
        .values("id")
        .annotate(v=Max("history_id"), creator=Max("history_user_id", filter=Q(history_type="+")))
    )
    versions = {h["id"]: (h["v"], h["creator"]) for h in history}
    for d in page.object_list:
        d.version, creator = versions.get(d.pk, (0, None))
        d.created_by_me = creator == request.user.pk
        d.changed_by_me = d.last_changed_by_id == request.user.pk
        d.can_verify = not (d.created_by_me or d.changed_by_me)
    return render(
        request,
        "deadlines/verification_queue.html",
        {"page": page, "today": today, "only_mine": only_mine, "groups": group_by_matter_and_rule(page.object_list)},
    )


def _day_query(request: HttpRequest, day: dt.date) -> str:
    params = request.GET.copy()
    for name in ("month", "page", "due_from", "due_to"):
        params.pop(name, None)
    params["due_from"] = params["due_to"] = day.isoformat()
    return params.urlencode()


@login_required
@in_user_timezone
@require_GET
def calendar_month(request: HttpRequest) -> HttpResponse:
    today = user_today(request.user)
    try:
        year, month = (int(p) for p in request.GET.get("month", "").split("-"))
        first = dt.date(year, month, 1)
        if not dt.MINYEAR < year < dt.MAXYEAR:
            # The grid's edge weeks and the previous/next links would run off the date range (a 500).
            raise ValueError(year)
    except ValueError:
        first = today.replace(day=1)
    weeks = pycalendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    start, end = weeks[0][0], weeks[-1][-1]
    base = with_docket_annotations(Deadline.objects.visible_to(request.user), today)
    cal_filter = DeadlineFilter(request.GET, queryset=base, user=request.user)
    # A crowded day shows its first few and a link to the full list, instead of a cell no one can read;
    # overdue items sort first so they are never the hidden ones. Only those few rows per day are read: the
    # database numbers each day's rows and counts them (6 weeks of a large docket are ~19,000 rows).
    shown = (
        cal_filter.qs.exclude(status=Deadline.Status.SUPERSEDED)
        .filter(effective__gte=start, effective__lte=end)
        .annotate(
            day_rank=Window(
                RowNumber(), partition_by=[F("effective")], order_by=[F("overdue_rank"), F("kind"), F("pk")]
            ),
            day_total=Window(Count("pk"), partition_by=[F("effective")]),
        )
        .filter(day_rank__lte=CALENDAR_ITEMS_PER_DAY)
        .order_by()
        .values_list("pk", "day_total")
    )
    day_totals: dict[dt.date, int] = {}
    # Read again only once the data has changed (an exact figure, as the docket's counts): numbering six weeks
    # of a team's docket was most of the page (200 ms at 100,000 matters); the rows themselves are read fresh.
    who = scope_key(request.user, cal_filter.scope_in_force, cal_filter.client_ids)
    filters = request_filters(request, "month")
    totals_by_pk = exact_figure("calendar-shown", (who, today, start, end, filters), lambda: dict(shown))
    rows = Deadline.objects.filter(pk__in=list(totals_by_pk)).select_related("matter", "matter__client")
    by_day: dict[dt.date, list[Deadline]] = defaultdict(list)
    for d in rows:
        d.effective = d.effective_date
        d.overdue = d.is_overdue(today)
        d.window_passed = d.is_window_passed(today)
        by_day[d.effective].append(d)
        day_totals[d.effective] = totals_by_pk[d.pk]
    for items in by_day.values():
        items.sort(key=lambda d: (not d.is_overdue(today), d.kind, d.pk))
    grid = [
        [
            {
                "date": day,
                "in_month": day.month == first.month,
                "today": day == today,
                "weekend": day.weekday() >= 5,
                "items": by_day.get(day, []),
                "more": max(0, day_totals.get(day, 0) - CALENDAR_ITEMS_PER_DAY),
                "day_query": _day_query(request, day),
            }
            for day in week
        ]
        for week in weeks
    ]
    nav_figures(request, cal_filter.client_ids)  # the badge, keyed by the clients the filter already read
    prev_month = (first - dt.timedelta(days=1)).replace(day=1)
    next_month = (first + dt.timedelta(days=32)).replace(day=1)
    return render(
        request,
        "deadlines/calendar.html",
        {
            "filter": cal_filter,
            "grid": grid,
            "first": first,
            "prev_month": prev_month,
            "next_month": next_month,
            "today": today,
            "qs_no_month": _querystring(request, "month"),
            "kind_colours": {k.value: c for k, c in KIND_COLOURS.items()},
            "total": sum(day_totals.values()),
        },
    )


@login_required
@in_user_timezone
def feed_settings(request: HttpRequest) -> HttpResponse:
    urls = []
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            actions.revoke_ics_token(user=request.user)
            messages.success(request, "Calendar feed switched off: the old address no longer works.")
            return redirect("deadlines:feed-settings")
        token = actions.regenerate_ics_token(user=request.user)
        # Only the token's hash is stored: this response is the one time the address can be shown, so it is
        # rendered here rather than after a redirect (and never cached: it is a credential).
        base = request.build_absolute_uri(reverse("deadlines:ics-feed", args=[token]))
        urls = [
            ("mine", "My deadlines", base),
            ("team", "My teams' deadlines", f"{base}?scope=team"),
            ("all", "Everything I may see", f"{base}?scope=all"),
        ]
    # login_required: the user is a stored User here, never the anonymous one.
    profile = UserProfile.objects.filter(user=cast(User, request.user)).first()
    response = render(
        request,
        "deadlines/feed_settings.html",
        {"profile": profile, "feed_on": bool(profile and profile.has_feed), "feed_urls": urls},
    )
    add_never_cache_headers(response)
    return response


@require_GET
def ics_feed(request: HttpRequest, token: str) -> HttpResponse:
    # No session here: calendar programs poll this URL. The unguessable token is the credential; the
    # database holds only its hash, so a copy of the database or of its history reveals no feed address.
    if len(token) < 20:
        raise Http404
    profile = (
        UserProfile.objects.select_related("user").filter(ics_token_hash=UserProfile.hash_token(token)).first()
    )
    if profile is None or not profile.user.is_active:
        raise Http404
    user = profile.user
    scope = request.GET.get("scope", "mine")
    if scope not in SCOPES:
        scope = "mine"
    body, etag = cached_calendar(user, user_today(user), scope)
    quoted = f'"{etag}"'
    response: HttpResponse
    if quoted in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'inline; filename="docket.ics"'
    response["ETag"] = quoted
    response["Cache-Control"] = "private, max-age=300"
    return response


@login_required
@in_user_timezone
@require_GET
def docket_as_of(request: HttpRequest) -> HttpResponse:
    form = AsOfForm(request.GET or None)
    context: dict = {"form": form}
    if form.is_valid():
        day = form.cleaned_data["at"]
        tz = user_tz(request.user)
        # The end of that day where the user sits: "as of 3 March" includes everything done on 3 March.
        moment = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        visible = Matter.objects.visible_to(request.user).values("pk")
        qs = (
            Deadline.history.filter(history_date__lt=moment, matter_id__in=visible)
            .latest_of_each()
            .exclude(history_type="-")
            .exclude(status=Deadline.Status.SUPERSEDED)
            .select_related("matter", "matter__client", "responsible")
            .order_by("due_date", "id")
        )
        if request.GET.get("open_only", "1") == "1":
            qs = qs.filter(status=Deadline.Status.OPEN)
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        now_rows = Deadline.objects.in_bulk([r.id for r in page.object_list])
        for record in page.object_list:
            current = now_rows.get(record.id)
            record.effective = record.extended_to or record.due_date
            record.overdue_then = (
                record.status == Deadline.Status.OPEN and record.effective < day and not record.optional
            )
            record.now = current
            record.changed_since = current is None or (
                current.due_date,
                current.extended_to,
                current.status,
                current.verified_at,
            ) != (record.due_date, record.extended_to, record.status, record.verified_at)
        context.update(
            {
                "searched": True,
                "page": page,
                "day": day,
                "moment": moment,
                "open_only": request.GET.get("open_only", "1") == "1",
                "qs_no_page": _querystring(request, "page"),
            }
        )
    return render(request, "deadlines/as_of.html", context)
