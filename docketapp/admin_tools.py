"""Admin building blocks shared by the docket apps: audited saves, bounded counts, client scoping."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.core.paginator import Paginator
from django.utils.functional import cached_property
from simple_history.admin import SimpleHistoryAdmin

from docketapp.audit import attributed

COUNT_CAP = 10_000


class CappedCountPaginator(Paginator):
    """Counts at most COUNT_CAP rows: a COUNT(*) over millions of history rows would stall the admin."""

    @cached_property
    def count(self) -> int:
        try:
            return self.object_list.values("pk")[: COUNT_CAP + 1].count()
        except (AttributeError, TypeError):
            return len(self.object_list)


class VisibleMattersOnly:
    """Admin mixin: non-superusers see only rows of matters ``Matter.objects.visible_to(user)`` lets through.

    ``matter_path`` is the lookup from the admin's model to its matter ("" for Matter itself; a to-many path
    such as "matters" makes the result distinct).
    """

    matter_path = "matter"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        from patents.models import Matter

        visible = Matter.objects.visible_to(request.user).values("pk")
        lookup = f"{self.matter_path}__in" if self.matter_path else "pk__in"
        qs = qs.filter(**{lookup: visible})
        field = qs.model._meta.get_field(self.matter_path.split("__")[0]) if self.matter_path else None
        return qs.distinct() if field is not None and field.many_to_many else qs


class VisibleClientsOnly:
    """Admin mixin: non-superusers see only rows of clients they belong to (``client_path`` "" = Client)."""

    client_path = "client"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        prefix = f"{self.client_path}__" if self.client_path else ""
        return qs.filter(**{f"{prefix}memberships__user": request.user})


class AuditedAdmin(SimpleHistoryAdmin):
    """Every admin change asks for a reason and is recorded with the user in the history.

    History is read-only: SIMPLE_HISTORY_REVERT_DISABLED is set and no history model is registered, so it
    can be viewed (the "History" button) but never edited or deleted here.
    """

    paginator = CappedCountPaginator
    show_full_result_count = False
    list_per_page = 50

    def get_form(self, request, obj=None, change=False, **kwargs):
        # change_reason is a form-only field added below; the model form must not look for it on the model.
        # An explicit fields=None comes from ModelAdmin.get_fields itself (all model fields, nothing to strip);
        # without the key, ModelAdmin would take the fieldsets, which include the form-only change_reason.
        if "fields" not in kwargs:
            kwargs["fields"] = flatten_fieldsets(self.get_fieldsets(request, obj))
        if kwargs["fields"] is not None:
            kwargs["fields"] = [f for f in kwargs["fields"] if f != "change_reason"]
        base = super().get_form(request, obj, change=change, **kwargs)

        class ReasonForm(base):  # type: ignore[misc, valid-type]
            change_reason = forms.CharField(
                label="Reason for this change",
                max_length=300,
                help_text="Recorded in the audit trail with your name",
            )

        return ReasonForm

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        fields = [f for _name, opts in fieldsets for f in opts.get("fields", ())]
        if "change_reason" not in fields:
            fieldsets = [*fieldsets, ("Audit", {"fields": ["change_reason"]})]
        return fieldsets

    def save_model(self, request, obj, form, change):
        reason = form.cleaned_data.get("change_reason") or "edited in the admin"
        with attributed(reason=f"admin: {reason}", user=request.user):
            super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        reason = form.cleaned_data.get("change_reason") or "edited in the admin"
        with attributed(reason=f"admin: {reason}", user=request.user):
            super().save_related(request, form, formsets, change)

    def delete_model(self, request, obj):
        with attributed(reason="admin: deleted", user=request.user):
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with attributed(reason="admin: bulk delete", user=request.user):
            for obj in queryset:
                obj.delete()


class ReadOnlyAdmin(admin.ModelAdmin):
    """For machine-written records (payloads, runs): viewable, never edited by hand."""

    paginator = CappedCountPaginator
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
