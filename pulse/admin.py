# Responses, answers and receipts are deliberately not in the admin: nobody
# browses individual answers. Only the question bank is.
from django.contrib import admin

from connection.admin import AuditedAdmin
from connection.models import AuditEntry
from pulse.models import Question


@admin.register(Question)
class QuestionAdmin(AuditedAdmin):
    audit_actions = (
        AuditEntry.Action.QUESTION_ADDED,
        AuditEntry.Action.QUESTION_EDITED,
        AuditEntry.Action.QUESTION_DELETED,
    )
    list_display = ["text", "dimension", "version", "retired"]
    list_filter = ["dimension", "retired"]
