from django.urls import path
from rest_framework.routers import SimpleRouter

from api.people import views

router = SimpleRouter(use_regex_path=False)
router.register("companies", views.CompanyViewSet, basename="company")
router.register("departments", views.DepartmentViewSet, basename="department")
router.register("people", views.PersonViewSet, basename="person")
router.register("people/<int:person_pk>/career", views.CareerViewSet, basename="person-career")
router.register(
    "people/<int:person_pk>/card-exchanges",
    views.CardExchangeViewSet,
    basename="person-card-exchange",
)
router.register(
    "people/<int:person_pk>/secret-notes",
    views.SecretNoteViewSet,
    basename="person-secret-note",
)

urlpatterns = [
    path("people/<int:person_pk>/history/", views.HistoryView.as_view(), name="person-history"),
    *router.urls,
]
