from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from .models import Deadline


@login_required
def deadline_detail(request: HttpRequest, pk: int) -> HttpResponse:
    deadline = get_object_or_404(Deadline.objects.visible_to(request.user).select_related("matter"), pk=pk)
    return render(request, "deadlines/deadline_detail.html", {"deadline": deadline})
