"""The client status report: for one client, its open deadlines, the office events of the last 90 days and
the renewals due in the next six months, as a page and as printable HTML (``?print=1``: no navigation, print
CSS). Only clients the user may see: another client is a 404, like one that does not exist."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.views.decorators.http import require_GET

from patents.models import Client, Matter, OfficeEvent
from patents.timezones import in_user_timezone, user_today

from .filters import with_docket_annotations
from .models import NEEDS_ACTION, Deadline, renewal_rule_ids

RECENT_EVENT_DAYS = 90
RENEWAL_MONTHS = 6


def _visible_clients(user):
    return Client.objects.filter(pk__in=Matter.objects.visible_to(user).values("client")).order_by("reference")


def _months_ahead(day: dt.date, months: int) -> dt.date:
    from dateutil.relativedelta import relativedelta

    return day + relativedelta(months=months)


@login_required
@in_user_timezone
@require_GET
def client_list(request: HttpRequest) -> HttpResponse:
    today = user_today(request.user)
    clients = _visible_clients(request.user).annotate(
        open_deadlines=Count(
            "matters__deadlines",
            filter=Q(matters__deadlines__status__in=NEEDS_ACTION),
        ),
        matter_count=Count("matters", distinct=True),
    )
    return render(request, "deadlines/client_list.html", {"clients": clients, "today": today})


@login_required
@in_user_timezone
@require_GET
def client_report(request: HttpRequest, pk: int) -> HttpResponse:
    today = user_today(request.user)
    client = get_object_or_404(_visible_clients(request.user), pk=pk)
    matters = Matter.objects.visible_to(request.user).filter(client=client)
    deadlines = with_docket_annotations(Deadline.objects.filter(matter__in=matters), today).select_related(
        "matter", "responsible", "matter__responsible_paralegal", "matter__responsible_attorney"
    )
    open_deadlines = list(deadlines.filter(status__in=NEEDS_ACTION).order_by("overdue_rank", "effective", "pk"))
    for d in open_deadlines:
        d.days_left = (d.effective - today).days
        d.overdue = d.is_overdue(today)
        d.window_passed = d.is_window_passed(today)
    renewal_end = _months_ahead(today, RENEWAL_MONTHS)
    renewal_rules = renewal_rule_ids()
    renewals = [d for d in open_deadlines if d.rule_id in renewal_rules and d.effective <= renewal_end]
    events = (
        OfficeEvent.objects.filter(matter__in=matters, date__gte=today - dt.timedelta(days=RECENT_EVENT_DAYS))
        .select_related("matter", "event_type")
        .order_by("-date", "-pk")
    )
    printable = request.GET.get("print") == "1"
    return render(
        request,
        "deadlines/client_report_print.html" if printable else "deadlines/client_report.html",
        {
            "client": client,
            "today": today,
            "open_deadlines": open_deadlines,
            "overdue_total": sum(1 for d in open_deadlines if d.overdue),
            "renewals": renewals,
            "renewal_end": renewal_end,
            "events": events,
            "event_days": RECENT_EVENT_DAYS,
            "matter_total": matters.count(),
        },
    )


urlpatterns = [
    path("clients/", client_list, name="client-list"),
    path("clients/<int:pk>/report/", client_report, name="client-report"),
]
