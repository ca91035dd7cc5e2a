# Responses, answers and receipts are deliberately not in the admin: nobody
# browses individual answers. Only the question bank is.
from django.contrib import admin

from pulse.models import Question


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["text", "dimension", "version", "retired"]
    list_filter = ["dimension", "retired"]
