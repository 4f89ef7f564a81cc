from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from importers import views

router = SimpleRouter()
router.register("imports", views.ImportViewSet, basename="import")
router.register("import-formats", views.ImportFormatViewSet, basename="import-format")

urlpatterns = [
    # errors.csv is a file name, so no trailing slash (DESIGN "REST API").
    path(
        "imports/<int:pk>/errors.csv",
        views.ImportViewSet.as_view({"get": "errors_csv"}),
        name="import-errors-csv",
    ),
    path("exports/", views.ExportJobView.as_view(), name="export-create"),
    path("exports/columns/", views.ExportColumnsView.as_view(), name="export-columns"),
    path("exports/<int:pk>/download/", views.ExportDownloadView.as_view(), name="export-download"),
    re_path(
        r"^exports/(?P<target>[a-z]+)\.(?P<fmt>csv|xlsx)$",
        views.ExportStreamView.as_view(),
        name="export-stream",
    ),
    path("duplicates/people/", views.DuplicateListView.as_view(), name="duplicates-people"),
    path(
        "duplicates/people/merge/",
        views.DuplicateMergeView.as_view(),
        name="duplicates-people-merge",
    ),
    path(
        "duplicates/companies/",
        views.CompanyDuplicateListView.as_view(),
        name="duplicates-companies",
    ),
    path(
        "duplicates/companies/merge/",
        views.CompanyDuplicateMergeView.as_view(),
        name="duplicates-companies-merge",
    ),
    *router.urls,
]
