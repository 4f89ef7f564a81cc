from rest_framework.routers import SimpleRouter

from api.masters import views

router = SimpleRouter()
router.register("masters/person-types", views.PersonTypeViewSet, basename="person-type")
router.register("masters/selection-types", views.SelectionTypeViewSet, basename="selection-type")
router.register(
    "masters/company-classifications",
    views.CompanyClassificationViewSet,
    basename="company-classification",
)
router.register("masters/branches", views.BranchViewSet, basename="branch")
router.register("masters/sections", views.SectionViewSet, basename="section")
router.register("masters/user-codes", views.UserCodeValueViewSet, basename="user-code")
router.register("masters/custom-fields", views.CustomFieldViewSet, basename="custom-field")
router.register("employees", views.EmployeeViewSet, basename="employee")
urlpatterns = router.urls
