"""The library API: load a problem, solve it. Everything the CLI does starts here."""
from __future__ import annotations

from dataclasses import fields, is_dataclass, replace

import numpy as np

from .check import Objective, check_optimizer, check_step, oracle_for
from .derive import Derivation, verify_softmax_jacobian
from .errors import NumericalError, ProblemError, VerificationError
from .evaluate import CarryNumerics, ExactNumerics, FloatNumerics, Numerics, Parameters, forward
from .optimizers import OptimizerSettings, initial_state
from .training import StepValues, batch_loss, train_batch
from .network import Network
from .notation import Notation
from .rounding import RoundingPolicy
from .solution import ExampleFit, RateTrial, Solution, StepRecord
from .spec import Problem, ProblemSpec, load_problem, problem_from_mapping

__all__ = ["Problem", "load_problem", "problem_from_mapping", "solve", "build_network"]


def build_network(spec: ProblemSpec) -> Network:
    return Network(tuple(spec.network.layers), tuple(spec.activations), spec.network.bias,
                   spec.network.train_biases)


def _vector(values, numerics: Numerics) -> np.ndarray:
    return numerics.array(numerics.given(v) for v in values)


def _numbers(record):
    """Every number held by a record of step values (dataclasses, lists, dicts and arrays, walked through)."""
    if record is None or isinstance(record, (str, bool)):
        return
    if isinstance(record, np.ndarray):
        yield from np.ravel(record)
    elif is_dataclass(record):
        for item in fields(record):
            yield from _numbers(getattr(record, item.name))
    elif isinstance(record, dict):
        for item in record.values():
            yield from _numbers(item)
    elif isinstance(record, (list, tuple)):
        for item in record:
            yield from _numbers(item)
    else:
        yield record


def _require_finite(values: StepValues, source: str, step: int) -> None:
    """Refuse a step any of whose numbers (forward pass, gradients, optimizer state, losses, new parameters)
    overflows."""
    for layer, lv in enumerate(values.forward.layers, 1):
        for name, array in (("z", lv.z), ("a", lv.a)):
            if not all(np.isfinite(float(v)) for v in array):
                raise ProblemError(source, "weights", f"step {step}: the forward pass overflows ({name} in layer "
                                                      f"{layer} is not finite); use smaller weights or inputs")
    if not all(np.isfinite(float(v)) for v in _numbers(values)):
        raise ProblemError(source, "weights", f"step {step}: the loss or a gradient is not finite "
                                              "(the outputs saturate or the training diverges); use smaller "
                                              "weights, inputs or learning rate")


def solve(problem: Problem) -> Solution:
    """Run every SGD step of the problem, verify each, and return the Solution record.

    Raises ProblemError (naming the file) for numbers that break down and VerificationError when
    the gradient checks disagree.
    """
    try:
        return _solve(problem)
    except NumericalError as exc:
        raise ProblemError(problem.source, exc.path, exc.message) from None
    except VerificationError as exc:
        raise VerificationError(f"{problem.source}: {exc}") from None


def _solve(problem: Problem) -> Solution:
    spec = problem.spec
    network = build_network(spec)
    if not network.activation(network.depth).elementwise and network.sizes[-1] <= 4:
        verify_softmax_jacobian(network.sizes[-1])
    derivation = Derivation(network, spec.loss)
    policy = RoundingPolicy.from_spec(spec.rounding)
    notation = Notation.build(spec.notation.preset, network, spec.notation.symbols, spec.notation.colour,
                              problem.source)
    exact = ExactNumerics()
    shown_numerics = CarryNumerics(policy) if policy.carries else None
    oracle = oracle_for(derivation)
    settings = OptimizerSettings.from_spec(spec)
    reduction, train_biases = spec.training.reduction, spec.network.train_biases
    objective = Objective(settings, reduction)
    params = Parameters.from_given(spec.weights, spec.biases, exact)
    state = initial_state(settings, params, exact, train_biases)
    shown_params = Parameters.from_given(spec.weights, spec.biases, shown_numerics) if shown_numerics else None
    shown_state = initial_state(settings, shown_params, shown_numerics, train_biases) if shown_numerics else None
    start_shown, start_state = shown_params, shown_state
    steps, history = [], []
    float_from = None
    examples = spec.training_examples
    every_example = [(_vector(e.input, exact), _vector(e.target, exact)) for e in examples]
    training_loss = lambda p: batch_loss(derivation, settings, p, every_example, reduction, exact)[2]  # noqa: E731
    epoch_losses = [training_loss(params)]
    start = params
    for epoch in range(1, spec.epoch_count + 1):
        for indices in spec.batches():
            index = len(steps) + 1
            chosen = [examples[i] for i in indices]
            batch = [(_vector(e.input, exact), _vector(e.target, exact)) for e in chosen]
            values = train_batch(derivation, params, batch, settings, state, exact, train_biases, reduction)
            _require_finite(values, problem.source, index)
            history.append(_as_floats(values.grad))
            report = check_step(derivation, params, [(e.input, e.target) for e in chosen], values.grad_W,
                                values.grad_b, oracle, objective)
            report = replace(report, optimizer=check_optimizer(network, settings, history, values))
            shown = values
            if shown_numerics is not None:
                shown_batch = [(_vector(e.input, shown_numerics), _vector(e.target, shown_numerics)) for e in chosen]
                shown = train_batch(derivation, shown_params, shown_batch, settings, shown_state, shown_numerics,
                                    train_biases, reduction)
                shown_params, shown_state = shown.new, shown.state_after
            if exact.rounded and float_from is None:
                float_from = index
            steps.append(StepRecord(index, epoch, tuple(i + 1 for i in indices), tuple(chosen), params, values,
                                    shown, report))
            params, state = values.new, values.state_after
        epoch_losses.append(training_loss(params))
    comparison = _compare_rates(derivation, spec, settings, steps[0], steps[0].before, steps[0].exact.state_before,
                                exact, train_biases)
    if shown_numerics is not None:  # carry mode: the table prints the trials from the carried numbers
        carried = _compare_rates(derivation, spec, settings, steps[0], start_shown, start_state, shown_numerics,
                                 train_biases)
        comparison = tuple(replace(trial, shown=shown.values) for trial, shown in zip(comparison, carried))
    return Solution(problem, network, derivation, notation, policy, settings, tuple(steps), comparison, float_from,
                    tuple(epoch_losses), _example_fits(derivation, start, params, every_example, exact))


def _example_fits(derivation: Derivation, start: Parameters, final: Parameters, examples, numerics: Numerics) -> tuple:
    """Each example's output and loss with the ``start`` parameters and the ``final`` ones."""
    fits = []
    for x, t in examples:
        before, after = (forward(derivation, p, x, t, numerics, derivatives=False) for p in (start, final))
        fits.append(ExampleFit(tuple(before.output), before.loss, tuple(after.output), after.loss))
    return tuple(fits)


def _as_floats(params: Parameters) -> Parameters:
    numerics = FloatNumerics()
    return Parameters([numerics.array(np.ravel(w)).reshape(w.shape) for w in params.weights],
                      None if params.biases is None else [numerics.array(b) for b in params.biases])


def _compare_rates(derivation, spec: ProblemSpec, settings: OptimizerSettings, first: StepRecord, params: Parameters,
                   state, numerics: Numerics, train_biases: bool) -> tuple[RateTrial, ...]:
    """The first update repeated with each rate of ``compare_learning_rates`` (same batch and start ``params`` and
    optimizer ``state``, in ``numerics``)."""
    examples = spec.training_examples
    batch = [(_vector(examples[i - 1].input, numerics), _vector(examples[i - 1].target, numerics))
             for i in first.examples]
    trials = []
    for rate in spec.compare_learning_rates or ():
        trial = settings.with_learning_rate(rate)
        values = train_batch(derivation, params, batch, trial, state, numerics, train_biases, spec.training.reduction)
        trials.append(RateTrial(rate, values))
    return tuple(trials)
