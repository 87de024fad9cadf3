from rest_framework.routers import DefaultRouter

from . import viewsets

router = DefaultRouter()
router.include_root_view = False
router.register("perspectives", viewsets.PerspectiveViewSet, basename="perspective")
router.register("plans", viewsets.PlanViewSet, basename="plan")
router.register("objectives", viewsets.ObjectiveViewSet, basename="objective")
router.register("links", viewsets.LinkViewSet, basename="link")
router.register("measures", viewsets.MeasureViewSet, basename="measure")
router.register("matrix-cells", viewsets.MatrixCellViewSet, basename="matrix-cell")

urlpatterns = router.urls
