from django.contrib import admin

from api.jobs.models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "kind",
        "state",
        "done",
        "total",
        "created_by",
        "created_at",
        "finished_at",
    ]
    list_filter = ["state", "kind", "created_at"]
    search_fields = ["id", "kind", "error", "created_by__username"]
    readonly_fields = [f.name for f in Job._meta.fields]
    date_hierarchy = "created_at"
