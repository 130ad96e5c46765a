"""Shared test settings.

With CI set, Hypothesis runs the same examples every time (a red CI run can be reproduced exactly);
locally it draws new examples each run.

Mutation testing (``make mutation``): mutmut runs the tests of each mutant in a process forked from
one that already ran the unmutated code, so the solver's memoised results (``functools.lru_cache``:
derivations, the SymPy gradient function, layouts) would be the unmutated ones and a mutant behind a
cache would never run. When mutmut names the mutant under test, every solver cache starts empty."""
from __future__ import annotations

import os
import sys

from hypothesis import settings

settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


def pytest_sessionstart(session):
    if not os.environ.get("MUTANT_UNDER_TEST"):
        return
    for name, module in list(sys.modules.items()):
        if name == "solver" or name.startswith("solver."):
            for value in list(vars(module).values()):
                clear = getattr(value, "cache_clear", None)
                if callable(clear):
                    clear()
