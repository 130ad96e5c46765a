"""Text from a problem file can never inject TeX or Markdown; LaTeX runs without shell escape."""
from __future__ import annotations

import subprocess

import pytest

from solver.api import problem_from_mapping, solve
from solver.build import render_outputs
from solver.errors import ProblemError
from solver.latex_build import compile_pdf

HOSTILE = r"\input{/etc/passwd} \write18{touch pwned} \catcode`\^=7 $x$ 100% a&b #1 under_score {brace} ~tilde ^hat"


def _problem(**overrides):
    data = {
        "title": HOSTILE, "author": HOSTILE, "course": "C & D", "date": "2026", "notes": HOSTILE,
        "network": {"layers": [2, 2, 1], "activation": "sigmoid"},
        "weights": [[[0.15, 0.2], [0.25, 0.3]], [[0.4, 0.45]]], "biases": [[0.35, 0.35], [0.6]],
        "input": [0.05, 0.1], "target": [0.5], "learning_rate": 0.5,
    }
    data.update(overrides)
    return problem_from_mapping(data, "hostile.yaml")


def test_hostile_prose_is_printed_literally_by_pdflatex(tmp_path):
    tex = tmp_path / "handout.tex"
    tex.write_text(render_outputs(solve(_problem()), ("tex",))["handout.tex"], encoding="utf-8")
    pdf = compile_pdf(tex)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "root:" not in text
    assert r"\input{/etc/passwd}" in text
    assert "100% a&b #1 under_score {brace}" in text
    assert not (tmp_path / "pwned").exists()


def test_hostile_prose_is_escaped_in_markdown():
    md = render_outputs(solve(_problem()), ("md",))["handout.md"]
    title = md.splitlines()[0]
    assert title.startswith("# ")
    assert r"\$x\$" in title and r"under\_score" in title and r"\#1" in title


@pytest.mark.parametrize("symbol", [r"\input{/etc/passwd}", r"x}\write18{ls", "$", r"\catcode", "a b", "%", "E\n"])
def test_unsafe_symbol_overrides_are_rejected(symbol):
    with pytest.raises(ProblemError, match="notation.symbols.loss"):
        solve(_problem(notation={"preset": "named", "symbols": {"loss": symbol}}))


def test_safe_symbol_overrides_are_used():
    solution = solve(_problem(notation={"preset": "layered", "symbols": {"loss": r"\mathcal{C}", "target": "y"}}))
    md = render_outputs(solution, ("md",))["handout.md"]
    assert r"\frac{\partial \mathcal{C}}" in md
