"""Drawing stops in bounded time: an invalid draw is redrawn like a failed constraint, and a family that no
draw satisfies fails after the first version's attempts."""
from __future__ import annotations

from pathlib import Path

import pytest

from solver import draw as draw_module
from solver.errors import ProblemError
from solver.families import load_family
from solver.stress import stress_family

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


JOINT = Path(__file__).resolve().parent / "families" / "joint_invalid_pair.yaml"


def test_a_pair_of_values_valid_alone_but_not_together_is_redrawn_and_reported():
    """loss {mse, bce} and target {0.5, 2}: loading proves each value with the others at their first (mse with
    2, bce with 0.5), not bce with 2. Every draw of that pair is redrawn, counted and its message reported."""
    family = load_family(JOINT)
    report = stress_family(family, 40, seed=3)
    versions = draw_module.draw_versions(family, 40, 3, distinct=False)
    pairs = 0
    for version, _ in versions:
        for attempt in range(version.attempt + 1):
            drawn = draw_module.draw(family, 3, version.number, attempt)[1]
            pairs += drawn["loss"] == "bce" and drawn["target[0]"] == 2
        assert not (version.drawn["loss"] == "bce" and version.drawn["target[0]"] == 2)
    assert pairs > 0 and report.rejections == {"invalid_draw": pairs}
    assert report.invalid == (("target[0]: bce targets must lie in [0, 1], got 2", pairs),)
    lines = report.lines()
    assert f"  invalid_draw         {pairs:>7}  {100 * pairs / (40 + pairs):5.1f}%  (not a valid problem)" in lines
    assert f"  {pairs:>7} x target[0]: bce targets must lie in [0, 1], got 2" in lines
