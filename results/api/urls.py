from rest_framework.routers import DefaultRouter

from . import viewsets

router = DefaultRouter()
router.include_root_view = False
router.register("grade-bands", viewsets.GradeBandViewSet, basename="grade-band")
router.register("payroll", viewsets.PayrollViewSet, basename="payroll")

urlpatterns = router.urls
