"""The HTML handout: one self-contained page (inline styles, inline SVG, MathML) from the section records.

Template filters here turn records into markup: LaTeX fragments into MathML (:mod:`solver.mathml`),
an equation into its one-line result for "show working", a table's column letters into alignments.
"""
from __future__ import annotations

import re
from pathlib import Path

from markupsafe import Markup, escape

from .equations import Equation
from .mathml import mathml
from .notation import PALETTE, markdown_colours

_NOT_A_NUMBER = re.compile(r"\\color\{[^}]*\}|\\(?:begin|end)\{[a-z]*matrix\}|\\times 10\^|\\boxed|\\left|\\right"
                           r"|\\[,;!]|\\quad|\\\\|[{}&\s]")
_NUMBERS = re.compile(r"[-+0-9.()]*[0-9][-+0-9.()]*")
_ALIGN = {"l": "left", "r": "right", "c": "center"}


def inline_math(latex: str) -> Markup:
    """An inline formula as MathML (role colours in their WCAG AA text shades)."""
    return mathml(markdown_colours(str(latex), accessible=True), False)


def display_math(latex: str) -> Markup:
    """A displayed formula as MathML (role colours in their WCAG AA text shades)."""
    return mathml(markdown_colours(str(latex), accessible=True), True)


def aligned_math(body: str) -> Markup:
    """Rows ``left &right \\\\ ...`` (the ``aligned`` and ``grid_lines`` filters) as one displayed alignment."""
    return display_math(f"\\begin{{align*}}\n{body}\n\\end{{align*}}")


def shows_number(latex: str) -> bool:
    """Whether ``latex`` is a number or a matrix of numbers (coloured, boxed or in scientific notation)."""
    return bool(_NUMBERS.fullmatch(_NOT_A_NUMBER.sub("", latex)))


def step_result(equation: Equation) -> str:
    """``lhs = result`` of a numeric step, the line a reader sees before "show working"; "" for an
    equation that has no working to hide (a rule, or a single value)."""
    if len(equation.parts) < 2 or not shows_number(equation.parts[-1].text):
        return ""
    last = equation.parts[-1]
    note = f" \\quad {equation.note}" if equation.note else ""
    return f"{equation.lhs} {last.relation} {last.text}{note}"


def column_alignments(table) -> list[str]:
    """CSS ``text-align`` of each column of a Table (from its LaTeX column letters)."""
    return [_ALIGN[letter] for letter in table.column_spec if letter in _ALIGN]


HTML_FILTERS = dict(escape=escape, e=escape, math=inline_math, display_math=display_math, aligned_math=aligned_math,
                    step_result=step_result, column_alignments=column_alignments)
"""Filters of the HTML environment (``render.html_environment``)."""


def render_html(solution, templates_dir: Path | None = None, handout=None) -> str:
    """The handout of ``solution`` as one HTML page (``templates/html/handout.html.j2``)."""
    from .render import html_environment, render_layout_svg, render_loss_svg, render_template
    from .sections import build_handout

    handout = handout or build_handout(solution)
    figures = {}
    diagram = handout.records.get("diagram")
    if diagram is not None and diagram.layout:
        figures["diagram"] = Markup(render_layout_svg(diagram.layout, templates_dir))
    if "history" in handout.sections:
        figures["history"] = Markup(render_loss_svg(solution, templates_dir, handout))
    return render_template(html_environment(templates_dir), "html/handout.html.j2", solution=solution,
                           spec=solution.spec, handout=handout, notation=solution.notation, policy=solution.policy,
                           palette=PALETTE, figures=figures, reveal=solution.spec.options.reveal)
