"""The quick-reference section (solver/sections/reference.py): the recipe in the network's own symbols and
the pitfalls that apply to this problem's network, loss, convention, rounding and training, each as an
exact string. The recipe's formulas were checked by hand against the chain rule (seed 001: sigmoid and
MSE, delta_o = (y - t) y (1 - y), delta_h1 = w5 delta_o h1 (1 - h1), dE/dw1 = delta_h1 x1). Fast (part
of the mutation subset)."""
from __future__ import annotations

import pytest

from seed001_problem import SEED001 as SEED001_PROBLEM
from solver.api import problem_from_mapping, solve
from solver.sections import build_handout

SEED001 = {**SEED001_PROBLEM, "sections": ["reference"]}
"""The seed 001 network (problems/seed001_named_2_2_1.yaml), with only the reference section."""

TWO_EXAMPLES = {**{k: v for k, v in SEED001.items() if k not in ("input", "target")},
                "examples": [{"input": [0.05, 0.10], "target": [0.5]}, {"input": [0.1, 0.2], "target": [0.2]}]}

SIGMOID = r"The sigmoid derivative is $\sigma'(z) = a(1 - a)$ with $a = \sigma(z)$; writing $\sigma'(a)$ is a common slip."
OWN_Z = ("Evaluate each activation derivative at the neuron's own pre-activation $z$ (or through its own activation "
         "$a = f(z)$), never at another neuron's input.")
LOCAL_INPUT = ("Keep track of which local input multiplies which weight: the gradient of a weight is the delta of the "
               "neuron it feeds into times the activation it comes from.")
LOCAL_INPUT_NEGATED = ("Keep track of which local input multiplies which weight: the gradient of a weight is minus the "
                       "delta of the neuron it feeds into times the activation it comes from.")
OLD_WEIGHTS = ("Use the weights from before the update when propagating deltas backwards; update all parameters only "
               "after every gradient is known.")
FULL_PRECISION = ("Rounding too early hides small but real gradients: keep full precision and round only for "
                  "display.")
CARRIES = ("This handout rounds as it goes, as a hand calculation does; a computer keeps full precision, so its last "
           "digits can differ slightly from the ones here.")
COMMON = [SIGMOID, OWN_Z, LOCAL_INPUT, OLD_WEIGHTS, FULL_PRECISION]

OUTPUT_DELTA = ("\\delta_{o}", [("=", ("\\frac{\\partial E}{\\partial z_{o}}",)),
                                ("=", ("\\left(\\hat{y} - t\\right) \\hat{y} \\left(1 - \\hat{y}\\right)",))])
HIDDEN_DELTA = ("\\delta_{h_1}", [("=", ("w_{5} \\delta_{o} h_{1} \\left(1 - h_{1}\\right)",))])
GRADIENT = ("\\frac{\\partial E}{\\partial w_{1}}", [("=", ("\\delta_{h_1} x_{1}",))])


def reference(problem: dict):
    return build_handout(solve(problem_from_mapping(problem))).records["reference"]


def words(segments: list) -> str:
    """A sentence's segments as one string, math in dollars."""
    return "".join(f"${s['text']}$" if s["math"] else s["text"] for s in segments)


def equations(grid) -> list[list[tuple]]:
    """The grid's rows, each equation as (left side, [(relation, pieces), ...])."""
    return [[(e.lhs, [(part.relation, part.pieces) for part in e.parts]) for e in row] for row in grid.rows]


def test_the_seed_001_reference_is_the_recipe_in_its_symbols_and_the_five_general_pitfalls():
    record = reference(SEED001)
    assert words(record.intro) == ("Output delta, hidden deltas backwards, then gradient = delta \u00d7 local input, "
                                   "then the update:")
    assert equations(record.recipe) == [
        [OUTPUT_DELTA, HIDDEN_DELTA, GRADIENT],
        [("\\theta", [("\\leftarrow", ("\\theta - \\eta \\, \\frac{\\partial E}{\\partial \\theta}",))])]]
    assert [words(item) for item in record.pitfalls] == COMMON


def test_the_mitchell_reference_negates_the_output_delta_and_the_gradient_and_adds_the_change():
    record = reference({**SEED001, "convention": "mitchell"})
    assert words(record.intro) == ("Output delta, hidden deltas backwards, then gradient = \u2212delta \u00d7 local "
                                   "input, then the update:")
    assert equations(record.recipe) == [
        [("\\delta_{o}", [("=", ("-\\frac{\\partial E}{\\partial z_{o}}",)),
                          ("=", ("\\left(t - \\hat{y}\\right) \\hat{y} \\left(1 - \\hat{y}\\right)",))]),
         HIDDEN_DELTA,
         ("\\frac{\\partial E}{\\partial w_{1}}", [("=", ("- \\delta_{h_1} x_{1}",))])],
        [("\\Delta w_{ji}", [("=", ("\\eta \\, \\delta_j \\, x_{ji}",))]),
         ("w_{ji}", [("\\leftarrow", ("w_{ji} + \\Delta w_{ji}",))])]]
    assert [words(item) for item in record.pitfalls] == [
        SIGMOID, OWN_Z, LOCAL_INPUT_NEGATED, OLD_WEIGHTS, FULL_PRECISION,
        "In this convention $\\delta$ is minus the derivative of the loss, so the update adds $\\eta\\,\\delta\\,x$; "
        "the new weights are the same as with gradient descent."]


def test_carry_mode_says_the_last_digits_can_differ():
    record = reference({**SEED001, "rounding": {"decimals": 3, "mode": "carry"}})
    assert [words(item) for item in record.pitfalls] == [SIGMOID, OWN_Z, LOCAL_INPUT, OLD_WEIGHTS, CARRIES]


def test_a_relu_layer_and_a_matching_bce_output_add_the_kink_and_the_cancelling_derivative():
    record = reference({**SEED001, "network": {"layers": [2, 2, 1], "activation": ["relu", "sigmoid"]},
                        "loss": "bce"})
    assert equations(record.recipe)[0] == [
        ("\\delta_{o}", [("=", ("\\frac{\\partial E}{\\partial z_{o}}",)), ("=", ("\\hat{y} - t",))]),
        ("\\delta_{h_1}", [("=", ("w_{5} \\delta_{o} \\left(\\mathbf{1}[z_{h_1} > 0]\\right)",))]),
        GRADIENT]
    assert [words(item) for item in record.pitfalls] == COMMON + [
        "A ReLU neuron with $z \\le 0$ passes no gradient back: its delta is 0, so none of its incoming weights "
        "change in this step.",
        "With a matching output activation the activation derivative cancels: the output delta is simply "
        "$\\hat{y} - t$."]


def test_cross_entropy_names_the_output_and_target_letters_of_the_notation():
    record = reference({**SEED001, "network": {"layers": [2, 2, 2], "activation": ["tanh", "softmax"]},
                        "weights": [[[0.15, 0.20], [0.25, 0.30]], [[0.40, 0.45], [0.5, 0.55]]],
                        "biases": [[0.35, 0.35], [0.60, 0.6]], "target": [1, 0], "loss": "cross_entropy",
                        "notation": {"preset": "layered", "symbols": {"target": "t"}}})
    assert words(record.pitfalls[-1]) == ("With a matching output activation the activation derivative cancels: the "
                                          "output delta is simply $a - t$.")
    assert [words(item) for item in record.pitfalls[:-1]] == [OWN_Z, LOCAL_INPUT, OLD_WEIGHTS, FULL_PRECISION]


def test_a_deeper_network_shows_only_the_last_hidden_layers_delta():
    # delta^(2)_1 = w^(3)_{1,1} delta^(3) tanh'(z^(2)_1), tanh' = 1 - a^2; the gradient is of w^(1)_{1,1}
    record = reference({**SEED001, "network": {"layers": [2, 2, 2, 1], "activation": "tanh"},
                        "weights": [[[0.15, 0.2], [0.25, 0.3]], [[0.1, 0.2], [0.3, 0.4]], [[0.4, 0.45]]],
                        "biases": [[0.35, 0.35], [0.1, 0.1], [0.6]], "notation": "layered"})
    assert equations(record.recipe) == [
        [("\\delta^{(3)}", [("=", ("\\frac{\\partial \\mathcal{L}}{\\partial z^{(3)}}",)),
                            ("=", ("\\left(a^{(3)} - y\\right) \\left(1 - \\left(a^{(3)}\\right)^{2}\\right)",))]),
         ("\\delta^{(2)}_{1}", [("=", ("w^{(3)}_{1,1} \\delta^{(3)} \\left(1 - \\left(a^{(2)}_{1}\\right)^{2}\\right)",))]),
         ("\\frac{\\partial \\mathcal{L}}{\\partial w^{(1)}_{1,1}}", [("=", ("\\delta^{(1)}_{1} x_{1}",))])],
        [("\\theta", [("\\leftarrow", ("\\theta - \\eta \\, \\frac{\\partial \\mathcal{L}}{\\partial \\theta}",))])]]
    assert [words(item) for item in record.pitfalls] == [OWN_Z, LOCAL_INPUT, OLD_WEIGHTS, FULL_PRECISION]


def test_a_network_without_hidden_layers_has_no_hidden_delta():
    record = reference({**SEED001, "network": {"layers": [2, 1], "activation": "sigmoid"},
                        "weights": [[[0.40, 0.45]]], "biases": [[0.60]]})
    assert [equation[0] for equation in equations(record.recipe)[0]] == [
        "\\delta_{o}", "\\frac{\\partial E}{\\partial w_{1}}", "\\theta"]


BATCH_MEAN = ("The batch gradient is the mean of the examples' gradients: summing them instead makes every step "
              "$\\lvert B \\rvert$ times larger.")
BATCH_SUM = ("The batch loss here is the sum of the examples' losses, not their mean: dividing by $\\lvert B \\rvert$ "
             "makes every step that many times smaller.")
SCALE_FREE = ("Summing the examples' gradients instead of averaging them (or the reverse) scales {first} by "
              "$\\lvert B \\rvert$ and {second} by $\\lvert B \\rvert^2$, yet hardly changes the step: ${ratio}$ cancels "
              "the scale, all but $\\epsilon$.")
"""m and the gradient scale with |B|, v and s (averages of squared gradients) with its square."""
BIAS_CORRECTION = ("Both moments start at 0, so leaving out the bias corrections changes the first steps: without "
                   "both, the first step is $(1 - \\beta_1) / \\sqrt{{1 - \\beta_2}} \\approx {factor}$ times the right "
                   "one; without only $m$'s correction (keeping $v$'s), it is $1 - \\beta_1$ times the right one.")
"""(1 - 0.9) / sqrt(1 - 0.999) = 0.1 / 0.0316228 = 3.16228."""
VELOCITY = ("The velocity carries over between updates: at $t = 1$ it equals the gradient, but from then on it is "
            "$\\mu \\, v + g$, not $g$.")


@pytest.mark.parametrize("training, pitfalls", [
    ({"batch": 1}, []),
    ({"batch": 1, "reduction": "sum"}, []),
    ({"batch": 2}, [BATCH_MEAN]),
    ({"batch": 2, "reduction": "sum"}, [BATCH_SUM]),
    ({"weight_decay": 0.01}, [
        "Weight decay adds $\\lambda \\, \\theta$ to the gradient of every weight but not the biases; forgetting "
        "it, or decaying a parameter the rule leaves out, changes the update."]),
    ({"weight_decay": 0.01, "decay_biases": True}, [
        "Weight decay adds $\\lambda \\, \\theta$ to the gradient of every weight and bias; forgetting it, or "
        "decaying a parameter the rule leaves out, changes the update."]),
    ({"optimizer": "momentum", "momentum": 0.9}, [VELOCITY]),
    ({"optimizer": "nesterov", "momentum": 0.9}, [
        VELOCITY, "Nesterov steps along $g + \\mu \\, v$ with the new velocity, not along $v$ alone."]),
    ({"optimizer": "adam"}, [
        BIAS_CORRECTION.format(factor="3.162"),
        "$\\epsilon$ is added after the square root: $\\sqrt{\\hat{v}} + \\epsilon$."]),
    ({"optimizer": "rmsprop"}, ["$\\epsilon$ is added after the square root: $\\sqrt{s} + \\epsilon$."]),
    ({"optimizer": "adam", "batch": 2}, [
        SCALE_FREE.format(first="g and m", second="v", ratio="\\hat{m} / \\sqrt{\\hat{v}}"), BIAS_CORRECTION.format(factor="3.162"),
        "$\\epsilon$ is added after the square root: $\\sqrt{\\hat{v}} + \\epsilon$."]),
    ({"optimizer": "rmsprop", "batch": 2, "reduction": "sum"}, [
        SCALE_FREE.format(first="g", second="s", ratio="g / \\sqrt{s}"), "$\\epsilon$ is added after the square root: $\\sqrt{s} + \\epsilon$."]),
    ({"batch": 2, "weight_decay": 0.01}, [
        BATCH_MEAN[:-1] + " (in the data part: the weight-decay term is added once per update, not per example).",
        "Weight decay adds $\\lambda \\, \\theta$ to the gradient of every weight but not the biases; forgetting "
        "it, or decaying a parameter the rule leaves out, changes the update."]),
], ids=["sgd", "sgd-sum", "batch-mean", "batch-sum", "decay", "decay-biases", "momentum", "nesterov", "adam",
        "rmsprop", "adam-batch", "rmsprop-batch-sum", "batch-mean-decay"])
def test_the_training_pitfalls_follow_the_batch_decay_and_optimizer(training, pitfalls):
    record = reference({**TWO_EXAMPLES, "training": training})
    assert [words(item) for item in record.pitfalls] == COMMON + pitfalls


def test_the_optimizer_rule_follows_the_recipe_packed_three_to_a_row():
    record = reference({**TWO_EXAMPLES, "training": {"optimizer": "adam"}})
    assert equations(record.recipe) == [
        [OUTPUT_DELTA, HIDDEN_DELTA, GRADIENT],
        [("m", [("\\leftarrow", ("\\beta_1 \\, m + (1 - \\beta_1) \\, g",))]),
         ("v", [("\\leftarrow", ("\\beta_2 \\, v + (1 - \\beta_2) \\, g^2",))]),
         ("\\hat{m}", [("=", ("\\frac{m}{1 - \\beta_1^{\\,t}}",))])],
        [("\\hat{v}", [("=", ("\\frac{v}{1 - \\beta_2^{\\,t}}",))]),
         ("\\theta", [("\\leftarrow", ("\\theta - \\eta \\, \\frac{\\hat{m}}{\\sqrt{\\hat{v}} + \\epsilon}",))])]]
