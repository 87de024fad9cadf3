"""API shapes of the organisation. Writes go through services; nothing here lets a
client set state, owners or timestamps (is_active, head, leave date, history)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import Department, Employee, Post, Team
from ..roles import headed_department_ids, roles_of
from ..selectors import (
    departments_visible_to,
    employees_visible_to,
    posts_visible_to,
    teams_visible_to,
)
from .fields import VisibleRelatedField


class DepartmentSerializer(serializers.ModelSerializer):
    parent = VisibleRelatedField(departments_visible_to, allow_null=True, required=False)
    display_name = serializers.CharField(read_only=True)
    head_name = serializers.SerializerMethodField()

    class Meta:
        model = Department
        fields = ["id", "code", "name_zh", "name_en", "display_name", "parent", "head", "head_name", "sort_order", "is_active"]
        read_only_fields = ["head", "is_active"]

    def get_head_name(self, obj) -> str | None:
        return obj.head.display_name if obj.head_id else None


class DepartmentHeadSerializer(serializers.Serializer):
    head = VisibleRelatedField(employees_visible_to, allow_null=True)


class TeamSerializer(serializers.ModelSerializer):
    department = VisibleRelatedField(departments_visible_to)
    leader = VisibleRelatedField(employees_visible_to, allow_null=True, required=False)
    display_name = serializers.CharField(read_only=True)

    class Meta:
        model = Team
        fields = ["id", "code", "name_zh", "name_en", "display_name", "department", "leader", "is_active"]
        read_only_fields = ["is_active"]


class PostSerializer(serializers.ModelSerializer):
    department = VisibleRelatedField(departments_visible_to)
    display_name = serializers.CharField(read_only=True)

    class Meta:
        model = Post
        fields = ["id", "code", "name_zh", "name_en", "display_name", "department", "description", "is_active"]
        read_only_fields = ["is_active"]


class EmployeeSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)

    class Meta:
        model = Employee
        fields = [
            "id", "employee_number", "name_zh", "name_en", "display_name", "username", "email",
            "department", "post", "team", "line_manager", "hire_date", "leave_date", "is_active",
        ]
        read_only_fields = fields


class EmployeeCreateSerializer(serializers.Serializer):
    employee_number = serializers.CharField(max_length=32)
    name_zh = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    name_en = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    username = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    department = VisibleRelatedField(departments_visible_to)
    post = VisibleRelatedField(posts_visible_to)
    team = VisibleRelatedField(teams_visible_to, allow_null=True, required=False, default=None)
    line_manager = VisibleRelatedField(employees_visible_to, allow_null=True, required=False, default=None)
    hire_date = serializers.DateField()


class EmployeeUpdateSerializer(serializers.Serializer):
    employee_number = serializers.CharField(max_length=32, required=False)
    name_zh = serializers.CharField(max_length=100, required=False, allow_blank=True)
    name_en = serializers.CharField(max_length=100, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    line_manager = VisibleRelatedField(employees_visible_to, allow_null=True, required=False)
    hire_date = serializers.DateField(required=False)


class EmployeeMoveSerializer(serializers.Serializer):
    department = VisibleRelatedField(departments_visible_to)
    post = VisibleRelatedField(posts_visible_to)
    team = VisibleRelatedField(teams_visible_to, allow_null=True, required=False, default=None)
    effective_date = serializers.DateField()


class EmployeeDeactivateSerializer(serializers.Serializer):
    leave_date = serializers.DateField()


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    email = serializers.EmailField()
    roles = serializers.SerializerMethodField()
    headed_departments = serializers.SerializerMethodField()
    employee = serializers.SerializerMethodField()

    def get_roles(self, user) -> list[str]:
        return sorted(roles_of(user))

    def get_headed_departments(self, user) -> list[int]:
        return sorted(headed_department_ids(user))

    @extend_schema_field(EmployeeSerializer(allow_null=True))
    def get_employee(self, user):
        employee = Employee.objects.filter(user=user).first()
        return EmployeeSerializer(employee).data if employee else None

