"""The API's gate: who may call at all, and which token scope a call needs."""

from rest_framework import permissions

from ..models import ApiScope, ApiToken
from ..rules import is_active_user
from ..services import token_scopes_allow


class ApiAccess(permissions.BasePermission):
    """Authenticated, active users; token callers also need the scope of the call.

    A view names the scope its writes need with `write_scope` (None: no token may
    write there, e.g. approvals). Reads need the `read` scope.
    """

    message = "You do not have permission to perform this action."

    def has_permission(self, request, view):
        if not is_active_user(request.user):
            return False
        token = request.auth if isinstance(request.auth, ApiToken) else None
        if token is None:
            return True
        if request.method in permissions.SAFE_METHODS:
            return token_scopes_allow(token, ApiScope.READ)
        scope = getattr(view, "write_scope", None)
        return scope is not None and token_scopes_allow(token, scope)


class CanManageOrganisation(permissions.BasePermission):
    """Writes to the organisation: HR and administrators."""

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        return request.user.has_perm("organisation.manage_organisation")
