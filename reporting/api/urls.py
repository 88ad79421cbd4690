from rest_framework.routers import SimpleRouter

from .views import MonthlyRecordViewSet, MonthlyReportViewSet

router = SimpleRouter()
router.register("monthly-reports", MonthlyReportViewSet, basename="monthly-report")
router.register("monthly-records", MonthlyRecordViewSet, basename="monthly-record")
