"""The library API: load a problem, solve it. Everything the CLI does starts here."""
from __future__ import annotations


import numpy as np

from .check import check_step, oracle_for
from .derive import Derivation, verify_softmax_jacobian
from .errors import NumericalError, ProblemError, VerificationError
from .evaluate import CarryNumerics, ExactNumerics, Numerics, Parameters, StepValues, train_step
from .network import Network
from .notation import Notation
from .rounding import RoundingPolicy
from .solution import Solution, StepRecord
from .spec import Problem, ProblemSpec, load_problem, problem_from_mapping

__all__ = ["Problem", "load_problem", "problem_from_mapping", "solve", "build_network"]


def build_network(spec: ProblemSpec) -> Network:
    return Network(tuple(spec.network.layers), tuple(spec.activations), spec.network.bias,
                   spec.network.train_biases)


def _vector(values, numerics: Numerics) -> np.ndarray:
    return numerics.array(numerics.given(v) for v in values)


def _require_finite(values: StepValues, source: str, step: int) -> None:
    for layer, lv in enumerate(values.forward.layers, 1):
        for name, array in (("z", lv.z), ("a", lv.a)):
            if not all(np.isfinite(float(v)) for v in array):
                raise ProblemError(source, "weights", f"step {step}: the forward pass overflows ({name} in layer "
                                                      f"{layer} is not finite); use smaller weights or inputs")
    losses = np.array([values.forward.loss, values.after.loss], dtype=object)
    for array in values.grad_W + [values.output_dE_da, losses]:
        if not all(np.isfinite(float(v)) for v in np.ravel(array)):
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
    params = Parameters.from_given(spec.weights, spec.biases, exact)
    shown_params = Parameters.from_given(spec.weights, spec.biases, shown_numerics) if shown_numerics else None
    eta = exact.given(spec.learning_rate)
    steps = []
    float_from = None
    examples = spec.training_examples
    for epoch in range(1, spec.epochs + 1):
        for example_index, example in enumerate(examples, 1):
            index = len(steps) + 1
            x, t = _vector(example.input, exact), _vector(example.target, exact)
            values = train_step(derivation, params, x, t, eta, exact, spec.network.train_biases)
            _require_finite(values, problem.source, index)
            report = check_step(derivation, params, x, t, values.grad_W, values.grad_b, oracle)
            shown = values
            if shown_numerics is not None:
                shown = train_step(derivation, shown_params, _vector(example.input, shown_numerics),
                                   _vector(example.target, shown_numerics),
                                   shown_numerics.given(spec.learning_rate), shown_numerics,
                                   spec.network.train_biases)
                shown_params = shown.new
            if exact.rounded and float_from is None:
                float_from = index
            steps.append(StepRecord(index, epoch, example_index, tuple(example.input), tuple(example.target),
                                    params, values, shown, report))
            params = values.new
    return Solution(problem, network, derivation, notation, policy, tuple(steps), float_from)
