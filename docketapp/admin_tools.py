"""Admin building blocks shared by the docket apps: audited saves, bounded counts, client scoping."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.http import Http404, HttpResponseNotAllowed
from django.utils.functional import cached_property
from simple_history.admin import SimpleHistoryAdmin

from docketapp.audit import attributed

COUNT_CAP = 10_000
DEFERRED_PAGE_FROM = 500  # rows skipped before a page is read by ids first (CappedCountPaginator.page)


class CappedCountPaginator(Paginator):
    """Counts at most COUNT_CAP rows: a COUNT(*) over millions of rows (1.5 M deadlines, their history) would
    stall every changelist page. Past the cap the pages reach the first COUNT_CAP rows and the admin says "more
    than 10,000" (templates/admin/pagination.html and search_form.html), with PostgreSQL's own estimate of the
    table's size when nothing is filtered; staff filter, search or sort to reach the others."""

    cap = COUNT_CAP

    @cached_property
    def _counted(self) -> int:
        object_list = self.object_list
        if isinstance(object_list, QuerySet):
            try:
                # Unordered: the count needs no sort, and without one PostgreSQL may stop a sequential or
                # bitmap scan at the cap instead of walking the order's index through every non-matching row
                # (759 ms → 45 ms for "open, EP, statutory" at 1.5 M deadlines).
                return object_list.order_by().values("pk")[: self.cap + 1].count()
            except TypeError:
                pass  # a combined query that cannot be sliced and counted: count it whole
        return len(object_list)

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.cap)

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        object_list = self.object_list
        if bottom < DEFERRED_PAGE_FROM or not isinstance(object_list, QuerySet):
            return super().page(number)
        # A deep page: skip the rows before it by their ids only (with an index in the list's order, an
        # index-only scan), then read the page's rows with their joins. A plain OFFSET joined and read every
        # skipped row: ~100 ms at page 200 of 1.5 M deadlines.
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = list(object_list.values_list("pk", flat=True)[bottom:top])
        return self._get_page(object_list.filter(pk__in=ids), number, self)

    @property
    def capped(self) -> bool:
        return self._counted > self.cap

    @property
    def cap_text(self) -> str:
        return f"{self.cap:,}"

    @cached_property
    def estimate(self) -> str:
        """"1,500,000" (rounded): the planner's row estimate of the whole table (pg_class.reltuples, kept by
        ANALYZE/autovacuum, no scan) when the list is capped and unfiltered; "" otherwise."""
        object_list = self.object_list
        if not self.capped or not isinstance(object_list, QuerySet) or object_list.query.where:
            return ""
        connection = connections[object_list.db]
        if connection.vendor != "postgresql":
            return ""
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                           [object_list.model._meta.db_table])
            row = cursor.fetchone()
        rows = int(row[0]) if row and row[0] and row[0] > 0 else 0
        return f"{round(rows, -3):,}" if rows > self.cap else ""


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


def scoped_formfield_queryset(admin_site, db_field, request, kwargs) -> None:
    """Limit a foreign-key choice to the rows the target model's own admin lets this user see.

    Without this a staff user who may add deadlines could POST another client's matter id (the autocomplete
    widget only hides the choice; the form field accepts any existing row): a write into another client.
    """
    if "queryset" in kwargs:
        return
    target_admin = admin_site._registry.get(db_field.remote_field.model)
    if target_admin is not None and not request.user.is_superuser:
        kwargs["queryset"] = target_admin.get_queryset(request)


class AuditedAdmin(SimpleHistoryAdmin):
    """Every admin change asks for a reason and is recorded with the user in the history.

    History is read-only for everyone, superusers included (docs/audit.md promises it cannot be reverted):
    SIMPLE_HISTORY_REVERT_DISABLED is set, no history model is registered, and the two history views that
    simple-history adds are scoped like the change view and never save (see history_view and
    history_form_view below).
    """

    paginator = CappedCountPaginator
    show_full_result_count = False
    list_per_page = 50
    # The History page lists who (a user or a named process, in words: "Changed by") and why for every change
    # (templates/simple_history/object_history_list.html); the raw actor column ("process:…") is not shown.
    history_list_display: list[str] = []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        scoped_formfield_queryset(self.admin_site, db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_list_filter(self, request):
        # A plain related-field filter lists every row of the related table (e.g. every client's name in
        # the matter list's sidebar); for non-superusers offer only the values present in what they may see.
        filters = list(super().get_list_filter(request))
        if request.user.is_superuser:
            return filters
        scoped = []
        for entry in filters:
            if isinstance(entry, str) and "__" not in entry:
                field = self.model._meta.get_field(entry)
                if field.is_relation:
                    entry = (entry, admin.RelatedOnlyFieldListFilter)
            scoped.append(entry)
        return scoped

    def _visible_object(self, request, object_id):
        """The live object through this admin's own (client-scoped) queryset, or 404.

        simple-history looks rows up through the history model, which knows nothing of client scoping:
        another client's history would be readable by id. Going through get_object makes it a 404 like
        the change page. A superuser may still read the history of a deleted row (None here).
        """
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            if request.user.is_superuser:
                return None
            raise Http404
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        return obj

    def history_view(self, request, object_id, extra_context=None):
        self._visible_object(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple-history's form view saves a POST as a change of the *live* row (a "revert"), even for a
        # view-only user: history pages only ever show, so anything but GET is refused before any lookup.
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        self._visible_object(request, object_id)
        request._docketapp_history_readonly = True
        context = {"revert_disabled": True, "change_history": False, "has_change_permission": False,
                   **(extra_context or {})}
        return super().history_form_view(request, object_id, version_id, context)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if getattr(request, "_docketapp_history_readonly", False):
            # A past version is shown, never edited: every field as text, no inputs. (Not through
            # get_fieldsets: ModelAdmin.get_form asks for the read-only fields while building the fieldsets.)
            opts = self.model._meta
            excluded = set(self.exclude or ())
            readonly += [
                f.name for f in [*opts.concrete_fields, *opts.many_to_many]
                if f.editable and not f.auto_created and f.name not in excluded and f.name not in readonly
            ]
        return readonly

    def get_form(self, request, obj=None, change=False, **kwargs):
        # change_reason is a form-only field added below; the model form must not look for it on the model.
        # An explicit fields=None comes from ModelAdmin.get_fields itself (all model fields, nothing to strip);
        # without the key, ModelAdmin would take the fieldsets, which include the form-only change_reason.
        if "fields" not in kwargs:
            kwargs["fields"] = flatten_fieldsets(self.get_fieldsets(request, obj))
        if kwargs["fields"] is not None:
            kwargs["fields"] = [f for f in kwargs["fields"] if f != "change_reason"]
        base = super().get_form(request, obj, change=change, **kwargs)

        class ReasonForm(base):
            change_reason = forms.CharField(
                label="Reason for this change",
                max_length=300,
                help_text="Recorded in the audit trail with your name",
            )

        return ReasonForm

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if getattr(request, "_docketapp_history_readonly", False):
            return fieldsets
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


# --- Changelist filters and search that stay cheap on millions of rows ---------------------------------
# A plain list_filter on a CharField without choices lists its values with SELECT DISTINCT over the whole
# table, date_hierarchy asks for the distinct years/months/days, and a search with icontains reads every
# row: at 1.5 M deadlines each costs seconds (issue 18). These filters offer fixed choices or rows of small
# tables, and the searches below only use indexed columns.


class OfficeListFilter(admin.SimpleListFilter):
    """The offices of the registry (fixed choices): no scan for the values present."""

    title = "office"
    parameter_name = "office"

    def lookups(self, request, model_admin):
        from patents.offices import OFFICES

        return [(o.code, o.code) for o in OFFICES if len(o.code) == 2]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(office=value.upper()) if value else queryset


class ClientListFilter(admin.SimpleListFilter):
    """Clients the user may see (the small client table, by membership), never a scan of the matters."""

    title = "client"
    parameter_name = "client__id__exact"
    client_path = "client"

    def lookups(self, request, model_admin):
        from patents.models import Client

        clients = Client.objects.order_by("reference")
        if not request.user.is_superuser:
            clients = clients.filter(memberships__user=request.user).distinct()
        return [(str(c.pk), f"{c.reference} – {c.name}") for c in clients[:200]]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        try:
            pk = int(value)
        except ValueError:
            return queryset.none()
        return queryset.filter(**{f"{self.client_path}_id": pk})


def matter_search_q(term: str, prefix: str = ""):
    """Indexed matter lookups for an admin search term: our reference by prefix (the unique index; the
    PostgreSQL ``_like`` index serves LIKE 'X%'), the application number by its normalized form (exact,
    indexed) and the client by its code (exact, small table). ``prefix`` is the path to the matter."""
    import re

    from django.db.models import Q

    from patents.models import Client

    term = term.strip()
    if not term:
        return Q()
    q = Q(**{f"{prefix}reference__startswith": term})
    if term.upper() != term:
        q |= Q(**{f"{prefix}reference__startswith": term.upper()})
    compact = re.sub(r"[^0-9A-Z]", "", term.upper())
    if compact:
        numbers = {compact}
        if len(compact) > 2 and compact[:2].isalpha():
            numbers.add(compact[2:])  # "EP 21 123 456" → the number as stored without the office
        q |= Q(**{f"{prefix}application_number_normalized__in": sorted(numbers)})
    q |= Q(**{f"{prefix}client_id__in": Client.objects.filter(reference__iexact=term).values("pk")})
    return q
