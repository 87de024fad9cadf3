from django.db.models.signals import post_save
from django.dispatch import receiver

from .models import User
from .services import revoke_tokens_of


@receiver(post_save, sender=User, dispatch_uid="revoke_tokens_of_inactive_user")
def revoke_tokens_when_deactivated(sender, instance, **kwargs):
    # Catches every path that deactivates a user, the admin included.
    if not instance.is_active:
        revoke_tokens_of(instance)
