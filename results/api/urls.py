from rest_framework.routers import DefaultRouter

from . import after_viewsets, viewsets

router = DefaultRouter()
router.include_root_view = False
router.register("grade-bands", viewsets.GradeBandViewSet, basename="grade-band")
router.register("payroll", viewsets.PayrollViewSet, basename="payroll")
router.register("interviews", after_viewsets.InterviewViewSet, basename="interview")
router.register("appeals", after_viewsets.AppealViewSet, basename="appeal")
router.register("improvement-plans", after_viewsets.ImprovementPlanViewSet, basename="improvement-plan")
router.register("plan-items", after_viewsets.ImprovementItemViewSet, basename="plan-item")

urlpatterns = router.urls
