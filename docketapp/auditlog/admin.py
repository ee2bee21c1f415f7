from django.contrib import admin

from .models import AuditCheckpoint, AuditVerifyRun


class ReadOnlyAdmin(admin.ModelAdmin):
    """Evidence is looked at, never edited from the admin."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditVerifyRun)
class AuditVerifyRunAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "ok", "finding_count", "rows_checked", "checkpoints_checked", "signatures", "origin"]
    list_filter = ["ok", "signatures", "origin"]
    readonly_fields = [
        "started_at", "finished_at", "origin", "ok", "tables", "rows_checked", "checkpoints_checked", "signatures",
        "findings_list",
    ]
    exclude = ["findings"]

    @admin.display(description="findings")
    def finding_count(self, obj: AuditVerifyRun) -> int:
        return len(obj.findings)

    @admin.display(description="findings")
    def findings_list(self, obj: AuditVerifyRun) -> str:
        if not obj.findings:
            return "none"
        return "\n".join(
            f"{f['table']}: {f['kind']} {f['rows']} ({f['window']}): {f['detail']}" for f in obj.findings
        )


@admin.register(AuditCheckpoint)
class AuditCheckpointAdmin(ReadOnlyAdmin):
    list_display = ["table", "seq", "created_at", "key_id", "head_hash"]
    list_filter = ["table", "key_id"]
