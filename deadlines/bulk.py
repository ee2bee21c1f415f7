"""The docket's bulk actions as pages: the selection comes from the docket's checkboxes (``ids``), is limited
to the deadlines the user may see, and every row the action refuses is reported by name with its reason.

Verify and export act at once; "mark done" and "reassign" first show the selection to fill in (one evidence
note per row; the person to give them to), then act.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from patents.dates import UserDateField
from patents.timezones import in_user_timezone, user_today

from . import bulk_actions
from .models import Deadline

ACTIONS = ("verify", "done", "reassign", "export")


def selected_ids(request: HttpRequest) -> list[int]:
    ids = []
    for value in request.POST.getlist("ids"):
        try:
            ids.append(int(value))
        except (TypeError, ValueError):
            continue
    return list(dict.fromkeys(ids))


def _seen_versions(request: HttpRequest, ids: list[int]) -> dict[int, int]:
    seen = {}
    for pk in ids:
        try:
            seen[pk] = int(request.POST.get(f"seen-{pk}", ""))
        except ValueError:
            continue
    return seen


def _seen_at(request: HttpRequest, ids: list[int]) -> dict[int, dt.datetime]:
    seen = {}
    for pk in ids:
        try:
            moment = dt.datetime.fromisoformat(request.POST.get(f"seen_at-{pk}", ""))
        except ValueError:
            continue
        if moment.tzinfo is not None:
            seen[pk] = moment
    return seen


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("patents:home")


def report(request: HttpRequest, outcome: bulk_actions.BulkOutcome, done_text: str) -> None:
    """One message for what was done, one per refused deadline: nothing left out silently."""
    if outcome.changed:
        n = len(outcome.changed)
        messages.success(request, f"{done_text}: {n} deadline{'s' if n != 1 else ''}.")
    for which, why in outcome.refused:
        messages.error(request, f"Not changed — {which}: {why}")


class BulkDoneForm(forms.Form):
    done_on = UserDateField(label="Done on")


class BulkReassignForm(forms.Form):
    responsible: forms.ModelChoiceField = forms.ModelChoiceField(label="Give them to", queryset=None)
    note = forms.CharField(label="Note (optional)", required=False, max_length=300)

    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = users


@login_required
@in_user_timezone
@require_POST
def docket_bulk(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    from .views import _team_users, csv_response

    ids = selected_ids(request)
    action = request.POST.get("action", "")
    back = HttpResponseRedirect(_next_url(request))
    if action not in ACTIONS:
        messages.error(request, "Choose what to do with the selected deadlines.")
        return back
    if not ids:
        messages.error(request, "Select at least one deadline first (the boxes in the first column).")
        return back
    if len(ids) > bulk_actions.MAX_SELECTION:
        messages.error(request, f"Select at most {bulk_actions.MAX_SELECTION} deadlines at once.")
        return back
    visible = Deadline.objects.visible_to(request.user)
    today = user_today(request.user)
    if action == "export":
        from .filters import with_docket_annotations

        qs = with_docket_annotations(visible.filter(pk__in=ids), today).select_related(
            "matter", "matter__client", "responsible", "matter__responsible_paralegal", "matter__responsible_attorney"
        )
        return csv_response(request, qs.order_by("overdue_rank", "effective", "pk"), today)
    if action == "verify":
        outcome = bulk_actions.verify_many(
            deadlines=visible,
            ids=ids,
            user=request.user,
            seen=_seen_versions(request, ids),
            seen_at=_seen_at(request, ids),
        )
        report(request, outcome, "Verified")
        return back
    rows = list(
        visible.filter(pk__in=ids).select_related(
            "matter", "matter__client", "responsible", "matter__responsible_paralegal", "matter__responsible_attorney"
        )
    )
    if action == "done":
        form: forms.Form = BulkDoneForm(request.POST if "confirm" in request.POST else None, initial={"done_on": today})
        if form.is_valid():
            evidence = {pk: request.POST.get(f"evidence-{pk}", "") for pk in ids}
            outcome = bulk_actions.mark_done_many(
                deadlines=visible, ids=ids, user=request.user, done_on=form.cleaned_data["done_on"], evidence=evidence
            )
            report(request, outcome, "Marked done (each now waits for a second person to verify it)")
            return back
    else:
        form = BulkReassignForm(request.POST if "confirm" in request.POST else None, users=_team_users(request.user))
        if form.is_valid():
            outcome = bulk_actions.reassign_many(
                deadlines=visible,
                ids=ids,
                user=request.user,
                responsible=form.cleaned_data["responsible"],
                note=form.cleaned_data["note"],
            )
            report(request, outcome, f"Reassigned to {form.cleaned_data['responsible'].get_username()}")
            return back
    missing = len(ids) - len(rows)
    for row in rows:
        row.evidence = request.POST.get(f"evidence-{row.pk}", "")
    return render(
        request,
        "deadlines/bulk_confirm.html",
        {
            "action": action,
            "form": form,
            "rows": rows,
            "missing": missing,
            "next": _next_url(request),
            "today": today,
        },
        status=400 if form.is_bound else 200,
    )
