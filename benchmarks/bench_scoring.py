"""Scoring engine, formulas and the strategy map: how fast the pure core runs.

Run: .venv/bin/python benchmarks/bench_scoring.py
No database. Prints figures; asserts nothing.
"""

import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)  # the project, not this folder

from django.conf import settings  # noqa: E402

settings.configure(USE_I18N=False)  # the map's legend is translatable text; no database is used

from indicators import formulas, scoring  # noqa: E402
from strategy.strategy_map import MapLink, MapObjective, render_svg  # noqa: E402


def per_call(label, func, repeat):
    start = time.perf_counter()
    for _ in range(repeat):
        func()
    elapsed = time.perf_counter() - start
    print(f"{label:<52} {elapsed / repeat * 1e6:9.1f} µs/call  ({repeat} calls)")


def main():
    params = scoring.default_params("percentage")
    per_call("percentage score", lambda: scoring.score("percentage", params, direction="higher_better", actual=Decimal("95.5"), target=Decimal("100")), 20000)
    bands = scoring.default_params("interval")
    per_call("interval score", lambda: scoring.score("interval", bands, direction="higher_better", actual=Decimal("85"), target=Decimal("100")), 20000)
    levels = scoring.default_params("description")
    ratings = [scoring.Rating(level, Decimal(1)) for level in (7, 6, 5, 6, 4, 7, 5, 6)]
    per_call("description score, 8 raters", lambda: scoring.score("description", levels, direction="qualitative", ratings=ratings), 20000)
    lines = [(Decimal(5), Decimal(i % 100)) for i in range(20)]
    per_call("weighted total of a 20-line form", lambda: scoring.weighted_total(lines, "exclude"), 20000)
    formula = formulas.parse("(planned_cost - actual_cost) / planned_cost * 100")
    inputs = {"planned_cost": Decimal("120000"), "actual_cost": Decimal("98000.50")}
    per_call("formula evaluation", lambda: formulas.evaluate(formula, inputs), 5000)
    per_call("formula parse", lambda: formulas.parse("(planned_cost - actual_cost) / planned_cost * 100"), 5000)

    perspectives = ["financial", "customer", "internal_process", "learning_growth"]
    objectives = [MapObjective(i, f"O{i}", f"Objective number {i}", perspectives[i % 4], f"/o/{i}/", None, i) for i in range(30)]
    links = [MapLink(i, j) for i in range(30) for j in range(30) if i % 4 > j % 4][:50]
    start = time.perf_counter()
    svg = render_svg(objectives, links, {p: p for p in perspectives})
    print(f"{'strategy map, 30 objectives and 50 links':<52} {(time.perf_counter() - start) * 1000:9.1f} ms  ({len(svg) // 1024} KiB of SVG)")


if __name__ == "__main__":
    main()
