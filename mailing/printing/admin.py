from django.contrib import admin

from mailing.printing.models import DocumentTemplate, LabelFormat, PrintRun


@admin.register(LabelFormat)
class LabelFormatAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "code",
        "manufacturer",
        "product_number",
        "columns",
        "rows",
        "label_width",
        "label_height",
        "builtin",
    ]
    list_filter = ["builtin", "manufacturer"]
    search_fields = ["name", "code", "product_number"]

    def get_readonly_fields(self, request, obj=None):
        # The shipped sheets stay as shipped, so last year's print can be made again.
        if obj is not None and obj.builtin:
            return [field.name for field in obj._meta.fields]
        return ["builtin"]

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj and obj.builtin)


@admin.register(DocumentTemplate)
class DocumentTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "engine", "date_style", "updated_at"]
    list_filter = ["kind", "engine"]
    search_fields = ["name"]
    readonly_fields = ["fields"]


@admin.register(PrintRun)
class PrintRunAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "kind",
        "reprint",
        "state",
        "documents",
        "pages",
        "created_at",
        "finished_at",
    ]
    list_filter = ["kind", "state", "reprint"]
    search_fields = ["title", "mailing__name"]
    raw_id_fields = ["mailing", "job", "created_by"]
    readonly_fields = ["problems", "error", "artifact", "documents", "pages", "skipped"]
