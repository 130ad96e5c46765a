"""The backward section (solver/sections/backward.py) in the cases no reviewed snapshot shows: the intro
without softmax + cross-entropy, a delta that is not plain arithmetic on the printed numbers, exam marks on
the deltas, a chain network's merged blocks, the boxing and stacking of long hidden-layer rules, an
identity hidden layer, BP1 for a combined output delta, and BP3/BP4 of a batch's first example. Every
expected string and number was worked out by hand from the definitions (the derivations are in the
comments). Fast (part of the mutation subset)."""
from __future__ import annotations

import pytest

from seed001_problem import SEED001
from solver.api import problem_from_mapping, solve
from solver.sections import build_handout

DESCENT_INTRO = ("The error signal of a neuron is the derivative of the loss by its pre-activation, "
                 r"$\delta = \frac{\partial E}{\partial z}$.")

SOFTMAX_MSE = {**SEED001, "network": {"layers": [2, 2, 2], "activation": ["sigmoid", "softmax"], "bias": True},
               "weights": [[[0.15, 0.20], [0.25, 0.30]], [[0.40, 0.45], [0.50, 0.55]]],
               "biases": [[0.35, 0.35], [0.6, 0.6]], "target": [1, 0], "sections": ["backward"]}
"""Seed 001's hidden layer (h = 0.593, 0.597) under a softmax output with squared error. z_o2 - z_o1 =
0.1 h1 + 0.1 h2 = 0.119, so y1 = 1 / (1 + e^0.119) = 0.4703, y2 = 0.5297. dE/dy = y - t = (-0.5297, 0.5297),
sum_k y_k dE/dy_k = 0.5297(0.0594) = 0.0315, delta_j = y_j (dE/dy_j - 0.0315): delta_o1 = 0.4703(-0.5612) = -0.2639,
delta_o2 = 0.2639 (tests/seed_oracle.py: -0.263924)."""

BCE_MATRIX = {"network": {"layers": [3, 2, 1], "activation": ["relu", "sigmoid"], "bias": True},
              "weights": [[[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]], [[0.5, -1.0]]], "biases": [[0.1, 0.2], [0.25]],
              "input": [1.0, 0.5, -1.0], "target": [1], "loss": "bce", "learning_rate": 0.5,
              "notation": "layered", "rounding": {"decimals": 4}, "options": {"matrix_form": True},
              "sections": ["backward"]}
"""Every delta exact: z1 = (0.1 + 0.1 - 0.3 + 0.1, 0.4 + 0.25 - 0.6 + 0.2) = (0, 0.25), a1 = ReLU(z1) = z1,
z2 = 0.5(0) - 1.0(0.25) + 0.25 = 0, y = sigma(0) = 0.5; binary cross-entropy on a sigmoid gives the combined
delta2 = y - t = -0.5; delta1 = (0.5(-0.5), -1.0(-0.5)) * ReLU'(z1) = (-0.25, 0.5) * (0, 1) = (0, 0.5)."""


def backward(problem: dict, marks: dict | None = None):
    return build_handout(solve(problem_from_mapping(problem)), marks=marks or {}).records["backward"]


def words(segments: list) -> str:
    """A sentence's segments as one string, math in dollars."""
    return "".join(f"${s['text']}$" if s["math"] else s["text"] for s in segments)


def lines(grid) -> list[list[str]]:
    """The grid's rows, each equation as 'lhs one_line'."""
    return [[f"{eq.lhs} {eq.one_line}" for eq in row] for row in grid.rows]


@pytest.mark.parametrize("problem", [
    {**SEED001, "loss": "cross_entropy", "sections": ["backward"]},  # cross-entropy on a sigmoid output
    SOFTMAX_MSE,  # a softmax output with squared error
], ids=["cross_entropy_on_sigmoid", "softmax_with_mse"])
def test_the_softmax_cross_entropy_sum_is_stated_only_for_both_together(problem):
    assert words(backward(problem).intro) == DESCENT_INTRO


def test_a_softmax_delta_with_powers_keeps_its_approx_against_the_printed_numbers():
    # the substituted softmax Jacobian sum has powers (0.470^3), so the '=' / '\approx' check of the printed
    # arithmetic cannot read it: the section's own relation decides, and the rounded result is approximate
    [output, _] = backward(SOFTMAX_MSE).numbers
    first = output.grid.rows[0][0]
    assert first.lhs == r"\delta_{o_1}"
    assert first.parts[1].pieces[0] == "- 0.470^{3}"
    assert (first.parts[-1].relation, first.parts[-1].text) == (r"\approx", "-0.264")
    assert first.boxed


@pytest.mark.parametrize("loss", ["mse", "bce"])
def test_an_exam_key_marks_the_asked_output_and_hidden_deltas_only(loss):
    # mse: the output delta is dE/dy times sigma' (its own line); bce: the combined y - t line
    record = backward({**SEED001, "loss": loss, "sections": ["backward"]},
                      marks={("delta", 2, 1): ("q2",), ("delta", 1, 2): ("q5", "q6")})
    marked = {eq.lhs: eq.mark for block in record.numbers for eq in block.grid.equations if eq.mark}
    assert marked == {r"\delta_{o}": "q2", r"\delta_{h_2}": "q5, q6"}
    assert not any(eq.mark for block in record.rules for eq in block.grid.equations)


def test_a_chain_network_has_one_untitled_block_of_rules_and_one_of_numbers():
    # 1-1-1, all 0.5, x = t = 1: h = sigma(1) = 0.731, y = sigma(0.5(0.731) + 0.5) = sigma(0.866) = 0.704,
    # dE/dy = -0.296, sigma'(z_o) = 0.704(0.296) = 0.208, delta_o = -0.0617, dE/dh = 0.5(-0.062) = -0.031,
    # sigma'(z_h) = 0.731(0.269) = 0.197, delta_h = 0.5(-0.0617)(0.1966) = -0.0061
    problem = {"network": {"layers": [1, 1, 1], "activation": "sigmoid", "bias": True}, "weights": [[[0.5]], [[0.5]]],
               "biases": [[0.5], [0.5]], "input": [1.0], "target": [1.0], "loss": "mse", "learning_rate": 0.5,
               "notation": "named", "rounding": {"decimals": 3}, "sections": ["backward"]}
    record = backward(problem)
    [rules] = record.rules
    [numbers] = record.numbers
    assert (rules.title, numbers.title) == ("", "")
    assert [eq.lhs for eq in rules.grid.equations] == [
        r"\frac{\partial E}{\partial \hat{y}}", r"\frac{\partial \hat{y}}{\partial z_{o}}", r"\delta_{o}",
        r"\frac{\partial E}{\partial w_{2}}", r"\frac{\partial E}{\partial b_{2}}", r"\frac{\partial E}{\partial h_{1}}",
        r"\delta_{h_1}", r"\frac{\partial E}{\partial w_{1}}", r"\frac{\partial E}{\partial b_{1}}"]
    assert [line for row in lines(numbers.grid) for line in row] == [
        r"\frac{\partial E}{\partial \hat{y}} = \hat{y} - t = 0.704 - 1.0 = -0.296",
        r"\sigma'(z_{o}) = \hat{y} \left(1 - \hat{y}\right) = 0.704 \cdot \left(1 - 0.704\right) \approx 0.208",
        r"\delta_{o} = (-0.296)(0.208) \approx \boxed{-0.062}",
        r"\frac{\partial E}{\partial h_{1}} = w_{2} \delta_{o} = 0.5(-0.062) = -0.031",
        r"\sigma'(z_{h_1}) = h_{1} \left(1 - h_{1}\right) = 0.731 \cdot \left(1 - 0.731\right) \approx 0.197",
        r"\delta_{h_1} = (-0.031) \cdot 0.197 \approx \boxed{-0.006}"]


def test_without_matrix_form_there_is_no_matrix_and_no_hadamard_note():
    record = backward({**SEED001, "sections": ["backward"]})
    assert (record.matrix, record.matrix_note) == ([], [])


def fan_out(outputs: int) -> dict:
    """1-1-n: one hidden neuron feeding ``outputs`` sigmoid outputs, so its dE/da sums ``outputs`` terms."""
    return {"network": {"layers": [1, 1, outputs], "activation": "sigmoid", "bias": False},
            "weights": [[[0.5]], [[0.1]] * outputs], "input": [1.0], "target": [0.5] * outputs, "loss": "mse",
            "learning_rate": 0.5, "notation": "layered", "sections": ["backward"]}


def hidden_sum(outputs: int) -> str:
    return " + ".join(f"w^{{(2)}}_{{{k},1}} \\delta^{{(2)}}_{{{k}}}" for k in range(1, outputs + 1))


@pytest.mark.parametrize("outputs, boxed", [(4, True), (5, False)])
def test_a_hidden_delta_rule_is_boxed_up_to_four_downstream_terms_and_each_long_rule_gets_its_own_line(
        outputs, boxed):
    # dE/da = sum_k w_k1 delta_k; delta = that sum times sigma' = a (1 - a). The sum and the delta rule do
    # not fit side by side (nor as a pair), so each equation of the hidden block is a row of its own
    [_, hidden] = backward(fan_out(outputs)).rules
    delta_rule = (rf"\frac{{\partial \mathcal{{L}}}}{{\partial z^{{(1)}}_{{1}}}} = "
                  rf"\bigl({hidden_sum(outputs)}\bigr) a^{{(1)}}_{{1}} \left(1 - a^{{(1)}}_{{1}}\right)")
    if boxed:
        delta_rule = delta_rule.replace(r"\bigl(", r"\boxed{\bigl(") + "}"
    assert lines(hidden.grid) == [
        [rf"\frac{{\partial \mathcal{{L}}}}{{\partial a^{{(1)}}_{{1}}}} = {hidden_sum(outputs)}"],
        [rf"\delta^{{(1)}}_{{1}} = {delta_rule}"],
        [r"\frac{\partial \mathcal{L}}{\partial w^{(1)}_{1,1}} = \boxed{\delta^{(1)}_{1} x_{1}}"]]


def test_an_identity_hidden_layer_has_a_constant_derivative_with_nothing_to_substitute():
    # h = z_h = (0.15(0.05) + 0.20(0.10) + 0.35, 0.25(0.05) + 0.30(0.10) + 0.35) = (0.3775, 0.3925),
    # y = sigma(0.4(0.3775) + 0.45(0.3925) + 0.6) = sigma(0.9276) = 0.7166, delta_o = 0.2166(0.2031) = 0.0440,
    # dE/dh1 = 0.4(0.0440) = 0.0176 and delta_h1 = 0.0176 * 1
    problem = {**SEED001, "network": {"layers": [2, 2, 1], "activation": ["identity", "sigmoid"], "bias": True},
               "sections": ["backward"]}
    [_, hidden] = backward(problem).numbers
    assert lines(hidden.grid)[0] == [r"\frac{\partial E}{\partial h_{1}} = w_{5} \delta_{o} = 0.4(0.044) \approx 0.018",
                                     r"\operatorname{id}'(z_{h_1}) = 1",  # a constant is written once
                                     r"\delta_{h_1} = 0.018 \cdot 1 = \boxed{0.018}"]


def test_bp1_of_a_combined_output_delta_is_the_delta_column_exact_when_the_delta_is():
    # binary cross-entropy on a sigmoid: delta2 = y - t = 0.5 - 1 = -0.5 exactly, so BP1 is the column alone
    # (no gradient times f') with '=' (the exact delta2 is -0.5; delta1 = (0, 0.5) is not its value)
    [bp1, bp2, *_] = backward(BCE_MATRIX).matrix
    assert bp1.label == "BP1"
    assert bp1.lhs == r"\boldsymbol{\delta}^{(2)}"
    assert [(part.relation, part.text) for part in bp1.parts] == [("=", r"\begin{pmatrix} -0.5 \end{pmatrix}")]
    assert (bp2.label, bp2.parts[-1].relation, bp2.parts[-1].text) == ("BP2", "=", r"\begin{pmatrix} 0 \\ 0.5 \end{pmatrix}")


def test_bp3_and_bp4_of_a_batch_differentiate_the_first_examples_loss():
    # two examples, one mean-reduced batch update: the matrix form works example 1 in full, so its gradients
    # are those of L_1. Example 1 is the BCE_MATRIX input with t = 0.5 and an identity output:
    # delta2 = 0 - 0.5 = -0.5, dL_1/dW2 = -0.5 (0, 0.25) = (0, -0.125)
    problem = {key: value for key, value in BCE_MATRIX.items() if key not in ("input", "target", "loss")}
    problem.update({"network": {"layers": [3, 2, 1], "activation": ["relu", "identity"], "bias": True},
                    "loss": "mse", "examples": [{"input": [1.0, 0.5, -1.0], "target": [0.5]},
                                                {"input": [0.0, 0.0, 0.0], "target": [0.0]}],
                    "training": {"batch": "all", "reduction": "mean", "epochs": 1, "optimizer": "sgd"}})
    gradients = [eq for eq in backward(problem).matrix if eq.label in ("BP3", "BP4")]
    assert [eq.lhs for eq in gradients] == [
        r"\frac{\partial \mathcal{L}_{1}}{\partial \mathbf{W}^{(1)}}", r"\frac{\partial \mathcal{L}_{1}}{\partial \mathbf{b}^{(1)}}",
        r"\frac{\partial \mathcal{L}_{1}}{\partial \mathbf{W}^{(2)}}", r"\frac{\partial \mathcal{L}_{1}}{\partial \mathbf{b}^{(2)}}"]
    assert gradients[2].parts[-1].text == r"\begin{pmatrix} 0 & -0.125 \end{pmatrix}"
