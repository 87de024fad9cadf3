from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bsc_site.admin import HistoryAdmin

from . import services
from .models import (
    ApiToken,
    Assignment,
    Company,
    Department,
    Employee,
    Post,
    Team,
    User,
)


@admin.register(User)
class BscUserAdmin(UserAdmin):
    list_display = ["username", "email", "is_active", "is_staff", "last_login"]

    def get_readonly_fields(self, request, obj=None):
        # Administrators grant roles (groups) to others, never to themselves, and only
        # a superuser makes superusers or hands out raw permissions.
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += ["is_superuser", "user_permissions"]
            if obj is not None and obj.pk == request.user.pk:
                fields += ["groups", "is_staff", "is_active"]
        return fields


@admin.register(Company)
class CompanyAdmin(HistoryAdmin):
    list_display = ["__str__", "appraisal_deadline_day", "time_zone"]


@admin.register(Department)
class DepartmentAdmin(HistoryAdmin):
    list_display = ["code", "name_zh", "name_en", "parent", "head", "is_active"]
    list_select_related = ["parent", "head"]
    search_fields = ["code", "name_zh", "name_en"]
    raw_id_fields = ["head"]


@admin.register(Team)
class TeamAdmin(HistoryAdmin):
    list_display = ["code", "name_zh", "name_en", "department", "leader", "is_active"]
    list_select_related = ["department", "leader"]
    raw_id_fields = ["leader"]


@admin.register(Post)
class PostAdmin(HistoryAdmin):
    list_display = ["code", "name_zh", "name_en", "department", "is_active"]
    list_select_related = ["department"]
    list_filter = ["department"]
    search_fields = ["code", "name_zh", "name_en"]


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0


@admin.register(Employee)
class EmployeeAdmin(HistoryAdmin):
    list_display = ["employee_number", "name_zh", "name_en", "department", "post", "is_active"]
    list_select_related = ["department", "post"]
    list_filter = ["is_active", "department"]
    search_fields = ["employee_number", "name_zh", "name_en", "user__username"]
    raw_id_fields = ["user", "line_manager"]
    inlines = [AssignmentInline]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["employee", "department", "post", "start_date", "end_date"]
    list_select_related = ["employee", "department", "post"]


class ApiTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["user", "name", "scopes", "expires_at"]

    def clean(self):
        data = super().clean()
        user, expires_at = data.get("user"), data.get("expires_at")
        if user is not None and not services.token_holder_allowed(user):
            raise ValidationError({"user": _("Tokens are only for active users with the integrator role.")})
        if expires_at is not None and expires_at <= timezone.now():
            raise ValidationError({"expires_at": _("The expiry must be in the future.")})
        return data


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Administrators create integrator tokens here; the secret is shown once."""

    form = ApiTokenForm

    list_display = ["name", "user", "prefix", "scopes", "created_at", "expires_at", "last_used_at", "revoked_at"]
    list_select_related = ["user"]
    readonly_fields = ["prefix", "created_by", "created_at", "last_used_at", "revoked_at"]
    fields = ["user", "name", "scopes", "expires_at", *readonly_fields]
    actions = ["revoke"]

    def has_change_permission(self, request, obj=None):
        # A token is immutable once issued; revoke it and issue another.
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        token, secret = services.create_api_token(
            by=request.user, user=obj.user, name=obj.name, scopes=obj.scopes, expires_at=obj.expires_at
        )
        obj.pk = token.pk
        obj.refresh_from_db()
        messages.warning(request, gettext("Token secret (shown only now, copy it): %(secret)s") % {"secret": secret})

    @admin.action(description=_("Revoke selected tokens"))
    def revoke(self, request, queryset):
        for token in queryset:
            services.revoke_api_token(token=token)
