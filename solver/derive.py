"""Symbolic chain rule, node by node, with SymPy.

Every expression a handout prints comes from here: the activation derivative, dE/da for the
loss, the output delta, the hidden-delta recursion with its sum over downstream neurons, and
dE/dw = delta * local input. Work grows with the number of edges, not with the number of paths.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import sympy as sp

from .errors import VerificationError
from .functions import LOSSES, a as a_sym, z as z_sym
from .network import Network, ParameterRef


@dataclass(frozen=True)
class NodeDerivation:
    """The symbolic quantities of one neuron (layer, row)."""

    layer: int
    row: int
    terms: tuple[sp.Expr, ...]
    bias: sp.Symbol | None
    fprime: sp.Expr | None
    dE_da: sp.Expr
    delta: sp.Expr
    delta_kind: str

    @property
    def preactivation(self) -> sp.Expr:
        parts = list(self.terms) + ([self.bias] if self.bias is not None else [])
        return sp.Add(*parts, evaluate=False)


@lru_cache(maxsize=4096)
def _fprime(network: Network, layer: int, row: int) -> sp.Expr | None:
    activation = network.activation(layer)
    if not activation.elementwise:
        return None
    sym = network.symbols
    return activation.derivative_for_display.subs(
        {a_sym: sym.a[layer][row - 1], z_sym: sym.z[layer][row - 1]}, simultaneous=True)


def softmax_jacobian_output_form(outputs: list[sp.Symbol], k: int, j: int) -> sp.Expr:
    """da_k/dz_j of a softmax written in its outputs: a_k (delta_kj - a_j)."""
    return outputs[k] * ((1 if k == j else 0) - outputs[j])


def softmax_jacobian_mismatches(size: int, form=softmax_jacobian_output_form) -> list[tuple[int, int]]:
    """The entries (k, j), 1-based, where SymPy's d softmax_k / d z_j differs from ``form``."""
    zs = sp.symbols(f"s_1:{size + 1}", real=True)
    denominator = sp.Add(*[sp.exp(v) for v in zs])
    soft = [sp.exp(v) / denominator for v in zs]
    return [(k + 1, j + 1) for k in range(size) for j in range(size)
            if sp.simplify(sp.diff(soft[k], zs[j]) - form(soft, k, j)) != 0]


@lru_cache(maxsize=None)
def verify_softmax_jacobian(size: int) -> None:
    """Prove with SymPy that d softmax_k / d z_j equals the output form, or raise VerificationError.

    A size proved once stays proved: the result is cached (a failure is not, so it raises every time)."""
    wrong = softmax_jacobian_mismatches(size)
    if wrong:
        raise VerificationError(f"the softmax Jacobian's output form is wrong at entries {wrong}")


@lru_cache(maxsize=256)
def _cancelled(dE_da: sp.Expr, fprime: sp.Expr) -> sp.Expr:
    """dE/da * f' cancelled and factored; cached, as every solve of the same network asks for the same."""
    return sp.factor(sp.cancel(dE_da * fprime))


def _simpler(candidate: sp.Expr, *parts: sp.Expr) -> bool:
    return sp.count_ops(candidate) < sum(sp.count_ops(p) for p in parts)


class Derivation:
    """All symbolic results for one network and loss."""

    def __init__(self, network: Network, loss_name: str):
        self.network = network
        self.loss_name = loss_name
        self._gradients: dict[ParameterRef, sp.Expr] = {}
        sym = network.symbols
        L = network.depth
        self.loss = LOSSES[loss_name].expression(sym.a[L], sym.t)
        form = LOSSES[loss_name].logit_form  # the loss in the output pre-activations, for float64 evaluation
        self.logit_form = form if form is not None and network.activation(L).name == form.activation else None
        self.output_dE_da = [sp.diff(self.loss, y) for y in sym.a[L]]
        self.nodes: list[list[NodeDerivation]] = [[] for _ in range(L + 1)]
        self.nodes[L] = [self._output_node(j) for j in range(1, network.sizes[L] + 1)]
        for layer in range(L - 1, 0, -1):
            self.nodes[layer] = [self._hidden_node(layer, j) for j in range(1, network.sizes[layer] + 1)]

    def _linear_terms(self, layer: int, row: int):
        sym = self.network.symbols
        terms = tuple(sp.Mul(sym.w[layer][row - 1][k], sym.a[layer - 1][k], evaluate=False)
                      for k in range(self.network.sizes[layer - 1]))
        bias = sym.b[layer][row - 1] if self.network.has_bias else None
        return terms, bias

    def _output_node(self, row: int) -> NodeDerivation:
        network, sym = self.network, self.network.symbols
        L = network.depth
        terms, bias = self._linear_terms(L, row)
        dE_da = self.output_dE_da[row - 1]
        fprime = _fprime(network, L, row)
        if fprime is not None:
            product = sp.Mul(dE_da, fprime, evaluate=False)
            combined = _cancelled(dE_da, fprime)
            if _simpler(combined, dE_da, fprime):
                return NodeDerivation(L, row, terms, bias, fprime, dE_da, combined, "combined")
            return NodeDerivation(L, row, terms, bias, fprime, dE_da, product, "product")
        outputs = sym.a[L]
        j = row - 1
        chain = sp.Add(*[self.output_dE_da[k] * softmax_jacobian_output_form(outputs, k, j)
                         for k in range(len(outputs))])
        combined = sp.collect(sp.expand(chain), outputs[j])
        if LOSSES[self.loss_name].name == "cross_entropy":
            combined = combined.subs(sp.Add(*sym.t), 1)
        return NodeDerivation(L, row, terms, bias, None, dE_da, combined, "jacobian")

    def _hidden_node(self, layer: int, row: int) -> NodeDerivation:
        network, sym = self.network, self.network.symbols
        terms, bias = self._linear_terms(layer, row)
        own = sym.a[layer][row - 1]
        downstream = []
        for k in range(network.sizes[layer + 1]):
            edge_term = sym.w[layer + 1][k][row - 1] * own
            downstream.append(sp.Mul(sp.diff(edge_term, own), sym.delta[layer + 1][k], evaluate=False))
        dE_da = sp.Add(*downstream, evaluate=False)
        fprime = _fprime(network, layer, row)
        delta = sp.Mul(dE_da, fprime, evaluate=False)
        return NodeDerivation(layer, row, terms, bias, fprime, dE_da, delta, "product")

    def node(self, layer: int, row: int) -> NodeDerivation:
        return self.nodes[layer][row - 1]

    def gradient(self, ref: ParameterRef) -> sp.Expr:
        """dE/dparam = delta_j * dz_j/dparam, the derivative taken by SymPy on the one term holding it."""
        if ref not in self._gradients:
            self._gradients[ref] = self._gradient(ref)
        return self._gradients[ref]

    def _gradient(self, ref: ParameterRef) -> sp.Expr:
        sym = self.network.symbols
        delta = sym.delta[ref.layer][ref.row - 1]
        parameter = sym.parameter(ref)
        if ref.kind == "bias":
            return sp.Mul(delta, sp.diff(parameter, parameter))
        local = self.node(ref.layer, ref.row).terms[ref.column - 1]
        return sp.Mul(delta, sp.diff(local, parameter), evaluate=False)


def full_loss(network: Network, loss_name: str) -> sp.Expr:
    """The loss as one expression of all parameters, inputs and targets (for the independent check)."""
    sym = network.symbols
    values = list(sym.a[0])
    for layer in network.layer_indices:
        activation = network.activation(layer)
        zs = []
        for j in range(network.sizes[layer]):
            total = sp.Add(*[sym.w[layer][j][k] * values[k] for k in range(len(values))])
            if network.has_bias:
                total += sym.b[layer][j]
            zs.append(total)
        if activation.elementwise:
            formula = activation.formula if activation.nested_formula is None else activation.nested_formula
            values = [formula.subs(z_sym, v) for v in zs]
        else:
            denominator = sp.Add(*[sp.exp(v) for v in zs])
            values = [sp.exp(v) / denominator for v in zs]
    return LOSSES[loss_name].expression(values, sym.t)
