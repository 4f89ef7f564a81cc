from django.apps import AppConfig


class EmailConfig(AppConfig):
    name = "mailing.email"
    label = "mailing_email"
    verbose_name = "メール配信"

    def ready(self) -> None:
        # Registers the e-mail events (bounces, unsubscribes, opens, clicks) of
        # people/{id}/history/; the mailing itself and its state come from mailing.timeline.
        from mailing.email import timeline  # noqa: F401
