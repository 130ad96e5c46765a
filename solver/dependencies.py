"""The dependency graph of every named quantity of a solved problem, for marking with follow-through.

Each quantity of update ``k`` is one node: a SymPy expression of its immediate predecessors only (a
weighted sum of the weights and the layer below, an activation of its weighted sum, an example's loss of
its outputs, a delta of the outputs or of the deltas above, an example's gradient of a delta and an
activation, the batch's mean or sum of those, the gradient with weight decay, the optimizer's state, a new
weight of the old one, its gradient and the state, the loss after the update of the new parameters). The
expressions are the derivation's own (``derive.Derivation``) and the optimizer rules of ``optimizers``,
so the graph is built from the network and the training, never per question. Evaluating the graph with
some quantities replaced by other numbers (a student's answers) gives the values those numbers lead to.

Keys name the quantities: ``(k, "z", l, j)``, ``(k, "a", l, j)``, ``(k, "example_loss")``, ``(k, "delta",
l, j)`` (dE/dz, the descent convention), ``(k, "example_gradient", "W1[1,2]")`` of the batch's first example,
and ``"z#2"``, ``"delta#2"``... for its second; ``(k, "loss")`` (the batch loss with any penalty, ``(k,
"penalty")``), ``(k, "batch_gradient", "W1[1,2]")``, ``(k, "gradient", "W1[1,2]")``, ``(k, "state",
"velocity", "W1[1,2]")`` (and ``square_average``, ``first_moment``, ``second_moment``, their ``_corrected``
forms), ``(k, "new", "W1[1,2]")``, and after the update ``(k, "z_after", l, j)``, ``(k, "a_after", l, j)``,
``(k, "loss_after")``. The given data are leaves: ``(k, "input", i)``, ``(k, "target", j)``, ``(0, "new",
key)`` (the starting parameters), ``(0, "state", buffer, key)`` (zero), ``("eta",)``, ``("lambda",)`` and
``(k, "reduction")`` (1 / B for the mean over update k's batch of B examples, 1 for the sum).
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
LAMBDA = ("lambda",)
"""The leaf of the weight decay (the factor of each update's batch sum is the leaf ``(k, "reduction")``)."""
LAMBDA_SYMBOL, REDUCTION_SYMBOL, PENALTY = sp.symbols("lambda_ r_batch P_penalty", real=True)
STATE_BUFFERS = ("velocity", "square_average", "first_moment", "second_moment", "first_moment_corrected",
                 "second_moment_corrected")
STATE_SYMBOLS_BY_NAME = {name: sp.Symbol(f"state_{name}", real=True) for name in STATE_BUFFERS} | {
    f"previous_{name}": sp.Symbol(f"state_previous_{name}", real=True) for name in STATE_BUFFERS}
"""A symbol per optimizer state (this update's and the previous update's) in the graph's update rules."""


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


def example_tag(example: int) -> str:
    """The suffix of an example's quantities in a batch: '' for the first, '#2' for the second..."""
    return "" if example == 1 else f"#{example}"


def base_kind(key: Key) -> str:
    """A key's kind without its example tag: ``"delta"`` for ``(1, "delta#2", 2, 1)``."""
    return key[1].split("#")[0]


def _parameter_keys(network, step: int) -> dict[sp.Symbol, Key]:
    """Weight and bias symbols -> the parameters after step ``step`` (0: the given ones)."""
    sym = network.symbols
    return {sym.parameter(ref): (step, "new", ref.key) for ref in network.parameters()}


def _forward_keys(network, step: int, suffix: str, tag: str = "") -> dict[sp.Symbol, Key]:
    """Symbols of one example's forward pass in step ``step`` (``tag``: see :func:`example_tag`): before the
    update (suffix '') or after it ('_after')."""
    sym = network.symbols
    keys = _parameter_keys(network, step - 1 if not suffix else step)
    keys.update({s: (step, "input" + tag, i) for i, s in enumerate(sym.a[0], 1)})
    keys.update({s: (step, "target" + tag, j) for j, s in enumerate(sym.t, 1)})
    for l in network.layer_indices:
        keys.update({s: (step, "a" + suffix + tag, l, j) for j, s in enumerate(sym.a[l], 1)})
        keys.update({s: (step, "z" + suffix + tag, l, j) for j, s in enumerate(sym.z[l], 1)})
    return keys


def _activation(network, layer: int, row: int) -> sp.Expr:
    """a = f(z) of one neuron, in the layer's z symbols (softmax: of every z of the layer)."""
    sym, activation = network.symbols, network.activation(layer)
    if activation.elementwise:
        return activation.formula.subs(z_sym, sym.z[layer][row - 1])
    exps = [sp.exp(v) for v in sym.z[layer]]
    return exps[row - 1] / sp.Add(*exps)


class QuantityGraph:
    """Every named quantity of every update of a solution, with the given data as leaves."""

    def __init__(self, solution: Solution):
        self.solution = solution
        self.derivation = solution.derivation
        self.network = network = solution.network
        self.settings = settings = solution.optimizer
        spec = solution.spec
        self.nodes: dict[Key, Node] = {}
        self.leaves: dict[Key, float] = {("eta",): float(spec.learning_rate), LAMBDA: float(settings.weight_decay)}
        self.mean = spec.training.reduction == "mean"
        for ref in network.parameters():
            self.leaves[(0, "new", ref.key)] = float(ref.entry(spec.weights, spec.biases))
            for buffer in settings.buffers:
                self.leaves[(0, "state", buffer, ref.key)] = 0.0
        for step in solution.steps:
            tags = [example_tag(e) for e in range(1, len(step.batch) + 1)]
            self.leaves[(step.index, "reduction")] = 1.0 / len(tags) if self.mean else 1.0
            for tag, example in zip(tags, step.batch):
                self.leaves.update({(step.index, "input" + tag, i): float(v) for i, v in enumerate(example.input, 1)})
                self.leaves.update({(step.index, "target" + tag, j): float(v) for j, v in enumerate(example.target, 1)})
                self._forward(step.index, "", tag)
                self._backward(step.index, tag)
            self._batch(step.index, tags)
            self._update(step.index)
            for tag in tags:
                self._forward(step.index, "_after", tag)
            self._batch_loss(step.index, tags, "_after")

    def _forward(self, step: int, suffix: str, tag: str) -> None:
        network, derivation = self.network, self.derivation
        keys = _forward_keys(network, step, suffix, tag)
        for l in network.layer_indices:
            for j in range(1, network.sizes[l] + 1):
                self.nodes[(step, "z" + suffix + tag, l, j)] = Node.of(derivation.node(l, j).preactivation, keys)
            for j in range(1, network.sizes[l] + 1):
                self.nodes[(step, "a" + suffix + tag, l, j)] = Node.of(_activation(network, l, j), keys)
        self.nodes[(step, "example_loss" + suffix + tag)] = Node.of(derivation.loss, keys)

    def _backward(self, step: int, tag: str) -> None:
        network, derivation, sym = self.network, self.derivation, self.network.symbols
        keys = _forward_keys(network, step, "", tag)
        keys.update({s: (step, "delta" + tag, l, j) for l in network.layer_indices
                     for j, s in enumerate(sym.delta[l], 1)})
        for l in reversed(network.layer_indices):
            for j in range(1, network.sizes[l] + 1):
                self.nodes[(step, "delta" + tag, l, j)] = Node.of(derivation.node(l, j).delta, keys)
        for ref in network.parameters():
            self.nodes[(step, "example_gradient" + tag, ref.key)] = Node.of(derivation.gradient(ref), keys)

    def _decayed(self, ref) -> bool:
        return ref.kind == "weight" or self.settings.decay_biases

    def _penalty(self, parameters_after: int) -> Node:
        """lambda / 2 times the sum of the decayed parameters squared (the parameters after that step)."""
        keys = {**_parameter_keys(self.network, parameters_after), LAMBDA_SYMBOL: LAMBDA}
        squares = [self.network.symbols.parameter(ref) ** 2 for ref in self.network.parameters() if self._decayed(ref)]
        return Node.of(LAMBDA_SYMBOL / 2 * sp.Add(*squares), keys)

    def _reduced(self, keys: list[Key]) -> tuple[sp.Expr, dict[sp.Symbol, Key]]:
        """The mean or sum over the batch of step ``keys[0][0]`` of the quantities ``keys`` (one per example)."""
        symbols = [sp.Symbol(f"q{e}", real=True) for e in range(1, len(keys) + 1)]
        return REDUCTION_SYMBOL * sp.Add(*symbols), {**dict(zip(symbols, keys)),
                                                      REDUCTION_SYMBOL: (keys[0][0], "reduction")}

    def _batch_loss(self, step: int, tags: list[str], suffix: str) -> None:
        """The batch loss: the mean or sum of the example losses, plus the penalty (with weight decay)."""
        expression, keys = self._reduced([(step, "example_loss" + suffix + tag) for tag in tags])
        if self.settings.decays:
            penalty = self._penalty(step - 1 if not suffix else step)
            self.nodes[(step, "penalty" + suffix)] = penalty
            expression = expression + PENALTY
            keys[PENALTY] = (step, "penalty" + suffix)
        self.nodes[(step, "loss" + suffix)] = Node.of(expression, keys)

    def _batch(self, step: int, tags: list[str]) -> None:
        """The batch loss, the gradient of its data part and the full gradient (with lambda p under decay)."""
        self._batch_loss(step, tags, "")
        sym = self.network.symbols
        for ref in self.network.parameters():
            expression, keys = self._reduced([(step, "example_gradient" + tag, ref.key) for tag in tags])
            self.nodes[(step, "batch_gradient", ref.key)] = Node.of(expression, keys)
        for ref in self.network.parameters():
            parameter = sym.parameter(ref)
            keys = {GRADIENT: (step, "batch_gradient", ref.key), parameter: (step - 1, "new", ref.key),
                    LAMBDA_SYMBOL: LAMBDA}
            decay = LAMBDA_SYMBOL * parameter if self.settings.decays and self._decayed(ref) else 0
            self.nodes[(step, "gradient", ref.key)] = Node.of(GRADIENT + decay, keys)

    def _update(self, step: int) -> None:
        """The optimizer's state and the new value of every parameter (see ``optimizers``)."""
        network, sym, settings = self.network, self.network.symbols, self.settings
        for ref in network.parameters():
            parameter = sym.parameter(ref)
            keys = {parameter: (step - 1, "new", ref.key), sym.eta: ("eta",), GRADIENT: (step, "gradient", ref.key)}
            if ref.kind == "bias" and not network.train_biases:
                self.nodes[(step, "new", ref.key)] = Node.of(parameter, keys)
                continue
            for name, expression in _optimizer_rule(settings, step):
                symbols = {STATE_SYMBOLS_BY_NAME[n]: (step - 1 if n.startswith("previous_") else step, "state",
                                                      n.removeprefix("previous_"), ref.key)
                           for n in STATE_SYMBOLS_BY_NAME if STATE_SYMBOLS_BY_NAME[n] in expression.free_symbols}
                self.nodes[(step, "state", name, ref.key)] = Node.of(expression, {**keys, **symbols})
            change = _optimizer_change(settings)
            symbols = {STATE_SYMBOLS_BY_NAME[n]: (step, "state", n, ref.key) for n in STATE_SYMBOLS_BY_NAME
                       if STATE_SYMBOLS_BY_NAME[n] in change.free_symbols}
            self.nodes[(step, "new", ref.key)] = Node.of(parameter - sym.eta * change, {**keys, **symbols})

    def keys(self, kind: str) -> list[Key]:
        """Every node of one kind (``"delta"``, ``"loss"``...) of every example, in the order they were built."""
        return [key for key in self.nodes if len(key) > 1 and base_kind(key) == kind]

    def paper_sign(self, key: Key) -> int:
        """-1 for a delta in Mitchell's convention (the paper asks for -dE/dz), else 1: a value on the paper
        is ``paper_sign(key)`` times the graph's value."""
        return -1 if base_kind(key) == "delta" and self.solution.spec.convention == "mitchell" else 1

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


def _optimizer_rule(settings, step: int) -> list[tuple[str, sp.Expr]]:
    """Each state of update ``step`` (``t``) as an expression of the previous state and the gradient, in order
    (``optimizers``: PyTorch's definitions)."""
    given = lambda value: sp.Rational(str(value))  # noqa: E731 (decimals exactly)
    state = STATE_SYMBOLS_BY_NAME
    if settings.name in ("momentum", "nesterov"):
        return [("velocity", given(settings.momentum) * state["previous_velocity"] + GRADIENT)]
    if settings.name == "rmsprop":
        alpha = given(settings.alpha)
        return [("square_average", alpha * state["previous_square_average"] + (1 - alpha) * GRADIENT ** 2)]
    if settings.name == "adam":
        beta1, beta2 = (given(b) for b in settings.betas)
        return [("first_moment", beta1 * state["previous_first_moment"] + (1 - beta1) * GRADIENT),
                ("second_moment", beta2 * state["previous_second_moment"] + (1 - beta2) * GRADIENT ** 2),
                ("first_moment_corrected", state["first_moment"] / (1 - beta1 ** step)),
                ("second_moment_corrected", state["second_moment"] / (1 - beta2 ** step))]
    return []


def _optimizer_change(settings) -> sp.Expr:
    """The change of a parameter divided by the learning rate, in this update's state and the gradient."""
    state, eps = STATE_SYMBOLS_BY_NAME, sp.Rational(str(settings.epsilon))
    return {"sgd": GRADIENT, "momentum": state["velocity"],
            "nesterov": GRADIENT + sp.Rational(str(settings.momentum or 0)) * state["velocity"],
            "rmsprop": GRADIENT / (sp.sqrt(state["square_average"]) + eps),
            "adam": state["first_moment_corrected"] / (sp.sqrt(state["second_moment_corrected"]) + eps)}[settings.name]


def plain_sgd(spec) -> bool:
    """Whether every update is plain SGD on one example without weight decay (handouts and papers then speak of
    SGD steps, and the setup needs no training symbols)."""
    training = spec.training
    return spec.batch_size == 1 and training.optimizer == "sgd" and training.weight_decay == 0


def quantity_key(quantity: tuple, step: int) -> Key | None:
    """The graph key of an answer's quantity (as ``answers.Answer.quantity`` names it) in SGD step
    ``step``, or None for a quantity the graph does not hold."""
    kinds = {"activation": "a", "loss": "loss", "loss_after": "loss_after", "delta": "delta",
             "gradient": "gradient", "new": "new", "batch_gradient": "batch_gradient", "velocity": "state",
             "moment": "state"}
    if not quantity or quantity[0] not in kinds:
        return None
    return (step, kinds[quantity[0]], *quantity[1:])
