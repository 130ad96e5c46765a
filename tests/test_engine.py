"""Unit tests of the engine: symbolic forms, exact arithmetic, the trace, SGD bookkeeping, the self-check."""
from __future__ import annotations

import json
import math
from fractions import Fraction
from pathlib import Path

import jsonschema
import pytest
import sympy as sp
import yaml
from click.testing import CliRunner

from seed_oracle import Net, assert_check_rows_match, gradients_by_key, sgd_step
from solver import api, evaluate
from solver.api import load_problem, problem_from_mapping, solve
from solver.cli import main
from solver.derive import Derivation, softmax_jacobian_mismatches, verify_softmax_jacobian
from solver.errors import ProblemError, VerificationError
from solver.functions import ACTIVATIONS, Activation, a, z
from solver.network import Network

ROOT = Path(__file__).resolve().parent.parent


def mapping(**changes) -> dict:
    """A valid 2-2-1 sigmoid/mse problem (seed 001's numbers) with ``changes`` applied."""
    data = {
        "network": {"layers": [2, 2, 1], "activation": "sigmoid"},
        "weights": [[[0.15, 0.20], [0.25, 0.30]], [[0.40, 0.45]]],
        "biases": [[0.35, 0.35], [0.60]],
        "input": [0.05, 0.10], "target": [0.50], "loss": "mse", "learning_rate": 0.5,
    }
    data.update(changes)
    return data


def oracle_net(problem: dict) -> Net:
    """The test oracle's network of a problem mapping."""
    activation = problem["network"]["activation"]
    return Net(activation, problem["weights"], problem.get("biases"), problem["input"], problem["target"],
               problem["loss"], problem["learning_rate"])


def trace(**changes) -> dict:
    return solve(problem_from_mapping(mapping(**changes))).to_json_dict()


def output_delta(sizes, activations, loss, row=1):
    network = Network(sizes, activations, True, True)
    return Derivation(network, loss).node(network.depth, row), network.symbols


# --- symbolic forms ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["sigmoid", "tanh", "identity"])
def test_derivative_in_output_form_is_proved(name):
    ACTIVATIONS[name].verify()


def test_derivative_forms_are_the_textbook_ones():
    assert ACTIVATIONS["sigmoid"].derivative_in_output == a * (1 - a)
    assert ACTIVATIONS["tanh"].derivative_in_output == 1 - a**2


def test_a_wrong_derivative_form_fails_verification():
    with pytest.raises(AssertionError):
        Activation("bad", "Bad", "b", lambda sp, z, a: (1 / (1 + sp.exp(-z)), a * (1 + a))).verify()


@pytest.mark.parametrize("size", [2, 3, 4])
def test_softmax_jacobian_is_proved(size):
    assert softmax_jacobian_mismatches(size) == []
    assert verify_softmax_jacobian(size) is None


def test_a_wrong_softmax_jacobian_is_caught_entry_by_entry():
    # a_k (1 - a_j) everywhere: right on the diagonal, wrong off it (the true entry is -a_k a_j)
    def diagonal_everywhere(outputs, k, j):
        return outputs[k] * (1 - outputs[j])

    assert softmax_jacobian_mismatches(2, diagonal_everywhere) == [(1, 2), (2, 1)]
    assert softmax_jacobian_mismatches(3, lambda outputs, k, j: -outputs[k] * outputs[j]) == [(1, 1), (2, 2), (3, 3)]


def test_relu_derivative_at_zero_is_zero():
    assert ACTIVATIONS["relu"].derivative.subs(z, 0) == 0
    assert ACTIVATIONS["relu"].derivative.subs(z, sp.Rational(1, 10)) == 1


@pytest.mark.parametrize("row", [1, 2, 3])
def test_softmax_cross_entropy_delta_is_a_minus_t(row):
    node, sym = output_delta((2, 2, 3), ("sigmoid", "softmax"), "cross_entropy", row)
    assert node.delta == sym.a[2][row - 1] - sym.t[row - 1]


def test_bce_sigmoid_delta_is_a_minus_t():
    node, sym = output_delta((2, 2, 1), ("sigmoid", "sigmoid"), "bce")
    assert node.delta == sym.a[2][0] - sym.t[0]


def test_mse_sigmoid_delta_is_the_product():
    node, sym = output_delta((2, 2, 1), ("sigmoid", "sigmoid"), "mse")
    y, t = sym.a[2][0], sym.t[0]
    assert node.delta_kind == "product"
    assert node.delta.args == (y * (1 - y), y - t) or node.delta.args == (y - t, y * (1 - y))


# --- numbers ------------------------------------------------------------------------------------------

def test_exact_sum_is_exactly_zero():
    # seed 003: z = 0.1*1 + 0.2*0.5 + 0.3*(-1) + 0.1 = 0.1 + 0.1 - 0.3 + 0.1, which floats make 2.8e-17
    solution = solve(problem_from_mapping(mapping(
        network={"layers": [3, 1, 1], "activation": "sigmoid"}, weights=[[[0.1, 0.2, 0.3]], [[0.5]]],
        biases=[[0.1], [0.1]], input=[1.0, 0.5, -1.0], target=[1.0])))
    z11 = solution.first.exact.forward.layers[0].z[0]
    assert z11 == 0 and isinstance(z11, Fraction)
    assert solution.first.exact.forward.layers[0].a[0] == Fraction(1, 2)
    assert solution.to_json_dict()["steps"][0]["z"][0] == [0.0]


def test_mitchell_convention_gives_the_same_update_as_descent():
    assert trace(convention="mitchell")["steps"][0]["W_new"] == trace(convention="descent")["steps"][0]["W_new"]


def test_json_trace_has_the_documented_keys():
    step = trace()["steps"][0]
    for key in ("z", "delta", "a", "loss", "grad_W", "grad_b", "W_new", "b_new", "output_after", "loss_after"):
        assert key in step
    assert len(step["a"]) == 3 and len(step["z"]) == len(step["delta"]) == 2
    assert (step["check"]["parameters_checked"], step["check"]["tolerance"]) == (9, 1e-5)
    assert step["loss_after"] < step["loss"]


def test_json_grad_b_is_null_without_biases():
    step = trace(network={"layers": [2, 2, 1], "activation": "sigmoid", "bias": False}, biases=None)["steps"][0]
    assert step["grad_b"] is None and step["b_new"] is None


def test_json_output_gradient_matches_a_hand_computation():
    sigmoid = lambda v: 1 / (1 + math.exp(-v))  # noqa: E731
    h1, h2 = sigmoid(0.15 * 0.05 + 0.20 * 0.10 + 0.35), sigmoid(0.25 * 0.05 + 0.30 * 0.10 + 0.35)
    y = sigmoid(0.40 * h1 + 0.45 * h2 + 0.60)
    step = json.loads(json.dumps(trace()))["steps"][0]
    assert step["grad_W"][1][0] == pytest.approx([(y - 0.5) * y * (1 - y) * h1, (y - 0.5) * y * (1 - y) * h2], rel=1e-12)


def test_train_biases_false_keeps_biases():
    step = trace(network={"layers": [2, 2, 1], "activation": "sigmoid", "train_biases": False})["steps"][0]
    assert step["b_new"] == step["b"] == [[0.35, 0.35], [0.6]]
    assert step["grad_b"][1] == step["delta"][1]


def test_examples_and_epochs_give_one_step_per_example_per_epoch_in_order():
    examples = [{"input": [0.05, 0.10], "target": [0.5]}, {"input": [0.9, -0.2], "target": [0.1]}]
    steps = trace(input=None, target=None, examples=examples, epochs=3)["steps"]
    assert [(s["epoch"], s["example"]) for s in steps] == [(e, x) for e in (1, 2, 3) for x in (1, 2)]
    assert [s["input"] for s in steps] == [ex["input"] for ex in examples] * 3
    for before, after in zip(steps, steps[1:]):
        assert after["W"] == before["W_new"] and after["b"] == before["b_new"]


def test_repeating_one_example_continues_the_loss_history():
    steps = trace(epochs=4)["steps"]
    for before, after in zip(steps, steps[1:]):
        assert after["loss"] == pytest.approx(before["loss_after"], rel=1e-12)
    assert [s["loss"] for s in steps] == sorted((s["loss"] for s in steps), reverse=True)


def test_unquoted_date_is_read_as_text(tmp_path):
    path = tmp_path / "dated.yaml"
    path.write_text(yaml.safe_dump(mapping()) + "date: 2026-03-14\n")
    assert load_problem(path).spec.date == "2026-03-14"


# --- the self-check -------------------------------------------------------------------------------------

def test_relu_kink_is_checked_with_a_subgradient():
    solution = solve(problem_from_mapping(mapping(
        network={"layers": [2, 2, 1], "activation": ["relu", "sigmoid"], "bias": False}, biases=None,
        weights=[[[0.5, -0.5], [0.3, 0.2]], [[0.4, 0.6]]], input=[1, 1], target=[1])))
    step = solution.first
    assert step.exact.forward.layers[0].z[0] == 0
    assert step.exact.grad_W[0][0, 0] == 0
    assert step.check.as_dict()["subgradients_at_relu_kinks"] > 0


def test_saturated_bce_output_still_verifies():
    # 1 - a cancels in float64 when a = 0.99995; the finite difference is redone at 40 digits
    problem = mapping(network={"layers": [2, 2, 1], "activation": "sigmoid", "bias": False}, biases=None,
                      weights=[[[5, 5], [5, 5]], [[5, 5]]], input=[1, 1], target=[0], loss="bce")
    report = solve(problem_from_mapping(problem)).first.check
    assert_check_rows_match(report.rows, sgd_step(oracle_net(problem)))


def test_saturated_output_agrees_with_sympy():
    # found by hypothesis: float64 keeps ~1e-16/(1 - a) of a(1 - a), 1e-6 here; the chain rule is compared at 40 digits
    problem = mapping(
        network={"layers": [2, 4, 4, 1], "activation": ["identity", "identity", "sigmoid"]},
        weights=[[[1.64, 0.21], [-0.89, -1.49], [0.28, 0.24], [0.27, 0.52]],
                 [[1.77, 1.72, -1.9, -0.05], [0.11, -1.44, 0.08, 1.68], [-0.53, -0.01, -0.95, 1.97],
                  [1.82, -1.42, 0.72, 1.79]], [[1.21, 0.33, 1.21, 1.91]]],
        biases=[[0.99, 0.2, 1.11, 0.9], [2, -0.45, -0.95, -0.99], [-1.87]], input=[1.41, 0.68], target=[-0.35],
        learning_rate=0.7)
    report = solve(problem_from_mapping(problem)).first.check
    oracle = gradients_by_key(sgd_step(oracle_net(problem)))
    assert report.sympy_checked
    for row in report.rows:
        assert row.sympy == pytest.approx(float(oracle[row.parameter.key]), rel=1e-9, abs=1e-15), row.parameter.key
    # float64 backprop keeps the 1.5e-6 relative error of a(1 - a) near a = 1 (within the check's 1e-5)
    assert_check_rows_match(report.rows, sgd_step(oracle_net(problem)), backprop_rel=2e-6)


def test_carry_rounding_to_an_output_of_one_is_reported():
    with pytest.raises(ProblemError, match=r"^<problem>: rounding: carry-mode rounding"):
        solve(problem_from_mapping(mapping(
            weights=[[[5, 5], [5, 5]], [[5, 5]]], input=[1, 1], target=[0], loss="bce",
            rounding={"decimals": 1, "mode": "carry"})))


def _corrupt_one_gradient(monkeypatch, amount):
    real = api.train_batch

    def corrupted(*args, **kwargs):
        values = real(*args, **kwargs)
        values.grad_W[1][0, 0] *= 1 + amount
        return values

    monkeypatch.setattr(api, "train_batch", corrupted)


def test_corrupted_gradient_fails_the_finite_difference_check(monkeypatch):
    _corrupt_one_gradient(monkeypatch, 1e-3)
    with pytest.raises(VerificationError, match=r"W2\[1,1\].*central difference"):
        solve(problem_from_mapping(mapping()))


def test_slightly_wrong_chain_rule_fails_the_sympy_check(monkeypatch):
    # off by 1e-7: inside the finite-difference tolerance, far outside SymPy's
    real = evaluate._output_deltas

    def slightly_wrong(*args):
        dE_da, deltas = real(*args)
        return dE_da, deltas * (1 + 1e-7)

    monkeypatch.setattr(evaluate, "_output_deltas", slightly_wrong)
    with pytest.raises(VerificationError, match=r"W1\[1,1\].*SymPy derivative"):
        solve(problem_from_mapping(mapping()))


def test_deep_relu_network_is_checked_by_sympy_quickly():
    # nested Piecewise made SymPy's derivative exponential (53 s) and uncompilable; Max keeps it linear
    solution = solve(problem_from_mapping(mapping(
        network={"layers": [3, 3, 3, 3, 1], "activation": ["relu", "relu", "relu", "identity"], "bias": False},
        biases=None, weights=[[[0.5, 0.2, 0.1]] * 3, [[0.3, 0.2, 0.1]] * 3, [[0.1, 0.4, 0.2]] * 3,
                              [[0.3, -0.2, 0.5]]], input=[1, 0.5, 0.2], target=[1])))
    report = solution.first.check
    assert report.sympy_checked and report.max_sympy_error <= 1e-9
    assert all(row.backprop != 0 for row in report.rows)


# --- the JSON Schema ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def problem_schema() -> dict:
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.mark.parametrize("path", sorted((ROOT / "problems").glob("*.yaml")), ids=lambda p: p.name)
def test_schema_accepts_every_problem_file(problem_schema, path):
    jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), problem_schema)


def test_problem_files_exist():
    assert len(list((ROOT / "problems").glob("*.yaml"))) >= 6


@pytest.mark.parametrize("change", [{"learning_rat": 0.5}, {"loss": "mae"}, {"weights": "0.1"}])
def test_schema_rejects_a_wrong_file(problem_schema, change):
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(mapping(**change), problem_schema)


def test_a_double_relu_kink_is_refused_with_a_clear_message():
    """Found by Hypothesis: both ReLU outputs sit exactly at z = 0, so the loss rises on either side of w1 and
    no ReLU'(0) convention matches it; the problem is refused (exit 2), not reported as a solver failure."""
    from decimal import Decimal as D

    from solver.api import problem_from_mapping, solve
    from solver.errors import ProblemError

    problem = problem_from_mapping({
        "network": {"layers": [1, 1, 4, 2], "activation": ["tanh", "tanh", "relu"], "bias": False},
        "weights": [[[D("0")]], [[D("0")], [D("0")], [D("0")], [D("0.01")]],
                    [[D("0"), D("0"), D("0"), D("0.02")], [D("0"), D("0"), D("0"), D("-0.01")]]],
        "input": [D("0.03")], "target": [D("-0.17"), D("0.34")], "loss": "mse", "learning_rate": D("0.1")})
    with pytest.raises(ProblemError, match=r"weights: a ReLU pre-activation is exactly 0 \(a kink\)"):
        solve(problem)


@pytest.mark.parametrize("sizes, activations, loss, kind, dE_da, delta", [
    ((2, 1), ("sigmoid",), "mse", "product", "a_1_1 - t_1", None),
    ((2, 1), ("sigmoid",), "bce", "combined", "(1 - t_1)/(1 - a_1_1) - t_1/a_1_1", "a_1_1 - t_1"),
    # multi-label cross-entropy -t ln a on a sigmoid: -t/a times a(1 - a) is t(a - 1)
    ((2, 1), ("sigmoid",), "cross_entropy", "combined", "-t_1/a_1_1", "t_1*(a_1_1 - 1)"),
    ((2, 2), ("softmax",), "cross_entropy", "jacobian", "-t_1/a_1_1", "a_1_1 - t_1"),
])
def test_each_output_delta_form_names_its_kind(sizes, activations, loss, kind, dE_da, delta):
    network = Network(sizes, activations, True, True)
    node = Derivation(network, loss).node(1, 1)
    assert (node.delta_kind, str(node.dE_da), node.bias) == (kind, dE_da, network.symbols.b[1][0])
    assert delta is None or str(node.delta) == delta


def test_cross_entropy_on_sigmoid_outputs_is_evaluated_without_the_softmax_shortcut():
    problem = mapping(network={"layers": [2, 2, 2], "activation": "sigmoid"}, loss="cross_entropy",
                      weights=[[[0.15, 0.20], [0.25, 0.30]], [[0.40, 0.45], [0.50, 0.55]]],
                      biases=[[0.35, 0.35], [0.60, 0.60]], target=[1, 0])
    step = solve(problem_from_mapping(problem)).to_json_dict()["steps"][0]
    oracle = sgd_step(oracle_net(problem))
    assert step["loss"] == pytest.approx(float(oracle["loss"]), rel=1e-12)
    assert step["delta"][1] == pytest.approx([float(d) for d in oracle["delta"][1]], rel=1e-12)


def test_a_preactivation_node_holds_each_weight_times_its_input_and_the_bias():
    sym = Network((3, 2, 2), ("sigmoid", "sigmoid"), True, True).symbols
    node = Derivation(Network((3, 2, 2), ("sigmoid", "sigmoid"), True, True), "mse").node(2, 2)
    assert str(node.preactivation) == "a_1_1*w_2_2_1 + a_1_2*w_2_2_2 + b_2_2"
    assert node.bias == sym.b[2][1]
    hidden = Derivation(Network((3, 2, 2), ("sigmoid", "sigmoid"), True, True), "mse").node(1, 2)
    assert (str(hidden.preactivation), hidden.delta_kind) == ("a_0_1*w_1_2_1 + a_0_2*w_1_2_2 + a_0_3*w_1_2_3 + b_1_2",
                                                              "product")
    assert Derivation(Network((3, 2, 2), ("sigmoid", "sigmoid"), False, False), "mse").node(1, 2).bias is None


def test_a_hidden_neuron_sums_its_downstream_neurons_in_their_order():
    # ten downstream neurons: SymPy's own order would put delta_2_10 before delta_2_2
    node = Derivation(Network((1, 1, 10), ("sigmoid", "sigmoid"), True, True), "mse").node(1, 1)
    assert [str(term) for term in node.dE_da.args] == [f"delta_2_{k}*w_2_{k}_1" for k in range(1, 11)]
