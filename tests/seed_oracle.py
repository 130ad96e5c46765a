"""Independent reference implementation of one SGD step (the test oracle).

Written from the math only, never from the solver.  Given data (inputs,
weights, biases, targets, learning rate) are exact ``Fraction``s, so the
first layer's pre-activations are exact sums; everything after the first
nonlinearity is evaluated with ``mpmath`` at 30 significant digits.

Conventions (layers l = 1..L, a[0] = x):
    z[l] = W[l] a[l-1] + b[l],   a[l] = f_l(z[l])
    delta[l] = dE/dz[l]          (always the descent sign)
    grad_W[l][j][k] = delta[l][j] * a[l-1][k],   grad_b[l] = delta[l]
    W_new = W - eta * grad_W,    b_new = b - eta * grad_b
Losses: mse = 1/2 sum (a - t)^2, bce = -sum [t ln a + (1-t) ln(1-a)],
cross_entropy = -sum t ln a.  relu'(0) is taken as 0.
bce (whose output layer is a sigmoid) is evaluated from the output pre-activations z:
    E = sum [t softplus(-z) + (1-t) softplus(z)],   dE/dz = sigmoid(z) - t,
the same function written without ln(1 - a), which loses every digit (and divides by zero) once
sigmoid(z) rounds to 1 at 30 digits (z above about 69).
"""

from dataclasses import dataclass
from fractions import Fraction

import mpmath

mpmath.mp.dps = 30


def exact(value):
    """Exact rational of a number as written (str, int, float or Fraction)."""
    return value if isinstance(value, Fraction) else Fraction(str(value))


def num(value):
    """mpmath number of a Fraction or an mpf (exact for a Fraction)."""
    if isinstance(value, Fraction):
        return mpmath.mpf(value.numerator) / value.denominator
    return mpmath.mpf(value)


def activate(name, z):
    """Apply activation ``name`` to the vector z."""
    z = [num(v) for v in z]
    if name == "softmax":
        e = [mpmath.exp(v - max(z)) for v in z]
        return [v / sum(e) for v in e]
    functions = {
        "sigmoid": lambda v: 1 / (1 + mpmath.exp(-v)),
        "tanh": mpmath.tanh,
        "relu": lambda v: v if v > 0 else mpmath.mpf(0),
        "identity": lambda v: v,
    }
    return [functions[name](v) for v in z]


def back_through(name, z, a, g):
    """Turn g = dE/da into dE/dz for activation ``name`` at (z, a)."""
    if name == "softmax":
        dot = sum(ai * gi for ai, gi in zip(a, g))
        return [ai * (gi - dot) for ai, gi in zip(a, g)]
    slopes = {
        "sigmoid": lambda zi, ai: ai * (1 - ai),
        "tanh": lambda zi, ai: 1 - ai**2,
        "relu": lambda zi, ai: 1 if zi > 0 else 0,
        "identity": lambda zi, ai: 1,
    }
    return [gi * slopes[name](zi, ai) for zi, ai, gi in zip(z, a, g)]


def loss_and_grad(name, y, t):
    """Loss value and dE/dy for output y and exact target t (mse, cross_entropy)."""
    t = [num(v) for v in t]
    pairs = list(zip(y, t))
    if name == "mse":
        return sum((yi - ti) ** 2 for yi, ti in pairs) / 2, [yi - ti for yi, ti in pairs]
    if name == "cross_entropy":
        return -sum(ti * mpmath.log(yi) for yi, ti in pairs if ti), [-ti / yi for yi, ti in pairs]
    raise ValueError(f"unknown loss {name!r}")


def softplus(v):
    """ln(1 + e^v) = max(v, 0) + ln(1 + e^-|v|), exact to 30 digits for every v."""
    return max(v, 0) + mpmath.log1p(mpmath.exp(-abs(v)))


def sigmoid_minus(v, t):
    """sigmoid(v) - t, for v > 0 as (1 - t) - sigmoid(-v) so that no digit of a tiny difference is lost."""
    if v > 0:
        return (1 - t) - 1 / (1 + mpmath.exp(v))
    return 1 / (1 + mpmath.exp(-v)) - t


def loss_and_output_delta(net, z, a):
    """Loss value and dE/dz of the output layer, for its pre-activations z and outputs a."""
    name = net.activations[-1]
    z = [num(v) for v in z]
    if net.loss == "bce":
        if name != "sigmoid":
            raise ValueError(f"bce needs a sigmoid output layer, not {name!r}")
        t = [num(v) for v in net.t]
        value = sum(ti * softplus(-zi) + (1 - ti) * softplus(zi) for zi, ti in zip(z, t))
        return value, [sigmoid_minus(zi, ti) for zi, ti in zip(z, t)]
    value, g = loss_and_grad(net.loss, a, net.t)
    return value, back_through(name, z, a, g)


@dataclass
class Net:
    """A problem: activation(s), weights W[l][j][k], biases or None, x, t, loss, eta."""

    activations: object
    weights: list
    biases: list | None
    x: list
    t: list
    loss: str = "mse"
    eta: object = "0.5"

    def __post_init__(self):
        self.weights = [[[exact(w) for w in row] for row in W] for W in self.weights]
        if self.biases is not None:
            self.biases = [[exact(b) for b in layer] for layer in self.biases]
        self.x = [exact(v) for v in self.x]
        self.t = [exact(v) for v in self.t]
        self.eta = exact(self.eta)
        if isinstance(self.activations, str):
            self.activations = [self.activations] * len(self.weights)


def forward(net, weights, biases):
    """Return (z, a) for the given parameters; a includes the input layer first.

    Sums stay exact Fractions while every factor is a Fraction (the first layer).
    """
    a, z = [net.x], []
    for l, W in enumerate(weights):
        zl = [sum(w * p for w, p in zip(row, a[-1])) for row in W]
        if biases is not None:
            zl = [v + b for v, b in zip(zl, biases[l])]
        z.append(zl)
        a.append(activate(net.activations[l], zl))
    return z, a


def sgd_step(net):
    """One SGD step; returns a dict of exact/mpf values keyed like the solver trace."""
    z, a = forward(net, net.weights, net.biases)
    loss, output_delta = loss_and_output_delta(net, z[-1], a[-1])
    deltas = [None] * len(net.weights)
    deltas[-1] = output_delta
    for l in reversed(range(len(net.weights) - 1)):
        W = net.weights[l + 1]
        g = [sum(W[j][k] * deltas[l + 1][j] for j in range(len(W))) for k in range(len(W[0]))]
        deltas[l] = back_through(net.activations[l], [num(v) for v in z[l]], a[l + 1], g)
    eta = num(net.eta)
    grad_W = [[[d * num(p) for p in a[l]] for d in deltas[l]] for l in range(len(deltas))]
    W_new = [[[num(w) - eta * gw for w, gw in zip(row, grow)] for row, grow in zip(W, G)]
             for W, G in zip(net.weights, grad_W)]
    grad_b = b_new = None
    if net.biases is not None:
        grad_b = deltas
        b_new = [[num(b) - eta * d for b, d in zip(bl, dl)] for bl, dl in zip(net.biases, deltas)]
    z_after, a_after = forward(net, W_new, b_new)
    loss_after, _ = loss_and_output_delta(net, z_after[-1], a_after[-1])
    return {
        "z": z,
        "a": a,
        "delta": deltas,
        "loss": loss,
        "grad_W": grad_W,
        "grad_b": grad_b,
        "W_new": W_new,
        "b_new": b_new,
        "output_after": a_after[-1],
        "loss_after": loss_after,
    }


def loss_with_weight(net, layer, j, k, value):
    """Loss of ``net`` with the single weight W[layer][j][k] replaced by ``value``."""
    weights = [[list(row) for row in W] for W in net.weights]
    weights[layer][j][k] = value
    z, a = forward(net, weights, net.biases)
    return loss_and_output_delta(net, z[-1], a[-1])[0]


def central_difference(net, layer, j, k, eps):
    """(L(w + eps) - L(w - eps)) / (2 eps) for the weight W[layer][j][k]."""
    eps = exact(eps)
    w = net.weights[layer][j][k]
    upper = loss_with_weight(net, layer, j, k, w + eps)
    lower = loss_with_weight(net, layer, j, k, w - eps)
    return (upper - lower) / (2 * num(eps))


def relative_error(analytic, numeric):
    """|g - g_num| / (|g| + |g_num|), the measure printed by seed 003."""
    return abs(analytic - numeric) / (abs(analytic) + abs(numeric))


def gradients_by_key(step):
    """The gradients of an ``sgd_step`` result by parameter name, W2[1,2] and b1[1] (1-based)."""
    named = {f"W{l}[{j},{k}]": value for l, matrix in enumerate(step["grad_W"], 1)
             for j, row in enumerate(matrix, 1) for k, value in enumerate(row, 1)}
    named.update({f"b{l}[{j}]": value for l, vector in enumerate(step["grad_b"] or [], 1)
                  for j, value in enumerate(vector, 1)})
    return named


def assert_check_rows_match(rows, step, backprop_rel=1e-12):
    """A solver check report's rows cover every parameter of the oracle's ``step``, their backprop
    gradients are the oracle's (``backprop_rel``) and their central differences too (1e-6,
    finite-difference accuracy), and each relative error is |bp - fd| / max(|bp| + |fd|, 1e-6) of its
    own two numbers."""
    expected = gradients_by_key(step)
    assert sorted(row.parameter.key for row in rows) == sorted(expected)
    for row in rows:
        gradient = float(num(expected[row.parameter.key]))
        key = row.parameter.key
        assert abs(row.backprop - gradient) <= backprop_rel * abs(gradient) + 1e-15, key
        assert abs(row.finite_difference - gradient) <= 1e-6 * abs(gradient) + 1e-10, key
        bp, fd = row.backprop, row.finite_difference
        assert abs(row.relative_error - abs(bp - fd) / max(abs(bp) + abs(fd), 1e-6)) <= 1e-12, key
