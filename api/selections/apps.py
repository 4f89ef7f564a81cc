from django.apps import AppConfig


class SelectionsConfig(AppConfig):
    name = "api.selections"
    label = "selections"
    verbose_name = "選択セット"
