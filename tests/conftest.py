"""Mutation testing (``make mutation``): mutmut runs the tests of each mutant in a process forked from
one that already ran the unmutated code, so the solver's memoised results (``functools.lru_cache``:
derivations, the SymPy gradient function, layouts) would be the unmutated ones and a mutant behind a
cache would never run. When mutmut names the mutant under test, every solver cache starts empty."""
from __future__ import annotations

import os
import sys


def pytest_sessionstart(session):
    if not os.environ.get("MUTANT_UNDER_TEST"):
        return
    for name, module in list(sys.modules.items()):
        if name == "solver" or name.startswith("solver."):
            for value in list(vars(module).values()):
                clear = getattr(value, "cache_clear", None)
                if callable(clear):
                    clear()
