"""The shared context every section module reads: the Solution, formatter, notation, convention, step."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from ..convention import CONVENTIONS, Convention
from ..diagram import DIAGRAM_MAX_WIDTH
from ..formatting import Formatter, partial
from ..parameters import ParameterRef
from ..solution import Solution, StepRecord
from . import chosen_sections, trains_by_rule

MATRIX_MAX_WIDTH = 6


@dataclass
class SectionContext:
    """What sections share: the solution, the step shown in full, and small formatting helpers.

    ``marks`` (exam worked keys only) maps a quantity of the step worked in full to the labels of the
    exam questions that ask for it: ``("activation", l, j)``, ``("loss",)``, ``("delta", l, j)``,
    ``("gradient", "W1[1,2]")``, ``("new", "b2[1]")``, ``("loss_after",)`` -> ``("q1", "q7")``.
    ``version`` (exam worked keys only) is the exam version's code, printed under the title."""

    solution: Solution
    marks: dict = field(default_factory=dict)
    version: str = ""

    @cached_property
    def spec(self):
        return self.solution.spec

    @cached_property
    def network(self):
        return self.solution.network

    @cached_property
    def notation(self):
        return self.solution.notation

    @property
    def N(self):
        """The notation (short name used throughout the section modules)."""
        return self.notation

    @cached_property
    def fmt(self) -> Formatter:
        return Formatter(self.solution.policy, self.solution.notation)

    @cached_property
    def convention(self) -> Convention:
        return CONVENTIONS[self.spec.convention]

    @property
    def step(self) -> StepRecord:
        """The step worked in full: the first SGD update."""
        return self.solution.first

    @property
    def values(self):
        """The shown (carry-mode or full-precision) values of the worked step."""
        return self.step.shown

    @cached_property
    def matrix_form(self) -> bool:
        """The notation's choice (or the problem's), off by default in training handouts (see trains_by_rule)."""
        chosen = self.spec.options.matrix_form
        wanted = chosen if chosen is not None else self.notation.style.matrix_form and not trains_by_rule(self.spec)
        return wanted and max(self.network.sizes) <= MATRIX_MAX_WIDTH

    @cached_property
    def diagram_values(self) -> bool:
        chosen = self.spec.options.diagram_values
        return chosen if chosen is not None else self.notation.style.diagram_values

    @cached_property
    def section_names(self) -> tuple[str, ...]:
        """The sections this handout shows."""
        return chosen_sections(self.spec, len(self.solution.steps))

    @property
    def chain_network(self) -> bool:
        """One neuron in every non-input layer."""
        return max(self.network.sizes[1:]) == 1

    @property
    def network_drawable(self) -> bool:
        return max(self.network.sizes) <= DIAGRAM_MAX_WIDTH

    def mark(self, *quantity) -> str:
        """The labels of the exam questions answered by this quantity's line (``q1, q7``), or ''."""
        return ", ".join(self.marks.get(quantity, ()))

    # --- symbols ---------------------------------------------------------------------
    def act(self, layer: int, row: int) -> str:
        return self.N.activation(layer, row)

    def d_loss(self, by: str) -> str:
        return partial(self.N.loss, by)

    def delta_definition(self, layer: int, row: int) -> str:
        """dE/dz (descent) or -dE/dnet (mitchell)."""
        return self.convention.prefix(partial(self.N.loss, self.N.preactivation(layer, row)))

    def rows(self, layer: int) -> range:
        """1..n_l."""
        return range(1, self.network.sizes[layer] + 1)

    def term(self, weight: str, activation: str) -> str:
        """weight times activation in the preset's term order (symbols)."""
        return f"{activation} {weight}" if self.N.style.input_first else f"{weight} {activation}"

    def number_term(self, weight: str, activation: str, layer: int = 1) -> str:
        """weight times activation in the preset's term order (numbers; coloured by role)."""
        source = self.N.activation_role(layer - 1)
        if self.N.style.input_first:
            return self.fmt.product(activation, weight, roles=(source, "weight"))
        return self.fmt.product(weight, activation, roles=("weight", source))

    def symbolic_sum(self, layer: int, row: int) -> list[str]:
        """The pre-activation's weighted sum as pieces: w x + w x + b."""
        terms = [self.term(self.N.paint("weight", self.N.weight(layer, row, k)),
                           self.N.paint(self.N.activation_role(layer - 1), self.act(layer - 1, k)))
                 for k in self.rows(layer - 1)]
        if self.network.has_bias:
            terms.append(self.N.paint("weight", self.N.bias(layer, row)))
        return [terms[0]] + [f"+ {t}" for t in terms[1:]]

    def activation_call(self, layer: int, row: int) -> str:
        """f(z) of one neuron, or the softmax quotient."""
        if self.network.activation(layer).elementwise:
            return f"{self.N.function(layer)}({self.N.preactivation(layer, row)})"
        zs = [self.N.preactivation(layer, k) for k in self.rows(layer)]
        return f"\\frac{{e^{{{zs[row - 1]}}}}}{{{' + '.join(f'e^{{{z}}}' for z in zs)}}}"

    # --- numbers ---------------------------------------------------------------------
    def shown_activation(self, layer: int, row: int, forward=None) -> str:
        """An activation's number: given inputs exactly, computed ones by the policy."""
        forward = forward or self.values.forward
        if layer == 0:
            return self.fmt.given(self.step.inputs[row - 1])
        return self.fmt.value(forward.layers[layer - 1].a[row - 1])

    def given(self, ref: ParameterRef) -> str:
        """A parameter's given value, as written in the problem file."""
        return self.fmt.given(ref.entry(self.spec.weights, self.spec.biases))

    def given_weight(self, layer: int, row: int, column: int) -> str:
        return self.given(ParameterRef("weight", layer, row, column))

    def given_bias(self, layer: int, row: int) -> str:
        return self.given(ParameterRef("bias", layer, row))

    def shown_delta(self, layer: int, row: int, values=None) -> str:
        """A delta as the convention shows it (mitchell: -dE/dnet)."""
        values = values or self.values
        return self.fmt.value(self.convention.shown(values.deltas[layer - 1][row - 1]))

    def gradient(self, ref: ParameterRef, values=None):
        """The gradient the update used (the batch gradient with weight decay)."""
        values = values or self.values
        return ref.entry(values.grad_W, values.grad_b)

    def example_gradient(self, ref: ParameterRef, values=None):
        """The gradient of the loss of the example worked in full (the first of the batch)."""
        values = values or self.values
        return ref.entry(values.passes[0].grad_W, values.passes[0].grad_b)

    @property
    def example_is_update(self) -> bool:
        """Whether the example worked in full is the whole update's loss (one example, no weight decay)."""
        return len(self.values.passes) == 1 and self.values.penalty is None

    def d_example_loss(self, by: str) -> str:
        """dE/d(by) of the example worked in full: dE_d/d(by) when the update's loss has more in it."""
        if self.example_is_update:
            return self.d_loss(by)
        return partial(f"{self.N.loss}_{{{self.step.example}}}", by)

    def example_delta_definition(self, layer: int, row: int) -> str:
        """:meth:`delta_definition` by the loss of the example worked in full (dE_d/dz within a batch)."""
        return self.convention.prefix(self.d_example_loss(self.N.preactivation(layer, row)))

    def new_value(self, ref: ParameterRef, values=None):
        values = values or self.values
        return ref.entry(values.new.weights, values.new.biases)

    def layer_refs(self, layer: int, trained_only: bool = False) -> list[ParameterRef]:
        """The parameters of one layer (weights row-major, then biases)."""
        return [ref for ref in self.network.parameters() if ref.layer == layer
                and (not trained_only or ref.kind == "weight" or self.network.train_biases)]
