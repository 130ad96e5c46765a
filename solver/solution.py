"""The Solution record: every quantity of every training update, in full precision and as shown."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import numpy as np

from .check import CheckReport
from .derive import Derivation
from .evaluate import EXACT_LIMIT_BITS, Parameters
from .network import Network
from .notation import Notation
from .optimizers import OptimizerSettings, OptimizerState
from .rounding import RoundingPolicy
from .spec import ExampleSpec, Problem, ProblemSpec
from .training import StepValues


def _trend(before, after) -> str:
    before, after = float(before), float(after)
    return "down" if after < before else "up" if after > before else "same"


@dataclass(frozen=True)
class StepRecord:
    """One update: which examples (1-based), the parameters before it, its values and its check."""

    index: int
    epoch: int
    examples: tuple[int, ...]
    batch: tuple[ExampleSpec, ...]
    before: Parameters
    exact: StepValues
    shown: StepValues
    check: CheckReport

    @property
    def example(self) -> int:
        """The first (for a stochastic step, the only) example of the batch."""
        return self.examples[0]

    @property
    def inputs(self) -> tuple[Decimal, ...]:
        return tuple(self.batch[0].input)

    @property
    def target(self) -> tuple[Decimal, ...]:
        return tuple(self.batch[0].target)

    @property
    def loss_trend(self) -> str:
        """'down', 'up' or 'same': how the update changed the batch loss at full precision."""
        return _trend(self.exact.loss, self.exact.loss_after)

    @property
    def loss_change_percent(self) -> float | None:
        """|change| of the batch loss in percent of the loss before (full precision); None when that is 0."""
        before = float(self.exact.loss)
        return None if before == 0 else abs(float(self.exact.loss_after) - before) / before * 100

    @property
    def shown_loss_change(self):
        """Batch loss after minus before, from the shown (carry-mode or full-precision) values."""
        return self.shown.loss_after - self.shown.loss

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
class RateTrial:
    """The first update repeated with another learning rate (``compare_learning_rates``)."""

    learning_rate: Decimal
    values: StepValues
    """At full precision (the JSON trace)."""
    shown: StepValues | None = None
    """Carry mode: the trial from the carried numbers, as the worked update (None: the same as ``values``)."""

    @property
    def printed(self) -> StepValues:
        """The values a handout prints: carried in carry mode, else full precision."""
        return self.shown or self.values

    @property
    def loss_trend(self) -> str:
        """'down', 'up' or 'same': the batch loss after this trial against the loss before (full precision)."""
        return _trend(self.values.loss, self.values.loss_after)


@dataclass(frozen=True)
class ExampleFit:
    """One training example's output and own loss with the given parameters and after the last update."""

    outputs_before: tuple
    loss_before: object
    outputs_after: tuple
    loss_after: object


@dataclass(frozen=True)
class Solution:
    """Everything a handout, a key or a script needs; templates and exporters read only this."""

    problem: Problem
    network: Network
    derivation: Derivation
    notation: Notation
    policy: RoundingPolicy
    optimizer: OptimizerSettings
    steps: tuple[StepRecord, ...]
    rate_comparison: tuple[RateTrial, ...] = ()
    float_from_step: int | None = None
    """The first step in which an exact fraction passed ``EXACT_LIMIT_BITS`` and continued as a float."""
    epoch_losses: tuple = ()
    """The training loss (what the updates minimise, over every example: their mean or sum, with the penalty)
    at the start and after each epoch."""
    example_fits: tuple[ExampleFit, ...] = ()
    """Every training example's output and loss at the start and after the last update, in the problem's order."""

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
            "training": _training_json(spec, self.optimizer),
            "convention": spec.convention,
            "rounding": {"decimals": self.policy.decimals, "significant": self.policy.significant,
                         "mode": self.policy.mode},
            "steps": [_step_json(step) for step in self.steps],
            "final": {"W": _floats(self.final_parameters.weights), "b": _floats(self.final_parameters.biases)},
            "epoch_losses": _floats(self.epoch_losses),
            "example_fits": [{"outputs_before": _floats(fit.outputs_before), "loss_before": float(fit.loss_before),
                              "outputs_after": _floats(fit.outputs_after), "loss_after": float(fit.loss_after)}
                             for fit in self.example_fits],
        }
        if self.rate_comparison:
            trace["learning_rate_comparison"] = [_trial_json(trial) for trial in self.rate_comparison]
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


def _training_json(spec: ProblemSpec, settings: OptimizerSettings) -> dict:
    hyper = {"momentum": settings.momentum} if settings.name in ("momentum", "nesterov") else {
        "rmsprop": {"alpha": settings.alpha, "epsilon": settings.epsilon},
        "adam": {"betas": list(settings.betas), "epsilon": settings.epsilon}}.get(settings.name, {})
    return {"optimizer": settings.name, "batch": spec.batch_size, "reduction": spec.training.reduction,
            "epochs": spec.epoch_count, "weight_decay": float(settings.weight_decay),
            "decay_biases": settings.decay_biases, **{key: _floats(value) for key, value in hyper.items()}}


def _parameters_json(params: Parameters | None) -> dict | None:
    return None if params is None else {"W": _floats(params.weights), "b": _floats(params.biases)}


def _state_json(state: OptimizerState) -> dict:
    return {"step": state.step, **{name: _parameters_json(value) for name, value in state.buffers.items()}}


def _pass_json(number: int, example: ExampleSpec, values, after) -> dict:
    fwd = values.forward
    return {
        "example": number,
        "input": _floats(example.input),
        "target": _floats(example.target),
        "z": [_floats(layer.z) for layer in fwd.layers],
        "a": [_floats(fwd.inputs)] + [_floats(layer.a) for layer in fwd.layers],
        "fprime": [None if layer.fprime is None else _floats(layer.fprime) for layer in fwd.layers],
        "output": _floats(fwd.output),
        "loss": float(fwd.loss),
        "dE_da_output": _floats(values.output_dE_da),
        "delta": [_floats(d) for d in values.deltas],
        "grad_W": _floats(values.grad_W),
        "grad_b": _floats(values.grad_b),
        "output_after": _floats(after.output),
        "loss_after": float(after.loss),
    }


def _update_json(values: StepValues) -> dict:
    """The keys of one update besides its examples: gradient, decay, optimizer state, change, losses."""
    found = {
        "loss": float(values.loss),
        "grad_W": _floats(values.grad_W),
        "grad_b": _floats(values.grad_b),
        "optimizer": {"state_before": _state_json(values.state_before),
                      "state_after": _state_json(values.state_after),
                      **{name: _parameters_json(value) for name, value in values.derived.items()}},
        "change_W": _floats(values.change_W),
        "change_b": _floats(values.change_b),
        "W_new": _floats(values.new.weights),
        "b_new": _floats(values.new.biases),
        "loss_after": float(values.loss_after),
    }
    if len(values.passes) > 1 or values.decay_grad is not None:
        found.update(data_loss=float(values.data_loss), data_loss_after=float(values.data_loss_after),
                     batch_grad_W=_floats(values.data_grad.weights), batch_grad_b=_floats(values.data_grad.biases))
    if values.decay_grad is not None:
        found.update(penalty=float(values.penalty), penalty_after=float(values.penalty_after),
                     decay_grad_W=_floats(values.decay_grad.weights), decay_grad_b=_floats(values.decay_grad.biases))
    return found


def _trial_json(trial: RateTrial) -> dict:
    values = trial.values
    return {"learning_rate": float(trial.learning_rate), "change_W": _floats(values.change_W),
            "change_b": _floats(values.change_b), "W_new": _floats(values.new.weights),
            "b_new": _floats(values.new.biases), "loss": float(values.loss), "loss_after": float(values.loss_after)}


def _step_json(step: StepRecord) -> dict:
    values = step.exact
    passes = [_pass_json(number, example, example_values, after) for number, example, example_values, after
              in zip(step.examples, step.batch, values.passes, values.afters)]
    trace = {"step": step.index, "epoch": step.epoch, "examples": list(step.examples)}
    if len(passes) == 1:
        trace.update(passes[0])
    trace.update({"W": _floats(step.before.weights), "b": _floats(step.before.biases)})
    trace.update(_update_json(values))
    if len(passes) > 1:
        trace["passes"] = passes
    trace["check"] = step.check.as_dict()
    return trace
