from django.core.management.base import BaseCommand

from indicators.library import import_kpi_library


class Command(BaseCommand):
    help = "Load the shipped KPI library (seed 001) into the indicator library, by code. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--update", action="store_true", help="Refresh the texts of indicators that already exist.")

    def handle(self, *args, update=False, **options):
        outcome = import_kpi_library(update=update)
        self.stdout.write(f"KPI library: {outcome.created} created, {outcome.updated} updated, {outcome.unchanged} unchanged.")
