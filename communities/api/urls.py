from rest_framework.routers import SimpleRouter

from .views import CommunityViewSet, CompoundViewSet, PropertyFirmViewSet, ServiceContractViewSet

router = SimpleRouter()
router.register("communities", CommunityViewSet, basename="community")
router.register("compounds", CompoundViewSet, basename="compound")
router.register("firms", PropertyFirmViewSet, basename="firm")
router.register("contracts", ServiceContractViewSet, basename="contract")
