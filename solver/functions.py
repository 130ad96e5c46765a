"""Activations and losses, each defined once: its name, the rules a problem must follow to use it, and its
SymPy definition.

Derivation, evaluation, validation, rendering and export all read these tables; adding an activation or
a loss means adding one entry here. The SymPy expressions are built on first use, so validating a
problem file (``spec.py``) reads the names and rules without importing SymPy.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Callable


@lru_cache(maxsize=None)
def _variables():
    """SymPy, and the scalar symbols z (pre-activation) and a (activation) the definitions use."""
    import sympy

    return sympy, sympy.Symbol("z", real=True), sympy.Symbol("a", real=True)


def __getattr__(name: str):
    """``functions.z`` and ``functions.a``: the symbols of the definitions (built on first use)."""
    if name in ("z", "a"):
        _, z_symbol, a_symbol = _variables()
        return z_symbol if name == "z" else a_symbol
    raise AttributeError(name)


Definition = Callable[..., tuple]
"""``define(sp, z, a) -> (f(z), f'(z) written in a = f(z), or None)``."""


@dataclass(frozen=True)
class Activation:
    """An activation function f(z), its derivative in terms of the output a = f(z), and its rules."""

    name: str
    title: str
    latex_name: str
    define: Definition
    elementwise: bool = True
    output_only: bool = False
    """Allowed only in the output layer (softmax)."""
    min_outputs: int = 1
    unit_interval: bool = False
    """Outputs lie in (0, 1), as cross-entropy losses need."""
    distribution: bool = False
    """Outputs sum to 1 (softmax): with cross-entropy the targets must sum to 1 too."""
    has_kink: bool = False
    """Not differentiable at z = 0 (ReLU): the gradient check uses one-sided differences there."""
    nest: Callable | None = None
    """``nest(sp, z)``: the formula as the whole-network SymPy check nests it, where ``formula`` nests badly."""
    float_derivative: Callable | None = None
    """f'(z) from z for float64 (NumPy arrays), used where the output form cancels (``|a|`` near 1): float64
    rounds sigmoid(40) and tanh(20) to 1, so a (1 - a) and 1 - a^2 give 0 instead of ~4e-18."""

    @cached_property
    def formula(self):
        return self.define(*_variables())[0]

    @cached_property
    def derivative_in_output(self):
        return self.define(*_variables())[1]

    @cached_property
    def nested_formula(self):
        sympy, z_symbol, _ = _variables()
        return None if self.nest is None else self.nest(sympy, z_symbol)

    @cached_property
    def derivative(self):
        """f'(z) as SymPy differentiates it."""
        sympy, z_symbol, _ = _variables()
        return sympy.diff(self.formula, z_symbol)

    @cached_property
    def derivative_for_display(self):
        """The derivative handouts print: in terms of a where that form exists, else in z."""
        return self.derivative if self.derivative_in_output is None else self.derivative_in_output

    @property
    def in_text(self) -> str:
        """The name inside a sentence: lower case, except an acronym such as ReLU."""
        return self.title if sum(letter.isupper() for letter in self.title) > 1 else self.title.lower()

    @property
    def derivative_uses_output(self) -> bool:
        return self.derivative_in_output is not None

    def verify(self) -> None:
        """Prove that the stated output form equals SymPy's derivative (raises AssertionError)."""
        if self.derivative_in_output is None:
            return
        sympy, _, a_symbol = _variables()
        difference = sympy.simplify(self.derivative - self.derivative_in_output.subs(a_symbol, self.formula))
        assert difference == 0, f"{self.name}: f'(z) != g(f(z)), difference {difference}"


def _sigmoid_float_derivative(z):
    """sigmoid'(z) = e^-|z| / (1 + e^-|z|)^2, the same on both sides."""
    import numpy

    small = numpy.exp(-numpy.abs(z))
    return small / (1 + small) ** 2


def _tanh_float_derivative(z):
    """tanh'(z) = 1 - tanh(z)^2 = 4 e^-2|z| / (1 + e^-2|z|)^2."""
    import numpy

    small = numpy.exp(-2 * numpy.abs(z))
    return 4 * small / (1 + small) ** 2


def _softmax(sp, z, a):
    """The first component of a two-way softmax, as a representative scalar formula."""
    other = sp.Symbol("z_2", real=True)
    return sp.exp(z) / (sp.exp(z) + sp.exp(other)), None


ACTIVATIONS: dict[str, Activation] = {
    act.name: act
    for act in (
        Activation("sigmoid", "Sigmoid", r"\sigma", lambda sp, z, a: (1 / (1 + sp.exp(-z)), a * (1 - a)),
                   unit_interval=True, float_derivative=_sigmoid_float_derivative),
        Activation("tanh", "Hyperbolic tangent", r"\tanh", lambda sp, z, a: (sp.tanh(z), 1 - a**2),
                   float_derivative=_tanh_float_derivative),
        Activation("relu", "ReLU", r"\operatorname{ReLU}", lambda sp, z, a: (sp.Piecewise((z, z > 0), (0, True)), None),
                   has_kink=True, nest=lambda sp, z: sp.Max(z, 0)),
        Activation("identity", "Identity", r"\operatorname{id}", lambda sp, z, a: (z, sp.Integer(1))),
        Activation("softmax", "Softmax", r"\operatorname{softmax}", _softmax, elementwise=False, output_only=True,
                   min_outputs=2, unit_interval=True, distribution=True),
    )
}


def _bce_of_sigmoid(z, t):
    """Binary cross-entropy of a = sigmoid(z) per output, in z: softplus(z) - t z, stable on both sides
    (float64 rounds sigmoid(40) to 1, so the form in a gives log(0))."""
    import numpy

    return numpy.maximum(z, 0) - t * z + numpy.log1p(numpy.exp(-numpy.abs(z)))


def _bce_of_sigmoid_dE_da(z, t):
    """dE/da = (1 - t) / (1 - a) - t / a of a = sigmoid(z), in z: (1 - t)(1 + e^z) - t(1 + e^-z)."""
    import numpy

    with numpy.errstate(all="ignore"):
        upper = numpy.where(t == 1, 0.0, (1 - t) * (1 + numpy.exp(z)))
        lower = numpy.where(t == 0, 0.0, t * (1 + numpy.exp(-z)))
    return upper - lower


def _bce_of_sigmoid_delta(z, t):
    """dE/dz = a - t of a = sigmoid(z), in z: (1 - t) - sigmoid(-z) for z >= 0 (1 - a would cancel: float64
    rounds sigmoid(40) to 1, so a - t gave 0 instead of -4.2e-18 against t = 1), sigmoid(z) - t below 0."""
    import numpy

    small = numpy.exp(-numpy.abs(z)) / (1 + numpy.exp(-numpy.abs(z)))  # sigmoid(-|z|), never rounded to 1
    return numpy.where(z >= 0, (1 - t) - small, small - t)


@dataclass(frozen=True)
class LogitForm:
    """A loss, its derivative dE/da and the output delta dE/dz written in the pre-activations z of one output
    activation, for float64 evaluation where the form in the outputs a = f(z) loses them. All take NumPy arrays
    (z, t)."""

    activation: str
    loss: Callable
    dE_da: Callable
    delta: Callable


@dataclass(frozen=True)
class Loss:
    """A loss over the output vector, summed over output neurons, and the outputs and targets it needs."""

    name: str
    title: str
    needs_unit_interval: bool
    """Outputs and targets must lie in [0, 1] (the output activation must have ``unit_interval``)."""
    refuses: tuple[str, ...] = ()
    """Output activations this loss is not used with, and the loss to use instead."""
    instead: str = ""
    logit_form: LogitForm | None = None
    """The stable float64 form for one output activation (sigmoid + binary cross-entropy)."""

    def expression(self, outputs: list, targets: list):
        """The loss as a SymPy expression of output and target symbols."""
        sp = _variables()[0]
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
        Loss("mse", "Squared error (with the factor 1/2)", needs_unit_interval=False),
        Loss("bce", "Binary cross-entropy", needs_unit_interval=True, refuses=("softmax",), instead="cross_entropy",
             logit_form=LogitForm("sigmoid", _bce_of_sigmoid, _bce_of_sigmoid_dE_da, _bce_of_sigmoid_delta)),
        Loss("cross_entropy", "Cross-entropy", needs_unit_interval=True),
    )
}

ACTIVATION_NAMES = tuple(ACTIVATIONS)
LOSS_NAMES = tuple(LOSSES)
