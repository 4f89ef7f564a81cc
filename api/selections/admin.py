from django.contrib import admin

from api.selections.models import SelectionSet


@admin.register(SelectionSet)
class SelectionSetAdmin(admin.ModelAdmin):
    # Members are written by set-based jobs; the admin renames, describes and deletes.
    list_display = ["number", "name", "origin", "member_count", "owner", "updated_at"]
    list_filter = ["origin", "created_at"]
    search_fields = ["name", "description", "=number"]
    readonly_fields = [
        "number",
        "query",
        "origin",
        "origin_detail",
        "member_count",
        "job",
        "extracted_at",
        "last_change",
        "created_at",
        "updated_at",
    ]
    fields = ["name", "description", "owner", *readonly_fields]

    def has_add_permission(self, request) -> bool:
        return False
