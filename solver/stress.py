"""Stress-testing a family: draw many versions, solve and verify each, and report how often each
constraint rejected a draw and how widely every answer varies (can students guess or pattern-match?)."""
from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Callable

from .answers import answer_question
from .draw import INVALID_DRAW, Version, draw_versions
from .families import CONSTRAINT_NAMES, Family
from .solution import Solution

MAX_INVALID_SHOWN = 5
"""How many distinct invalid-draw messages the report lists."""


@dataclass(frozen=True)
class AnswerSpread:
    """One answer across all draws: min / median / max at full precision, distinct printed values."""

    answer_id: str
    minimum: float
    median: float
    maximum: float
    distinct_shown: int


@dataclass(frozen=True)
class StressReport:
    """What ``handouts stress`` prints."""

    family: str
    seed: int
    draws: int
    constraints: tuple[str, ...]
    rejections: dict[str, int]
    identical_draws: int
    spreads: tuple[AnswerSpread, ...]
    invalid: tuple[tuple[str, int], ...] = ()
    """Why draws were not valid problems: each distinct message with its count, most frequent first."""

    @property
    def attempts(self) -> int:
        return self.draws + sum(self.rejections.values())

    def lines(self) -> list[str]:
        """The report as text lines."""
        active = self.constraints
        rejected = sum(self.rejections.values())
        lines = [f"{self.draws} draws of {self.family} (seed {self.seed}): every draw solved and verified.",
                 f"attempts: {self.attempts}, rejected: {rejected} ({100 * rejected / self.attempts:.1f}%)",
                 "rejected draws per constraint (each draw counted once, under the first constraint it failed):"]
        for name in CONSTRAINT_NAMES:
            state = "" if name in active else "  (not set)"
            count = self.rejections.get(name, 0)
            lines.append(f"  {name:<20} {count:>7}  {100 * count / self.attempts:5.1f}%{state}")
        invalid = self.rejections.get(INVALID_DRAW, 0)
        lines.append(f"  {INVALID_DRAW:<20} {invalid:>7}  {100 * invalid / self.attempts:5.1f}%  (not a valid problem)")
        if self.invalid:
            lines.append("invalid draws: loading checks each rule's values one at a time, not their combinations; "
                         "these combinations failed and were redrawn:")
            lines += [f"  {count:>7} x {message}" for message, count in self.invalid[:MAX_INVALID_SHOWN]]
            if len(self.invalid) > MAX_INVALID_SHOWN:
                lines.append(f"  ... and {len(self.invalid) - MAX_INVALID_SHOWN} other messages")
        lines.append(f"identical draws among the accepted ones: {self.identical_draws}"
                     + ("" if "distinct_versions" in active else "  (distinct_versions is not set)"))
        lines.append("answer spread (full precision; distinct = different values as printed by the rounding policy):")
        lines.append(f"  {'answer':<16} {'min':>14} {'median':>14} {'max':>14} {'distinct':>9}")
        for spread in self.spreads:
            lines.append(f"  {spread.answer_id:<16} {spread.minimum:>14.6g} {spread.median:>14.6g} "
                         f"{spread.maximum:>14.6g} {spread.distinct_shown:>9}")
        return lines


def _answers(family: Family, version: Version, solution: Solution) -> list[tuple[str, float, str]]:
    """(answer id, full-precision value, printed value) of every answer of one draw (runs in a worker)."""
    found = []
    for number, question in enumerate(family.questions):
        answered = answer_question(question, solution, family.source, number)
        found += [(answered.answer_id(a), a.value, a.shown) for a in answered.answers]
    return found


def stress_family(family: Family, draws: int, seed: int = 0,
                  progress: Callable[[int], None] | None = None) -> StressReport:
    """Draw versions 1..draws independently (identical draws are counted, not redrawn), solve and
    verify each (any failure raises), and summarise rejections and answer spreads."""
    results = draw_versions(family, draws, seed, partial(_answers, family), progress, distinct=False)
    rejections, invalid = Counter(), Counter()
    values: dict[str, list[float]] = {}
    shown: dict[str, set[Decimal]] = {}
    for version, answers in results:
        rejections.update(version.rejections)
        invalid.update(version.invalid)
        for answer_id, value, printed in answers:
            values.setdefault(answer_id, []).append(value)
            shown.setdefault(answer_id, set()).add(Decimal(printed))
    spreads = tuple(AnswerSpread(key, min(v), statistics.median(v), max(v), len(shown[key]))
                    for key, v in values.items())
    identical = draws - len({version.fingerprint for version, _ in results})
    return StressReport(Path(family.source).name, seed, draws, family.constraints.active, dict(rejections), identical,
                        spreads, tuple(invalid.most_common()))
