from rest_framework.routers import DefaultRouter

from . import rating_viewsets, viewsets

router = DefaultRouter()
router.include_root_view = False
router.register("appraisal-periods", viewsets.PeriodViewSet, basename="appraisal-period")
router.register("appraisal-forms", viewsets.FormViewSet, basename="appraisal-form")
router.register("appraisal-values", viewsets.ValueViewSet, basename="appraisal-value")
router.register("inspections", viewsets.InspectionViewSet, basename="inspection")
router.register("rating-requests", rating_viewsets.RatingRequestViewSet, basename="rating-request")

urlpatterns = router.urls
