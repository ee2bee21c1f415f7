from __future__ import annotations

from django.contrib import admin

from docketapp.admin_tools import AuditedAdmin
from patents.models import Matter

from .models import Deadline, OfficeClosure


@admin.register(OfficeClosure)
class OfficeClosureAdmin(AuditedAdmin):
    list_display = ["office", "date", "reason", "kind", "source"]
    list_filter = ["office", "kind"]
    search_fields = ["reason", "source"]
    date_hierarchy = "date"


@admin.register(Deadline)
class DeadlineAdmin(AuditedAdmin):
    list_display = [
        "title", "matter", "due_date", "latest_date", "kind", "status", "responsible", "verified_at", "origin",
    ]
    list_filter = ["status", "kind", "office", "origin"]
    search_fields = ["title", "matter__reference", "rule_id", "citation"]
    autocomplete_fields = ["matter", "trigger_event", "responsible"]
    list_select_related = ["matter", "responsible"]
    date_hierarchy = "due_date"
    readonly_fields = [
        "key", "rule_id", "rule_version", "explanation", "remedies", "last_changed_by", "verified_by",
        "verified_at", "created_at", "updated_at",
    ]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(matter__in=Matter.objects.visible_to(request.user).values("pk"))
