from django.core.management.base import BaseCommand

from organisation.demo import load_demo


class Command(BaseCommand):
    help = "Create (or refresh) the Heda demo company and print the log-ins of each role."

    def handle(self, *args, **options):
        logins = load_demo()
        self.stdout.write(self.style.SUCCESS("Demo company loaded: Heda Enterprise (合达企业)."))
        self.stdout.write("Log-ins:")
        width = max(len(login.role) for login in logins)
        for login in logins:
            line = f"  {login.role:<{width}}  user: {login.username:<18} password: {login.password}"
            self.stdout.write(line + (f"   ({login.note})" if login.note else ""))
