from django.contrib import messages
from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils.translation import gettext as _

from .models import User
from .services import revoke_tokens_of


@receiver(post_save, sender=User, dispatch_uid="revoke_tokens_of_inactive_user")
def revoke_tokens_when_deactivated(sender, instance, **kwargs):
    # Catches every path that deactivates a user, the admin included.
    if not instance.is_active:
        revoke_tokens_of(instance)


@receiver(user_logged_out, dispatch_uid="say_logged_out")
def say_logged_out(sender, request, user, **kwargs):
    if request is not None:
        messages.info(request, _("You have logged out."))
