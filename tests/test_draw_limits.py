"""Drawing stops in bounded time: an invalid draw is redrawn like a failed constraint, and a family that no
draw satisfies fails after the first version's attempts."""
from __future__ import annotations

from pathlib import Path

import pytest

from solver import draw as draw_module
from solver.errors import ProblemError
from solver.families import load_family

SAMPLE = Path(__file__).resolve().parent.parent / "problems" / "families" / "sample.yaml"


def test_a_draw_that_cannot_be_solved_is_redrawn_and_counted(monkeypatch):
    real_solve = draw_module.solve
    calls = []

    def solve_failing_first(problem):
        calls.append(problem)
        if len(calls) == 1:
            raise ProblemError(problem.source, "weights", "step 1: the loss or a gradient is not finite")
        return real_solve(problem)

    monkeypatch.setattr(draw_module, "solve", solve_failing_first)
    version, _ = draw_module.find_version(load_family(SAMPLE), 2026, 1)
    assert version.rejections.get("invalid_draw") == 1
    assert version.attempt >= 1


def test_a_family_that_no_draw_satisfies_fails_after_the_first_version(monkeypatch, tmp_path):
    text = SAMPLE.read_text().replace("max_attempts: 200", "max_attempts: 12")
    family_file = tmp_path / "impossible.yaml"
    family_file.write_text(text.replace("min_derivative: 0.05", "min_derivative: 0.3"))
    real_draw = draw_module.draw
    drawn = []

    def counting_draw(family, seed, number, attempt):
        drawn.append(number)
        return real_draw(family, seed, number, attempt)

    monkeypatch.setattr(draw_module, "draw", counting_draw)
    with pytest.raises(ProblemError, match="version 1: no draw met the constraints in 12 attempts"):
        draw_module.draw_versions(load_family(family_file), 20, seed=1)
    assert drawn == [1] * 12
