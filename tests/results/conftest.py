from importlib import import_module

import pytest

DEFAULTS = import_module("results.migrations.0002_default_grades")


@pytest.fixture(autouse=True)
def default_grades(db):
    """The shipped grades (a data migration); a transactional test before may have flushed them."""
    from django.apps import apps

    DEFAULTS.add(apps, None)
