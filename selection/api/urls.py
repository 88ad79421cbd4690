from rest_framework.routers import DefaultRouter

from .views import SelectionRoundViewSet

router = DefaultRouter()
router.register("selection-rounds", SelectionRoundViewSet, basename="selection-round")

urlpatterns = router.urls
