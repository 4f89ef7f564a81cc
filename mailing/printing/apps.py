from django.apps import AppConfig


class PrintingConfig(AppConfig):
    name = "mailing.printing"
    label = "printing"
    verbose_name = "印刷 (宛名・送付状)"

    def ready(self) -> None:
        # Registers the print source of people/{id}/history/.
        from mailing.printing import timeline  # noqa: F401
