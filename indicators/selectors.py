from django.db.models import Q, QuerySet

from organisation.rules import is_active_user

from .models import Indicator


def indicators_visible_to(user) -> QuerySet[Indicator]:
    if not is_active_user(user):
        return Indicator.objects.none()
    return Indicator.objects.select_related("perspective", "owner_department", "owner_post").order_by("code")


def search_indicators(indicators: QuerySet[Indicator], *, text="", perspective=None, type="", owner=None, status="") -> QuerySet[Indicator]:
    """Filters of the library list, in both languages."""
    if text:
        indicators = indicators.filter(
            Q(code__icontains=text) | Q(name_zh__icontains=text) | Q(name_en__icontains=text)
            | Q(definition_zh__icontains=text) | Q(definition_en__icontains=text) | Q(category__icontains=text)
        )
    if perspective:
        indicators = indicators.filter(perspective=perspective)
    if type:
        indicators = indicators.filter(type=type)
    if owner:
        indicators = indicators.filter(Q(owner_department=owner) | Q(owner_post__department=owner))
    if status:
        indicators = indicators.filter(status=status)
    return indicators
