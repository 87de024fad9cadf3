from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

PROJECT_APPS = ("organisation", "strategy", "indicators", "scorecards", "appraisal", "results")


class Command(BaseCommand):
    help = "Create (or refresh) the Heda demo company and print the log-ins of each role."

    def handle(self, *args, **options):
        # Each app owns its part of the demo (<app>/demo.py), loaded lowest app first, so
        # this command in the lowest app never imports a higher one.
        logins, notes = [], []
        with transaction.atomic():
            for config in apps.get_app_configs():
                if config.name not in PROJECT_APPS or find_spec(f"{config.name}.demo") is None:
                    continue
                result = import_module(f"{config.name}.demo").load_demo()
                if config.name == "organisation":
                    logins = result
                elif result:
                    notes.append(result)
        self.stdout.write(self.style.SUCCESS("Demo company loaded: Heda Enterprise (合达企业)."))
        for note in notes:
            self.stdout.write(f"  {note}")
        self.stdout.write("Log-ins:")
        width = max(len(login.role) for login in logins)
        for login in logins:
            line = f"  {login.role:<{width}}  user: {login.username:<18} password: {login.password}"
            self.stdout.write(line + (f"   ({login.note})" if login.note else ""))
