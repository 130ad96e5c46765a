"""Numerical gradient check: backpropagation against central finite differences (and SymPy)."""
from __future__ import annotations

from dataclasses import dataclass

from ..check import FD_SAMPLE_SEED, GRADIENT_FLOOR, RELATIVE_TOLERANCE
from ..formatting import partial_inline
from .prose import math, say, sentence
from .records import Table

CHECK_ROWS_MAX = 24


def scientific(value: float, digits: int = 3) -> str:
    """A float with ``digits`` significant figures, in LaTeX scientific notation when it is tiny or huge."""
    if value == 0:
        return "0"
    text = f"{value:.{digits}g}"
    mantissa, exponent = text.split("e") if "e" in text else (text, "0")
    exponent = int(exponent)
    return mantissa if exponent == 0 else f"{mantissa} \\times 10^{{{exponent}}}"


def relative_error(value: float) -> str:
    """A relative error for a table column: always two significant figures, trailing zero kept (2.0, 2.6 and
    4.2 times a power of ten, never 4.18 beside 2.6)."""
    if value == 0:
        return "0"
    mantissa, exponent = f"{value:.1e}".split("e")
    return f"{mantissa} \\times 10^{{{int(exponent)}}}"


@dataclass(frozen=True)
class Check:
    """The record of the check section (fields: docs/templates.md)."""

    intro: list
    table: Table | None
    subset: list
    result: list
    sympy: list
    kinks: list


def build(ctx) -> Check:
    N = ctx.N
    report = ctx.step.check
    ordered = (sorted(report.rows, key=lambda r: -r.relative_error)[:CHECK_ROWS_MAX]
               if len(report.rows) > CHECK_ROWS_MAX else report.rows)
    rows = [[N.parameter(row.parameter), f"{row.backprop:.8f}", f"{row.finite_difference:.8f}",
             relative_error(row.relative_error)] for row in ordered]
    formula = math(f"{partial_inline(N.loss, chr(92) + 'theta')} \\approx "
                   f"[{N.loss}(\\theta + h) - {N.loss}(\\theta - h)] / 2h")
    error = math("\\lvert g_{\\text{backprop}} - g_{\\text{numeric}}\\rvert / \\max(\\lvert g_{\\text{backprop}}\\rvert "
                 f"+ \\lvert g_{{\\text{{numeric}}}}\\rvert,\\ {scientific(GRADIENT_FLOOR)})")
    kinks = sum(r.at_kink for r in report.rows)
    in_summary = "summary" in ctx.section_names
    kink_count = f"{kinks} parameter sits" if kinks == 1 else f"{kinks} parameters sit"
    intro = say("check.intro", formula=formula, step=math(f"h = {scientific(report.step)}"), error=error)
    if report.sampled:
        intro = intro + sentence(" ") + say("check.sample", total=report.parameter_count, count=len(report.rows),
                                            seed=FD_SAMPLE_SEED)
    in_summary_key = "check.in_summary_sampled" if report.sampled else "check.in_summary"
    return Check(
        intro=intro,
        table=None if in_summary else Table(
            ["\\text{parameter}", "\\text{backprop}", "\\text{central difference}", "\\text{relative error}"], rows),
        subset=say(in_summary_key) if in_summary else say("check.subset", shown=len(ordered),
                                                                   total=len(report.rows))
        if len(ordered) < len(report.rows) or in_summary else [],
        result=say("check.result", error=math(relative_error(report.max_relative_error)),
                   tolerance=math(scientific(RELATIVE_TOLERANCE))),
        sympy=say("check.sympy", error=math(scientific(report.max_sympy_error))) if report.sympy_checked else [],
        kinks=say("check.kinks", count=kink_count, z=math("z = 0"),
                  rule=math("\\operatorname{ReLU}'(0) = 0")) if kinks else [],
    )
