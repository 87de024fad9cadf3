from django.urls import path
from rest_framework.routers import DefaultRouter

from . import viewsets

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("departments", viewsets.DepartmentViewSet, basename="department")
router.register("teams", viewsets.TeamViewSet, basename="team")
router.register("posts", viewsets.PostViewSet, basename="post")
router.register("employees", viewsets.EmployeeViewSet, basename="employee")

urlpatterns = [path("me/", viewsets.MeView.as_view(), name="me"), *router.urls]
