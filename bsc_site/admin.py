from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin


class ReadOnlyAdminMixin:
    """For records whose rules live in services (approvals, frozen plans, loop checks,
    expert answers): the admin shows them, the application's pages and API change them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class HistoryAdmin(SimpleHistoryAdmin):
    """SimpleHistoryAdmin whose history pages only show. Upstream saves a POSTed "revert"
    form after checking the view permission alone, which would change approved and closed
    records behind the services' back; past versions are for reading here."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def revert_disabled(self, request, obj=None):
        return True
