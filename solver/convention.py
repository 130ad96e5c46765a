"""Sign conventions: what a handout calls delta and how it writes the update.

``descent`` (the default): delta = dE/dz and w <- w - eta dE/dw. ``mitchell`` (Mitchell's textbook,
seed 002): delta = -dE/dnet and w <- w + eta delta x. Both give the same new weights; the solver always
stores dE/dz, and a convention only changes what the handout shows.
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp


@dataclass(frozen=True)
class Convention:
    """One sign convention: the factor from dE/dz to the shown delta and how the rules are worded."""

    name: str
    sign: int
    delta_meaning: str
    """Glossary text for delta."""

    @property
    def negated(self) -> bool:
        """True when the shown delta is minus the derivative (the update adds eta delta x)."""
        return self.sign < 0

    def shown(self, derivative):
        """A derivative by a pre-activation (or a gradient) as this convention shows it."""
        return self.sign * derivative

    def prefix(self, latex: str) -> str:
        """``latex`` with the convention's sign in front ('-' for mitchell)."""
        return f"-{latex}" if self.negated else latex

    def expression(self, expr: sp.Expr) -> sp.Expr:
        """A symbolic derivative as this convention writes it (unevaluated minus sign for mitchell)."""
        return sp.Mul(-1, expr, evaluate=False) if self.negated else expr


CONVENTIONS = {
    "descent": Convention("descent", 1, "error signal, the derivative of the loss by the neuron's pre-activation"),
    "mitchell": Convention("mitchell", -1, "error term, minus the derivative of the loss by the neuron's net input"),
}


def negate_for_display(expr: sp.Expr) -> sp.Expr:
    """-(a - t) written as (t - a): negate a sum term by term and reverse it; negate one factor of a product."""
    if isinstance(expr, sp.Add):
        return sp.Add(*reversed([-arg for arg in expr.args]), evaluate=False)
    if isinstance(expr, sp.Mul):
        args = list(expr.args)
        for index, factor in enumerate(args):
            if isinstance(factor, sp.Add):
                args[index] = negate_for_display(factor)
                return sp.Mul(*args, evaluate=False)
    return sp.Mul(-1, expr, evaluate=False)
