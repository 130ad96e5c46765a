"""Typical mistakes, each one small function of the solved step: given the asked quantity and the
student's own earlier answers (a ``MistakeCase``), it returns the value that mistake gives, or None
where the mistake does not apply. ``diagnose`` names the first mistake in ``MISTAKES`` whose value the
student's answer matches within the question's tolerance (times the mistake's ``tolerance_factor``).

To add a mistake, write one function here under ``@mistake``; its place in the file is its place in the
order (earlier ones win), its name is the name grades.csv gives, its ``title`` the few words the
marking report shows, its docstring the explanation the report and the docs give. Values are in the paper's convention (a Mitchell delta is -dE/dz).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Mapping

from .dependencies import LAMBDA, STATE_SYMBOLS_BY_NAME, Key, Node, QuantityGraph
from .tolerance import within


@dataclass(frozen=True)
class MistakeCase:
    """One wrong answer: the graph of its version, the asked quantity and the student's earlier answers
    (the quantities it depends on that the student answered, in the graph's dE/dz convention)."""

    graph: QuantityGraph
    key: Key
    known: Mapping[Key, float]

    @property
    def kind(self) -> str:
        return self.key[1]

    @property
    def step(self) -> int:
        return self.key[0]

    @property
    def convention(self) -> str:
        return self.graph.solution.spec.convention

    def value(self, key: Key | None = None, replace: Mapping[Key, Node | float] | None = None) -> float:
        """A quantity (default: the asked one) from the student's earlier answers, in the paper's
        convention, with some nodes or given values replaced."""
        key = key or self.key
        return self.graph.paper_sign(key) * self.graph.value(key, self.known, replace)

    @property
    def own(self) -> float:
        """The asked quantity computed correctly from the student's own earlier answers."""
        return self.value()


@dataclass(frozen=True)
class Mistake:
    name: str
    value: Callable[[MistakeCase], float | None]
    tolerance_factor: float = 1.0
    title: str = ""
    """A few plain words for the report (default: the name with spaces)."""

    @property
    def description(self) -> str:
        return " ".join((self.value.__doc__ or "").split())


MISTAKES: list[Mistake] = []
"""Every mistake model, in the order they are tried."""


def mistake(function=None, *, title: str = "", tolerance_factor: float = 1.0):
    """Register a mistake model (``@mistake`` or ``@mistake(title="...", tolerance_factor=10)``) at the end
    of MISTAKES."""
    def register(model):
        MISTAKES.append(Mistake(model.__name__, model, tolerance_factor,
                                title or model.__name__.replace("_", " ")))
        return model

    return register(function) if function is not None else register


@mistake(title="t − y instead of y − t")
def target_minus_output(case: MistakeCase) -> float | None:
    """The output error term started from t − y instead of y − t, which flips its sign (other deltas and
    gradients with a flipped sign are “opposite sign”)."""
    if case.kind == "delta" and case.graph.is_output(case.key) and case.convention == "descent":
        return -case.own
    return None


@mistake(title="opposite sign")
def sign(case: MistakeCase) -> float | None:
    """A delta or gradient with the opposite sign, or the update in the wrong direction (the step added instead of subtracted)."""
    if case.kind in ("delta", "gradient"):
        return -case.own
    if case.kind == "new":
        return 2 * case.value((case.step - 1, "new", case.key[2])) - case.own
    return None


@mistake(title="f′(z) left out of the delta")
def missing_derivative(case: MistakeCase) -> float | None:
    """Deltas without the activation derivative f′(z): ∂E/∂a where ∂E/∂a · f′(z) was asked."""
    graph = case.graph
    return case.value(replace={key: graph.nodes[key].with_expression(graph.derivation.node(*key[2:]).dE_da)
                               for key in graph.keys("delta")})


@mistake(title="squared error without the ½")
def missing_half(case: MistakeCase) -> float | None:
    """The squared error without its factor ½: twice the loss."""
    if case.kind in ("loss", "loss_after") and case.graph.solution.spec.loss == "mse":
        return 2 * case.own
    return None


@mistake(title="updated weights used for the deltas")
def updated_weights_in_backward(case: MistakeCase) -> float | None:
    """Hidden deltas computed with the weights after the update instead of the ones before it."""
    graph = case.graph
    replace = {}
    for key in graph.keys("delta"):
        if not graph.is_output(key):
            node = graph.nodes[key]
            replace[key] = node.with_inputs({s: (key[0], "new", k[2]) for s, k in node.inputs if k[1] == "new"})
    return case.value(replace=replace)


@mistake(title="learning rate left out")
def learning_rate_missing(case: MistakeCase) -> float | None:
    """The update without the learning rate: the parameter minus the gradient itself."""
    return None if case.graph.leaves[("eta",)] == 1 else case.value(replace={("eta",): 1.0})


@mistake(title="learning rate applied twice")
def learning_rate_twice(case: MistakeCase) -> float | None:
    """The learning rate applied twice: a step twice as long."""
    return case.value(replace={("eta",): 2 * case.graph.leaves[("eta",)]})


@mistake(title="batch summed instead of averaged (or the reverse)")
def batch_sum_for_mean(case: MistakeCase) -> float | None:
    """The batch loss or gradient summed over the examples where their mean was asked, or averaged where
    the sum was (and everything computed from it)."""
    graph = case.graph
    steps = [key for key in graph.leaves if len(key) == 2 and key[1] == "reduction" and key[0] <= case.step]
    sizes = {key: len(graph.solution.steps[key[0] - 1].batch) for key in steps}
    if all(size == 1 for size in sizes.values()):
        return None
    return case.value(replace={key: 1.0 if graph.mean else 1.0 / sizes[key] for key in steps})


@mistake(title="weight decay left out")
def decay_left_out(case: MistakeCase) -> float | None:
    """The gradient (and the loss) without the weight-decay term: lambda p missing from the gradient."""
    return None if case.graph.leaves[LAMBDA] == 0 else case.value(replace={LAMBDA: 0.0})


@mistake(title="Adam's bias correction left out")
def bias_correction_left_out(case: MistakeCase) -> float | None:
    """Adam's moments used without the bias correction: m and v where m / (1 - beta1^t) and v / (1 - beta2^t)
    were needed."""
    graph = case.graph
    corrected = [key for key in graph.keys("state") if key[2].endswith("_corrected")]
    if not corrected:
        return None
    uncorrected = {key: graph.nodes[key].with_expression(STATE_SYMBOLS_BY_NAME[key[2].removesuffix("_corrected")])
                   for key in corrected}
    return case.value(replace=uncorrected)


@mistake(title="f(z) and z swapped")
def activation_for_preactivation(case: MistakeCase) -> float | None:
    """The activation f(z) given where the weighted sum z was asked, or the reverse."""
    swap = {"a": "z", "z": "a", "a_after": "z_after", "z_after": "a_after"}
    return case.value((case.step, swap[case.kind], *case.key[2:])) if case.kind in swap else None


@mistake(title="rounded too early", tolerance_factor=10)
def rounding(case: MistakeCase) -> float | None:
    """The right method, rounded too early: within 10 times the tolerance of the right value."""
    return case.own


def mistake_named(name: str) -> Mistake:
    """The registered mistake called ``name`` (KeyError when there is none)."""
    return {model.name: model for model in MISTAKES}[name]


def diagnose(case: MistakeCase, response: float, tolerance: float) -> str:
    """The name of the first mistake whose value ``response`` matches, or '' when none does."""
    for model in MISTAKES:
        value = model.value(case)
        if value is not None and math.isfinite(value) and within(response, value, tolerance * model.tolerance_factor):
            return model.name
    return ""
