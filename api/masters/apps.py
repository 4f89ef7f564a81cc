from django.apps import AppConfig


class MastersConfig(AppConfig):
    name = "api.masters"
    label = "masters"
    verbose_name = "マスタ"
