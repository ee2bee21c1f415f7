"""Saved docket views: a person names the docket's current filters and opens them again with one click.

``save_view`` / ``delete_view`` are the writes (attributed, one transaction each); the two views below only
parse the form and call them. A view is private to its owner: another person's view is a 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.http import require_POST

from docketapp.audit import attributed
from patents.dates import parse_date_input

from .actions import ActionRefused
from .filters import DeadlineFilter
from .models import SavedView

MAX_VIEWS_PER_USER = 50


DATE_FILTERS = {"due_from", "due_to"}


def _iso(value: str) -> str:
    """A date typed in the person's format, stored as ISO: the view still reads right after the person (or
    a colleague it is shown to) changes format. Input that is not a date is kept; the docket says why."""
    try:
        day = parse_date_input(value)
    except ValidationError:
        return value
    return day.isoformat() if day else value


def clean_query(query: str) -> str:
    """Only the docket's own filters and sort order, without the page number: a saved view is a filter.
    Dates are stored as ISO (see ``_iso``)."""
    allowed = {*DeadlineFilter.base_filters, "sort"}
    params = QueryDict(query.lstrip("?"), mutable=True)
    kept = QueryDict(mutable=True)
    for key in params:
        if key in allowed:
            values = [v for v in params.getlist(key) if v.strip()]
            if key in DATE_FILTERS:
                values = [_iso(v) for v in values]
            if values:
                kept.setlist(key, values)
    return kept.urlencode()


def save_view(*, user: Any, name: str, query: str) -> SavedView:
    """Create the named view, or replace the filters of the user's view of that name."""
    name = " ".join((name or "").split())
    if not name:
        raise ActionRefused("Give the view a name (e.g. “my EP office actions”).")
    if len(name) > SavedView._meta.get_field("name").max_length:  # type: ignore[operator]
        raise ActionRefused("Keep the name under 80 characters.")
    cleaned = clean_query(query)
    if len(cleaned) > SavedView._meta.get_field("query").max_length:  # type: ignore[operator]
        raise ActionRefused("These filters are too long to save.")
    with transaction.atomic():
        view = SavedView.objects.select_for_update().filter(user=user, name=name).first()
        if view is None:
            if SavedView.objects.filter(user=user).count() >= MAX_VIEWS_PER_USER:
                raise ActionRefused(f"You have {MAX_VIEWS_PER_USER} saved views; delete one first.")
            with attributed(reason=f"saved docket view {name!r} created", user=user):
                view = SavedView.objects.create(user=user, name=name, query=cleaned)
        elif view.query != cleaned:
            with attributed(reason=f"saved docket view {name!r} replaced", user=user):
                view.query = cleaned
                view.save(update_fields=["query"])
    return view


def delete_view(*, user: Any, view: SavedView) -> None:
    if view.user_id != user.pk:
        raise ActionRefused("Not your view.")
    with transaction.atomic(), attributed(reason=f"saved docket view {view.name!r} deleted", user=user):
        view.delete()


def _docket(query: str = "") -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("patents:home") + (f"?{query}" if query else ""))


@login_required
@require_POST
def saved_view_save(request: HttpRequest) -> HttpResponse:
    query = request.POST.get("query", "")
    try:
        view = save_view(user=request.user, name=request.POST.get("name", ""), query=query)
    except ActionRefused as exc:
        messages.error(request, " ".join(exc.messages))
        return _docket(clean_query(query))
    messages.success(request, f"Saved view “{view.name}”: find it under “My views” on the docket.")
    return _docket(view.query)


@login_required
@require_POST
def saved_view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    view = get_object_or_404(SavedView, pk=pk, user=request.user)
    delete_view(user=request.user, view=view)
    messages.success(request, f"Deleted the view “{view.name}”.")
    return _docket()
