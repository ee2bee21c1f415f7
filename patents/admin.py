from __future__ import annotations

from django.contrib import admin

from docketapp.admin_tools import (
    AuditedAdmin,
    ClientListFilter,
    OfficeListFilter,
    ReadOnlyAdmin,
    VisibleClientsOnly,
    VisibleMattersOnly,
    matter_search_q,
)

from .models import Client, EventType, Family, Matter, OfficeEvent, PriorityClaim, TeamMembership, UserProfile


class ScopedToMattersAdmin(VisibleMattersOnly, AuditedAdmin):
    pass


class MembershipsBySuperusersOnly:
    """Team memberships decide which clients a user sees (``Matter.objects.visible_to``): a staff user who
    could add one could make himself a member of any client. Only superusers change them; the changes are
    audited like every admin edit (AuditedAdmin / the history of TeamMembership)."""

    def has_add_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


class TeamMembershipInline(MembershipsBySuperusersOnly, admin.TabularInline):
    model = TeamMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Client)
class ClientAdmin(VisibleClientsOnly, AuditedAdmin):
    client_path = ""
    list_display = ["reference", "name", "created_at"]
    search_fields = ["reference", "name"]
    inlines = [TeamMembershipInline]


@admin.register(TeamMembership)
class TeamMembershipAdmin(MembershipsBySuperusersOnly, VisibleClientsOnly, AuditedAdmin):
    list_display = ["user", "client", "role"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__email", "client__reference", "client__name"]
    autocomplete_fields = ["user", "client"]
    list_select_related = ["user", "client"]


@admin.register(UserProfile)
class UserProfileAdmin(AuditedAdmin):
    """A non-superuser sees and edits only his own profile (time zone, digest opt-outs). The calendar feed
    token is stored only as a hash and is never shown here; it is made on the Calendar feed page."""

    list_display = ["user", "time_zone", "digest_opt_out", "weekly_report_opt_out"]
    list_filter = ["digest_opt_out", "weekly_report_opt_out"]
    search_fields = ["user__username", "user__email"]
    autocomplete_fields = ["user"]
    list_select_related = ["user"]
    exclude = ["ics_token_hash", "ics_token_created_at"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.filter(user=request.user)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser and "user" not in readonly:
            readonly.append("user")  # nobody moves a profile to another user
        return readonly

    def has_add_permission(self, request):
        # Profiles are made for a user by the application (or by a superuser here).
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


@admin.register(Family)
class FamilyAdmin(VisibleClientsOnly, AuditedAdmin):
    list_display = ["reference", "title", "client"]
    ordering = ["client__reference", "reference"]  # stable pages in the list and the autocomplete
    search_fields = ["reference", "title", "client__reference"]
    autocomplete_fields = ["client"]
    list_select_related = ["client"]


class PriorityClaimInline(admin.TabularInline):
    model = PriorityClaim
    extra = 0


@admin.register(Matter)
class MatterAdmin(ScopedToMattersAdmin):
    matter_path = ""
    list_display = [
        "reference", "client", "office", "kind", "application_number", "filing_date", "status",
        "responsible_paralegal", "last_synced",
    ]
    # Fixed choices and the small client table only, no date drill-down, indexed search: at 100k+ matters
    # a value scan or an icontains over every row costs seconds per page (issue 18; docs/dashboard.md).
    list_filter = [OfficeListFilter, "kind", "status", "sync_enabled", ClientListFilter]
    search_fields = ["^reference", "=application_number_normalized", "=client__reference"]
    search_help_text = (
        "Our reference (its beginning), the application number (any punctuation) or the client code."
    )
    autocomplete_fields = ["client", "family", "parent", "responsible_attorney", "responsible_paralegal"]
    list_select_related = ["client", "responsible_paralegal"]

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        return queryset.filter(matter_search_q(search_term)), False
    readonly_fields = ["application_number_normalized", "last_synced", "last_changed", "created_at", "updated_at"]
    inlines = [PriorityClaimInline]
    fieldsets = [
        (None, {"fields": ["client", "family", "reference", "title", "office", "kind", "sync_enabled"]}),
        ("Application", {"fields": [
            "application_number", "application_number_normalized", "filing_date", "publication_number",
            "publication_date", "grant_number", "grant_date", "status", "office_status",
        ]}),
        ("Parties and people", {"fields": [
            "applicant_name", "applicant_residence", "responsible_attorney", "responsible_paralegal",
        ]}),
        ("PCT and relations", {"fields": ["receiving_office", "designated_offices", "parent", "parent_relation"]}),
        ("Sync", {"fields": ["last_synced", "last_changed", "created_at", "updated_at"]}),
    ]


@admin.register(PriorityClaim)
class PriorityClaimAdmin(ScopedToMattersAdmin):
    list_display = ["matter", "country", "number", "date"]
    list_filter = ["country"]
    search_fields = ["number", "matter__reference"]
    autocomplete_fields = ["matter"]
    list_select_related = ["matter"]
    date_hierarchy = "date"


@admin.register(EventType)
class EventTypeAdmin(AuditedAdmin):
    list_display = ["code", "label", "office", "internal"]
    list_filter = ["office", "internal"]
    search_fields = ["code", "label"]


@admin.register(OfficeEvent)
class OfficeEventAdmin(ScopedToMattersAdmin):
    list_display = ["matter", "event_type", "office_code", "office_text", "date", "source"]
    list_filter = ["source", "event_type__office", "event_type"]
    search_fields = ["matter__reference", "office_code", "office_text", "event_type__code"]
    autocomplete_fields = ["matter", "event_type"]
    list_select_related = ["matter", "event_type"]
    date_hierarchy = "date"
    readonly_fields = ["natural_key", "recorded_at"]


# --- Office sync and ingestion -------------------------------------------------------------------------

from .models import OfficeCodeMapping, OfficePayload, QuarantineItem, ReconciliationItem, SyncRun  # noqa: E402


@admin.register(OfficeCodeMapping)
class OfficeCodeMappingAdmin(AuditedAdmin):
    """The normalization table: which canonical event an office code stands for. Changes are audited;
    run ``manage.py replay_payloads`` afterwards to apply a corrected mapping to stored payloads."""

    list_display = ["office", "source", "code", "event_type", "internal", "note"]
    list_filter = ["office", "source", "event_type__internal"]
    search_fields = ["code", "event_type__code", "note"]
    autocomplete_fields = ["event_type"]
    list_select_related = ["event_type"]

    @admin.display(boolean=True, description="internal")
    def internal(self, obj):
        return obj.event_type.internal


@admin.register(SyncRun)
class SyncRunAdmin(ReadOnlyAdmin):
    list_display = [
        "started_at", "office", "trigger", "finished_at", "matters_tried", "matters_synced", "requests", "bytes",
        "payloads_stored", "payloads_unchanged", "events_created", "quarantined", "retries", "errors",
    ]
    list_filter = ["office", "trigger"]
    date_hierarchy = "started_at"


@admin.register(OfficePayload)
class OfficePayloadAdmin(ReadOnlyAdmin):
    list_display = ["fetched_at", "office", "kind", "endpoint", "status", "size", "short_sha", "outcome", "origin"]
    list_filter = ["office", "kind", "outcome", "origin"]
    search_fields = ["request_key", "sha256", "file_name", "matters__reference"]
    exclude = ["body"]
    readonly_fields = ["matters"]
    date_hierarchy = "fetched_at"

    @admin.display(description="SHA-256")
    def short_sha(self, obj):
        return obj.sha256[:12]

    def get_queryset(self, request):
        # A bulk answer holds other clients' data: only payloads whose every matter the user may see.
        return super().get_queryset(request).readable_by(request.user).defer("body")


@admin.register(QuarantineItem)
class QuarantineItemAdmin(ScopedToMattersAdmin):
    list_display = ["created_at", "category", "status", "matter", "office", "office_code", "reason"]
    list_filter = ["status", "category", "office"]
    search_fields = ["reason", "office_code", "matter__reference"]
    list_select_related = ["matter"]
    readonly_fields = ["category", "payload", "matter", "office", "source", "office_code", "reason", "details",
                       "fingerprint", "created_at", "decided_at", "decided_by"]

    def has_add_permission(self, request):
        return False


@admin.register(ReconciliationItem)
class ReconciliationItemAdmin(ScopedToMattersAdmin):
    list_display = ["matter", "field", "docket_value", "office_value", "status", "decided_by", "decided_at"]
    list_filter = ["status", "field", "office"]
    search_fields = ["matter__reference"]
    list_select_related = ["matter", "decided_by"]
    readonly_fields = ["matter", "field", "docket_value", "office_value", "office", "payload", "created_at",
                       "decided_at", "decided_by"]

    def has_add_permission(self, request):
        return False


from .models import Document  # noqa: E402


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    """Received office documents, to look one up: never added, edited or deleted here (the review page and its
    audited decisions are the only way a document changes; the bytes are never served from the admin). A
    non-superuser sees only ``Document.objects.visible_to(user)``: his clients' documents, and unmatched ones
    only if he uploaded them or is the docketing admin."""

    list_display = ["received_at", "file_name", "matter", "status", "source", "pages", "ocr_used", "short_sha"]
    list_filter = ["status", "source", "ocr_used"]
    search_fields = ["file_name", "sha256", "matter__reference"]
    list_select_related = ["matter"]
    exclude = ["reading"]  # every page's text and word confidences: large; shown on the review page
    date_hierarchy = "received_at"

    @admin.display(description="SHA-256")
    def short_sha(self, obj):
        return obj.sha256[:12]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.filter(pk__in=Document.objects.visible_to(request.user))
