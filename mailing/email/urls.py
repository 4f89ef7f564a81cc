from django.urls import path
from rest_framework.routers import SimpleRouter

from mailing.email import views

router = SimpleRouter()
router.register("email-templates", views.EmailTemplateViewSet, basename="email-template")

MAILING = "mailings/<int:mailing_pk>/email/"

urlpatterns = [
    path(MAILING, views.MailingEmailView.as_view(), name="mailing-email"),
    path(f"{MAILING}start/", views.MailingEmailStartView.as_view(), name="mailing-email-start"),
    path(f"{MAILING}pause/", views.MailingEmailPauseView.as_view(), name="mailing-email-pause"),
    path(f"{MAILING}resume/", views.MailingEmailResumeView.as_view(), name="mailing-email-resume"),
    path(f"{MAILING}cancel/", views.MailingEmailCancelView.as_view(), name="mailing-email-cancel"),
    path(
        f"{MAILING}unconfirmed/",
        views.MailingEmailUnconfirmedView.as_view(),
        name="mailing-email-unconfirmed",
    ),
    path(
        f"{MAILING}preview/", views.MailingEmailPreviewView.as_view(), name="mailing-email-preview"
    ),
    path(
        f"{MAILING}test-send/",
        views.MailingEmailTestSendView.as_view(),
        name="mailing-email-test-send",
    ),
    path(
        f"{MAILING}bounces/", views.MailingEmailBouncesView.as_view(), name="mailing-email-bounces"
    ),
    path("email/bounces/", views.BounceWebhookView.as_view(), name="email-bounce-webhook"),
    path("email/bounces/mailbox/", views.BounceMailboxView.as_view(), name="email-bounce-mailbox"),
    path("email/unsubscribe/<str:token>/", views.unsubscribe, name="email-unsubscribe"),
    path("email/o/<str:token>.gif", views.open_pixel, name="email-open"),
    path("email/c/<str:token>/<int:link>/", views.click, name="email-click"),
    *router.urls,
]
