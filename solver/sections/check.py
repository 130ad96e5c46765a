"""Numerical gradient check: backpropagation against central finite differences (and SymPy)."""
from __future__ import annotations

from dataclasses import dataclass

from ..check import GRADIENT_FLOOR, RELATIVE_TOLERANCE
from ..equations import Grid, Part, chain
from .prose import math, say
from .records import Table

CHECK_ROWS_MAX = 24


def scientific(value: float) -> str:
    """A float in LaTeX scientific notation with three significant figures."""
    if value == 0:
        return "0"
    mantissa, exponent = f"{value:.2e}".split("e")
    exponent = int(exponent)
    return mantissa if exponent == 0 else f"{mantissa} \\times 10^{{{exponent}}}"


@dataclass(frozen=True)
class Check:
    intro: list
    formulas: Grid
    table: Table
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
             scientific(row.relative_error)] for row in ordered]
    formula = chain(ctx.d_loss("\\theta"), Part((f"\\frac{{{N.loss}(\\theta + \\varepsilon) - "
                                                 f"{N.loss}(\\theta - \\varepsilon)}}{{2\\varepsilon}}",), r"\approx"))
    error = chain("\\text{relative error}", "\\frac{|g_{\\text{backprop}} - g_{\\text{numeric}}|}"
                  f"{{\\max(|g_{{\\text{{backprop}}}}| + |g_{{\\text{{numeric}}}}|,\\ {scientific(GRADIENT_FLOOR)})}}")
    kinks = sum(r.at_kink for r in report.rows)
    kink_count = f"{kinks} parameter sits" if kinks == 1 else f"{kinks} parameters sit"
    return Check(
        intro=say("check.intro", epsilon=math(f"\\varepsilon = {scientific(report.step)}")),
        formulas=Grid.of([[formula, error]]),
        table=Table(["\\text{parameter}", "\\text{backprop}", "\\text{central difference}", "\\text{relative error}"],
                    rows),
        subset=say("check.subset", shown=len(ordered), total=len(report.rows)) if len(ordered) < len(report.rows)
        else [],
        result=say("check.result", error=math(scientific(report.max_relative_error)),
                   tolerance=math(scientific(RELATIVE_TOLERANCE))),
        sympy=say("check.sympy", error=math(scientific(report.max_sympy_error))) if report.sympy_checked else [],
        kinks=say("check.kinks", count=kink_count, z=math("z = 0"),
                  rule=math("\\operatorname{ReLU}'(0) = 0")) if kinks else [],
    )
