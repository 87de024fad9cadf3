from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.permissions import AllowAny

from . import health

admin.site.site_header = "bsc administration"

urlpatterns = [
    path("", include("organisation.urls")),
    path("", include("strategy.urls")),
    path("", include("indicators.urls")),
    path("", include("scorecards.urls")),
    path("", include("appraisal.urls")),
    path("", include("results.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", health.healthz, name="healthz"),
    path("api/v1/", include(("bsc_site.api_urls", "api"), namespace="api")),
    # The API's description is public: it holds no data, and integrators read it first.
    path("api/schema/", SpectacularAPIView.as_view(permission_classes=[AllowAny]), name="api-schema"),
    path(
        "api/docs/",
        SpectacularSwaggerView.as_view(url_name="api-schema", permission_classes=[AllowAny]),
        name="api-docs",
    ),
    path("admin/", admin.site.urls),
]
