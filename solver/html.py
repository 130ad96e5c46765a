"""The HTML handout: one self-contained page (inline styles, inline SVG, MathML) from the section records.

Template filters here turn records into markup: LaTeX fragments into MathML (:mod:`solver.mathml`),
an equation into its one-line result for "show working", a table's column letters into alignments.
"""
from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from markupsafe import Markup, escape

from .equations import Equation, Grid
from .math_breaks import break_pieces
from .mathml import mathml
from .notation import PALETTE, markdown_colours

_NOT_A_NUMBER = re.compile(r"\\color\{[^}]*\}|\\(?:begin|end)\{[a-z]*matrix\}|\\times 10\^|\\boxed|\\left|\\right"
                           r"|\\[,;!]|\\quad|\\\\|[{}&\s]")
_NUMBERS = re.compile(r"[-+0-9.()]*[0-9][-+0-9.()]*")
_ALIGN = {"l": "left", "r": "right", "c": "center"}
_MARKS = re.compile(r"^[.,;:!?)\]]+")
"""Punctuation that must not start a line: it stays with the formula before it."""
_HYPHENATED = re.compile(r"(\d+(?:-\d+)+)")
UNBROKEN_WIDTH = 24
"""Visible characters of the pieces a long inline formula is set in (one MathML element each)."""


def inline_math(latex: str, following: str = "") -> Markup:
    """An inline formula as MathML (role colours in their WCAG AA text shades). A formula wider than
    UNBROKEN_WIDTH is set as one ``<math>`` per piece of :func:`break_pieces`, so a line may break between
    them; the punctuation that starts ``following`` (the prose after it, see
    :func:`after_math`) is kept on the line of the formula's end."""
    latex = markdown_colours(str(latex), accessible=True)
    maths = [mathml(piece, False) for piece in break_pieces(latex, UNBROKEN_WIDTH)]
    mark = _MARKS.match(str(following))
    if mark:
        maths[-1] = Markup('<span class="unbroken">{}{}</span>').format(maths[-1], mark.group(0))
    return Markup("<wbr>").join(maths)


def after_math(text: str) -> str:
    """Prose that follows a formula, without the punctuation :func:`inline_math` already set."""
    return _MARKS.sub("", str(text), count=1)


def prose(text: str) -> Markup:
    """Escaped prose in which a hyphenated run of numbers (a layer shape like 3-2-2-1) never breaks."""
    return Markup("").join(Markup('<span class="unbroken">{}</span>').format(piece) if index % 2 else escape(piece)
                           for index, piece in enumerate(_HYPHENATED.split(str(text))))


def display_math(latex: str) -> Markup:
    """A displayed formula as MathML (role colours in their WCAG AA text shades)."""
    return mathml(markdown_colours(str(latex), accessible=True), True)


def aligned_math(body: str) -> Markup:
    """Rows ``left &right \\\\ ...`` (the ``aligned`` and ``grid_lines`` filters) as one displayed alignment."""
    return display_math(f"\\begin{{align*}}\n{body}\n\\end{{align*}}")


def working_math(equation: Equation) -> Markup:
    """An equation as segments for a narrow screen: ``lhs = part``, then each ``= part`` (and the note).
    A line breaks between segments first (``.working`` is a wrapping flex row, so a segment that fits a
    line is never split); only a segment wider than a line by itself breaks inside, between the pieces of
    its part (where the PDF may break a long line too), and then it has its lines to itself, so no line
    reads as a relation it does not state. Each piece is one ``<math>``; a continuation starts with its
    relation or operator (after an empty group, so that ``+`` keeps the spacing of a binary operator)."""
    segments = []
    for index, part in enumerate(equation.parts):
        pieces = [f"\\boxed{{{part.text}}}"] if equation.boxed and index == len(equation.parts) - 1 else part.pieces
        first = f"{equation.lhs} {part.relation} {pieces[0]}" if index == 0 else f"{{}} {part.relation} {pieces[0]}"
        segments.append([first] + [f"{{}} {piece}" for piece in pieces[1:]])
    if equation.note:
        segments.append([equation.note])
    return Markup("").join(Markup('<span class="segment">{}</span>').format(Markup("<wbr>").join(
        Markup('<span class="step">{}</span>').format(mathml(markdown_colours(step, accessible=True), False))
        for step in steps)) for steps in segments)


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


def grid_columns(grid: Grid, reveal: str) -> int:
    """Columns of a Grid on a wide screen: its longest row when its rows fit side by side as the page
    first shows them (the PDF's decision for ``reveal: all``; else a numeric step counts by its result
    line, its working being hidden), else 1."""
    if reveal != "all":
        grid = Grid(tuple(tuple(replace(eq, parts=eq.parts[-1:], boxed=False) if step_result(eq) else eq
                                for eq in row) for row in grid.rows))
    return max((len(row) for row in grid.rows), default=1) if grid.side_by_side() else 1


def column_alignments(table) -> list[str]:
    """CSS ``text-align`` of each column of a Table (from its LaTeX column letters)."""
    return [_ALIGN[letter] for letter in table.column_spec if letter in _ALIGN]


HTML_FILTERS = dict(escape=escape, e=escape, math=inline_math, after_math=after_math, prose=prose, display_math=display_math,
                    aligned_math=aligned_math, working_math=working_math, grid_columns=grid_columns,
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
