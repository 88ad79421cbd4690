from rest_framework.routers import SimpleRouter

from .views import DistrictViewSet, StreetViewSet

router = SimpleRouter()
router.register("districts", DistrictViewSet, basename="district")
router.register("streets", StreetViewSet, basename="street")
