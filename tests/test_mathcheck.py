"""The KaTeX/MathJax checker catches real errors, and math is found in Markdown."""

from __future__ import annotations

import pytest

from mathcheck import extract_math, render_errors


def test_valid_fragments_render() -> None:
    fragments = [
        (r"\frac{\partial L}{\partial w_{1}} = \delta_{1} x_{1}", True),
        (r"\sigma(z) = \frac{1}{1 + e^{-z}}", False),
        (r"\boldsymbol{W}^{\top} \color{red}{\delta}", True),
        (r"\begin{aligned} a &= b \\ c &= d \end{aligned}", True),
    ]
    assert render_errors(fragments) == []


@pytest.mark.parametrize("tex", [r"\boxed{x}", r"\underbrace{a}_{b}"])
@pytest.mark.parametrize("display", [True, False])
def test_ams_style_macros_render(tex: str, display: bool) -> None:
    assert render_errors([(tex, display)]) == []


def test_unbalanced_brace_fails() -> None:
    errors = render_errors([(r"\frac{1}{", False)])
    assert errors, "an unclosed brace must be reported"
    assert all("fragment 0" in error for error in errors)


def test_undefined_macro_fails_in_both_renderers() -> None:
    errors = render_errors([("x + 1", False), (r"\foo{x}", True)])
    assert {error.split(":")[0] for error in errors} == {"katex", "mathjax"}
    assert all("fragment 1" in error and r"\foo" in error for error in errors)


def test_extract_math_finds_inline_and_display() -> None:
    text = "Let $a = 1$ and\n\n$$\nb = \\frac{a}{2}\n$$\n\nthen $c$."
    assert extract_math(text) == [("a = 1", False), (r"b = \frac{a}{2}", True), ("c", False)]


def test_extract_math_ignores_code_and_escaped_dollars() -> None:
    text = (
        "Costs \\$5, not `$x$` nor ``a `$y$` b``.\n"
        "```latex\n$$\\foo$$\n```\n"
        "~~~~\n$z$\n~~~~\n"
        "Price: $\\$3 + x$ and $5 and $10.\n"
    )
    assert extract_math(text) == [(r"\$3 + x", False)]


def test_extract_math_leaves_unclosed_delimiters() -> None:
    assert extract_math("a $x and\n\nmore $y$") == [("y", False)]
