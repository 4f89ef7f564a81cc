from django.urls import path
from rest_framework.routers import SimpleRouter

from api.contacts import views

router = SimpleRouter()
# Registered before contact-records, whose ids are digits only, so the names never clash.
router.register(
    "contact-records/saved-searches", views.SavedSearchViewSet, basename="contact-saved-search"
)
router.register("contact-records", views.ContactRecordViewSet, basename="contact-record")
router.register("follow-ups", views.FollowUpViewSet, basename="follow-up")
router.register("notifications", views.NotificationViewSet, basename="notification")

urlpatterns = [
    path(
        "contact-records/export.csv",
        views.ContactRecordExportView.as_view(),
        name="contact-record-export",
    ),
    path("contact-records/columns/", views.ListColumnsView.as_view(), name="contact-columns"),
    path(
        "contact-records/<int:record_pk>/comments/<int:pk>/",
        views.ContactCommentDeleteView.as_view(),
        name="contact-comment",
    ),
    path(
        "contact-records/<int:record_pk>/attachments/<int:pk>/",
        views.ContactAttachmentView.as_view(),
        name="contact-attachment",
    ),
    path(
        "contact-records/<int:record_pk>/attachments/<int:pk>/download/",
        views.ContactAttachmentDownloadView.as_view(),
        name="contact-attachment-download",
    ),
    path(
        "masters/contact-methods/",
        views.ContactMethodListView.as_view(),
        name="contact-method-list",
    ),
    path(
        "masters/contact-results/",
        views.ContactResultListView.as_view(),
        name="contact-result-list",
    ),
    path(
        "masters/contact-summaries/",
        views.ContactSummaryListView.as_view(),
        name="contact-summary-list",
    ),
    path("stats/", views.StatsView.as_view(), name="stats"),
    *router.urls,
]
