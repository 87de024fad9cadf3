class ReadOnlyAdminMixin:
    """For records whose rules live in services (approvals, frozen plans, loop checks,
    expert answers): the admin shows them, the application's pages and API change them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
