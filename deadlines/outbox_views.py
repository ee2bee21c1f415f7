"""Staff outbox: what the reminder sweep sent, what failed and what needs a human (unconfirmed deliveries).

In the demo (EMAIL_URL=filemail://) the messages themselves are files under EMAIL_FILE_PATH; the detail
page shows the stored message found by its Message-ID, so a sent e-mail can be read in the browser.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path

from .models import Delivery

PAGE_SIZE = 200
MAX_SCANNED_FILES = 500


def visible_deliveries(user) -> QuerySet:
    """Deliveries this user may read: a delivery holds the full message text.

    Superusers see all. Everyone else sees the reminders of deadlines on matters ``visible_to`` them and
    the digests/reports addressed to them; a colleague's digest lists deadlines of clients the reader may not
    belong to, so it stays hidden even on a shared client.
    """
    from patents.models import Matter

    qs = Delivery.objects.all()
    if user.is_superuser:
        return qs
    visible = Matter.objects.visible_to(user).values("pk")
    return qs.filter(Q(reminder__deadline__matter__in=visible) | Q(recipient=user))


@staff_member_required
def outbox_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    visible = visible_deliveries(request.user)
    deliveries = visible.select_related("reminder", "recipient").order_by("-claimed_at", "-pk")
    if status in Delivery.Status.values:
        deliveries = deliveries.filter(status=status)
    counts = dict(visible.values_list("status").annotate(n=Count("pk")).order_by())
    return render(
        request,
        "deadlines/outbox.html",
        {
            "deliveries": deliveries[:PAGE_SIZE],
            "status": status,
            "statuses": [(value, counts.get(value, 0)) for value in Delivery.Status.values],
            "counts": counts,
            "unconfirmed": counts.get(Delivery.Status.UNCONFIRMED, 0),
        },
    )


def stored_message(message_id: str) -> str | None:
    """The raw message the file backend wrote for this Message-ID, newest files first (demo only)."""
    if not message_id or not settings.EMAIL_BACKEND.endswith("filebased.EmailBackend"):
        return None
    folder = Path(settings.EMAIL_FILE_PATH)
    if not folder.is_dir():
        return None
    needle = f"Message-ID: {message_id}"
    files = sorted(folder.glob("*.log"), key=lambda p: p.stat().st_mtime, reverse=True)[:MAX_SCANNED_FILES]
    separator = "-" * 79
    for file in files:
        text = file.read_text(errors="replace")
        if needle in text:
            for message in text.split(separator):
                if needle in message:
                    return message.strip()
    return None


@staff_member_required
def delivery_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # Another client's message is a 404, like every other page of another client's data.
    delivery = get_object_or_404(
        visible_deliveries(request.user).select_related("reminder__deadline__matter", "recipient"), pk=pk
    )
    return render(
        request,
        "deadlines/outbox_detail.html",
        {
            "delivery": delivery,
            "raw": stored_message(delivery.message_id),
            "file_backend": settings.EMAIL_BACKEND.endswith("filebased.EmailBackend"),
        },
    )


urlpatterns = [
    path("outbox/", outbox_list, name="outbox-list"),
    path("outbox/<int:pk>/", delivery_detail, name="delivery-detail"),
]
