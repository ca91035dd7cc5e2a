from django.contrib import admin

from connection.admin import AuditedAdmin
from connection.models import AuditEntry
from insights.models import ConversationGuide


@admin.register(ConversationGuide)
class ConversationGuideAdmin(AuditedAdmin):
    audit_actions = (
        AuditEntry.Action.GUIDE_ADDED,
        AuditEntry.Action.GUIDE_EDITED,
        AuditEntry.Action.GUIDE_DELETED,
    )
    list_display = ["title", "situation", "updated_at"]
    readonly_fields = ["updated_at"]
