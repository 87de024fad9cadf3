"""Scorecard benchmarks on the demo company: the pure card rules, the editor and card pages,
the API lists, the cascade pages, Excel export / import and copying a year.

Run: .venv/bin/python benchmarks/bench_scorecards.py
Uses a throw-away SQLite database unless DATABASE_URL is set. Prints figures; asserts nothing
about time.
"""

import sys
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_organisation import setup_django, timed  # noqa: E402


def pure_rules():
    from scorecards import card_rules, phasing

    lines = [
        card_rules.CardLine(
            key=str(i), indicator_code=f"K{i}", indicator_type="KPI", perspective=("financial", "customer", "internal_process", "learning_growth")[i % 4],
            weight=Decimal(5), target=Decimal(100), method="percentage",
        )
        for i in range(20)
    ]
    card = card_rules.Card(
        level="post", convention="of_total", perspective_weights={"financial": Decimal(25), "customer": Decimal(25),
                                                                  "internal_process": Decimal(25), "learning_growth": Decimal(25)},
        lines=lines,
    )
    timed("check_card, 20 lines (best of 200)", lambda: card_rules.check_card(card), 200)
    timed("effective_weights, 20 lines (best of 200)", lambda: card_rules.effective_weights(card), 200)
    profile = [Decimal(s) for s in ("5", "4", "6", "7", "8", "8", "8", "8", "9", "10", "12", "15")]
    timed("phase a sum by a profile (best of 1000)", lambda: phasing.phase(Decimal("18000"), "sum", "profile", profile=profile), 1000)


def counted(connection, call):
    queries = []
    with connection.execute_wrapper(lambda execute, sql, params, many, context: queries.append(sql) or execute(sql, params, many, context)):
        response = call()
    return response, len(queries)


def main():
    setup_django()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from organisation.models import User
    from scorecards import card_excel, services
    from scorecards.models import Level, Scorecard, ScorecardLine

    pure_rules()
    start = time.perf_counter()
    call_command("load_demo", verbosity=0, stdout=open("/dev/null", "w"))
    print(f"{'load the demo company (all apps)':<52} {(time.perf_counter() - start) * 1000:9.1f} ms")
    print(f"cards: {Scorecard.objects.count()}, lines: {ScorecardLine.objects.count()} ({connection.vendor})")

    hr = User.objects.get(username="hr")
    client = Client()
    client.force_login(hr, backend="django.contrib.auth.backends.ModelBackend")
    biggest = max(Scorecard.objects.filter(level=Level.POST), key=lambda card: card.versions.get().lines.count())
    company = Scorecard.objects.get(level=Level.COMPANY)
    draft = services.new_version(by=hr, scorecard=biggest, effective_from=7, note="benchmark")
    lines = draft.lines.count()

    for label, url in (
        (f"editor page, {lines} lines", f"/scorecards/versions/{draft.pk}/edit/"),
        (f"card page, {lines} lines", f"/scorecards/{biggest.pk}/"),
        ("scorecard list page, 33 cards", "/scorecards/?year=2026"),
        ("cascade tree page", "/scorecards/tree/?year=2026"),
        ("company coverage page", f"/scorecards/{company.pk}/coverage/"),
        ("API scorecard lines, 100 per page", "/api/v1/scorecard-lines/?page_size=100"),
        ("API scorecards, all", "/api/v1/scorecards/?page_size=100"),
        (f"API version detail, {lines} lines", f"/api/v1/scorecard-versions/{draft.pk}/"),
    ):
        response, queries = counted(connection, lambda url=url: client.get(url))
        assert response.status_code == 200, (url, response.status_code)
        timed(f"{label} (best of 10)", lambda url=url: client.get(url), 10)
        print(f"{'  queries':<52} {queries:9d}")

    data, _ = timed(f"Excel export, {lines} lines", lambda: card_excel.export_version(draft))
    tracemalloc.start()
    result, _ = timed(f"Excel import into the draft, {lines} lines", lambda: card_excel.import_scorecard(by=hr, data=data))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert not result.errors, result.errors[:3]
    print(f"{'  peak Python memory during import':<52} {peak / 1024 / 1024:9.1f} MiB")
    (created, _skipped), _ = timed("copy 2026 into 2027 (every card)", lambda: services.copy_year(by=hr, from_year=2026, to_year=2027))
    print(f"{'  cards copied':<52} {len(created):9d}")


if __name__ == "__main__":
    main()
