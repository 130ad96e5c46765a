"""Drawing versions of a family, reproducibly and in parallel.

Attempt ``a`` of version ``k`` under seed ``S`` draws from ``numpy.random.default_rng([S, k, a])``,
so version k depends only on the seed, the family and versions 1..k-1 (through
``distinct_versions``), never on how many versions are drawn. A draw is validated and solved like
any problem file, then checked against the family's constraints; a rejected draw is followed by the
next attempt, up to ``max_attempts``. Versions are searched in worker processes; duplicates between
versions are resolved afterwards, in version order, which gives exactly the serial result.
"""
from __future__ import annotations

import base64
import hashlib
import json
import multiprocessing
import os
import signal
import threading
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any, Callable

import numpy as np

from .answers import answer_question
from .api import problem_from_mapping, solve
from .errors import HandoutError, ProblemError
from .families import Family, question_problems
from .solution import Solution
from .spec import ProblemSpec, format_field_path

PARALLEL_FROM = 4
"""Fewer versions than this are drawn in this process (starting workers costs more than it saves)."""

WATCHDOG_SECONDS = 0.5
"""How often a worker checks that its parent is still alive."""


@dataclass(frozen=True)
class Version:
    """One accepted draw: its number (1-based), code, attempt, problem mapping, drawn values by field
    path, how many earlier attempts each constraint rejected, and why each earlier invalid draw was not a
    valid problem (``invalid``, one message per invalid draw)."""

    number: int
    code: str
    attempt: int
    problem: dict
    drawn: dict[str, Any]
    rejections: dict[str, int]
    fingerprint: str
    invalid: tuple[str, ...] = ()


def _choose(rng: np.random.Generator, values: tuple):
    return values[int(rng.integers(len(values)))]


def draw(family: Family, seed: int, number: int, attempt: int) -> tuple[dict, dict[str, Any]]:
    """The problem mapping and drawn values of one attempt (no validation)."""
    rng = np.random.default_rng([seed, number, attempt])
    return family.instantiate(lambda path, entry: _choose(rng, family.rules[path].values()))


def fingerprint(drawn: dict[str, Any]) -> str:
    """A hash of the drawn values: equal exactly when two versions have identical drawn numbers."""
    text = json.dumps({key: str(value) for key, value in drawn.items()}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def version_code(seed: int, number: int, digest: str) -> str:
    """``V03-K7QD``: the version number and four characters that depend on the seed and the draw."""
    tag = base64.b32encode(hashlib.sha256(f"{seed}/{number}/{digest}".encode()).digest()).decode()[:4]
    return f"V{number:02d}-{tag}"


def _symmetric_hidden(spec: ProblemSpec) -> bool:
    """Two neurons of one hidden layer with identical incoming weights and biases."""
    for l in range(len(spec.network.layers) - 2):
        units = [tuple(row) + ((spec.biases[l][j],) if spec.biases else ())
                 for j, row in enumerate(spec.weights[l])]
        if len(set(units)) < len(units):
            return True
    return False


def _failed_constraint(family: Family, solution: Solution) -> str | None:
    """The first solved-problem constraint this draw fails, or None."""
    constraints = family.constraints
    if constraints.min_derivative is not None:
        threshold = float(constraints.min_derivative)
        for step in solution.steps:
            for layer in step.exact.forward.layers:
                if layer.fprime is not None and any(abs(float(v)) < threshold for v in layer.fprime):
                    return "min_derivative"
    if constraints.loss_decreases and any(
            not step.exact.after.loss < step.exact.forward.loss for step in solution.steps):
        return "loss_decreases"
    if constraints.nonzero_at_policy:
        for number, question in enumerate(family.questions):
            answered = answer_question(question, solution, family.source, number)
            if any(Decimal(a.shown) == 0 for a in answered.answers):
                return "nonzero_at_policy"
    return None


INVALID_DRAW = "invalid_draw"
"""The rejection count of draws that do not make a valid, solvable problem (e.g. softmax layers drawn jointly)."""


def _give_up(family: Family, number: int, counts: Counter, invalid: list[str]) -> ProblemError:
    tried = family.spec.max_attempts
    reasons = ", ".join(f"{name} {count}" for name, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    example = f"; the last invalid draw: {invalid[-1]}" if invalid else ""
    return ProblemError(family.source, "constraints",
                        f"version {number}: no draw met the constraints in {tried} attempts "
                        f"(rejected by {reasons}){example}; widen the ranges, relax the constraints or raise "
                        "max_attempts")


def find_version(family: Family, seed: int, number: int, start: int = 0, taken: frozenset = frozenset(),
                 rejections: dict[str, int] | None = None, invalid: tuple[str, ...] = ()) -> tuple[Version, Solution]:
    """The first attempt from ``start`` on whose draw is valid, solves, verifies and meets every
    constraint (``taken``: fingerprints of earlier versions, for distinct_versions; ``rejections`` and
    ``invalid``: what earlier attempts of this version were rejected for)."""
    counts = Counter(rejections or {})
    constraints = family.constraints
    source = f"{family.source} (version {number})"
    reasons = list(invalid)
    for attempt in range(start, family.spec.max_attempts):
        mapping, drawn = draw(family, seed, number, attempt)
        digest = fingerprint(drawn)
        if digest in taken:
            counts["distinct_versions"] += 1
            continue
        try:
            problem = problem_from_mapping(mapping, source)
        except ProblemError as exc:
            counts[INVALID_DRAW] += 1
            reasons.append(f"{exc.path}: {exc.message}" if exc.path else exc.message)
            continue
        for loc, message in question_problems(family.questions, problem.spec):
            raise ProblemError(source, format_field_path(loc), message)
        if constraints.no_symmetric_hidden and _symmetric_hidden(problem.spec):
            counts["no_symmetric_hidden"] += 1
            continue
        try:
            solution = solve(problem)
        except ProblemError as exc:
            counts[INVALID_DRAW] += 1
            reasons.append(f"{exc.path}: {exc.message}" if exc.path else exc.message)
            continue
        reason = _failed_constraint(family, solution)
        if reason is not None:
            counts[reason] += 1
            continue
        version = Version(number, version_code(seed, number, digest), attempt, mapping, drawn,
                          dict(sorted(counts.items())), digest, tuple(reasons))
        return version, solution
    raise _give_up(family, number, counts, reasons)


Work = Callable[[Version, Solution], Any]
"""Done in the worker for each accepted version (e.g. rendering); must be picklable."""


def _job(family: Family, seed: int, work: Work | None, number: int, start: int = 0,
         taken: frozenset = frozenset(), rejections: dict[str, int] | None = None,
         invalid: tuple[str, ...] = ()) -> tuple[Version, Any]:
    version, solution = find_version(family, seed, number, start, taken, rejections, invalid)
    return version, (work(version, solution) if work else None)


def _worker_start() -> None:
    """Worker initialiser: Ctrl-C is the parent's to handle (the terminal sends it to every process of
    the group), SIGTERM ends the worker at once, and a watchdog ends it when its parent is gone (even
    after SIGKILL), so no worker outlives the run."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()


def _exit_with_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(WATCHDOG_SECONDS)
    os._exit(1)


def _stop_workers(pool: ProcessPoolExecutor, before: set) -> None:
    """Cancel the queued jobs and kill the pool's worker processes (those started since ``before``)."""
    pool.shutdown(wait=False, cancel_futures=True)
    workers = [process for process in multiprocessing.active_children() if process not in before]
    for process in workers:
        process.kill()
    for process in workers:
        process.join()


def _run_all(job: Callable[[int], tuple[Version, Any]], numbers: list[int],
             progress: Callable[[int], None] | None) -> list[tuple[Version, Any]]:
    """``job(number)`` for every number, in worker processes when there are enough; results in order.
    On failure, the error of the lowest-numbered failing version is raised (deterministic). When the
    run is stopped (Ctrl-C, SIGTERM or any other exception), the workers are killed before it returns."""
    workers = min(2, os.cpu_count() or 1)
    results: dict[int, Any] = {}
    errors: dict[int, BaseException] = {}
    if len(numbers) < PARALLEL_FROM or workers < 2:
        for number in numbers:
            results[number] = job(number)
            if progress:
                progress(1)
        return [results[n] for n in numbers]
    before = set(multiprocessing.active_children())
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_worker_start)
    try:
        futures = {pool.submit(job, number): number for number in numbers}
        for future in as_completed(futures):
            try:
                results[futures[future]] = future.result()
            except HandoutError as exc:
                errors[futures[future]] = exc
            if progress:
                progress(1)
    except BaseException:
        _stop_workers(pool, before)
        raise
    pool.shutdown()
    if errors:
        raise errors[min(errors)]
    return [results[n] for n in numbers]


def draw_versions(family: Family, count: int, seed: int, work: Work | None = None,
                  progress: Callable[[int], None] | None = None,
                  distinct: bool | None = None) -> list[tuple[Version, Any]]:
    """Versions 1..count of ``family`` under ``seed`` with ``work(version, solution)`` for each.

    ``progress(1)`` is called as each version is done. ``distinct`` (default: the family's
    distinct_versions constraint) rejects a draw identical to an earlier version's.
    """
    if seed < 0:
        raise HandoutError(f"the seed must be a non-negative integer, got {seed}")
    distinct = family.constraints.distinct_versions if distinct is None else distinct
    job = partial(_job, family, seed, work)
    # version 1 first, in this process: a family that no draw satisfies fails after its attempts, not after all
    first = [job(1)] if count >= 1 else []
    if first and progress:
        progress(1)
    found = first + _run_all(job, list(range(2, count + 1)), progress)
    if not distinct:
        return found
    taken: set[str] = set()
    for index, (version, payload) in enumerate(found):
        if version.fingerprint in taken:
            counts = Counter(version.rejections) + Counter(distinct_versions=1)
            found[index] = version, payload = _job(family, seed, work, version.number, version.attempt + 1,
                                                   frozenset(taken), dict(counts), version.invalid)
        taken.add(version.fingerprint)
    return found
