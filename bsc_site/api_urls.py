"""Every app's API under /api/v1/, in one `api` namespace."""

from appraisal.api.urls import urlpatterns as appraisal_urls
from indicators.api.urls import urlpatterns as indicator_urls
from organisation.api.urls import urlpatterns as organisation_urls
from results.api.urls import urlpatterns as results_urls
from scorecards.api.urls import urlpatterns as scorecard_urls
from strategy.api.urls import urlpatterns as strategy_urls

urlpatterns = [*organisation_urls, *strategy_urls, *indicator_urls, *scorecard_urls, *appraisal_urls, *results_urls]
