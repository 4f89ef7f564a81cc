from django.contrib import admin

from importers.models import ImportFormat, ImportJob


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ["id", "filename", "target", "mode", "state", "created_by", "created_at"]
    list_filter = ["state", "target", "mode"]
    search_fields = ["filename"]
    readonly_fields = [f.name for f in ImportJob._meta.fields]

    def has_add_permission(self, request) -> bool:
        # Imports come in through the API or `meibo import`, which run the pipeline.
        return False


@admin.register(ImportFormat)
class ImportFormatAdmin(admin.ModelAdmin):
    list_display = ["name", "target", "mode", "match_key", "created_by", "updated_at"]
    list_filter = ["target"]
    search_fields = ["name"]
