from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from connection.forms import TeamAdminForm
from connection.models import ConversationGuide, OrgImport, Team, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["display_name"]
    list_display = ["display_name", "email", "team", "time_zone", "location", "is_active"]
    list_filter = ["is_active", "is_hr_admin", "location"]
    list_select_related = ["team"]
    search_fields = ["display_name", "email"]
    raw_id_fields = ["team", "manager"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["display_name", "team", "manager", "start_date", "location"]}),
        ("Time", {"fields": ["time_zone", "work_start", "work_end", "working_days"]}),
        ("Access", {"fields": ["is_active", "is_hr_admin", "is_staff", "is_superuser"]}),
    ]
    add_fieldsets = [
        (
            None,
            {"classes": ["wide"], "fields": ["email", "display_name", "password1", "password2"]},
        ),
    ]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    form = TeamAdminForm
    list_display = ["indented_name", "parent"]
    list_select_related = ["parent"]
    search_fields = ["name"]
    filter_horizontal = ["managers"]
    raw_id_fields = ["parent"]


@admin.register(OrgImport)
class OrgImportAdmin(admin.ModelAdmin):
    list_display = ["created_at", "filename", "status", "uploaded_by"]
    readonly_fields = ["uploaded_by", "filename", "content", "status", "applied_at", "summary"]


@admin.register(ConversationGuide)
class ConversationGuideAdmin(admin.ModelAdmin):
    list_display = ["title", "situation", "updated_at"]
    readonly_fields = ["updated_at"]
