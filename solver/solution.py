"""The Solution record: every quantity of every SGD step, in full precision and as shown."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import numpy as np

from .check import CheckReport
from .derive import Derivation
from .evaluate import EXACT_LIMIT_BITS, Parameters, StepValues
from .network import Network
from .notation import Notation
from .rounding import RoundingPolicy
from .spec import Problem, ProblemSpec


@dataclass(frozen=True)
class StepRecord:
    """One SGD update: which example, the parameters before it, its values and its check."""

    index: int
    epoch: int
    example: int
    inputs: tuple[Decimal, ...]
    target: tuple[Decimal, ...]
    before: Parameters
    exact: StepValues
    shown: StepValues
    check: CheckReport

    @property
    def loss_trend(self) -> str:
        """'down', 'up' or 'same': how the update changed the loss at full precision."""
        before, after = float(self.exact.forward.loss), float(self.exact.after.loss)
        return "down" if after < before else "up" if after > before else "same"

    @property
    def loss_change_percent(self) -> float | None:
        """|change| of the loss in percent of the loss before (full precision); None when that is 0."""
        before = float(self.exact.forward.loss)
        return None if before == 0 else abs(float(self.exact.after.loss) - before) / before * 100

    @property
    def shown_loss_change(self):
        """Loss after minus loss before, from the shown (carry-mode or full-precision) values."""
        return self.shown.after.loss - self.shown.forward.loss

    def shown_output_changes(self) -> list[tuple]:
        """Per output: (output before, after, change, |error| before, after, change) from shown values."""
        rows = []
        for j, target in enumerate(self.target):
            before, after = self.shown.forward.output[j], self.shown.after.output[j]
            goal = target if isinstance(before, Decimal) else Fraction(target)
            error0, error1 = abs(before - goal), abs(after - goal)
            rows.append((before, after, after - before, error0, error1, error1 - error0))
        return rows

    def parameter_change(self, ref):
        """New minus old value of one parameter at full precision."""
        return ref.entry(self.exact.new.weights, self.exact.new.biases) - ref.entry(self.before.weights,
                                                                                    self.before.biases)


@dataclass(frozen=True)
class Solution:
    """Everything a handout, a key or a script needs; templates and exporters read only this."""

    problem: Problem
    network: Network
    derivation: Derivation
    notation: Notation
    policy: RoundingPolicy
    steps: tuple[StepRecord, ...]
    float_from_step: int | None = None
    """The first step in which an exact fraction passed ``EXACT_LIMIT_BITS`` and continued as a float."""

    @property
    def spec(self) -> ProblemSpec:
        return self.problem.spec

    @property
    def first(self) -> StepRecord:
        return self.steps[0]

    @property
    def final_parameters(self) -> Parameters:
        return self.steps[-1].exact.new

    def to_json_dict(self) -> dict:
        """The trace printed by ``handouts solve --json`` (full precision floats)."""
        spec = self.spec
        trace = {
            "title": spec.title,
            "source": self.problem.source,
            "network": {
                "layers": list(self.network.sizes),
                "activations": list(self.network.activation_names),
                "bias": self.network.has_bias,
                "train_biases": self.network.train_biases,
                "parameters": self.network.parameter_count,
            },
            "loss_function": spec.loss,
            "learning_rate": float(spec.learning_rate),
            "convention": spec.convention,
            "rounding": {"decimals": self.policy.decimals, "significant": self.policy.significant,
                         "mode": self.policy.mode},
            "steps": [_step_json(step) for step in self.steps],
            "final": {"W": _floats(self.final_parameters.weights), "b": _floats(self.final_parameters.biases)},
        }
        if self.float_from_step is not None:
            trace["arithmetic"] = {
                "exact_until_step": self.float_from_step - 1,
                "note": f"exact fractions passed {EXACT_LIMIT_BITS} bits in step {self.float_from_step}; from there "
                        "those values continue in float64 (about 16 significant digits)"}
        return trace


def _floats(value):
    """Nested arrays/lists of Fraction/float/Decimal -> nested lists of float (None stays None)."""
    if value is None:
        return None
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_floats(v) for v in value]
    if isinstance(value, (Fraction, Decimal, float, int, np.floating)):
        return float(value)
    raise TypeError(f"unexpected value {value!r}")


def _step_json(step: StepRecord) -> dict:
    values = step.exact
    fwd = values.forward
    return {
        "step": step.index,
        "epoch": step.epoch,
        "example": step.example,
        "input": _floats(step.inputs),
        "target": _floats(step.target),
        "W": _floats(step.before.weights),
        "b": _floats(step.before.biases),
        "z": [_floats(layer.z) for layer in fwd.layers],
        "a": [_floats(fwd.inputs)] + [_floats(layer.a) for layer in fwd.layers],
        "fprime": [None if layer.fprime is None else _floats(layer.fprime) for layer in fwd.layers],
        "output": _floats(fwd.output),
        "loss": float(fwd.loss),
        "dE_da_output": _floats(values.output_dE_da),
        "delta": [_floats(d) for d in values.deltas],
        "grad_W": _floats(values.grad_W),
        "grad_b": _floats(values.grad_b),
        "W_new": _floats(values.new.weights),
        "b_new": _floats(values.new.biases),
        "output_after": _floats(values.after.output),
        "loss_after": float(values.after.loss),
        "check": step.check.as_dict(),
    }
