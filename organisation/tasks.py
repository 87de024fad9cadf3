from celery import shared_task

from .models import Employee


@shared_task(acks_late=True)
def count_active_employees() -> int:
    """A read-only smoke task: proves a worker reaches the broker and the database."""
    return Employee.objects.filter(is_active=True).count()
