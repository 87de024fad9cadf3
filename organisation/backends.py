from django.apps import apps
from django.contrib.auth.backends import BaseBackend

from .models import Role
from .roles import has_role

MODEL_ACTIONS = ("add", "change", "delete", "view")


class AdministratorBackend(BaseBackend):
    """Administrators use the Django admin for every model.

    Grants exactly the add/change/delete/view permissions Django creates for models,
    never the workflow permissions (sign, approve...) that the rules define.
    """

    def has_perm(self, user_obj, perm, obj=None):
        if not has_role(user_obj, Role.ADMINISTRATOR):
            return False
        app_label, _, codename = perm.partition(".")
        try:
            models = apps.get_app_config(app_label).get_models()
        except LookupError:
            return False
        return codename in {f"{action}_{model._meta.model_name}" for model in models for action in MODEL_ACTIONS}

    def has_module_perms(self, user_obj, app_label):
        return has_role(user_obj, Role.ADMINISTRATOR)
