from rest_framework.routers import SimpleRouter

from mailing.views import MailingViewSet, ResponseTypeViewSet

router = SimpleRouter()
router.register("mailings", MailingViewSet, basename="mailing")
router.register("response-types", ResponseTypeViewSet, basename="response-type")
urlpatterns = router.urls
