"""The solver checks itself: backpropagated gradients against central finite differences and,
for small networks, against SymPy's derivative of the whole loss expression."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import mpmath
import numpy as np
import sympy as sp

from .derive import Derivation, full_loss
from .errors import NumericalError, VerificationError
from .evaluate import FloatNumerics, Parameters, PreciseNumerics, forward, loss_at, train_step
from .network import Network, ParameterRef

FD_STEP = 1e-6
PRECISE_FD_STEP = 1e-12
"""The step of a central difference redone at 40 digits: small enough that the curvature of a steep loss
(weights of several hundred) does not show in the difference, and 28 digits above the working precision."""
FD_SAMPLE_SIZE = 200
"""Networks with more parameters check a seeded sample of this many by central differences: each difference
costs two forward passes, so checking every parameter would grow with the square of the network's size."""
FD_SAMPLE_SEED = 14
RELATIVE_TOLERANCE = 1e-5
SYMPY_TOLERANCE = 1e-9
SYMPY_MAX_PARAMETERS = 40
KINK_BAND = 1e-4
SATURATED_DIGITS = 400
"""mpmath digits for a retry where 40 digits round a saturated sigmoid to exactly 1 (sigmoid(100) = 1 - 4e-44):
enough for every |z| below 709, beyond which dE/da is not finite in float64 and the problem is refused."""


def _with_enough_digits(compute, *args):
    """``compute(*args)`` at the default mpmath precision, or at ``SATURATED_DIGITS`` where it divides by 0."""
    try:
        return compute(*args)
    except ZeroDivisionError:
        with mpmath.workdps(SATURATED_DIGITS):
            return compute(*args)


@dataclass(frozen=True)
class ParameterCheck:
    """One parameter: backprop gradient, finite difference, SymPy derivative, relative error."""

    parameter: ParameterRef
    backprop: float
    finite_difference: float
    sympy: float | None
    relative_error: float
    at_kink: bool


@dataclass(frozen=True)
class CheckReport:
    """The parameter checks of one SGD step: every parameter, or the sample of a large network
    (``parameter_count`` is the network's total)."""

    rows: tuple[ParameterCheck, ...]
    step: float
    sympy_checked: bool
    parameter_count: int

    @property
    def sampled(self) -> bool:
        """Only a sample of the parameters was checked by central differences."""
        return len(self.rows) < self.parameter_count

    @property
    def max_relative_error(self) -> float:
        """Largest relative error against central differences, over parameters not at a ReLU kink
        (those are checked against the one-sided differences instead)."""
        return max((row.relative_error for row in self.rows if not row.at_kink), default=0.0)

    @property
    def max_sympy_error(self) -> float | None:
        if not self.sympy_checked:
            return None
        return max(relative_error(r.backprop, r.sympy) for r in self.rows)

    def as_dict(self) -> dict:
        return {
            "max_rel_error": self.max_relative_error,
            "finite_difference_step": self.step,
            "precise_finite_difference_step": PRECISE_FD_STEP,
            "tolerance": RELATIVE_TOLERANCE,
            "sympy_checked": self.sympy_checked,
            "max_sympy_rel_error": self.max_sympy_error,
            "parameters_checked": len(self.rows),
            "parameters_total": self.parameter_count,
            "sample": {"seed": FD_SAMPLE_SEED, "parameters": [row.parameter.key for row in self.rows]}
            if self.sampled else None,
            "subgradients_at_relu_kinks": sum(r.at_kink for r in self.rows),
        }


GRADIENT_FLOOR = 1e-6


def relative_error(analytic: float, numeric: float, floor: float = GRADIENT_FLOOR) -> float:
    """|a - n| / (|a| + |n|), with the denominator floored so that two near-zero gradients agree."""
    return abs(analytic - numeric) / max(abs(analytic) + abs(numeric), floor)


def _set(params: Parameters, ref: ParameterRef, value: float) -> Parameters:
    weights = [w.copy() for w in params.weights]
    biases = None if params.biases is None else [b.copy() for b in params.biases]
    (weights if ref.kind == "weight" else biases)[ref.layer - 1][ref.indices] = value
    return Parameters(weights, biases)


def _get(params: Parameters, ref: ParameterRef) -> float:
    return float(ref.entry(params.weights, params.biases))


def _step_zero_at_kink(argument, *_) -> sp.Expr:
    """Heaviside(v), which d Max(v, 0)/dv gives, with the engine's convention relu'(0) = 0."""
    return sp.Piecewise((1, argument > 0), (0, True))


def _gradient_of(grad_W, grad_b, ref: ParameterRef) -> float:
    return float(ref.entry(grad_W, grad_b))


def _precise_gradients(derivation: Derivation, params: Parameters, x, t):
    """The engine's own chain rule evaluated at 40 digits: (grad_W, grad_b)."""
    numerics = PreciseNumerics()
    precise = Parameters.from_given(params.weights, params.biases, numerics)
    values = train_step(derivation, precise, numerics.array(numerics.given(v) for v in x),
                        numerics.array(numerics.given(v) for v in t), numerics.given(1), numerics)
    return values.grad_W, values.grad_b


@lru_cache(maxsize=32)
def _gradient_function(network: Network, loss_name: str):
    """The whole loss differentiated by every parameter and lambdified for mpmath. It depends only on the
    network and the loss, and building it dominates solving a small network (an exam solves hundreds)."""
    sym = network.symbols
    refs = network.parameters()
    symbols = [sym.parameter(r) for r in refs] + list(sym.a[0]) + list(sym.t)
    loss = full_loss(network, loss_name)
    gradients = [sp.diff(loss, sym.parameter(r)).replace(sp.Heaviside, _step_zero_at_kink) for r in refs]
    return sp.lambdify(symbols, gradients, "mpmath", cse=True)


class SympyOracle:
    """Gradients of the full loss expression, differentiated by SymPy and evaluated at 40 digits."""

    def __init__(self, derivation: Derivation):
        self.derivation = derivation

    def gradients(self, params: Parameters, inputs, target) -> list[float]:
        network = self.derivation.network
        values = [_get(params, r) for r in network.parameters()] + [float(v) for v in inputs] + \
            [float(v) for v in target]
        return [float(g) for g in _gradient_function(network, self.derivation.loss_name)(*values)]


def checked_parameters(network: Network) -> list[ParameterRef]:
    """The parameters checked by central differences: all of them, or for a network with more than
    ``FD_SAMPLE_SIZE`` a random sample of that many drawn with ``FD_SAMPLE_SEED`` (the same in every run),
    in network order."""
    refs = network.parameters()
    if len(refs) <= FD_SAMPLE_SIZE:
        return refs
    chosen = np.random.default_rng(FD_SAMPLE_SEED).choice(len(refs), FD_SAMPLE_SIZE, replace=False)
    return [refs[index] for index in sorted(chosen)]


def check_step(derivation: Derivation, params: Parameters, inputs, target, grad_W, grad_b,
               oracle: SympyOracle | None) -> CheckReport:
    """Compare backprop gradients with central finite differences (every parameter, or the sample of
    :func:`checked_parameters`) and with SymPy when given; raise on disagreement."""
    network = derivation.network
    base = Parameters([np.array(w, dtype=float) for w in params.weights],
                      None if params.biases is None else [np.array(b, dtype=float) for b in params.biases])
    x = np.array([float(v) for v in inputs])
    t = np.array([float(v) for v in target])
    kinks = _relu_kink_present(derivation, base, x, t)
    symbolic = _with_enough_digits(oracle.gradients, base, x, t) if oracle is not None else None
    loss0 = loss_at(derivation, base, x, t)
    rows = []
    precise = None
    symbolic_digits_raised = False
    indices = {ref: index for index, ref in enumerate(network.parameters())}
    for ref in checked_parameters(network):
        analytic = _gradient_of(grad_W, grad_b, ref)
        value = _get(base, ref)
        scale = max(1.0, abs(value))
        h = FD_STEP * scale
        plus, minus, numeric = _central_difference(derivation, base, ref, value, h, x, t, None)
        error = relative_error(analytic, numeric)
        if error > RELATIVE_TOLERANCE:
            # float64 loses the difference when an output saturates (1 - a cancels), and a steep loss (weights
            # of several hundred) bends within h: redo it in 40 digits with a far smaller step
            numeric = _with_enough_digits(_central_difference, derivation, base, ref, value, PRECISE_FD_STEP * scale,
                                          x, t, PreciseNumerics())[2]
            error = relative_error(analytic, numeric)
        agrees = error <= RELATIVE_TOLERANCE
        at_kink = False
        if not agrees and kinks:
            one_sided = sorted(((plus - loss0) / h, (loss0 - minus) / h))
            at_kink = one_sided[0] - 1e-6 <= analytic <= one_sided[1] + 1e-6
            if not at_kink:
                # two kinks at once can make both one-sided derivatives agree with each other but not with
                # ReLU'(0) = 0: the loss has no derivative there that any convention gives, so refuse the point
                raise NumericalError("weights", (
                    f"a ReLU pre-activation is exactly 0 (a kink), and there the chain rule with ReLU'(0) = 0 "
                    f"gives {analytic:.3g} for {ref.key} while the loss changes by {one_sided[0]:.3g} to "
                    f"{one_sided[1]:.3g} per unit on either side; change a weight, bias or input so that no "
                    "ReLU neuron sits exactly at 0"))
        if not (agrees or at_kink):
            raise VerificationError(
                f"gradient check failed for {ref.key}: backprop {analytic:.12g}, central difference "
                f"{numeric:.12g} (relative error {error:.3g} > {RELATIVE_TOLERANCE:g})")
        sympy_value = None
        if symbolic is not None:
            sympy_value = symbolic[indices[ref]]
            # the default floor lets float rounding noise (~1e-18) on an exactly zero gradient agree with zero
            sympy_error = relative_error(analytic, sympy_value)
            if sympy_error > SYMPY_TOLERANCE:
                # float64 keeps ~eps/(1 - a) of a saturated unit's a(1 - a): compare the chain rule at 40 digits
                precise = precise or _with_enough_digits(_precise_gradients, derivation, base, x, t)
                sympy_error = relative_error(_gradient_of(*precise, ref), sympy_value)
            if sympy_error > SYMPY_TOLERANCE and not symbolic_digits_raised:
                # 40 digits keep few digits of the full loss's 1 - y where an output saturates (sigmoid(80) is
                # 1 - 1.8e-35): evaluate SymPy's derivative, and the chain rule beside it, at SATURATED_DIGITS
                with mpmath.workdps(SATURATED_DIGITS):
                    symbolic = oracle.gradients(base, x, t)
                    precise = _precise_gradients(derivation, base, x, t)
                symbolic_digits_raised = True
                sympy_value = symbolic[indices[ref]]
                sympy_error = relative_error(_gradient_of(*precise, ref), sympy_value)
            if sympy_error > SYMPY_TOLERANCE:
                raise VerificationError(
                    f"gradient check failed for {ref.key}: backprop {analytic:.15g}, SymPy derivative of the "
                    f"full loss {sympy_value:.15g}")
        rows.append(ParameterCheck(ref, analytic, numeric, sympy_value, error, at_kink))
    return CheckReport(tuple(rows), FD_STEP, symbolic is not None, network.parameter_count)


def _central_difference(derivation: Derivation, base: Parameters, ref: ParameterRef, value: float, h: float,
                        x, t, numerics) -> tuple[float, float, float]:
    """Loss at value + h and value - h, and the central difference, computed in ``numerics`` (None: float64;
    otherwise the parameters and the step are converted first, so that value + h keeps every digit of h)."""
    if numerics is not None:
        x = numerics.array(numerics.given(v) for v in x)
        base = Parameters.from_given(base.weights, base.biases, numerics)
        value, h = numerics.given(value), numerics.given(h)
    plus = loss_at(derivation, _set(base, ref, value + h), x, t, numerics)
    minus = loss_at(derivation, _set(base, ref, value - h), x, t, numerics)
    return float(plus), float(minus), float((plus - minus) / (2 * h))


def _relu_kink_present(derivation: Derivation, params: Parameters, x, t) -> bool:
    network = derivation.network
    values = forward(derivation, params, x, t, FloatNumerics())
    return any(network.activation(l).has_kink and np.any(np.abs(values.layers[l - 1].z) < KINK_BAND)
               for l in network.layer_indices)


def oracle_for(derivation: Derivation) -> SympyOracle | None:
    """A SymPy oracle for networks small enough to differentiate whole."""
    if derivation.network.parameter_count > SYMPY_MAX_PARAMETERS:
        return None
    return SympyOracle(derivation)
