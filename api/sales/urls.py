from rest_framework.routers import SimpleRouter

from api.sales import views

router = SimpleRouter()
router.register("product-categories", views.ProductCategoryViewSet, basename="product-category")
router.register("products", views.ProductViewSet, basename="product")
router.register("sales", views.SaleViewSet, basename="sale")
urlpatterns = router.urls
