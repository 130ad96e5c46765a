"""The optimizers: PyTorch's update rules with their state per parameter, in any number system.

Definitions as in ``torch.optim`` (``g`` already includes weight decay ``lambda * w``):
  * ``sgd``       change = eta g
  * ``momentum``  v <- mu v + g (dampening 0); change = eta v
  * ``nesterov``  v <- mu v + g; change = eta (g + mu v)
  * ``rmsprop``   s <- alpha s + (1 - alpha) g^2; change = eta g / (sqrt(s) + eps)
  * ``adam``      m <- beta1 m + (1 - beta1) g; v <- beta2 v + (1 - beta2) g^2;
                  m_hat = m / (1 - beta1^t); v_hat = v / (1 - beta2^t); change = eta m_hat / (sqrt(v_hat) + eps)
Every state starts at zero (for momentum that is PyTorch's first buffer v = g). The new parameter is
w - change.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal

import numpy as np
import sympy as sp

from .evaluate import Numerics, Parameters

BUFFERS = {"sgd": (), "momentum": ("velocity",), "nesterov": ("velocity",), "rmsprop": ("square_average",),
           "adam": ("first_moment", "second_moment")}
"""The state each optimizer keeps per parameter (besides the step count)."""
CORRECTED = {"adam": ("first_moment_corrected", "second_moment_corrected")}
"""Derived per-step values an optimizer shows besides its state (Adam's bias-corrected moments)."""
STATE_SYMBOLS = {"velocity": "v", "square_average": "s", "first_moment": "m", "second_moment": "v",
                 "first_moment_corrected": "\\hat{m}", "second_moment_corrected": "\\hat{v}"}
"""The letter of each state and derived value in handouts and exam questions."""

_u = sp.Symbol("u", nonnegative=True)
_SQRT = sp.sqrt(_u)


@dataclass(frozen=True)
class OptimizerSettings:
    """The optimizer and its hyperparameters as given (exact decimals), with PyTorch's defaults filled in."""

    name: str
    learning_rate: Decimal
    momentum: Decimal | None = None
    betas: tuple[Decimal, Decimal] = (Decimal("0.9"), Decimal("0.999"))
    epsilon: Decimal = Decimal("1E-8")
    alpha: Decimal = Decimal("0.99")
    weight_decay: Decimal = Decimal(0)
    decay_biases: bool = False

    @classmethod
    def from_spec(cls, spec) -> "OptimizerSettings":
        """The settings of a ``ProblemSpec`` (its ``training`` block and ``learning_rate``)."""
        training = spec.training
        given = {name: getattr(training, name) for name in ("momentum", "epsilon", "alpha")
                 if getattr(training, name) is not None}
        if training.betas is not None:
            given["betas"] = tuple(training.betas)
        return cls(training.optimizer, spec.learning_rate, weight_decay=training.weight_decay,
                   decay_biases=training.decay_biases, **given)

    def with_learning_rate(self, rate: Decimal) -> "OptimizerSettings":
        return replace(self, learning_rate=rate)

    @property
    def buffers(self) -> tuple[str, ...]:
        return BUFFERS[self.name]

    @property
    def decays(self) -> bool:
        return self.weight_decay != 0


@dataclass
class OptimizerState:
    """The step count (updates done) and each buffer per parameter (biases None when they are not trained)."""

    step: int
    buffers: dict[str, Parameters] = field(default_factory=dict)


@dataclass
class Update:
    """One optimizer update: the change of every parameter, the state after it and derived values."""

    change: Parameters
    state: OptimizerState
    derived: dict[str, Parameters]


def _zeros_like(params: Parameters, numerics: Numerics, train_biases: bool) -> Parameters:
    zero = numerics.given(Decimal(0))
    weights = [np.full(w.shape, zero, dtype=w.dtype) for w in params.weights]
    biases = None if params.biases is None or not train_biases else [
        numerics.array(zero for _ in b) for b in params.biases]
    return Parameters(weights, biases)


def initial_state(settings: OptimizerSettings, params: Parameters, numerics: Numerics,
                  train_biases: bool = True) -> OptimizerState:
    """Step 0 with every buffer at zero."""
    return OptimizerState(0, {name: _zeros_like(params, numerics, train_biases) for name in settings.buffers})


def decay_gradient(settings: OptimizerSettings, params: Parameters, numerics: Numerics) -> Parameters:
    """``lambda * w`` per weight, and per bias with ``decay_biases`` (zero otherwise)."""
    rate = numerics.given(settings.weight_decay)
    weights = [numerics.named((rate * w).ravel()).reshape(w.shape) for w in params.weights]
    biases = None if params.biases is None else [
        numerics.named(rate * b) if settings.decay_biases else b * 0 for b in params.biases]
    return Parameters(weights, biases)


def penalty(settings: OptimizerSettings, params: Parameters, numerics: Numerics):
    """The L2 penalty ``lambda / 2 * sum w^2`` (biases too with ``decay_biases``) whose gradient is ``lambda * w``."""
    arrays = list(params.weights) + (list(params.biases) if settings.decay_biases and params.biases else [])
    total = sum((v * v for array in arrays for v in np.ravel(array)), numerics.given(Decimal(0)))
    return numerics.named(numerics.array([numerics.given(settings.weight_decay) * total / 2]))[0]


def _sqrt(values: np.ndarray, numerics: Numerics) -> np.ndarray:
    return numerics.map(_SQRT, _u, values)


def _rule(settings: OptimizerSettings, g: np.ndarray, state: dict[str, np.ndarray], step: int,
          numerics: Numerics) -> tuple[np.ndarray, dict[str, np.ndarray], dict[str, np.ndarray]]:
    """(change, new state, derived values) of one flat array of parameters with gradient ``g``."""
    given = numerics.given
    eta, one = given(settings.learning_rate), given(Decimal(1))
    name = settings.name
    if name == "sgd":
        return eta * g, {}, {}
    if name in ("momentum", "nesterov"):
        mu = given(settings.momentum)
        velocity = numerics.named(mu * state["velocity"] + g)
        direction = velocity if name == "momentum" else g + mu * velocity
        return eta * direction, {"velocity": velocity}, {}
    eps = given(settings.epsilon)
    if name == "rmsprop":
        alpha = given(settings.alpha)
        square = numerics.named(alpha * state["square_average"] + (one - alpha) * g * g)
        return eta * g / (_sqrt(square, numerics) + eps), {"square_average": square}, {}
    beta1, beta2 = (given(b) for b in settings.betas)
    first = numerics.named(beta1 * state["first_moment"] + (one - beta1) * g)
    second = numerics.named(beta2 * state["second_moment"] + (one - beta2) * g * g)
    first_hat = numerics.named(first / (one - beta1 ** step))
    second_hat = numerics.named(second / (one - beta2 ** step))
    change = eta * first_hat / (_sqrt(second_hat, numerics) + eps)
    return (change, {"first_moment": first, "second_moment": second},
            {"first_moment_corrected": first_hat, "second_moment_corrected": second_hat})


def apply(settings: OptimizerSettings, grad: Parameters, state: OptimizerState, numerics: Numerics,
          train_biases: bool = True) -> Update:
    """The update for the total gradient ``grad`` from ``state``; fixed biases get a zero change."""
    step = state.step + 1
    names = settings.buffers + CORRECTED.get(settings.name, ())
    out: dict[str, dict[str, list]] = {name: {"weights": [], "biases": []} for name in names}
    changes: dict[str, list] = {"weights": [], "biases": []}
    kinds = [("weights", grad.weights)] + ([("biases", grad.biases)] if grad.biases is not None else [])
    for kind, arrays in kinds:
        for index, g in enumerate(arrays):
            if kind == "biases" and not train_biases:
                changes[kind].append(g * 0)
                continue
            flat = {name: getattr(state.buffers[name], kind)[index].ravel() for name in settings.buffers}
            change, new, derived = _rule(settings, g.ravel(), flat, step, numerics)
            changes[kind].append(np.asarray(change).reshape(g.shape))
            for name, values in {**new, **derived}.items():
                out[name][kind].append(np.asarray(values).reshape(g.shape))
    trained_biases = grad.biases is not None and train_biases
    collected = {name: Parameters(parts["weights"], parts["biases"] if trained_biases else None)
                 for name, parts in out.items()}
    buffers = {name: collected[name] for name in settings.buffers}
    derived = {name: collected[name] for name in CORRECTED.get(settings.name, ())}
    return Update(Parameters(changes["weights"], changes["biases"] if grad.biases is not None else None),
                  OptimizerState(step, buffers), derived)
