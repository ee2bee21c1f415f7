from django.apps import AppConfig


class AuditLogConfig(AppConfig):
    name = "docketapp.auditlog"
    label = "auditlog"
    verbose_name = "Audit trail"
    default_auto_field = "django.db.models.BigAutoField"
