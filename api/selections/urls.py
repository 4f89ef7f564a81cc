from django.urls import re_path
from rest_framework.routers import SimpleRouter

from api.selections.views import SelectionSetViewSet

router = SimpleRouter()
router.register("selection-sets", SelectionSetViewSet, basename="selection-set")
urlpatterns = [
    # A file name, as DESIGN names it: …/{id}/export.csv and …/{id}/export.xlsx.
    re_path(
        r"^selection-sets/(?P<pk>[0-9]+)/export\.(?P<fmt>csv|xlsx)$",
        SelectionSetViewSet.as_view({"get": "export"}),
        name="selection-set-export",
    ),
    *router.urls,
]
