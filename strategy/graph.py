"""Pure checks on the strategy's structure: cycles in the map, gaps in the matrix."""

from collections.abc import Iterable
from dataclasses import dataclass


def path_exists(edges: Iterable[tuple[int, int]], start: int, goal: int) -> bool:
    """Is `goal` reachable from `start` following the edges (driver -> outcome)?"""
    outgoing: dict[int, list[int]] = {}
    for source, target in edges:
        outgoing.setdefault(source, []).append(target)
    seen, stack = set(), [start]
    while stack:
        node = stack.pop()
        if node == goal:
            return True
        if node not in seen:
            seen.add(node)
            stack.extend(outgoing.get(node, []))
    return False


def closes_cycle(edges: Iterable[tuple[int, int]], source: int, target: int) -> bool:
    """Adding source -> target closes a cycle when target already leads back to source."""
    return source == target or path_exists(edges, target, source)


@dataclass(frozen=True)
class MatrixProblem:
    measure_id: int
    leads: int  # 0: nobody leads; 2 or more: several lead


def matrix_problems(measure_ids: Iterable[int], cells: Iterable[tuple[int, int, str]]) -> list[MatrixProblem]:
    """Every measure needs exactly one lead department. `cells` are (measure, department, role)."""
    leads: dict[int, int] = {}
    for measure_id, _department_id, role in cells:
        if role == "lead":
            leads[measure_id] = leads.get(measure_id, 0) + 1
    return [MatrixProblem(m, leads.get(m, 0)) for m in measure_ids if leads.get(m, 0) != 1]
