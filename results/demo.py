"""The demo's results: monthly pay bases for every post (a few people with their own), the
general manager's reasons where a past month's grades break the distribution guidance,
and the published months graded."""

from decimal import Decimal

from appraisal.models import Period, PeriodStatus
from organisation.models import Employee, Post, User

from . import services
from .models import FormResult, PayBase

REASON = "本月多人超额完成，经复核予以批准 / Several people beat their targets this month; reviewed and approved"
# Monthly performance-pay bases (CNY) by the start of the post's code; the rest 2500.
BASES = {"GM": "12000", "HD": "6000", "SL": "3500", "QA": "3200", "RD": "3800", "PD": "2800"}


def record_reasons(period: Period, gm: User) -> None:
    """Before a past month is approved: a reason for every group breaking the guidance."""
    for check in services.distribution_checks(period):
        if check.waiver is None:
            services.waive(by=gm, period=period, department=check.department, reason=REASON)


def load_demo() -> str:
    hr = User.objects.filter(username="hr").first()
    if hr is None:
        raise RuntimeError("Load the organisation demo first: the user hr is missing.")
    for post in Post.objects.filter(pay_base__isnull=True):
        amount = next((value for prefix, value in BASES.items() if post.code.upper().startswith(prefix)), "2500")
        services.set_pay_base(by=hr, amount=Decimal(amount), post=post)
    senior = Employee.objects.filter(is_active=True, pay_base__isnull=True).order_by("employee_number")[:2]
    for employee in senior:
        services.set_pay_base(by=hr, amount=Decimal("4200"), employee=employee)
    months = list(Period.objects.filter(status__in=[PeriodStatus.PUBLISHED, PeriodStatus.CLOSED]))
    for period in months:
        services.grade_period(period)
    return f"Results: {PayBase.objects.count()} pay bases, {FormResult.objects.count()} graded forms in {len(months)} months"
