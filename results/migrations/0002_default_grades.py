"""The usual five grades (seed 004's A to E) with incentive coefficients, and guidance of
at most 20% A and at least 5% E; HR changes them on the grades page."""

from decimal import Decimal

from django.db import migrations

GRADES = [("A", "90", "1.2"), ("B", "80", "1.0"), ("C", "70", "0.8"), ("D", "60", "0.5"), ("E", "0", "0")]
RULES = [("A", "at_most", "20"), ("E", "at_least", "5")]


def add(apps, schema_editor):
    GradeBand = apps.get_model("results", "GradeBand")
    DistributionRule = apps.get_model("results", "DistributionRule")
    if GradeBand.objects.exists():
        return
    bands = {code: GradeBand.objects.create(code=code, lower_bound=Decimal(lower), coefficient=Decimal(coefficient)) for code, lower, coefficient in GRADES}
    for code, limit, percent in RULES:
        DistributionRule.objects.create(band=bands[code], limit=limit, percent=Decimal(percent))


class Migration(migrations.Migration):
    dependencies = [("results", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
