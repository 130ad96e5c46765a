"""The dependency graph of every named quantity of a solved problem, for marking with follow-through.

Each quantity of SGD step ``k`` is one node: a SymPy expression of its immediate predecessors only (a
weighted sum of the weights and the layer below, an activation of its weighted sum, the loss of the
outputs, a delta of the outputs or of the deltas above, a gradient of a delta and an activation, a new
weight of the old one and its gradient, the loss after the update of the new parameters). The
expressions are the derivation's own (``derive.Derivation``), so the graph is built from the network,
never per question. Evaluating the graph with some quantities replaced by other numbers (a student's
answers) gives the values those numbers lead to.

Keys name the quantities: ``(k, "z", l, j)``, ``(k, "a", l, j)``, ``(k, "loss")``, ``(k, "delta", l, j)``
(dE/dz, the descent convention), ``(k, "gradient", "W1[1,2]")``, ``(k, "new", "W1[1,2]")``, and after the
update ``(k, "z_after", l, j)``, ``(k, "a_after", l, j)``, ``(k, "loss_after")``. The given data are leaves:
``(k, "input", i)``, ``(k, "target", j)``, ``(0, "new", key)`` (the starting parameters) and ``("eta",)``.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Mapping

import sympy as sp

from .evaluate import FloatNumerics
from .functions import z as z_sym
from .solution import Solution

Key = tuple
"""A quantity's name in the graph (see the module docstring)."""

GRADIENT = sp.Symbol("g", real=True)
"""The gradient in the expression of a new parameter, p - eta g."""


@dataclass(frozen=True)
class Node:
    """One quantity: its expression and, for each symbol in it, the key of the quantity it stands for."""

    expression: sp.Expr
    inputs: tuple[tuple[sp.Symbol, Key], ...]

    @classmethod
    def of(cls, expression, symbol_keys: Mapping[sp.Symbol, Key]) -> "Node":
        """The node of ``expression`` with its free symbols looked up in ``symbol_keys``."""
        expression = sp.sympify(expression)
        symbols = sorted(expression.free_symbols, key=lambda s: s.name)
        return cls(expression, tuple((s, symbol_keys[s]) for s in symbols))

    def with_expression(self, expression) -> "Node":
        """Another expression of the same symbols (which must be symbols of this node)."""
        return Node.of(expression, dict(self.inputs))

    def with_inputs(self, changes: Mapping[sp.Symbol, Key]) -> "Node":
        """The same expression with some symbols standing for other quantities."""
        return Node(self.expression, tuple((s, changes.get(s, key)) for s, key in self.inputs))

    @property
    def predecessors(self) -> tuple[Key, ...]:
        return tuple(key for _, key in self.inputs)


def _parameter_keys(network, step: int) -> dict[sp.Symbol, Key]:
    """Weight and bias symbols -> the parameters after step ``step`` (0: the given ones)."""
    sym = network.symbols
    return {sym.parameter(ref): (step, "new", ref.key) for ref in network.parameters()}


def _forward_keys(network, step: int, suffix: str) -> dict[sp.Symbol, Key]:
    """Symbols of a forward pass of step ``step``: before the update (suffix '') or after it ('_after')."""
    sym = network.symbols
    keys = _parameter_keys(network, step - 1 if not suffix else step)
    keys.update({s: (step, "input", i) for i, s in enumerate(sym.a[0], 1)})
    keys.update({s: (step, "target", j) for j, s in enumerate(sym.t, 1)})
    for l in network.layer_indices:
        keys.update({s: (step, "a" + suffix, l, j) for j, s in enumerate(sym.a[l], 1)})
        keys.update({s: (step, "z" + suffix, l, j) for j, s in enumerate(sym.z[l], 1)})
    return keys


def _activation(network, layer: int, row: int) -> sp.Expr:
    """a = f(z) of one neuron, in the layer's z symbols (softmax: of every z of the layer)."""
    sym, activation = network.symbols, network.activation(layer)
    if activation.elementwise:
        return activation.formula.subs(z_sym, sym.z[layer][row - 1])
    exps = [sp.exp(v) for v in sym.z[layer]]
    return exps[row - 1] / sp.Add(*exps)


class QuantityGraph:
    """Every named quantity of every SGD step of a solution, with the given data as leaves."""

    def __init__(self, solution: Solution):
        self.solution = solution
        self.derivation = solution.derivation
        self.network = network = solution.network
        spec = solution.spec
        self.nodes: dict[Key, Node] = {}
        self.leaves: dict[Key, float] = {("eta",): float(spec.learning_rate)}
        if not plain_sgd(spec):
            return
        for ref in network.parameters():
            self.leaves[(0, "new", ref.key)] = float(ref.entry(spec.weights, spec.biases))
        for step in solution.steps:
            self.leaves.update({(step.index, "input", i): float(v) for i, v in enumerate(step.inputs, 1)})
            self.leaves.update({(step.index, "target", j): float(v) for j, v in enumerate(step.target, 1)})
            self._forward(step.index, "")
            self._backward(step.index)
            self._forward(step.index, "_after")

    def _forward(self, step: int, suffix: str) -> None:
        network, derivation = self.network, self.derivation
        keys = _forward_keys(network, step, suffix)
        for l in network.layer_indices:
            for j in range(1, network.sizes[l] + 1):
                self.nodes[(step, "z" + suffix, l, j)] = Node.of(derivation.node(l, j).preactivation, keys)
            for j in range(1, network.sizes[l] + 1):
                self.nodes[(step, "a" + suffix, l, j)] = Node.of(_activation(network, l, j), keys)
        self.nodes[(step, "loss" + suffix)] = Node.of(derivation.loss, keys)

    def _backward(self, step: int) -> None:
        network, derivation, sym = self.network, self.derivation, self.network.symbols
        keys = _forward_keys(network, step, "")
        keys.update({s: (step, "delta", l, j) for l in network.layer_indices for j, s in enumerate(sym.delta[l], 1)})
        keys[sym.eta] = ("eta",)
        for l in reversed(network.layer_indices):
            for j in range(1, network.sizes[l] + 1):
                self.nodes[(step, "delta", l, j)] = Node.of(derivation.node(l, j).delta, keys)
        for ref in network.parameters():
            self.nodes[(step, "gradient", ref.key)] = Node.of(derivation.gradient(ref), keys)
        for ref in network.parameters():
            parameter = sym.parameter(ref)
            trained = ref.kind == "weight" or network.train_biases
            expression = parameter - sym.eta * GRADIENT if trained else parameter
            self.nodes[(step, "new", ref.key)] = Node.of(expression, {**keys, GRADIENT: (step, "gradient", ref.key)})

    def keys(self, kind: str) -> list[Key]:
        """Every node of one kind (``"delta"``, ``"loss"``...), in the order they were built."""
        return [key for key in self.nodes if len(key) > 1 and key[1] == kind]

    def paper_sign(self, key: Key) -> int:
        """-1 for a delta in Mitchell's convention (the paper asks for -dE/dz), else 1: a value on the paper
        is ``paper_sign(key)`` times the graph's value."""
        return -1 if key[1] == "delta" and self.solution.spec.convention == "mitchell" else 1

    def is_output(self, key: Key) -> bool:
        """Whether the key is a quantity of the output layer (``(k, "delta", L, j)``...)."""
        return len(key) == 4 and key[2] == self.network.depth

    @cached_property
    def _ancestor_sets(self) -> dict[Key, frozenset]:
        found: dict[Key, frozenset] = {}
        for key, node in self.nodes.items():  # built in dependency order
            found[key] = frozenset().union(*({p} | found.get(p, frozenset()) for p in node.predecessors))
        return found

    def ancestors(self, key: Key) -> frozenset:
        """Every quantity and given value ``key`` depends on, directly or through others."""
        return self._ancestor_sets.get(key, frozenset())

    @cached_property
    def _positions(self) -> dict[Key, int]:
        return {key: position for position, key in enumerate(self.nodes)}

    def order(self, key: Key) -> int:
        """The position of a node in dependency order (ancestors first)."""
        return self._positions[key]

    def value(self, key: Key, known: Mapping[Key, float] | None = None,
              replace: Mapping[Key, Node | float] | None = None) -> float:
        """The value of ``key`` in float64, where the quantities in ``known`` take those values and the
        nodes or leaves in ``replace`` take those expressions or numbers instead of their own."""
        known, replace = known or {}, replace or {}
        cache: dict[Key, float] = {}
        numerics = FloatNumerics()

        def evaluate(name: Key) -> float:
            if name in known:
                return float(known[name])
            if name not in cache:
                node = replace.get(name, self.nodes.get(name))
                if node is None:
                    node = self.leaves[name]
                if isinstance(node, Node):
                    symbols = tuple(s for s, _ in node.inputs)
                    values = tuple(evaluate(k) for _, k in node.inputs)
                    cache[name] = numerics.call(node.expression, symbols, values) if symbols else float(node.expression)
                else:
                    cache[name] = float(node)
            return cache[name]

        return evaluate(key)


def plain_sgd(spec) -> bool:
    """Whether every update is plain SGD on one example without weight decay: the training the graph's nodes
    describe (p - eta g per example). Other training holds no nodes, so its answers are marked without
    follow-through."""
    training = spec.training
    return spec.batch_size == 1 and training.optimizer == "sgd" and training.weight_decay == 0


def quantity_key(quantity: tuple, step: int) -> Key | None:
    """The graph key of an answer's quantity (as ``answers.Answer.quantity`` names it) in SGD step
    ``step``, or None for a quantity the graph does not hold."""
    kinds = {"activation": "a", "loss": "loss", "loss_after": "loss_after", "delta": "delta",
             "gradient": "gradient", "new": "new"}
    if not quantity or quantity[0] not in kinds:
        return None
    return (step, kinds[quantity[0]], *quantity[1:])
