from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from connection.audit import detail_of, record
from connection.forms import TeamAdminForm
from connection.models import AuditEntry, OrgImport, Team, User


class AuditedAdmin(admin.ModelAdmin):
    """Records each add, change and delete made through this admin page in the
    audit trail, in the admin's own transaction."""

    # (added, changed, deleted)
    audit_actions: tuple[AuditEntry.Action, AuditEntry.Action, AuditEntry.Action]

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        # Here rather than in save_model: many-to-many fields (a team's managers)
        # are saved by now, and the list page's inline edits pass through too.
        if change and not form.changed_data:
            return
        added, changed, _ = self.audit_actions
        record(
            actor=request.user,
            action=changed if change else added,
            target=form.instance,
            detail=detail_of(form, added=not change),
        )

    def delete_model(self, request, obj) -> None:
        with transaction.atomic():
            record(actor=request.user, action=self.audit_actions[2], target=obj)
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset) -> None:
        with transaction.atomic():
            for obj in queryset:
                record(actor=request.user, action=self.audit_actions[2], target=obj)
            super().delete_queryset(request, queryset)


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    audit_actions = (
        AuditEntry.Action.PERSON_ADDED,
        AuditEntry.Action.PERSON_CHANGED,
        AuditEntry.Action.PERSON_DELETED,
    )
    ordering = ["display_name"]
    list_display = ["display_name", "email", "team", "time_zone", "location", "is_active"]
    list_filter = ["is_active", "is_hr_admin", "location"]
    list_select_related = ["team"]
    search_fields = ["display_name", "email"]
    raw_id_fields = ["team", "manager"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["display_name", "team", "manager", "start_date", "location"]}),
        (_("Time"), {"fields": ["time_zone", "work_start", "work_end", "working_days"]}),
        (_("Access"), {"fields": ["is_active", "is_hr_admin", "is_staff", "is_superuser"]}),
    ]
    add_fieldsets = [
        (
            None,
            {"classes": ["wide"], "fields": ["email", "display_name", "password1", "password2"]},
        ),
    ]


@admin.register(Team)
class TeamAdmin(AuditedAdmin):
    form = TeamAdminForm
    audit_actions = (
        AuditEntry.Action.TEAM_ADDED,
        AuditEntry.Action.TEAM_CHANGED,
        AuditEntry.Action.TEAM_DELETED,
    )
    list_display = ["indented_name", "parent"]
    list_select_related = ["parent"]
    search_fields = ["name"]
    filter_horizontal = ["managers"]
    raw_id_fields = ["parent"]


@admin.register(OrgImport)
class OrgImportAdmin(admin.ModelAdmin):
    list_display = ["created_at", "filename", "status", "uploaded_by"]
    readonly_fields = ["uploaded_by", "filename", "content", "status", "applied_at", "summary"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: nobody adds, changes or deletes history, superusers included."""

    list_display = ["at", "actor", "action", "target_label"]
    list_filter = ["kind", "action"]
    list_select_related = ["actor"]
    search_fields = ["target_label"]
    date_hierarchy = "at"

    def has_module_permission(self, request) -> bool:
        return self._hr(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._hr(request)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def _hr(self, request) -> bool:
        return request.user.is_active and (request.user.is_superuser or request.user.is_hr_admin)
