"""The renewals page: every renewal fee, annuity and maintenance fee of the portfolio in a month range, with
the official fee, the surcharge if paid in grace, the grace end and the client's instruction (docs/renewals.md).

Scoped like every page: ``visible_to(request.user)``. Bounded: one page of rows with their matter, client
and instruction (one query), the fee tables (two queries), the count; whatever the size of the portfolio.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from docketapp import csvsafe
from docketapp.widgets import FastSelect
from patents.models import Client, Matter
from patents.offices import OFFICES_BY_CODE
from patents.timezones import in_user_timezone, user_today

from .actions import ActionRefused
from .fees import FeeBook, FeeQuote, fee_for
from .freshness import exact_figure, request_filters, visible_clients_key
from .instructions import record_instruction
from .models import NEEDS_ACTION, Deadline, RenewalInstruction, renewal_offices

PAGE_SIZE = 50  # as the docket: a row with its instruction form is ~2 ms of template rendering
DEFAULT_MONTHS = 6
MAX_MONTHS = 60
SHOWN_STATUSES = (*NEEDS_ACTION, Deadline.Status.LET_LAPSE)
# A text box, not <input type="month">: what a user types does not depend on the browser's locale.
MONTH_INPUT = {"placeholder": "YYYY-MM", "size": 8, "inputmode": "numeric"}


def _month(value: str) -> dt.date:
    year, _, month = value.strip().partition("-")
    try:
        return dt.date(int(year), int(month), 1)
    except ValueError as exc:
        raise forms.ValidationError("Write a month as YYYY-MM, e.g. 2027-03.") from exc


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


class RenewalFilterForm(forms.Form):
    client = forms.ModelChoiceField(
        queryset=Client.objects.none(), required=False, empty_label="All clients", widget=FastSelect
    )
    office = forms.ChoiceField(required=False, widget=FastSelect)
    start = forms.CharField(required=False, label="From month", widget=forms.TextInput(attrs=MONTH_INPUT))
    end = forms.CharField(required=False, label="To month", widget=forms.TextInput(attrs=MONTH_INPUT))
    show = forms.ChoiceField(
        required=False,
        widget=FastSelect,
        choices=[("", "Next year of each right (tasks) and later years (forecast)"), ("tasks", "Tasks only")],
    )

    def __init__(self, *args, user, today: dt.date, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        # The clients with a matter the user may see, as one EXISTS per client (a handful of clients, each an
        # index probe); a DISTINCT over every visible matter read them all (23 ms at 20,000 matters).
        visible = Matter.objects.visible_to(user)
        clients = Client.objects.filter(Exists(visible.filter(client=OuterRef("pk")))).order_by("reference")
        cast(forms.ModelChoiceField, self.fields["client"]).queryset = clients
        # The offices that charge renewals (the rules with a yearly series), not every service we talk to:
        # Lens is a search service and holds no rights.
        offices = [(code, f"{code} – {OFFICES_BY_CODE[code].name}" if code in OFFICES_BY_CODE else code)
                   for code in renewal_offices()]
        cast(forms.ChoiceField, self.fields["office"]).choices = [("", "All offices"), *offices]

    def clean_start(self) -> dt.date:
        value = self.cleaned_data.get("start") or ""
        return _month(value) if value else self.today.replace(day=1)

    def clean_end(self) -> str:
        return self.cleaned_data.get("end") or ""

    def clean(self):
        data = super().clean()
        start = data.get("start")
        if start is None:
            return data
        end_text = data.get("end") or ""
        end = _month(end_text) if end_text else _add_months(start, DEFAULT_MONTHS - 1)
        if end < start:
            raise forms.ValidationError("The last month is before the first.")
        if _add_months(start, MAX_MONTHS) <= end:
            raise forms.ValidationError(f"Choose at most {MAX_MONTHS} months.")
        data["end"] = end
        data["until"] = _add_months(end, 1) - dt.timedelta(days=1)
        return data


def renewal_queryset(user, data: dict, today: dt.date):
    """The renewals in the month range (plus those past due whose grace is still running, when the range
    starts this month or earlier), scoped to what ``user`` may see, next due first."""
    start, until = data["start"], data["until"]
    in_range = Q(due_date__gte=start, due_date__lte=until)
    if start <= today:
        in_range |= Q(due_date__lt=start, latest_date__gte=today, status__in=NEEDS_ACTION)
    qs = (
        Deadline.objects.visible_to(user)
        .renewals()
        .filter(status__in=SHOWN_STATUSES)
        .filter(in_range)
        .with_forecast_flag()
    )
    if data.get("client"):
        qs = qs.filter(matter__client=data["client"])
    if data.get("office"):
        qs = qs.filter(office=data["office"])
    if data.get("show") == "tasks":
        qs = qs.filter(is_forecast=False)
    return qs.select_related("matter", "matter__client", "instruction", "instruction__decided_by").order_by(
        "due_date", "matter__reference", "pk"
    )


@dataclass
class RenewalRow:
    deadline: Deadline
    fee: FeeQuote
    instruction: RenewalInstruction | None

    @property
    def decision(self) -> str:
        return self.instruction.decision if self.instruction else RenewalInstruction.Decision.UNDECIDED

    @property
    def decision_label(self) -> str:
        return RenewalInstruction.Decision(self.decision).label


def _rows(deadlines, today: dt.date, book: FeeBook) -> list[RenewalRow]:
    rows = []
    for d in deadlines:
        d.days_left = (d.effective_date - today).days
        instruction = getattr(d, "instruction", None) if _has_instruction(d) else None
        rows.append(RenewalRow(deadline=d, fee=fee_for(d, book=book, today=today), instruction=instruction))
    return rows


def _has_instruction(deadline: Deadline) -> bool:
    try:
        deadline.instruction  # noqa: B018 (loaded by select_related; a missing one raises)
    except RenewalInstruction.DoesNotExist:
        return False
    return True


def _form(request: HttpRequest, today: dt.date) -> RenewalFilterForm:
    return RenewalFilterForm(request.GET or {}, user=request.user, today=today)


@login_required
@in_user_timezone
@require_GET
def renewals(request: HttpRequest) -> HttpResponse:
    today = user_today(request.user)
    form = _form(request, today)
    page = rows = None
    if form.is_valid():
        qs = renewal_queryset(request.user, form.cleaned_data, today)
        paginator = Paginator(qs, PAGE_SIZE)
        # The count is what the whole range costs (a tenth of a second at 100,000 matters): it is kept as an
        # exact figure (counted again once anything has changed) for everyone who sees the same clients.
        filters = request_filters(request, "page")
        paginator.count = exact_figure(
            "renewals-count", (visible_clients_key(request.user), today, filters), qs.count
        )
        page = paginator.get_page(request.GET.get("page"))
        rows = _rows(page.object_list, today, FeeBook())
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "deadlines/renewals.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "today": today,
            "query": params.urlencode(),
            "decisions": RenewalInstruction.Decision.choices,
        },
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


CSV_HEADER = [
    "due date", "grace ends", "matter", "client", "office", "fee", "year", "forecast", "status", "fee amount",
    "currency", "surcharge if paid in grace", "in grace now", "payable now", "fee basis", "fee source",
    "no figure because", "instruction", "instructed by", "instructed at",
]


def _csv_line(row: RenewalRow) -> list:
    d, fee, ins = row.deadline, row.fee, row.instruction
    return [
        d.effective_date, d.latest_date, d.matter.reference, d.matter.client.reference, d.office, d.title,
        d.series_instance, bool(getattr(d, "is_forecast", False)), d.get_status_display(),
        fee.amount, fee.currency, fee.surcharge, fee.in_grace, fee.payable_now, fee.basis, fee.source, fee.problem,
        row.decision_label,
        (ins.decided_by.get_username() if ins and ins.decided_by else ""),
        (ins.decided_at.isoformat() if ins and ins.decided_at else ""),
    ]


@login_required
@in_user_timezone
@require_GET
def renewals_csv(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    today = user_today(request.user)
    form = _form(request, today)
    if not form.is_valid():
        return HttpResponse("; ".join(str(e) for errs in form.errors.values() for e in errs), status=400,
                            content_type="text/plain; charset=utf-8")
    qs = renewal_queryset(request.user, form.cleaned_data, today)
    book = FeeBook()

    def lines():
        out = csvsafe.writer(_Echo())
        yield out.writerow(CSV_HEADER)
        for deadline in qs.iterator(chunk_size=2000):
            yield out.writerow(_csv_line(_rows([deadline], today, book)[0]))

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="renewals-{today.isoformat()}.csv"'
    return response


class InstructionForm(forms.Form):
    decision = forms.ChoiceField(choices=RenewalInstruction.Decision.choices)
    note = forms.CharField(required=False, max_length=1000)


@login_required
@in_user_timezone
@require_POST
def renewal_instruct(request: HttpRequest, pk: int) -> HttpResponse:
    deadline = Deadline.objects.visible_to(request.user).filter(pk=pk).first()
    if deadline is None:
        raise Http404("No such renewal")
    form = InstructionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose pay, let lapse or undecided.")
    else:
        try:
            instruction = record_instruction(
                deadline=deadline, decision=form.cleaned_data["decision"], user=request.user,
                note=form.cleaned_data["note"],
            )
        except ActionRefused as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, f"{deadline.matter.reference}, {deadline.title}: {instruction.get_decision_display().lower()}."
            )
    target, host = request.POST.get("next", ""), request.get_host()
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={host}, require_https=request.is_secure()):
        target = reverse("deadlines:renewals")
    return redirect(target)


urlpatterns = [
    path("renewals/", renewals, name="renewals"),
    path("renewals/export.csv", renewals_csv, name="renewals-export"),
    path("renewals/<int:pk>/instruct/", renewal_instruct, name="renewal-instruct"),
]
