"""backprop-handouts: worked backpropagation solutions and randomised exams.

Library use::

    from solver import load_problem, solve
    solution = solve(load_problem("problems/seed001_named_2_2_1.yaml"))
    solution.to_json_dict()["steps"][0]["grad_W"]
"""
from __future__ import annotations

__all__ = ["load_problem", "problem_from_mapping", "solve", "render", "render_problem_file", "load_family",
           "build_exam"]

_LAZY = {
    "load_problem": "api",
    "problem_from_mapping": "api",
    "solve": "api",
    "render": "render",
    "render_problem_file": "build",
    "load_family": "families",
    "build_exam": "exam",
}


def __getattr__(name: str):
    """Import heavy modules (SymPy, NumPy) only when their functions are first used."""
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(name)
