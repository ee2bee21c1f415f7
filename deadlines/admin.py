from __future__ import annotations

from django.contrib import admin
from django.db.models import Q

from docketapp.admin_tools import AuditedAdmin, OfficeListFilter, ReadOnlyAdmin, VisibleMattersOnly, matter_search_q

from .models import Deadline, FeeAmount, FeeSchedule, OfficeClosure, RenewalInstruction


@admin.register(OfficeClosure)
class OfficeClosureAdmin(AuditedAdmin):
    list_display = ["office", "date", "reason", "kind", "source"]
    list_filter = ["office", "kind"]
    search_fields = ["reason", "source"]
    date_hierarchy = "date"
    actions = ["preview_and_apply_deadline_moves"]

    @admin.action(description="Show which deadlines these closures move, then apply")
    def preview_and_apply_deadline_moves(self, request, queryset):
        """A closure change shows the stored deadlines it moves before anything is written, so a wrong closure
        day never shifts a deadline unseen."""
        from django.template.response import TemplateResponse

        from .services import candidate_matters_for_closure, recompute_matters

        closures = list(queryset.order_by("office", "date"))
        candidates = sorted(
            {m for c in closures for m in candidate_matters_for_closure(day=c.date, office=c.office)}
        )
        label = "; ".join(f"{c.office} {c.date.isoformat()} ({c.reason})" for c in closures)
        reason = f"office closures changed: {label}"[:300]
        if request.POST.get("apply") == "yes":
            outcome = recompute_matters(matter_ids=candidates, reason=reason, user=request.user, force=True)
            summary = outcome.summary()
            self.message_user(
                request,
                f"Applied: {summary['move']} deadline(s) moved, {summary['create']} created, "
                f"{summary['supersede']} superseded; {summary['held']} done/waived left unchanged.",
            )
            return None
        preview = recompute_matters(matter_ids=candidates, reason=reason, dry_run=True, force=True)
        return TemplateResponse(request, "admin/deadlines/officeclosure/preview_moves.html", {
            **self.admin_site.each_context(request),
            "title": "Deadlines these closures move",
            "opts": self.model._meta,
            "closures": closures,
            "changes": preview.changes,
            "summary": preview.summary(),
            "reason": reason,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        })


class DueListFilter(admin.SimpleListFilter):
    """Fixed date ranges on the due_date index, in place of a date drill-down over every row."""

    title = "due"
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [("past", "Before today"), ("30", "Next 30 days"), ("90", "Next 90 days"), ("later", "Later")]

    def queryset(self, request, queryset):
        import datetime as dt

        from django.utils import timezone

        today = timezone.localdate()
        value = self.value()
        if value == "past":
            return queryset.filter(due_date__lt=today)
        if value in ("30", "90"):
            return queryset.filter(due_date__gte=today, due_date__lte=today + dt.timedelta(days=int(value)))
        if value == "later":
            return queryset.filter(due_date__gt=today + dt.timedelta(days=90))
        return queryset


SEARCH_MATTER_IDS = 1000


@admin.register(Deadline)
class DeadlineAdmin(VisibleMattersOnly, AuditedAdmin):
    list_display = [
        "title", "matter", "due_date", "latest_date", "kind", "status", "responsible", "verified_at", "origin",
    ]
    # At 1.5 M rows a date drill-down (SELECT DISTINCT dates), an office filter listing the values present
    # and an icontains search each read the whole table (issue 18): fixed choices, a due-date filter on the
    # due_date index, and a search on the matter's indexed columns (docs/dashboard.md).
    list_filter = ["status", "kind", OfficeListFilter, "origin", DueListFilter]
    search_fields = ["^matter__reference", "=matter__application_number_normalized", "=pk"]
    search_help_text = (
        "The matter's reference (its beginning), its application number (any punctuation), its client code, "
        "or a deadline number."
    )
    autocomplete_fields = ["matter", "trigger_event", "responsible"]
    list_select_related = ["matter", "responsible"]

    def get_search_results(self, request, queryset, search_term):
        from patents.models import Matter

        term = search_term.strip()
        if not term:
            return queryset, False
        # The matching matters first, by their indexes: as a subquery PostgreSQL walked the due-date index
        # through all 1.5 M deadlines looking for the few of one matter (8 s at 1.5 M rows; docs/benchmarks.md).
        # A list of ids is read through the deadlines' matter index instead. A term matching very many matters
        # (a short reference prefix) keeps the subquery: its deadlines are dense, the ordered walk ends early.
        matters = Matter.objects.filter(matter_search_q(term)).values_list("pk", flat=True)
        ids = list(matters[: SEARCH_MATTER_IDS + 1])
        q = Q(matter_id__in=ids) if len(ids) <= SEARCH_MATTER_IDS else Q(matter__in=matters)
        if term.isdigit() and len(term) < 19:
            q |= Q(pk=int(term))
        return queryset.filter(q), False
    readonly_fields = [
        "key", "rule_id", "rule_version", "explanation", "remedies", "last_changed_by", "verified_by",
        "verified_at", "created_at", "updated_at",
    ]



# --- Reminders ----------------------------------------------------------------------------------

from django.contrib import messages  # noqa: E402
from django.utils import timezone  # noqa: E402

from .models import Delivery, Reminder, ReminderPolicy  # noqa: E402
from .reminders import LEASE  # noqa: E402


@admin.register(ReminderPolicy)
class ReminderPolicyAdmin(AuditedAdmin):
    list_display = ["__str__", "client", "deadline_kind", "before_due_days", "before_latest_days"]
    list_filter = ["deadline_kind"]
    autocomplete_fields = ["client"]

    def get_queryset(self, request):
        # The firm-wide rows (no client) concern everyone; a client's own policy only its team.
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(Q(client__isnull=True) | Q(client__memberships__user=request.user))

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        from .tasks import sync_reminders_for_open_deadlines

        try:
            sync_reminders_for_open_deadlines.delay_on_commit(obj.client_id, obj.deadline_kind)
        except Exception:  # noqa: BLE001 - the broker being down must not lose the admin's edit
            messages.warning(request, "Saved, but the open deadlines could not be re-planned now: run "
                                      "`manage.py shell -c 'from deadlines.reminders import *; "
                                      "sync_reminders_for_open_deadlines()'`.")


@admin.register(Reminder)
class ReminderAdmin(VisibleMattersOnly, ReadOnlyAdmin):
    """Reminders are written by the sweep only; the admin shows them."""

    matter_path = "deadline__matter"
    list_display = ["__str__", "deadline", "recipient", "kind", "due_at", "status", "status_reason"]
    list_filter = ["status", "kind"]
    search_fields = ["deadline__title", "deadline__matter__reference", "recipient__username"]
    list_select_related = ["deadline__matter", "recipient"]
    date_hierarchy = "due_at"


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["claimed_at", "address", "subject", "status", "sent_at", "attempts", "message_id"]
    list_filter = ["status", "channel"]
    search_fields = ["address", "subject", "message_id"]
    list_select_related = ["reminder", "recipient"]
    actions = ["confirm_sent", "release_for_resend"]

    def get_queryset(self, request):
        # A delivery holds the message text: others' digests and other clients' deadlines stay hidden.
        from .outbox_views import visible_deliveries

        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(pk__in=visible_deliveries(request.user).values("pk"))

    def has_change_permission(self, request, obj=None):
        # Needed for the two actions below; the change form itself stays read-only (all fields).
        return request.user.is_superuser or request.user.has_perm("deadlines.change_delivery")

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    @admin.action(description="Unconfirmed: I checked the mail log – it WAS sent")
    def confirm_sent(self, request, queryset):
        n = queryset.filter(status=Delivery.Status.UNCONFIRMED).update(
            status=Delivery.Status.SENT, sent_at=timezone.now(),
            error=f"confirmed sent from the mail log by {request.user.get_username()}",
        )
        messages.info(request, f"{n} delivery(ies) marked sent.")

    @admin.action(description="Unconfirmed: I checked the mail log – it was NOT sent, send it again")
    def release_for_resend(self, request, queryset):
        # Back to queued with an expired claim: the next sweep takes it over like a dead sweep's claim.
        n = queryset.filter(status=Delivery.Status.UNCONFIRMED).update(
            status=Delivery.Status.QUEUED, claim_token="", claimed_at=timezone.now() - LEASE - LEASE,
            error=f"released for resend by {request.user.get_username()} after checking the mail log",
        )
        messages.info(request, f"{n} delivery(ies) will be sent by the next sweep.")


class FeeAmountInline(admin.TabularInline):
    model = FeeAmount
    extra = 0
    fields = ["year_from", "year_to", "entity_size", "amount", "per_claim", "surcharge", "note"]


@admin.register(FeeSchedule)
class FeeScheduleAdmin(AuditedAdmin):
    """Official fee tables (docs/renewals.md). When an office changes its fees, add a new table with its own
    effective date and give the old one its last day; never overwrite the figures of a table in force."""

    list_display = ["name", "office", "currency", "effective_from", "effective_until", "rule_ids"]
    list_filter = ["office"]
    search_fields = ["name", "rule_ids", "source"]
    inlines = [FeeAmountInline]


@admin.register(RenewalInstruction)
class RenewalInstructionAdmin(VisibleMattersOnly, ReadOnlyAdmin):
    """Instructions are recorded on the renewals page (who and when); the admin shows them and their history."""

    matter_path = "deadline__matter"
    list_display = ["deadline", "decision", "decided_by", "decided_at", "note"]
    list_filter = ["decision"]
    search_fields = ["deadline__matter__reference", "deadline__title"]
    list_select_related = ["deadline__matter", "decided_by"]
