"""Numeric evaluation of the derived expressions with NumPy: forward pass, loss, backward pass and
gradients of one example (``training.py`` combines examples into updates).

One algorithm, three number systems (``Numerics``):
  * ``FloatNumerics``  float64 arrays (finite differences, large networks);
  * ``ExactNumerics``  exact fractions while the data allow it (0.1+0.1-0.3+0.1 is 0) and while they stay
    below ``EXACT_LIMIT_BITS``, floats after;
  * ``CarryNumerics``  decimals rounded by the policy at every named quantity (hand-calculation style);
  * ``PreciseNumerics`` mpmath at 40 digits (finite differences where float64 cancels).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache

import math

import mpmath
import numpy as np
import sympy as sp

from .derive import Derivation
from .errors import NumericalError
from .functions import a as a_sym, z as z_sym
from .rounding import RoundingPolicy

mpmath.mp.dps = 40

SATURATED_OUTPUT = 0.999
"""Beyond this |a| the output form of f' (a (1 - a), 1 - a^2) cancels in float64 (relative error eps / (1 - |a|)),
and float64 evaluates the activation's ``float_derivative`` in z instead."""

EXACT_LIMIT_BITS = 1024
"""A fraction whose numerator or denominator passes this many bits (about 308 digits) continues as a float:
exact training of a linear network multiplies the digits at every step, so long runs would never finish."""


@lru_cache(maxsize=None)
def _lambdified(expr: sp.Expr, args: tuple, module: str):
    return sp.lambdify(args, expr, module)


def _mp_softmax(values) -> list:
    """Softmax at mpmath precision."""
    exps = [mpmath.exp(mpmath.mpf(str(v))) for v in values]
    total = mpmath.fsum(exps)
    return [e / total for e in exps]


def _mp_decimal(value) -> Decimal:
    """An mpmath number as a Decimal with 35 significant digits."""
    return Decimal(mpmath.nstr(value, 35, min_fixed=-60, max_fixed=60))


def _float_call(expr: sp.Expr, args: tuple, values: tuple) -> float:
    """Evaluate in float64; saturated values give inf/nan (reported by the caller), never an exception."""
    with np.errstate(all="ignore"):
        return float(_lambdified(expr, args, "numpy")(*[np.float64(v) for v in values]))


class Numerics:
    """How numbers are represented and when they are rounded."""

    object_arrays = True

    def given(self, value: Decimal):
        raise NotImplementedError

    def array(self, values) -> np.ndarray:
        return np.array(list(values), dtype=object)

    def named(self, values: np.ndarray) -> np.ndarray:
        """Round a named quantity (identity except in carry mode)."""
        return values

    def call(self, expr: sp.Expr, args: tuple, values: tuple):
        """Evaluate ``expr`` at ``values`` of ``args`` (scalars)."""
        raise NotImplementedError

    def map(self, expr: sp.Expr, arg: sp.Symbol, values: np.ndarray) -> np.ndarray:
        """Evaluate a one-variable expression elementwise."""
        return self.array(self.call(expr, (arg,), (v,)) for v in values)

    def softmax(self, values: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def derivative(self, activation, z: np.ndarray, a: np.ndarray) -> np.ndarray:
        """f'(z) of a layer: in the output a where that form exists (carry mode: on the rounded a), else in z."""
        if activation.derivative_uses_output:
            return self.map(activation.derivative_in_output, a_sym, a)
        return self.map(activation.derivative, z_sym, z)

    def logit(self, function, output: "LayerValues", target: np.ndarray) -> np.ndarray | None:
        """``function(z, t)`` of a ``LogitForm`` at the output layer's pre-activations where this number
        system holds the outputs in float64, else None (the form in the outputs is exact or precise enough)."""
        return None


class FloatNumerics(Numerics):
    """Plain float64 arithmetic, vectorised."""

    object_arrays = False

    def given(self, value):
        return float(value)

    def array(self, values) -> np.ndarray:
        return np.array(list(values), dtype=float)

    def call(self, expr, args, values):
        return _float_call(expr, args, values)

    def map(self, expr, arg, values):
        with np.errstate(all="ignore"):
            result = _lambdified(expr, (arg,), "numpy")(np.asarray(values, dtype=float))
        return np.broadcast_to(np.asarray(result, dtype=float), np.shape(values)).copy()

    def softmax(self, values):
        shifted = np.exp(values - np.max(values))
        return shifted / shifted.sum()

    def derivative(self, activation, z, a):
        values = super().derivative(activation, z, a)
        if activation.float_derivative is None:
            return values
        with np.errstate(all="ignore"):
            stable = activation.float_derivative(np.asarray(z, dtype=float))
        return self.array(np.where(np.abs(np.asarray(a, dtype=float)) > SATURATED_OUTPUT, stable, values))

    def logit(self, function, output, target):
        return self.array(function(np.asarray(output.z, dtype=float), np.asarray(target, dtype=float)))


def _bounded(value, limit: int):
    """``value`` itself, or as a float (+-inf beyond the float range) when it is a fraction past ``limit`` bits."""
    if not isinstance(value, Fraction) or max(value.numerator.bit_length(), value.denominator.bit_length()) <= limit:
        return value
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


class ExactNumerics(Numerics):
    """Fractions while every operand is exact (given data, sigma(0) = 1/2, ...) and no named quantity passes
    ``limit_bits``, floats otherwise. ``rounded`` counts the named values that were continued as floats."""

    def __init__(self, limit_bits: int = EXACT_LIMIT_BITS):
        self.limit_bits = limit_bits
        self.rounded = 0

    def given(self, value):
        return Fraction(value)

    def named(self, values):
        bounded = [_bounded(v, self.limit_bits) for v in values]
        self.rounded += sum(b is not v for b, v in zip(bounded, values))
        return self.array(bounded)

    def call(self, expr, args, values):
        if all(isinstance(v, Fraction) for v in values):
            exact = expr.subs({s: sp.Rational(v.numerator, v.denominator) for s, v in zip(args, values)})
            if exact.is_Rational:
                return Fraction(int(exact.p), int(exact.q))
        return _float_call(expr, args, values)

    def softmax(self, values):
        floats = FloatNumerics().softmax(np.array([float(v) for v in values]))
        return self.array(float(v) for v in floats)

    def derivative(self, activation, z, a):
        """Exact where the output is exact (sigmoid(0) = 1/2 gives 1/4), else as float64 computes it."""
        values = super().derivative(activation, z, a)
        if activation.float_derivative is None or all(isinstance(v, Fraction) for v in a):
            return values
        floats = FloatNumerics().derivative(activation, np.array([float(v) for v in z]), np.array([float(v) for v in a]))
        return self.array(d if isinstance(v, Fraction) else float(f) for d, v, f in zip(values, a, floats))

    def logit(self, function, output, target):
        if all(isinstance(v, Fraction) for v in output.a):
            return None
        z, t = np.array([float(v) for v in output.z]), np.array([float(v) for v in target])
        return self.array(float(v) for v in function(z, t))


class CarryNumerics(Numerics):
    """Decimals; each named quantity is rounded by the policy and later steps use the rounded value."""

    def __init__(self, policy: RoundingPolicy):
        self.policy = policy

    def given(self, value):
        return Decimal(value)

    def named(self, values):
        return self.array(self.policy.round(v) for v in values)

    def call(self, expr, args, values):
        try:
            result = mpmath.mpf(_lambdified(expr, args, "mpmath")(*[mpmath.mpf(str(v)) for v in values]))
        except ZeroDivisionError:
            result = mpmath.nan
        if not mpmath.isfinite(result):
            raise NumericalError("rounding", "carry-mode rounding makes an output exactly 0 or 1, so the loss or its "
                                 "derivative is infinite; keep more digits or use mode: display")
        return self.policy.round(_mp_decimal(result))

    def softmax(self, values):
        return self.array(self.policy.round(_mp_decimal(p)) for p in _mp_softmax(values))


class PreciseNumerics(Numerics):
    """mpmath numbers at ``mpmath.mp.dps`` digits, unrounded."""

    def given(self, value):
        return mpmath.mpf(str(value) if isinstance(value, Decimal) else value)

    def call(self, expr, args, values):
        return _lambdified(expr, args, "mpmath")(*[mpmath.mpf(v) for v in values])

    def softmax(self, values):
        return self.array(_mp_softmax(values))


@dataclass
class Parameters:
    """Weights (one matrix per non-input layer) and biases (one vector per layer, or None)."""

    weights: list[np.ndarray]
    biases: list[np.ndarray] | None

    @classmethod
    def from_given(cls, weights, biases, numerics: Numerics) -> "Parameters":
        w = [np.array([[numerics.given(v) for v in row] for row in matrix],
                      dtype=object if numerics.object_arrays else float) for matrix in weights]
        b = None if biases is None else [numerics.array(numerics.given(v) for v in vector) for vector in biases]
        return cls(w, b)


@dataclass
class LayerValues:
    """One non-input layer of a forward pass."""

    products: np.ndarray
    weighted_sum: np.ndarray
    z: np.ndarray
    a: np.ndarray
    fprime: np.ndarray | None


@dataclass
class ForwardValues:
    inputs: np.ndarray
    layers: list[LayerValues]
    loss: object

    def activations(self, layer: int) -> np.ndarray:
        return self.inputs if layer == 0 else self.layers[layer - 1].a

    @property
    def output(self) -> np.ndarray:
        return self.layers[-1].a


@dataclass
class ExampleValues:
    """The forward and backward pass of one example: every number up to its gradient."""

    forward: ForwardValues
    output_dE_da: np.ndarray
    downstream_terms: list[np.ndarray | None]
    downstream_sums: list[np.ndarray | None]
    deltas: list[np.ndarray]
    grad_W: list[np.ndarray]
    grad_b: list[np.ndarray] | None


def _loss(derivation: Derivation, output_layer: LayerValues, target, numerics: Numerics):
    sym = derivation.network.symbols
    form = derivation.logit_form
    terms = None if form is None else numerics.logit(form.loss, output_layer, target)
    if terms is not None:
        return numerics.named(numerics.array([terms.sum()]))[0]
    args = tuple(sym.a[-1]) + tuple(sym.t)
    output = output_layer.a
    return numerics.named(numerics.array([numerics.call(derivation.loss, args, tuple(output) + tuple(target))]))[0]


def forward(derivation: Derivation, params: Parameters, inputs: np.ndarray, target: np.ndarray,
            numerics: Numerics, derivatives: bool = True) -> ForwardValues:
    """Weighted sums, activations and activation derivatives layer by layer, then the loss.

    ``derivatives=False`` leaves the derivatives out (None) when only the loss is wanted."""
    network = derivation.network
    values = inputs
    layers = []
    for layer in network.layer_indices:
        activation = network.activation(layer)
        products = params.weights[layer - 1] * values[np.newaxis, :]
        weighted_sum = products.sum(axis=1)
        if params.biases is not None:
            weighted_sum = weighted_sum + params.biases[layer - 1]
        z = numerics.named(weighted_sum)
        fprime = None
        if activation.elementwise:
            a = numerics.named(numerics.map(activation.formula, z_sym, z))
            if derivatives:
                fprime = numerics.named(numerics.derivative(activation, z, a))
        else:
            a = numerics.softmax(z)
        layers.append(LayerValues(products, weighted_sum, z, a, fprime))
        values = a
    return ForwardValues(inputs, layers, _loss(derivation, layers[-1], target, numerics))


def _output_deltas(derivation: Derivation, fwd: ForwardValues, target, numerics: Numerics):
    network, sym = derivation.network, derivation.network.symbols
    L = network.depth
    outputs = fwd.output
    args = tuple(sym.a[L]) + tuple(sym.t) + tuple(sym.z[L])
    values = tuple(outputs) + tuple(target) + tuple(fwd.layers[-1].z)
    form = derivation.logit_form
    dE_da = None if form is None else numerics.logit(form.dE_da, fwd.layers[-1], target)
    stable_deltas = None if form is None else numerics.logit(form.delta, fwd.layers[-1], target)
    if dE_da is None:
        dE_da = numerics.array(numerics.call(e, args, values) for e in derivation.output_dE_da)
    dE_da = numerics.named(dE_da)
    deltas = []
    for j, node in enumerate(derivation.nodes[L]):
        if node.delta_kind == "product":
            deltas.append(dE_da[j] * fwd.layers[-1].fprime[j])
        elif stable_deltas is not None and abs(float(outputs[j])) > SATURATED_OUTPUT:
            deltas.append(stable_deltas[j])  # a - t cancels where a is near 1 (sigmoid(40) is 1.0 in float64)
        else:
            deltas.append(numerics.call(node.delta, args, values))
    return dE_da, numerics.named(numerics.array(deltas))


def backprop(derivation: Derivation, params: Parameters, inputs, target, numerics: Numerics) -> ExampleValues:
    """Forward pass, loss, deltas (dE/dz) and the gradient of one example's loss."""
    network = derivation.network
    L = network.depth
    fwd = forward(derivation, params, inputs, target, numerics)
    dE_da, output_delta = _output_deltas(derivation, fwd, target, numerics)
    deltas: list = [None] * L
    terms: list = [None] * L
    sums: list = [None] * L
    deltas[L - 1] = output_delta
    for layer in range(L - 1, 0, -1):
        downstream = params.weights[layer].T * deltas[layer][np.newaxis, :]
        terms[layer - 1] = downstream
        sums[layer - 1] = downstream.sum(axis=1)
        deltas[layer - 1] = numerics.named(sums[layer - 1] * fwd.layers[layer - 1].fprime)
    grad_W = [numerics.named((deltas[l - 1][:, np.newaxis] * fwd.activations(l - 1)[np.newaxis, :]).ravel())
              .reshape(params.weights[l - 1].shape) for l in network.layer_indices]
    grad_b = None if params.biases is None else [d.copy() for d in deltas]
    return ExampleValues(fwd, dE_da, terms, sums, deltas, grad_W, grad_b)
