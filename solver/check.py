"""The solver checks itself: the batch gradient (backprop, reduced over the batch, plus weight decay) against
central finite differences of the batch loss with its penalty and, for small networks, against SymPy's
derivative of the whole loss expression; the optimizer state and change against their closed forms over
the gradient history."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import math

import mpmath
import numpy as np
import sympy as sp

from .derive import Derivation, full_loss
from .errors import NumericalError, VerificationError
from .evaluate import FloatNumerics, Numerics, Parameters, PreciseNumerics, forward
from .network import Network, ParameterRef
from .optimizers import OptimizerSettings
from .training import batch_gradient, batch_loss, reduce_batch

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
OPTIMIZER_TOLERANCE = 1e-9
OPTIMIZER_FLOOR = 1e-200
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
class Objective:
    """What an update differentiates: the batch loss (mean or sum over its examples) plus the L2 penalty."""

    settings: OptimizerSettings
    reduction: str = "mean"

    def loss(self, derivation: Derivation, params: Parameters, batch, numerics: Numerics | None = None):
        """The batch loss with penalty: float64 by default, or a number of ``numerics`` (batch given in it)."""
        numerics = numerics or FloatNumerics()
        total = batch_loss(derivation, self.settings, params, batch, self.reduction, numerics)[2]
        return float(total) if isinstance(numerics, FloatNumerics) else total


PLAIN = Objective(OptimizerSettings("sgd", 1))
"""One example's loss without a penalty."""


@dataclass(frozen=True)
class OptimizerCheck:
    """The optimizer's state and change against their closed forms over the gradient history."""

    values_checked: int
    max_relative_error: float


@dataclass(frozen=True)
class CheckReport:
    """The parameter checks of one update: every parameter, or the sample of a large network
    (``parameter_count`` is the network's total)."""

    rows: tuple[ParameterCheck, ...]
    step: float
    sympy_checked: bool
    parameter_count: int
    optimizer: OptimizerCheck | None = None

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
            **({} if self.optimizer is None else {
                "optimizer_values_checked": self.optimizer.values_checked,
                "max_optimizer_rel_error": self.optimizer.max_relative_error}),
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


def _in(numerics: Numerics, batch) -> list:
    return [(numerics.array(numerics.given(v) for v in x), numerics.array(numerics.given(v) for v in t))
            for x, t in batch]


def _precise_gradients(derivation: Derivation, params: Parameters, batch, objective: Objective):
    """The engine's own chain rule (and decay) evaluated at 40 digits: (grad_W, grad_b)."""
    numerics = PreciseNumerics()
    precise = Parameters.from_given(params.weights, params.biases, numerics)
    grad = batch_gradient(derivation, precise, _in(numerics, batch), objective.settings, numerics,
                          objective.reduction)[3]
    return grad.weights, grad.biases


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

    def batch_gradients(self, params: Parameters, batch, objective: Objective) -> list[float]:
        """The gradient of the batch loss with penalty: each example's, reduced, plus ``lambda * w``."""
        per_example = [np.array(self.gradients(params, x, t)) for x, t in batch]
        reduced = reduce_batch(per_example, objective.reduction, FloatNumerics())
        settings = objective.settings
        if settings.decays:
            decayed = [ref.kind == "weight" or settings.decay_biases for ref in self.derivation.network.parameters()]
            values = np.array([_get(params, r) for r in self.derivation.network.parameters()])
            reduced = reduced + float(settings.weight_decay) * values * np.array(decayed)
        return [float(g) for g in reduced]


def checked_parameters(network: Network) -> list[ParameterRef]:
    """The parameters checked by central differences: all of them, or for a network with more than
    ``FD_SAMPLE_SIZE`` a random sample of that many drawn with ``FD_SAMPLE_SEED`` (the same in every run),
    in network order."""
    refs = network.parameters()
    if len(refs) <= FD_SAMPLE_SIZE:
        return refs
    chosen = np.random.default_rng(FD_SAMPLE_SEED).choice(len(refs), FD_SAMPLE_SIZE, replace=False)
    return [refs[index] for index in sorted(chosen)]


def check_step(derivation: Derivation, params: Parameters, batch, grad_W, grad_b, oracle: SympyOracle | None,
               objective: Objective = PLAIN) -> CheckReport:
    """Compare the gradient of the batch loss (pairs of input and target in ``batch``) with central finite
    differences (every parameter, or the sample of :func:`checked_parameters`) and with SymPy when given;
    raise on disagreement."""
    network = derivation.network
    base = Parameters([np.array(w, dtype=float) for w in params.weights],
                      None if params.biases is None else [np.array(b, dtype=float) for b in params.biases])
    batch = [(np.array([float(v) for v in x]), np.array([float(v) for v in t])) for x, t in batch]
    kinks = any(_relu_kink_present(derivation, base, x, t) for x, t in batch)
    symbolic = (_with_enough_digits(oracle.batch_gradients, base, batch, objective)
                if oracle is not None else None)
    loss0 = objective.loss(derivation, base, batch)
    rows = []
    precise = None
    symbolic_digits_raised = False
    indices = {ref: index for index, ref in enumerate(network.parameters())}
    for ref in checked_parameters(network):
        analytic = _gradient_of(grad_W, grad_b, ref)
        value = _get(base, ref)
        scale = max(1.0, abs(value))
        h = FD_STEP * scale
        plus, minus, numeric = _central_difference(derivation, base, ref, value, h, batch, objective, None)
        error = relative_error(analytic, numeric)
        if error > RELATIVE_TOLERANCE:
            # float64 loses the difference when an output saturates (1 - a cancels), and a steep loss (weights
            # of several hundred) bends within h: redo it in 40 digits with a far smaller step
            numeric = _with_enough_digits(_central_difference, derivation, base, ref, value, PRECISE_FD_STEP * scale,
                                          batch, objective, PreciseNumerics())[2]
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
                precise = precise or _with_enough_digits(_precise_gradients, derivation, base, batch, objective)
                sympy_error = relative_error(_gradient_of(*precise, ref), sympy_value)
            if sympy_error > SYMPY_TOLERANCE and not symbolic_digits_raised:
                # 40 digits keep few digits of the full loss's 1 - y where an output saturates (sigmoid(80) is
                # 1 - 1.8e-35): evaluate SymPy's derivative, and the chain rule beside it, at SATURATED_DIGITS
                with mpmath.workdps(SATURATED_DIGITS):
                    symbolic = oracle.batch_gradients(base, batch, objective)
                    precise = _precise_gradients(derivation, base, batch, objective)
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
                        batch, objective: Objective, numerics) -> tuple[float, float, float]:
    """Batch loss at value + h and value - h, and the central difference, computed in ``numerics`` (None:
    float64; otherwise the parameters and the step are converted first, so that value + h keeps every digit
    of h)."""
    if numerics is not None:
        batch = [(numerics.array(numerics.given(v) for v in x), t) for x, t in batch]
        base = Parameters.from_given(base.weights, base.biases, numerics)
        value, h = numerics.given(value), numerics.given(h)
    plus = objective.loss(derivation, _set(base, ref, value + h), batch, numerics)
    minus = objective.loss(derivation, _set(base, ref, value - h), batch, numerics)
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


def _closed_form(settings: OptimizerSettings, gradients: list[float]) -> tuple[dict[str, float], float]:
    """(state after the last step, its change) from one parameter's gradient history g_1..g_t, written as
    sums instead of the recursion: v_t = sum mu^(t-s) g_s, m_t = (1 - beta1) sum beta1^(t-s) g_s, ..."""
    t, g = len(gradients), gradients[-1]
    eta = float(settings.learning_rate)

    def weighted(decay: float, values) -> float:
        return math.fsum(decay ** (t - s) * v for s, v in enumerate(values, 1))

    name = settings.name
    if name == "sgd":
        return {}, eta * g
    if name in ("momentum", "nesterov"):
        mu = float(settings.momentum)
        velocity = weighted(mu, gradients)
        return {"velocity": velocity}, eta * (velocity if name == "momentum" else g + mu * velocity)
    eps = float(settings.epsilon)
    squares = [v * v for v in gradients]
    if name == "rmsprop":
        alpha = float(settings.alpha)
        square = (1 - alpha) * weighted(alpha, squares)
        return {"square_average": square}, eta * g / (math.sqrt(square) + eps)
    beta1, beta2 = (float(b) for b in settings.betas)
    first, second = (1 - beta1) * weighted(beta1, gradients), (1 - beta2) * weighted(beta2, squares)
    change = eta * (first / (1 - beta1 ** t)) / (math.sqrt(second / (1 - beta2 ** t)) + eps)
    return {"first_moment": first, "second_moment": second}, change


def check_optimizer(network: Network, settings: OptimizerSettings, history: list[Parameters], values) -> OptimizerCheck:
    """Compare the state after an update and its change (``values``, a StepValues) with their closed forms over
    ``history``, the gradients the optimizer was given in every update so far; raise on disagreement."""
    worst, count = 0.0, 0
    for ref in network.parameters():
        if ref.kind == "bias" and not network.train_biases:
            continue
        gradients = [float(ref.entry(g.weights, g.biases)) for g in history]
        state, change = _closed_form(settings, gradients)
        found = {name: float(ref.entry(values.state_after.buffers[name].weights,
                                       values.state_after.buffers[name].biases)) for name in state}
        found["change"] = float(ref.entry(values.change.weights, values.change.biases))
        for name, expected in {**state, "change": change}.items():
            error = relative_error(found[name], expected, OPTIMIZER_FLOOR)
            if error > OPTIMIZER_TOLERANCE:
                raise VerificationError(
                    f"optimizer check failed for {ref.key} in update {len(history)}: {settings.name} {name} "
                    f"{found[name]:.15g}, closed form over the gradient history {expected:.15g}")
            worst, count = max(worst, error), count + 1
    return OptimizerCheck(count, worst)
