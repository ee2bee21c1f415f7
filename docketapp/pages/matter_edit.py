"""Dashboard pages that change a matter: create, edit, close / reopen, and "sync now" with its progress.

Each view parses input, calls one service (docketapp.pages.matter_forms / matter_actions, patents.sync_now)
and renders or redirects. Matters are looked up through ``Matter.objects.visible_to`` (404 otherwise);
creating and editing need the patents.add_matter / patents.change_matter permissions.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from patents.models import Matter
from patents.sync_now import SyncRequest, request_sync, runs_visible_to
from patents.timezones import in_user_timezone

from .matter_actions import close_matter_and_deadlines, reopen_matter_and_deadlines
from .matter_forms import MatterForm, PriorityFormSet, priority_initial, save_matter
from .sync_progress import progress_for

MAX_SELECTION = 200  # matters per "sync selected": a larger set is the scheduled sync's job


def _form_page(request: HttpRequest, matter: Matter | None) -> HttpResponse:
    if request.method == "POST":
        form = MatterForm(request.POST, user=request.user, instance=matter)
        formset = PriorityFormSet(request.POST, prefix="priority")
        if form.is_valid() & formset.is_valid():
            saved, sync = save_matter(form=form, formset=formset, user=request.user)
            if saved is not None:
                verb = "created" if matter is None else "saved"
                messages.success(request, f"{saved.reference} {verb}.")
                return _after_sync(request, saved.get_absolute_url(), sync)
    else:
        form = MatterForm(user=request.user, instance=matter)
        formset = PriorityFormSet(prefix="priority", initial=priority_initial(matter))
    return render(request, "docketapp/matter_form.html", {"form": form, "formset": formset, "matter": matter},
                  status=400 if request.method == "POST" else 200)


@login_required
@permission_required("patents.add_matter", raise_exception=True)
@in_user_timezone
@require_http_methods(["GET", "POST"])
def matter_create(request: HttpRequest) -> HttpResponse:
    return _form_page(request, None)


@login_required
@permission_required("patents.change_matter", raise_exception=True)
@in_user_timezone
@require_http_methods(["GET", "POST"])
def matter_edit(request: HttpRequest, pk: int) -> HttpResponse:
    matter = get_object_or_404(Matter.objects.visible_to(request.user).select_related("parent"), pk=pk)
    return _form_page(request, matter)


@login_required
@permission_required("patents.change_matter", raise_exception=True)
@require_POST
def matter_close(request: HttpRequest, pk: int) -> HttpResponse:
    matter = get_object_or_404(Matter.objects.visible_to(request.user), pk=pk)
    reason = request.POST.get("reason", "")
    try:
        matter, mooted = close_matter_and_deadlines(matter=matter, user=request.user, reason=reason)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, f"{matter.reference} closed: {mooted} open deadline{'s' if mooted != 1 else ''} now moot."
        )
    return redirect(matter.get_absolute_url())


@login_required
@permission_required("patents.change_matter", raise_exception=True)
@require_POST
def matter_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    matter = get_object_or_404(Matter.objects.visible_to(request.user), pk=pk)
    try:
        matter, reopened = reopen_matter_and_deadlines(matter=matter, user=request.user,
                                                       reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"{matter.reference} reopened: {reopened} deadline{'s' if reopened != 1 else ''} "
                                  "open again; its deadlines are being recomputed.")
    return redirect(matter.get_absolute_url())


def _after_sync(request: HttpRequest, url: str, sync: SyncRequest | None) -> HttpResponse:
    """Tell the user what was queued, what waits for the office's budget and what cannot be synced; then
    show the page that polls the queued runs."""
    if sync is None:
        return redirect(url)
    for skipped in sync.skipped:
        messages.warning(request, f"{skipped.matter.reference} not synced: {skipped.why}.")
    for deferred in sync.deferred:
        refs = ", ".join(m.reference for m in deferred.matters)
        messages.warning(
            request,
            f"{deferred.office}: the office's request budget is used up ({deferred.reason}) until "
            f"{_local(request, deferred.until)}; {refs} will be synced by the first scheduled sync after that.",
        )
    for office, until in sync.waiting.items():
        messages.info(request, f"{office}: the office asks us to slow down; the sync starts at about "
                               f"{_local(request, until)}.")
    if not sync.runs:
        return redirect(url)
    return HttpResponseRedirect(f"{url}?{urlencode({'sync': ','.join(str(r.pk) for r in sync.runs)})}")


def _local(request: HttpRequest, moment: Any) -> str:
    from patents.timezones import user_tz

    return f"{moment.astimezone(user_tz(request.user)):%d %b %Y %H:%M %Z}"


@login_required
@require_POST
def matter_sync_now(request: HttpRequest, pk: int) -> HttpResponse:
    matter = get_object_or_404(Matter.objects.visible_to(request.user), pk=pk)
    return _after_sync(request, matter.get_absolute_url(), request_sync(matters=[matter], user=request.user))


@login_required
@require_POST
def matters_sync_now(request: HttpRequest) -> HttpResponse:
    """"Sync selected" on the matter list: the ticked matters the user may see."""
    ids = [int(v) for v in request.POST.getlist("matter") if v.isdigit()]
    back = reverse("patents:matter-list")
    if not ids:
        messages.error(request, "Tick the matters to sync first.")
        return redirect(back)
    if len(ids) > MAX_SELECTION:
        messages.error(request, f"At most {MAX_SELECTION} matters at once; the scheduled sync covers the rest.")
        return redirect(back)
    matters = list(Matter.objects.visible_to(request.user).filter(pk__in=ids).order_by("reference"))
    if not matters:
        messages.error(request, "None of the ticked matters is one you may see.")
        return redirect(back)
    return _after_sync(request, back, request_sync(matters=matters, user=request.user))


@login_required
@in_user_timezone
@require_GET
def sync_progress(request: HttpRequest) -> HttpResponse:
    """The htmx fragment polled while a "sync now" runs: progress, then the result (from the SyncRun)."""
    ids = [int(v) for v in request.GET.get("runs", "").split(",") if v.strip().isdigit()][:20]
    runs = runs_visible_to(request.user, ids)
    return render(request, "docketapp/_sync_progress.html", {"progress": progress_for(runs), "runs_param": ids})
