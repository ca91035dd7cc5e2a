from django.contrib import admin

from connection.admin import AuditedAdmin
from connection.models import AuditEntry
from rituals.models import RitualTemplate, Value


class HRCurated(AuditedAdmin):
    """HR admins (with admin access) curate these, without Django model permissions."""

    audit_actions = (
        AuditEntry.Action.CATALOGUE_ADDED,
        AuditEntry.Action.CATALOGUE_CHANGED,
        AuditEntry.Action.CATALOGUE_CHANGED,  # never: deleting is refused below
    )

    def _hr(self, request) -> bool:
        return request.user.is_active and (request.user.is_superuser or request.user.is_hr_admin)

    def has_module_permission(self, request) -> bool:
        return self._hr(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._hr(request)

    def has_add_permission(self, request) -> bool:
        return self._hr(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._hr(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # retire (untick "active") instead: history refers to them


@admin.register(RitualTemplate)
class RitualTemplateAdmin(HRCurated):
    list_display = ["name", "format", "default_rule", "default_duration", "active", "position"]
    list_editable = ["active", "position"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Value)
class ValueAdmin(HRCurated):
    list_display = ["name", "description", "active", "position"]
    list_editable = ["active", "position"]
