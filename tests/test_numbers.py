"""Numbers that break down: exact fractions that grow without bound, training that diverges, saturated
sigmoid outputs under binary cross-entropy."""
from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import pytest

from solver.api import build_network, problem_from_mapping, solve
from solver.derive import Derivation
from solver.errors import ProblemError
from solver.evaluate import EXACT_LIMIT_BITS, ExactNumerics, Parameters, PreciseNumerics
from solver.training import train_step


def identity_chain(epochs: int) -> dict:
    """A [1, 1, 1] identity network with 12-decimal data: exact training multiplies the digits every step."""
    return {
        "network": {"layers": [1, 1, 1], "activation": "identity"},
        "weights": [[[0.123456789012]], [[0.987654321098]]], "biases": [[0.111111111111], [0.222222222222]],
        "examples": [{"input": [0.5], "target": [0.7]}, {"input": [0.3], "target": [0.1]}],
        "epochs": epochs, "loss": "mse", "learning_rate": 0.123456789,
    }


def _precise_final(data: dict) -> list[mpmath.mpf]:
    """The final parameters of plain SGD at 40 digits (w1, w2, b1, b2), an oracle independent of the fractions."""
    problem = problem_from_mapping(data)
    spec = problem.spec
    derivation = Derivation(build_network(spec), spec.loss)
    numerics = PreciseNumerics()
    text = lambda values: [[str(v) for v in row] for row in values]  # noqa: E731 (mpmath reads decimals as text)
    params = Parameters.from_given([text(m) for m in spec.weights], text(spec.biases), numerics)
    for _ in range(spec.epoch_count):
        for example in spec.training_examples:
            params = train_step(derivation, params, numerics.array(numerics.given(str(v)) for v in example.input),
                                numerics.array(numerics.given(str(v)) for v in example.target),
                                numerics.given(str(spec.learning_rate)), numerics).new
    return [params.weights[0][0, 0], params.weights[1][0, 0], params.biases[0][0], params.biases[1][0]]


def test_growing_fractions_continue_as_floats_and_the_trace_says_so():
    solution = solve(problem_from_mapping(identity_chain(epochs=3)))
    trace = solution.to_json_dict()
    assert trace["arithmetic"]["exact_until_step"] == 1
    assert "passed 1024 bits in step 2" in trace["arithmetic"]["note"]
    first = solution.first.exact
    assert isinstance(first.new.weights[0][0, 0], Fraction)
    assert first.new.weights[0][0, 0].denominator.bit_length() <= EXACT_LIMIT_BITS
    assert isinstance(solution.final_parameters.weights[0][0, 0], float)


def test_long_linear_training_agrees_with_forty_digits():
    data = identity_chain(epochs=12)
    solution = solve(problem_from_mapping(data))
    final = solution.final_parameters
    values = [final.weights[0][0, 0], final.weights[1][0, 0], final.biases[0][0], final.biases[1][0]]
    for value, precise in zip(values, _precise_final(data)):
        assert float(value) == pytest.approx(float(precise), rel=1e-13)
    assert len(solution.steps) == 24


def test_small_fractions_stay_exact():
    numerics = ExactNumerics(limit_bits=8)
    values = numerics.named(numerics.array([Fraction(1, 255), Fraction(1, 256), Fraction(-(2 ** 9), 3)]))
    assert values[0] == Fraction(1, 255) and isinstance(values[0], Fraction)
    assert values[1] == 1 / 256 and isinstance(values[1], float)
    assert values[2] == pytest.approx(-512 / 3) and isinstance(values[2], float)
    assert numerics.rounded == 2


def test_a_fraction_beyond_the_float_range_becomes_infinite():
    numerics = ExactNumerics()
    assert list(numerics.named(numerics.array([Fraction(10 ** 400), Fraction(-(10 ** 400), 7)]))) == \
        [math.inf, -math.inf]


def test_diverging_linear_training_is_one_clear_error():
    data = {"network": {"layers": [1, 1, 1], "activation": "identity", "bias": False},
            "weights": [[[2]], [[3]]], "input": [10], "target": [1], "epochs": 50, "loss": "mse",
            "learning_rate": 1}
    with pytest.raises(ProblemError, match=r"^<problem>: weights: step 4: the loss or a gradient is not finite"):
        solve(problem_from_mapping(data))


def sigmoid_unit(z: int, target: int) -> dict:
    return {"network": {"layers": [1, 1], "activation": "sigmoid", "bias": False}, "weights": [[[z]]],
            "input": [1], "target": [target], "loss": "bce", "learning_rate": 0.5}


TINY_BCE = math.log1p(math.exp(-40))  # 4.248354255291589e-18, the loss of sigmoid(40) against 1


@pytest.mark.parametrize("z, target, loss, dE_da", [
    (40, 1, TINY_BCE, -1.0),
    (-40, 0, TINY_BCE, 1.0),
    (40, 0, 40.0, 1 + math.exp(40)),
    (-40, 1, 40.0, -(1 + math.exp(40))),
    (700, 0, 700.0, 1 + math.exp(700)),  # 40 digits round sigmoid(700) to 1: the checks retry at 400
])
def test_saturated_sigmoid_bce_is_computed_on_both_sides(z, target, loss, dE_da):
    step = solve(problem_from_mapping(sigmoid_unit(z, target))).to_json_dict()["steps"][0]
    assert step["loss"] == pytest.approx(loss, rel=1e-15, abs=0)
    assert step["dE_da_output"][0] == pytest.approx(dE_da, rel=1e-15)
    assert step["check"]["max_rel_error"] <= 1e-5


def test_bce_beyond_the_float_range_is_one_clear_error():
    with pytest.raises(ProblemError, match=r"^<problem>: weights: step 1: the loss or a gradient is not finite"):
        solve(problem_from_mapping(sigmoid_unit(800, 0)))
