from django.contrib import admin

from mailing.email.models import (
    EmailBounce,
    EmailMailing,
    EmailTemplate,
    EmailTemplateVersion,
    EmailUnsubscribe,
)


class VersionInline(admin.TabularInline):
    model = EmailTemplateVersion
    fields = ["number", "subject", "created_at", "created_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    max_num = 0
    show_change_link = True


@admin.register(EmailTemplate)
class EmailTemplateAdmin(admin.ModelAdmin):
    # Content is edited through the API, which keeps every change as a new version.
    list_display = ["name", "updated_at", "created_by"]
    search_fields = ["name"]
    fields = ["name", "description"]
    inlines = [VersionInline]


@admin.register(EmailTemplateVersion)
class EmailTemplateVersionAdmin(admin.ModelAdmin):
    list_display = ["template", "number", "subject", "created_at"]
    readonly_fields = [f.name for f in EmailTemplateVersion._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(EmailMailing)
class EmailMailingAdmin(admin.ModelAdmin):
    list_display = ["mailing", "template_version", "from_address", "charset", "started_at"]
    readonly_fields = ["mailing", "template_version", "job", "started_at", "created_by"]
    search_fields = ["mailing__name", "from_address"]


@admin.register(EmailBounce)
class EmailBounceAdmin(admin.ModelAdmin):
    list_display = ["email", "kind", "status", "source", "created_at"]
    list_filter = ["kind", "source"]
    search_fields = ["email", "diagnostic"]
    readonly_fields = [f.name for f in EmailBounce._meta.fields]


@admin.register(EmailUnsubscribe)
class EmailUnsubscribeAdmin(admin.ModelAdmin):
    list_display = ["email", "method", "created_at"]
    search_fields = ["email"]
    readonly_fields = [f.name for f in EmailUnsubscribe._meta.fields]
