from django.apps import AppConfig


class MailingConfig(AppConfig):
    name = "mailing"
    label = "mailing"
    verbose_name = "発送"

    def ready(self) -> None:
        # Registers the mailing and response sources of people/{id}/history/.
        from mailing import timeline  # noqa: F401
