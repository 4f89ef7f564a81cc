from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "api.contacts"
    label = "contacts"
    verbose_name = "顧客接点記録"

    def ready(self) -> None:
        # Registers the contact-record source of people/{id}/history/.
        from api.contacts import timeline  # noqa: F401
