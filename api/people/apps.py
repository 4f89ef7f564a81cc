from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "api.people"
    label = "people"
    verbose_name = "顧客"
