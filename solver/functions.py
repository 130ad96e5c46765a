"""Activations and losses, each defined once as a SymPy expression.

Derivation, evaluation, rendering and export all read these definitions; adding an
activation or a loss means adding one entry here.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import sympy as sp

z, a = sp.symbols("z a", real=True)


@dataclass(frozen=True)
class Activation:
    """An activation function f(z) and its derivative written in terms of the output a = f(z)."""

    name: str
    title: str
    latex_name: str
    formula: sp.Expr
    derivative_in_output: sp.Expr | None
    elementwise: bool = True
    output_only: bool = False
    nested_formula: sp.Expr | None = None
    """The formula as the whole-network SymPy check nests it, where ``formula`` nests badly (None: formula)."""

    @cached_property
    def derivative(self) -> sp.Expr:
        """f'(z) as SymPy differentiates it."""
        return sp.diff(self.formula, z)

    @cached_property
    def derivative_for_display(self) -> sp.Expr:
        """The derivative handouts print: in terms of a where that form exists, else in z."""
        return self.derivative if self.derivative_in_output is None else self.derivative_in_output

    @property
    def derivative_uses_output(self) -> bool:
        return self.derivative_in_output is not None

    def verify(self) -> None:
        """Prove that the stated output form equals SymPy's derivative (raises AssertionError)."""
        if self.derivative_in_output is None:
            return
        difference = sp.simplify(self.derivative - self.derivative_in_output.subs(a, self.formula))
        assert difference == 0, f"{self.name}: f'(z) != g(f(z)), difference {difference}"


def _softmax_formula() -> sp.Expr:
    """The first component of a two-way softmax, as a representative scalar formula."""
    z2 = sp.Symbol("z_2", real=True)
    return sp.exp(z) / (sp.exp(z) + sp.exp(z2))


ACTIVATIONS: dict[str, Activation] = {
    act.name: act
    for act in (
        Activation("sigmoid", "Sigmoid", r"\sigma", 1 / (1 + sp.exp(-z)), a * (1 - a)),
        Activation("tanh", "Hyperbolic tangent", r"\tanh", sp.tanh(z), 1 - a**2),
        Activation("relu", "ReLU", r"\operatorname{ReLU}", sp.Piecewise((z, z > 0), (0, True)), None,
                   nested_formula=sp.Max(z, 0)),
        Activation("identity", "Identity", r"\operatorname{id}", z, sp.Integer(1)),
        Activation("softmax", "Softmax", r"\operatorname{softmax}", _softmax_formula(), None,
                   elementwise=False, output_only=True),
    )
}


@dataclass(frozen=True)
class Loss:
    """A loss over the output vector, summed over output neurons."""

    name: str
    title: str
    needs_unit_interval: bool
    needs_distribution: bool

    def expression(self, outputs: list[sp.Symbol], targets: list[sp.Symbol]) -> sp.Expr:
        """The loss as a SymPy expression of output and target symbols."""
        pairs = list(zip(outputs, targets))
        if self.name == "mse":
            return sp.Rational(1, 2) * sp.Add(*[(y - t) ** 2 for y, t in pairs])
        if self.name == "bce":
            return -sp.Add(*[t * sp.log(y) + (1 - t) * sp.log(1 - y) for y, t in pairs])
        if self.name == "cross_entropy":
            return -sp.Add(*[t * sp.log(y) for y, t in pairs])
        raise KeyError(self.name)


LOSSES: dict[str, Loss] = {
    loss.name: loss
    for loss in (
        Loss("mse", "Squared error (with the factor 1/2)", needs_unit_interval=False, needs_distribution=False),
        Loss("bce", "Binary cross-entropy", needs_unit_interval=True, needs_distribution=False),
        Loss("cross_entropy", "Cross-entropy", needs_unit_interval=True, needs_distribution=False),
    )
}

OUTPUT_ACTIVATIONS_IN_UNIT_INTERVAL = ("sigmoid", "softmax")
