"""Inline math in prose fields: exact segments, and the allow-list that keeps TeX injection out."""
from __future__ import annotations

import pytest

from solver.inline_math import math_problem, prose_problem, prose_segments


def test_prose_splits_into_text_and_math():
    assert prose_segments(r"with $\eta = 0.5$ and \$3") == [
        {"math": False, "text": "with "}, {"math": True, "text": r"\eta = 0.5"}, {"math": False, "text": " and $3"}]
    assert prose_segments("plain") == [{"math": False, "text": "plain"}]


@pytest.mark.parametrize("latex", [r"\eta = 0.5", r"w_{ji} \leftarrow w_{ji} + \eta\, \delta_j x_{ji}",
                                   r"\mathbf{W}^{(l)}", r"n_l \times n_{l-1}", r"\partial E / \partial \mathrm{net}"])
def test_common_math_is_allowed(latex):
    assert math_problem(latex) is None


@pytest.mark.parametrize("latex, message", [
    (r"\input{/etc/passwd}", r"\input is not allowed"),
    (r"\write18{ls}", r"\write is not allowed"),
    (r"\def\x{1}", r"\def is not allowed"),
    ("a # b", "'#' is not allowed"),
    ("50%", "'%' is not allowed"),
    ("a & b", "'&' is not allowed"),
    ("{x", "unbalanced braces"),
    (r"x \\ y", "a backslash must start a macro name"),
])
def test_dangerous_math_is_refused(latex, message):
    assert message in math_problem(latex)


def test_unmatched_dollar_is_refused_and_escaped_dollar_allowed():
    assert "unmatched $" in prose_problem("costs $5")
    assert prose_problem(r"costs \$5") is None
