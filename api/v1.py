"""The /api/v1/ URL table: each app's urls.py is mounted here."""

from django.urls import include, path

urlpatterns = [
    path("", include("api.core.urls")),
    path("", include("api.masters.urls")),
    path("", include("api.people.urls")),
    path("", include("api.sales.urls")),
    path("", include("api.jobs.urls")),
    path("", include("api.selections.urls")),
    path("", include("api.contacts.urls")),
    path("", include("importers.urls")),
    path("", include("mailing.urls")),
    path("", include("mailing.printing.urls")),
    path("", include("mailing.email.urls")),
]
