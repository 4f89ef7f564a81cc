from django.contrib import admin

from mailing.models import Mailing, MailingRecipient, ResponseType


@admin.register(ResponseType)
class ResponseTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "undeliverable", "sort_order", "is_active"]
    list_editable = ["sort_order", "is_active"]
    search_fields = ["code", "name"]


class RecipientInline(admin.TabularInline):
    model = MailingRecipient
    fields = ["person", "state", "full_name", "postal_code", "address1", "email", "sent_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False
    max_num = 0


@admin.register(Mailing)
class MailingAdmin(admin.ModelAdmin):
    # Mailings are made by executing a set (idempotent, set-based); the admin only reads.
    list_display = ["id", "name", "channel", "state", "recipient_count", "created_by", "created_at"]
    list_filter = ["channel", "state", "created_at"]
    search_fields = ["name", "selection_set_label"]
    readonly_fields = [f.name for f in Mailing._meta.fields]
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False
