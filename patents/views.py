from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from .models import Matter


@login_required
def home(request: HttpRequest) -> HttpResponse:
    matters = Matter.objects.visible_to(request.user).select_related("client")[:200]
    return render(request, "patents/home.html", {"matters": matters})


@login_required
def matter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    matter = get_object_or_404(
        Matter.objects.visible_to(request.user).select_related("client", "parent"), pk=pk
    )
    return render(request, "patents/matter_detail.html", {"matter": matter})
