from rest_framework.routers import SimpleRouter

from .views import IndicatorRunViewSet, IndicatorValueViewSet, IndicatorViewSet, TargetViewSet

router = SimpleRouter()
router.register("indicators", IndicatorViewSet, basename="indicator")
# Before the values feed: its detail route would take "runs" for an id.
router.register("indicator-values/runs", IndicatorRunViewSet, basename="indicator-run")
router.register("indicator-values", IndicatorValueViewSet, basename="indicator-value")
router.register("targets", TargetViewSet, basename="target")
