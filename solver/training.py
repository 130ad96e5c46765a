"""One training update: the forward and backward pass of each example of the batch, the batch gradient
(mean or sum), weight decay, the optimizer step, and the batch loss (with the penalty) before and after."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from .derive import Derivation
from .evaluate import ExampleValues, ForwardValues, Numerics, Parameters, backprop, forward
from .optimizers import OptimizerSettings, OptimizerState, apply, decay_gradient, initial_state, penalty

REDUCTIONS = ("mean", "sum")


@dataclass
class StepValues:
    """Every number of one update in one number system.

    ``passes`` holds one forward and backward pass per example of the batch; the single-example
    properties (``forward``, ``deltas``, ``after``, ...) read the first (for a stochastic step, the only) one."""

    passes: list[ExampleValues]
    data_grad: Parameters
    decay_grad: Parameters | None
    grad: Parameters
    state_before: OptimizerState
    state_after: OptimizerState
    derived: dict[str, Parameters]
    change: Parameters
    new: Parameters
    data_loss: object
    penalty: object | None
    loss: object
    afters: list[ForwardValues]
    data_loss_after: object
    penalty_after: object | None
    loss_after: object

    @property
    def forward(self) -> ForwardValues:
        return self.passes[0].forward

    @property
    def output_dE_da(self) -> np.ndarray:
        return self.passes[0].output_dE_da

    @property
    def downstream_terms(self) -> list:
        return self.passes[0].downstream_terms

    @property
    def downstream_sums(self) -> list:
        return self.passes[0].downstream_sums

    @property
    def deltas(self) -> list[np.ndarray]:
        return self.passes[0].deltas

    @property
    def after(self) -> ForwardValues:
        return self.afters[0]

    @property
    def grad_W(self) -> list[np.ndarray]:
        """The gradient the optimizer used: batch gradient plus weight decay."""
        return self.grad.weights

    @property
    def grad_b(self) -> list[np.ndarray] | None:
        return self.grad.biases

    @property
    def change_W(self) -> list[np.ndarray]:
        return self.change.weights

    @property
    def change_b(self) -> list[np.ndarray] | None:
        return self.change.biases


def reduce_batch(values: list, reduction: str, numerics: Numerics):
    """The mean or sum of per-example values (scalars or arrays); a batch of one is its example's value."""
    if len(values) == 1:
        return values[0]
    total = values[0]
    for value in values[1:]:
        total = total + value
    if reduction == "mean":
        total = total / numerics.given(Decimal(len(values)))
    shape = np.shape(total)
    return numerics.named(np.ravel(total)).reshape(shape) if shape else numerics.named(numerics.array([total]))[0]


def _reduce_gradients(passes: list[ExampleValues], reduction: str, numerics: Numerics) -> Parameters:
    weights = [reduce_batch([p.grad_W[i] for p in passes], reduction, numerics) for i in range(len(passes[0].grad_W))]
    biases = None if passes[0].grad_b is None else [
        reduce_batch([p.grad_b[i] for p in passes], reduction, numerics) for i in range(len(passes[0].grad_b))]
    return Parameters(weights, biases)


def _add(first: Parameters, second: Parameters, numerics: Numerics) -> Parameters:
    weights = [numerics.named((a + b).ravel()).reshape(a.shape) for a, b in zip(first.weights, second.weights)]
    biases = None if first.biases is None else [numerics.named(a + b) for a, b in zip(first.biases, second.biases)]
    return Parameters(weights, biases)


def batch_loss(derivation: Derivation, settings: OptimizerSettings, params: Parameters, batch, reduction: str,
               numerics: Numerics, forwards: list[ForwardValues] | None = None) -> tuple:
    """(data loss, penalty or None, total) of ``params`` on ``batch`` (pairs of input and target arrays)."""
    forwards = forwards or [forward(derivation, params, x, t, numerics, derivatives=False) for x, t in batch]
    data = reduce_batch([f.loss for f in forwards], reduction, numerics)
    if not settings.decays:
        return data, None, data
    term = penalty(settings, params, numerics)
    return data, term, numerics.named(numerics.array([data + term]))[0]


def batch_gradient(derivation: Derivation, params: Parameters, batch, settings: OptimizerSettings,
                   numerics: Numerics, reduction: str = "mean") -> tuple:
    """(per-example passes, batch gradient, decay gradient or None, their sum) of ``params`` on ``batch``."""
    passes = [backprop(derivation, params, x, t, numerics) for x, t in batch]
    data_grad = _reduce_gradients(passes, reduction, numerics)
    decay = decay_gradient(settings, params, numerics) if settings.decays else None
    return passes, data_grad, decay, data_grad if decay is None else _add(data_grad, decay, numerics)


def train_batch(derivation: Derivation, params: Parameters, batch, settings: OptimizerSettings,
                state: OptimizerState, numerics: Numerics, train_biases: bool = True,
                reduction: str = "mean") -> StepValues:
    """One update on ``batch`` (pairs of input and target arrays in ``numerics``) from optimizer ``state``."""
    passes, data_grad, decay, grad = batch_gradient(derivation, params, batch, settings, numerics, reduction)
    update = apply(settings, grad, state, numerics, train_biases)
    new_W = [numerics.named((w - c).ravel()).reshape(w.shape) for w, c in zip(params.weights, update.change.weights)]
    new_b = None if params.biases is None else [
        numerics.named(b - c) if train_biases else b for b, c in zip(params.biases, update.change.biases)]
    new = Parameters(new_W, new_b)
    afters = [forward(derivation, new, x, t, numerics) for x, t in batch]
    before = batch_loss(derivation, settings, params, batch, reduction, numerics, [p.forward for p in passes])
    after = batch_loss(derivation, settings, new, batch, reduction, numerics, afters)
    return StepValues(passes, data_grad, decay, grad, state, update.state, update.derived, update.change, new,
                      *before, afters, *after)


def train_step(derivation: Derivation, params: Parameters, inputs, target, learning_rate, numerics: Numerics,
               train_biases: bool = True) -> StepValues:
    """One plain SGD update on one example (``learning_rate`` in ``numerics`` or as a decimal)."""
    settings = OptimizerSettings("sgd", learning_rate)
    state = initial_state(settings, params, numerics, train_biases)
    return train_batch(derivation, params, [(inputs, target)], settings, state, numerics, train_biases)
