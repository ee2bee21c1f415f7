"""Staff outbox: what the reminder sweep sent, what failed and what needs a human (unconfirmed deliveries).

In the demo (EMAIL_URL=filemail://) the messages themselves are files under EMAIL_FILE_PATH; the detail
page shows the stored message found by its Message-ID, so a sent e-mail can be read in the browser.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path

from .models import Delivery

PAGE_SIZE = 200
MAX_SCANNED_FILES = 500


@staff_member_required
def outbox_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    deliveries = Delivery.objects.select_related("reminder", "recipient").order_by("-claimed_at", "-pk")
    if status in Delivery.Status.values:
        deliveries = deliveries.filter(status=status)
    counts = dict(Delivery.objects.values_list("status").annotate(n=Count("pk")).order_by())
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
    delivery = get_object_or_404(
        Delivery.objects.select_related("reminder__deadline__matter", "recipient"), pk=pk
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
