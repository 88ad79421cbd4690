from rest_framework.routers import SimpleRouter

from .views import OwnersCommitteeViewSet, PartyOrganisationViewSet

router = SimpleRouter()
router.register("committees", OwnersCommitteeViewSet, basename="committee")
router.register("party-organisations", PartyOrganisationViewSet, basename="party-organisation")
