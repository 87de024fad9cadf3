from rest_framework.routers import DefaultRouter

from . import viewsets

router = DefaultRouter()
router.include_root_view = False
router.register("scorecards", viewsets.ScorecardViewSet, basename="scorecard")
router.register("scorecard-versions", viewsets.ScorecardVersionViewSet, basename="scorecard-version")
router.register("scorecard-lines", viewsets.ScorecardLineViewSet, basename="scorecard-line")
router.register("cascade-links", viewsets.CascadeLinkViewSet, basename="cascade-link")
router.register("seasonal-profiles", viewsets.SeasonalProfileViewSet, basename="seasonal-profile")
router.register("change-proposals", viewsets.ChangeProposalViewSet, basename="change-proposal")

urlpatterns = router.urls
