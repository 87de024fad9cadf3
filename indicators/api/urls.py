from rest_framework.routers import DefaultRouter

from . import viewsets

router = DefaultRouter()
router.include_root_view = False
router.register("indicators", viewsets.IndicatorViewSet, basename="indicator")
router.register("weighting-rounds", viewsets.RoundViewSet, basename="weighting-round")

urlpatterns = router.urls
