"""Numbers that break down: exact fractions that grow without bound, training that diverges, saturated
sigmoid outputs under binary cross-entropy."""
from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import mpmath
import pytest
from seed_oracle import Net, sgd_step

from solver.api import build_network, problem_from_mapping, solve
from solver.build import render_outputs
from solver.derive import Derivation
from solver.errors import ProblemError
from solver.evaluate import EXACT_LIMIT_BITS, ExactNumerics, Parameters, PreciseNumerics
from solver.formatting import Formatter
from solver.network import Network
from solver.notation import Notation
from solver.rounding import RoundingPolicy
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


def test_huge_values_of_a_diverging_step_are_written_in_scientific_notation():
    """The same network for one step. By hand: h = 20, y = 60, dL/dy = 59, new w2 = 3 - 59 * 20 = -1177, new
    w1 = 2 - 59 * 3 * 10 = -1768; the output after is (-17680)(-1177) = 20809360, so the loss after is
    20809359^2 / 2 = 216514710995440.5, written to 4 decimals of its mantissa: 2.1651 x 10^14. With 4 decimal
    places it raised decimal.InvalidOperation (or printed 15 digits); from 10^6 on it is scientific."""
    data = {"network": {"layers": [1, 1, 1], "activation": "identity", "bias": False},
            "weights": [[[2]], [[3]]], "input": [10], "target": [1], "loss": "mse", "learning_rate": 1}
    for name, text in render_outputs(solve(problem_from_mapping(data)), ("md", "tex")).items():
        if name.startswith("handout"):
            assert r"2.1651 \times 10^{14}" in text and "216514710995440" not in text, name
            assert "1740.5" in text and r"2.0809 \times 10^{7}" in text, name


@pytest.mark.parametrize("policy", [RoundingPolicy(4), RoundingPolicy(12), RoundingPolicy(None, 3),
                                    RoundingPolicy(4, None, "carry"), RoundingPolicy(None, 4, "carry")],
                         ids=["4dp", "12dp", "3sf", "4dp-carry", "4sf-carry"])
@pytest.mark.parametrize("value, shown_as_zero", [
    (1e-300, True), (-1e-300, True), (5e-324, True), (Decimal("0e-999999999999999999"), None),
    (Fraction(1, 10 ** 400), True), (Decimal("1e-999999999"), True), (1.7976931348623157e308, False)])
def test_rounding_never_fails_on_tiny_or_huge_values(policy, value, shown_as_zero):
    """decimal.InvalidOperation was raised by quantize at 60 digits for any value that needs more digits:
    1e-300 under significant figures, 1e300 at 4 decimal places. Every policy now rounds any finite value."""
    rounded = policy.round(value)
    if shown_as_zero is None:
        assert rounded == 0 and not policy.rounds_to_zero(value)
    elif shown_as_zero:
        assert policy.rounds_to_zero(value) == (policy.significant is None)
        assert rounded != 0 or policy.significant is None
    else:
        assert rounded.adjusted() == 308


def sigmoid_unit(z: int, target: int) -> dict:
    return {"network": {"layers": [1, 1], "activation": "sigmoid", "bias": False}, "weights": [[[z]]],
            "input": [1], "target": [target], "loss": "bce", "learning_rate": 0.5}


TINY_BCE = math.log1p(math.exp(-40))  # 4.248354255291589e-18, the loss of sigmoid(40) against 1
TINY_SIGMOID = math.exp(-40) / (1 + math.exp(-40))  # sigmoid(-40) = 1 - sigmoid(40)


@pytest.mark.parametrize("z, target, loss, dE_da, delta", [
    (40, 1, TINY_BCE, -1.0, -TINY_SIGMOID),  # a - t cancels in float64 (sigmoid(40) is 1.0): it gave 0
    (-40, 0, TINY_BCE, 1.0, TINY_SIGMOID),
    (40, 0, 40.0, 1 + math.exp(40), 1.0),
    (-40, 1, 40.0, -(1 + math.exp(40)), -1.0),
    (700, 0, 700.0, 1 + math.exp(700), 1.0),  # 40 digits round sigmoid(700) to 1: the checks retry at 400
])
def test_saturated_sigmoid_bce_is_computed_on_both_sides(z, target, loss, dE_da, delta):
    step = solve(problem_from_mapping(sigmoid_unit(z, target))).to_json_dict()["steps"][0]
    assert step["loss"] == pytest.approx(loss, rel=1e-15, abs=0)
    assert step["dE_da_output"][0] == pytest.approx(dE_da, rel=1e-15)
    assert step["delta"][0][0] == pytest.approx(delta, rel=1e-15, abs=0)
    # sigmoid with bce: dE/dz = a - t, worked at 50 digits (the input is 1); the one weight was checked
    with mpmath.workdps(50):
        gradient = float(1 / (1 + mpmath.exp(-z)) - target)
    assert step["grad_W"][0][0][0] == pytest.approx(gradient, rel=1e-12, abs=0)
    assert step["check"]["parameters_checked"] == 1


def test_bce_beyond_the_float_range_is_one_clear_error():
    with pytest.raises(ProblemError, match=r"^<problem>: weights: step 1: the loss or a gradient is not finite"):
        solve(problem_from_mapping(sigmoid_unit(800, 0)))


def saturated_hidden_neuron() -> dict:
    """z1 = -400 + 0.3 = -399.7: sigma'(z1) = 2.58520854812618e-174 (mpmath), far below 10^-4."""
    return {"network": {"layers": [1, 1, 1], "activation": "sigmoid"}, "weights": [[[-400]], [[2]]],
            "biases": [[0.3], [0.1]], "input": [1], "target": [1], "loss": "bce", "learning_rate": 0.5,
            "notation": "layered", "rounding": {"significant": 4}}


def test_a_chain_of_tiny_factors_is_multiplied_and_shown_in_scientific_notation():
    """The chain section multiplies its shown factors; one of them in scientific notation used to end in a
    traceback (to_decimal(None)). By hand: a2 = sigma(0.1 + 2 sigma(-399.7)) = 0.524979..., so
    dL/dz2 = a2 - 1 = -0.4750; -0.4750 * 2 * 2.585e-174 * 1 = -2.4557...e-174."""
    markdown = render_outputs(solve(problem_from_mapping(saturated_hidden_neuron())), ("md",))["handout.md"]
    assert (r"&= (-0.4750) \cdot 2 \cdot 2.585 \times 10^{-174} \cdot 1 \approx \boxed{-2.456 \times 10^{-174}}"
            in markdown)


def test_tiny_losses_over_several_steps_are_tabled_and_plotted():
    """A saturated output (loss -ln sigmoid(40) = 4.248e-18 by hand) over two epochs: the history table writes
    the losses in scientific notation (not 18 zeros), and the loss plot, which divided by a zero axis span
    because its ticks were rounded to 10 places, labels its axis from 0 to 5e-18 (a step of 1e-18: 4.248e-18 / 5
    intervals = 8.5e-19 goes up to 1e-18)."""
    data = {**sigmoid_unit(40, 1), "epochs": 2, "rounding": {"significant": 4}}
    outputs = render_outputs(solve(problem_from_mapping(data)), ("md",))
    for step in (1, 2):
        assert f"| ${step}$ |${step}$ |$1$ |$4.248 \\times 10^{{-18}}$ |$4.248 \\times 10^{{-18}}$ |" in outputs["handout.md"]
    assert "0.00000000000000000" not in outputs["handout.md"]
    labels = [line.split(">")[1].split("<")[0] for line in outputs["loss.svg"].splitlines() if 'text-anchor="end"' in line]
    assert labels == ["0", "1e-18", "2e-18", "3e-18", "4e-18", "5e-18"]


def test_a_steep_loss_passes_the_check_and_agrees_with_the_oracle():
    """Weights of +-400 bend the loss within the float step h = 4e-4: the 40-digit redo uses a step of 4e-10
    (perturbed in 40 digits, not in float64). It was refused with 'gradient check failed for W2[1,1]'."""
    data = {"network": {"layers": [3, 2, 2, 1], "activation": "sigmoid"},
            "weights": [[[400, -400, 400], [-400, 400, 400]], [[400, -400], [-400, 400]], [[400, -400]]],
            "biases": [[0.1, 0.2], [0.1, -0.1], [0.2]], "input": [0.5, -0.25, 1], "target": [1], "loss": "bce",
            "learning_rate": 0.5}
    step = solve(problem_from_mapping(data)).to_json_dict()["steps"][0]
    assert step["check"]["max_rel_error"] <= 1e-5 and step["check"]["precise_finite_difference_step"] == 1e-12
    with mpmath.workdps(400):  # sigmoid(400) = 1 - 1e-174: the oracle's a (1 - a) needs the digits
        oracle = sgd_step(Net("sigmoid", data["weights"], data["biases"], data["input"], data["target"], "bce"))
    for solver_layer, oracle_layer in zip(step["grad_W"], oracle["grad_W"]):
        for solver_row, oracle_row in zip(solver_layer, oracle_layer):
            assert solver_row == pytest.approx([float(g) for g in oracle_row], rel=1e-8, abs=1e-300)


def test_a_far_saturated_output_agrees_with_sympy_at_more_digits():
    """The XOR problem with a second-layer weight of 100 (found by tests/test_loader_fuzz.py): the output reaches
    sigmoid(80) = 1 - 1.8e-35, where 40 digits keep five of 1 - y in SymPy's full loss, so its derivative was off
    by 7e-9 and the problem was refused ('SymPy derivative of the full loss'); the check retries at 400 digits.
    Every step is compared with the independent oracle iterated at 60 digits."""
    data = {"network": {"layers": [2, 2, 1], "activation": ["tanh", "sigmoid"]},
            "weights": [[[0.5, -0.4], [0.3, 0.8]], [[0.7, 100]]], "biases": [[0.1, -0.1], [0.05]],
            "examples": [{"input": [1, 0], "target": [1]}, {"input": [0, 1], "target": [1]},
                         {"input": [1, 1], "target": [0]}, {"input": [0, 0], "target": [0]}],
            "epochs": 2, "loss": "bce", "learning_rate": 0.5}
    steps = solve(problem_from_mapping(data)).to_json_dict()["steps"]
    weights, biases = data["weights"], data["biases"]
    with mpmath.workdps(60):
        for step, example in zip(steps, data["examples"] * 2):
            oracle = sgd_step(Net(["tanh", "sigmoid"], weights, biases, example["input"], example["target"], "bce"))
            for solver_layer, oracle_layer in zip(step["grad_W"], oracle["grad_W"]):
                for solver_row, oracle_row in zip(solver_layer, oracle_layer):
                    assert solver_row == pytest.approx([float(g) for g in oracle_row], rel=1e-8, abs=1e-300)
            weights = [[[str(w) for w in row] for row in layer] for layer in oracle["W_new"]]
            biases = [[str(b) for b in layer] for layer in oracle["b_new"]]
    assert all(step["check"]["max_sympy_rel_error"] <= 1e-9 for step in steps)


@pytest.mark.parametrize("policy, tiny, huge", [
    (RoundingPolicy(4), "0.0000", r"1.7977 \times 10^{308}"),
    (RoundingPolicy(None, 3), r"5.00 \times 10^{-324}", r"1.80 \times 10^{308}"),
    (RoundingPolicy(4, None, "carry"), "0.0000", r"1.7977 \times 10^{308}"),
])
def test_every_float_is_written_in_a_few_characters(policy, tiny, huge):
    """The smallest subnormal and the largest float (their shortest reprs 5e-324 and 1.7976931348623157e308) as a handout
    writes them; the note beside a value rounded to zero gives its size."""
    fmt = Formatter(policy, Notation.build("layered", Network((1, 1), ("identity",), False, True)))
    assert fmt.value(5e-324) == tiny and fmt.value(-1.7976931348623157e308) == "-" + huge
    assert fmt.value(1.7976931348623157e308) == huge
    if policy.significant is None:
        assert fmt.unrounded_note(5e-324) == r"(\text{unrounded: } 5.00 \times 10^{-324})"  # floats by shortest repr
