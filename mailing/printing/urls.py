from django.urls import path
from rest_framework.routers import SimpleRouter

from mailing.printing import views

router = SimpleRouter()
router.register("label-formats", views.LabelFormatViewSet, basename="label-format")
router.register("document-templates", views.DocumentTemplateViewSet, basename="document-template")
router.register("print-runs", views.PrintRunViewSet, basename="print-run")

urlpatterns = [
    path(
        "mailings/<int:mailing_pk>/print/", views.MailingPrintView.as_view(), name="mailing-print"
    ),
    path(
        "mailings/<int:mailing_pk>/print-check/",
        views.MailingPrintCheckView.as_view(),
        name="mailing-print-check",
    ),
    *router.urls,
]
