"""The batch section (solver/sections/batch.py) built in process on networks small enough to work by hand: the
batch loss (mean or sum) with and without the weight-decay penalty, each example's loss and pass, and the batch
gradient per parameter. Every expected number is worked out by hand in the comments; fast (mutation subset).

The one-weight network is y = w x (identity, no bias), MSE: an example's loss is (w x - t)^2 / 2 and its gradient
(w x - t) x; its delta is y - t."""
from __future__ import annotations

from hand_rounding import written
from seed_oracle import Net, sgd_step
from solver.api import problem_from_mapping, solve
from solver.sections import build_handout


def words(segments: list) -> str:
    """A sentence's segments as one string, math in dollars."""
    return "".join(f"${s['text']}$" if s["math"] else s["text"] for s in segments)


def lines(grid) -> list[list[str]]:
    """A grid's equations row by row as 'lhs rel part rel part...' (the boxed part in \\boxed{})."""
    return [[f"{eq.lhs} {eq.one_line}" for eq in row] for row in grid.rows]


def marks(grid) -> dict:
    return {eq.lhs: eq.mark for eq in grid.equations if eq.mark}


def one_weight(examples, **training) -> dict:
    return {"network": {"layers": [1, 1], "activation": "identity", "bias": False}, "weights": [[[0.5]]],
            "examples": [{"input": [x], "target": [t]} for x, t in examples], "loss": "mse", "learning_rate": 0.1,
            "training": {"epochs": 1, **training}}


def handout(problem: dict, marks: dict | None = None):
    return build_handout(solve(problem_from_mapping(problem)), marks=marks).records


QUESTIONS = {("loss",): ("q1",), ("loss_after",): ("q2",), ("gradient", "W1[1,1]"): ("q3",),
             ("batch_gradient", "W1[1,1]"): ("q4",)}
"""An exam key asking for the loss before and after, the gradient and the batch gradient of the one weight."""

G = r"\frac{\partial \mathcal{L}}{\partial w^{(1)}_{1,1}}"
MEAN = r"\frac{1}{\lvert B \rvert} \sum_{d \in B}"


def test_a_mean_batch_with_weight_decay_by_hand():
    # x = 1, 2 with t = 0 and w = 0.5: losses 0.125 and 0.5, mean 0.3125; penalty 0.1 / 2 * 0.5^2 = 0.0125, loss
    # 0.325. Gradients w x^2 = 0.5 and 2, mean 1.25, plus lambda w = 0.05: 1.3. Deltas y - t = 0.5 and 1.
    batch = handout(one_weight([(1, 0), (2, 0)], batch="all", reduction="mean", weight_decay=0.1),
                    QUESTIONS)["batch"]
    assert words(batch.intro) == (
        "This update uses examples 1 and 2 together. Its loss is the mean of their losses (the error over the "
        "training examples, here over the batch B), and its gradient the mean of their gradients. Example 1 is "
        "worked in full above; example 2 goes through the same forward and backward pass with its own input and "
        "target. Weight decay adds the penalty $\\frac{\\lambda}{2} \\sum w^2$ to the loss and $\\lambda \\, w$ to "
        "the gradient of each weight (the biases are not decayed).")
    assert lines(batch.error) == [
        [rf"{{\mathcal{{L}}_{{\text{{data}}}}}} = {MEAN} \mathcal{{L}}_d = (0.125 + 0.5) / 2 = 0.3125"],
        [r"\frac{\lambda}{2} \sum w^2 = \frac{0.1}{2} \left(0.5^2\right) = 0.0125"],
        [r"{\mathcal{L}} = 0.3125 + 0.0125 = \boxed{0.325}"]]
    # with weight decay the loss asked about is the total: the data line carries no mark
    assert marks(batch.error) == {r"{\mathcal{L}}": "q1"}
    assert batch.examples.header == ["d", r"\text{input}", r"\text{target}", "{a^{(1)}}", r"\mathcal{L}_d"]
    assert batch.examples.rows == [["1", "1", "0", "0.5", "0.125"], ["2", "2", "0", "1", "0.5"]]
    assert batch.examples.align == "crrrr"
    assert (batch.passes.header, batch.passes.rows, batch.passes.align) == (
        ["d", r"\delta^{(1)}"], [["1", "0.5"], ["2", "1"]], "cr")
    assert words(batch.gradients_intro) == "The gradient of the batch loss, parameter by parameter:"
    assert batch.gradients is None
    assert lines(batch.equations) == [[rf"{G} = (0.5 + 2) / 2 + 0.1 \cdot 0.5 = 1.3"]]
    [equation] = batch.equations.equations
    # with weight decay the gradient is not the batch gradient (which leaves the decay out): only q3
    assert (equation.anchor, equation.mark) == ("batch-W1-1-1", "q3")


def test_the_loss_after_a_decayed_batch_update_by_hand():
    # w' = 0.5 - 0.1 * 1.3 = 0.37: losses 0.37^2 / 2 = 0.06845 (shown 0.0685) and 0.74^2 / 2 = 0.2738, mean
    # 0.171125 (0.1711; the printed (0.0685 + 0.2738) / 2 = 0.17115 is not 0.1711); penalty 0.05 * 0.1369 =
    # 0.006845 (0.0068); total 0.17797 (0.1780; 0.1711 + 0.0068 = 0.1779, so approx).
    after = handout(one_weight([(1, 0), (2, 0)], batch="all", reduction="mean", weight_decay=0.1),
                    QUESTIONS)["after"]
    assert lines(after.batch_loss) == [
        [rf"{{\mathcal{{L}}_{{\text{{data}}}}}}' = {MEAN} \mathcal{{L}}_d' = (0.0685 + 0.2738) / 2 \approx 0.1711"],
        [r"\frac{\lambda}{2} \sum (w')^2 = \frac{0.1}{2} \left(0.37^2\right) \approx 0.0068"],
        [r"{\mathcal{L}}' = 0.1711 + 0.0068 \approx \boxed{0.1780}"]]
    assert marks(after.batch_loss) == {r"{\mathcal{L}}'": "q2"}
    assert after.batch_examples.header == ["d", r"\text{input}", r"\text{target}", "{a^{(1)}}'", r"\mathcal{L}_d'"]
    assert after.batch_examples.rows == [["1", "1", "0", "0.37", "0.0685"], ["2", "2", "0", "0.74", "0.2738"]]


def test_a_batch_without_decay_boxes_and_marks_its_mean_loss():
    # no penalty: the mean 0.3125 is the loss (boxed, q1); the gradient 1.25 is also the batch gradient (q3, q4)
    batch = handout(one_weight([(1, 0), (2, 0)], batch="all", reduction="mean"), QUESTIONS)["batch"]
    assert lines(batch.error) == [[rf"{{\mathcal{{L}}}} = {MEAN} \mathcal{{L}}_d = (0.125 + 0.5) / 2 = \boxed{{0.3125}}"]]
    assert marks(batch.error) == {r"{\mathcal{L}}": "q1"}
    assert words(batch.intro).endswith("with its own input and target.")  # no weight-decay sentence
    assert lines(batch.equations) == [[rf"{G} = (0.5 + 2) / 2 = 1.25"]]
    assert marks(batch.equations) == {G: "q3, q4"}


def test_a_summed_batch_decays_the_biases_too_by_hand():
    # y = w x + b, w = 0.5, b = -0.5; x = 2: y = 0.5, loss 0.125, g_w = 1, g_b = 0.5; x = 3: y = 1, loss 0.5,
    # g_w = 3, g_b = 1. Sums: loss 0.625, g_w 4, g_b 1.5; penalty 0.05 (0.25 + 0.25) = 0.025, loss 0.65;
    # decay terms 0.1 * 0.5 = 0.05 and 0.1 * (-0.5) = -0.05: g_w 4.05, g_b 1.45.
    problem = {**one_weight([(2, 0), (3, 0)], batch="all", reduction="sum", weight_decay=0.1, decay_biases=True),
               "network": {"layers": [1, 1], "activation": "identity", "bias": True}, "biases": [[-0.5]]}
    batch = handout(problem)["batch"]
    assert words(batch.intro) == (
        "This update uses examples 1 and 2 together. Its loss is the sum of their losses (the error over the "
        "training examples, here over the batch B), and its gradient the sum of their gradients. Example 1 is "
        "worked in full above; example 2 goes through the same forward and backward pass with its own input and "
        "target. Weight decay adds the penalty $\\frac{\\lambda}{2} \\sum \\theta^2$ to the loss and "
        "$\\lambda \\, \\theta$ to the gradient of each weight and bias.")
    assert lines(batch.error) == [
        [r"{\mathcal{L}_{\text{data}}} = \sum_{d \in B} \mathcal{L}_d = 0.125 + 0.5 = 0.625"],
        [r"\frac{\lambda}{2} \sum \theta^2 = \frac{0.1}{2} \left(0.5^2 + (-0.5)^2\right) = 0.025"],
        [r"{\mathcal{L}} = 0.625 + 0.025 = \boxed{0.65}"]]
    assert batch.examples.rows == [["1", "2", "0", "0.5", "0.125"], ["2", "3", "0", "1", "0.5"]]
    assert lines(batch.equations) == [[rf"{G} = 1 + 3 + 0.1 \cdot 0.5 = 4.05",
                                       r"\frac{\partial \mathcal{L}}{\partial b^{(1)}} = 0.5 + 1 + 0.1 \cdot (-0.5) = 1.45"]]
    assert [eq.anchor for eq in batch.equations.equations] == ["batch-W1-1-1", "batch-b1-1"]


def test_a_summed_batch_after_the_update_squares_the_new_parameters():
    # w' = 0.5 - 0.1 * 4.05 = 0.095, b' = -0.5 - 0.1 * 1.45 = -0.645: the penalty after squares the printed new
    # values, the bias in brackets: 0.05 (0.095^2 + 0.645^2) = 0.05 (0.009025 + 0.416025) = 0.02125
    problem = {**one_weight([(2, 0), (3, 0)], batch="all", reduction="sum", weight_decay=0.1, decay_biases=True),
               "network": {"layers": [1, 1], "activation": "identity", "bias": True}, "biases": [[-0.5]]}
    after = handout(problem)["after"]
    assert lines(after.batch_loss)[1] == [
        r"\frac{\lambda}{2} \sum (\theta')^2 = \frac{0.1}{2} \left(0.095^2 + (-0.645)^2\right) \approx 0.0213"]
    assert lines(after.batch_loss)[0][0].startswith(r"{\mathcal{L}_{\text{data}}}' = \sum_{d \in B} \mathcal{L}_d' = ")


def test_four_examples_are_written_out_and_a_negative_term_after_the_first_is_bracketed():
    # (x, t) = (1, 1), (1, 0), (2, 0), (1, 2): gradients (w x - t) x = -0.5, 0.5, 2, -1.5, mean 0.5 / 4 = 0.125;
    # losses 0.125, 0.125, 0.5, 1.125, mean 1.875 / 4 = 0.46875, shown 0.4688 (approx)
    batch = handout(one_weight([(1, 1), (1, 0), (2, 0), (1, 2)], batch="all", reduction="mean"))["batch"]
    assert words(batch.intro).startswith("This update uses examples 1 to 4 together.")
    assert "Example 1 is worked in full above; the others go through the same forward and backward pass with " \
           "their own input and target." in words(batch.intro)
    assert lines(batch.error) == [
        [rf"{{\mathcal{{L}}}} = {MEAN} \mathcal{{L}}_d = (0.125 + 0.125 + 0.5 + 1.125) / 4 \approx \boxed{{0.4688}}"]]
    assert lines(batch.equations) == [[rf"{G} = (-0.5 + 0.5 + 2 + (-1.5)) / 4 = 0.125"]]
    assert batch.gradients is None
    assert words(batch.gradients_intro) == "The gradient of the batch loss, parameter by parameter:"
    assert batch.passes.rows == [["1", "-0.5"], ["2", "0.5"], ["3", "1"], ["4", "-1.5"]]


def test_five_examples_get_the_gradient_as_a_table():
    # the four above and (3, 0): gradient 4.5, loss 1.125; mean gradient 5 / 5 = 1, mean loss 3 / 5 = 0.6
    batch = handout(one_weight([(1, 1), (1, 0), (2, 0), (1, 2), (3, 0)], batch=5, reduction="mean"))["batch"]
    assert words(batch.gradients_intro) == (
        "The gradient of the batch loss, parameter by parameter: With 5 examples the per-example gradients are left "
        "out (handouts solve --json lists them).")
    assert batch.gradients.header == ["", r"\text{mean}", r"\frac{\partial \mathcal{L}}{\partial \theta}"]
    assert batch.gradients.rows == [["w^{(1)}_{1,1}", "1", "1"]]
    assert lines(batch.equations) == []
    assert lines(batch.error) == [
        [rf"{{\mathcal{{L}}}} = {MEAN} \mathcal{{L}}_d = (0.125 + 0.125 + 0.5 + 1.125 + 1.125) / 5 = \boxed{{0.6}}"]]
    assert batch.examples.rows[4] == ["5", "3", "0", "1.5", "1.125"]


def test_a_gradient_table_with_decay_and_a_sum():
    # five examples summed: data gradient 5, decay 0.1 * 0.5 = 0.05, total 5.05
    batch = handout(one_weight([(1, 1), (1, 0), (2, 0), (1, 2), (3, 0)], batch=5, reduction="sum",
                               weight_decay=0.1))["batch"]
    assert batch.gradients.header == ["", r"\text{sum}", r"\lambda \, \theta",
                                      r"\frac{\partial \mathcal{L}}{\partial \theta}"]
    assert batch.gradients.rows == [["w^{(1)}_{1,1}", "5", "0.05", "5.05"]]


def test_one_example_with_decay_has_no_data_line_and_no_passes_table():
    # loss 0.125, penalty 0.0125, total 0.1375; gradient 0.5 + 0.1 * 0.5 = 0.55
    batch = handout(one_weight([(1, 0)], weight_decay=0.1), QUESTIONS)["batch"]
    assert words(batch.intro) == (
        "This update uses example 1 alone. Weight decay adds the penalty $\\frac{\\lambda}{2} \\sum w^2$ to the loss "
        "and $\\lambda \\, w$ to the gradient of each weight (the biases are not decayed).")
    assert lines(batch.error) == [[r"\frac{\lambda}{2} \sum w^2 = \frac{0.1}{2} \left(0.5^2\right) = 0.0125"],
                                  [r"{\mathcal{L}} = 0.125 + 0.0125 = \boxed{0.1375}"]]
    assert marks(batch.error) == {r"{\mathcal{L}}": "q1"}
    assert batch.passes is None
    assert batch.examples.rows == [["1", "1", "0", "0.5", "0.125"]]
    assert lines(batch.equations) == [[rf"{G} = 0.5 + 0.1 \cdot 0.5 = 0.55"]]
    assert marks(batch.equations) == {G: "q3"}


def test_one_example_with_decay_after_the_update_by_hand():
    # w' = 0.5 - 0.1 * 0.55 = 0.445: loss 0.445^2 / 2 = 0.0990125 (0.0990), penalty 0.05 * 0.198025 = 0.0099,
    # total 0.1089 (0.0990 + 0.0099 = 0.1089 exactly as printed: =)
    after = handout(one_weight([(1, 0)], weight_decay=0.1), QUESTIONS)["after"]
    assert lines(after.batch_loss) == [
        [r"\frac{\lambda}{2} \sum (w')^2 = \frac{0.1}{2} \left(0.445^2\right) \approx 0.0099"],
        [r"{\mathcal{L}}' = 0.0990 + 0.0099 = \boxed{0.1089}"]]
    assert marks(after.batch_loss) == {r"{\mathcal{L}}'": "q2"}
    assert after.batch_examples is None


W1 = [[0.1, 0.2, 0.3, 0.4], [0.5, 0.6, 0.7, 0.8], [0.9, 1.0, 1.1, 1.2]]
"""A 4-3 identity layer: the hidden activations of input e_k are column k."""


def test_more_than_twelve_decayed_weights_write_the_first_two_and_the_last_square():
    # 4-3-1 identity, no bias, output weights (0.1, 0.2, 0.3); x = e1: hidden (0.1, 0.5, 0.9), y = 0.01 + 0.1 +
    # 0.27 = 0.38, loss 0.0722; x = e4: hidden (0.4, 0.8, 1.2), y = 0.04 + 0.16 + 0.36 = 0.56, loss 0.1568; mean
    # 0.1145. 15 weights, squares 0.01 (1 + 4 + ... + 144) + 0.01 (1 + 4 + 9) = 6.5 + 0.14: penalty 0.05 * 6.64
    # = 0.332, loss 0.4465. Hidden deltas: output delta times the output weights, 0.38 (0.1, 0.2, 0.3) and
    # 0.56 (0.1, 0.2, 0.3).
    problem = {"network": {"layers": [4, 3, 1], "activation": "identity", "bias": False},
               "weights": [W1, [[0.1, 0.2, 0.3]]],
               "examples": [{"input": [1, 0, 0, 0], "target": [0]}, {"input": [0, 0, 0, 1], "target": [0]}],
               "loss": "mse", "learning_rate": 0.1,
               "training": {"batch": "all", "reduction": "mean", "weight_decay": 0.1, "epochs": 1}}
    batch = handout(problem)["batch"]
    assert lines(batch.error) == [
        [rf"{{\mathcal{{L}}_{{\text{{data}}}}}} = {MEAN} \mathcal{{L}}_d = (0.0722 + 0.1568) / 2 = 0.1145"],
        [r"\frac{\lambda}{2} \sum w^2 = \frac{0.1}{2} \left(0.1^2 + 0.2^2 + \dots + 0.3^2\right) = 0.332"],
        [r"{\mathcal{L}} = 0.1145 + 0.332 = \boxed{0.4465}"]]
    assert batch.examples.header[3] == "{a^{(2)}}"
    assert batch.examples.rows == [["1", "(1, 0, 0, 0)", "0", "0.38", "0.0722"],
                                   ["2", "(0, 0, 0, 1)", "0", "0.56", "0.1568"]]
    assert batch.passes.header == ["d", r"(a^{(1)}_{1}, a^{(1)}_{2}, a^{(1)}_{3})",
                                   r"(\delta^{(1)}_{1}, \delta^{(1)}_{2}, \delta^{(1)}_{3})", r"\delta^{(2)}"]
    assert batch.passes.align == "crrr"
    assert batch.passes.rows == [["1", "(0.1, 0.5, 0.9)", "(0.038, 0.076, 0.114)", "0.38"],
                                 ["2", "(0.4, 0.8, 1.2)", "(0.056, 0.112, 0.168)", "0.56"]]
    # two gradient lines a row; w(1)_{1,1}: (0.038 * 1 + 0) / 2 + 0.1 * 0.1 = 0.029; w(2)_{1,3}: hidden 3 times
    # the output delta, (0.9 * 0.38 + 1.2 * 0.56) / 2 + 0.1 * 0.3 = (0.342 + 0.672) / 2 + 0.03 = 0.537
    rows = lines(batch.equations)
    assert [len(row) for row in rows] == [2] * 7 + [1]
    assert rows[0][0] == r"\frac{\partial \mathcal{L}}{\partial w^{(1)}_{1,1}} = (0.038 + 0) / 2 + 0.1 \cdot 0.1 = 0.029"
    assert rows[-1] == [r"\frac{\partial \mathcal{L}}{\partial w^{(2)}_{1,3}} = (0.342 + 0.672) / 2 + 0.1 \cdot 0.3 "
                        r"= 0.537"]


def test_twelve_decayed_weights_are_all_written():
    # 3-3-1: 9 + 3 = 12 weights, every square written; x = e1: y = 0.1 * 0.1 + 0.2 * 0.4 + 0.3 * 0.7 = 0.3, loss
    # 0.045; squares 0.01 (1 + 4 + ... + 81) + 0.14 = 2.85 + 0.14 = 2.99, penalty 0.1495, loss 0.1945
    problem = {"network": {"layers": [3, 3, 1], "activation": "identity", "bias": False},
               "weights": [[[0.1, 0.2, 0.3], [0.4, 0.5, 0.6], [0.7, 0.8, 0.9]], [[0.1, 0.2, 0.3]]],
               "input": [1, 0, 0], "target": [0], "loss": "mse", "learning_rate": 0.1,
               "training": {"weight_decay": 0.1, "epochs": 1}}
    batch = handout(problem)["batch"]
    assert lines(batch.error) == [
        [r"\frac{\lambda}{2} \sum w^2 = \frac{0.1}{2} \left(0.1^2 + 0.2^2 + 0.3^2 + 0.4^2 + 0.5^2 + 0.6^2 + 0.7^2 + "
         r"0.8^2 + 0.9^2 + 0.1^2 + 0.2^2 + 0.3^2\right) = 0.1495"],
        [r"{\mathcal{L}} = 0.045 + 0.1495 = \boxed{0.1945}"]]
    assert batch.examples.rows == [["1", "(1, 0, 0)", "0", "0.3", "0.045"]]


def test_two_outputs_are_a_tuple_under_the_word_output():
    # y = (w1 x, w2 x) with w = (0.5, -0.25), x = 2, t = (1, 0): y = (1, -0.5), loss (0 + 0.25) / 2 = 0.125;
    # x = 4, t = (1, 1): y = (2, -1), loss (1 + 4) / 2 = 2.5; deltas y - t: (0, -0.5) and (1, -2)
    problem = {"network": {"layers": [1, 2], "activation": "identity", "bias": False},
               "weights": [[[0.5], [-0.25]]],
               "examples": [{"input": [2], "target": [1, 0]}, {"input": [4], "target": [1, 1]}],
               "loss": "mse", "learning_rate": 0.1, "training": {"batch": "all", "epochs": 1}}
    batch = handout(problem)["batch"]
    assert batch.examples.header[3] == r"\text{output}"
    assert batch.examples.rows == [["1", "2", "(1, 0)", "(1, -0.5)", "0.125"], ["2", "4", "(1, 1)", "(2, -1)", "2.5"]]
    assert batch.passes.header == ["d", r"(\delta^{(1)}_{1}, \delta^{(1)}_{2})"]
    assert batch.passes.rows == [["1", "(0, -0.5)"], ["2", "(1, -2)"]]


def test_a_passes_table_too_wide_for_the_page_is_left_out():
    # 2-4-1 sigmoid at 6 decimals: hidden activations and deltas of four neurons in two cells (estimated 101
    # characters with the signs); one output weight fewer negative, 2-3-1, fits
    def problem(output_weights):
        k = len(output_weights)
        return {"network": {"layers": [2, k, 1], "activation": "sigmoid", "bias": False},
                "weights": [[[round(0.1 * (i + 1), 1), round(-0.1 * (i + 2), 1)] for i in range(k)], [output_weights]],
                "examples": [{"input": [1, 0], "target": [0]}, {"input": [0, 1], "target": [0]}],
                "loss": "mse", "learning_rate": 0.1, "training": {"batch": "all", "epochs": 1},
                "rounding": {"decimals": 6}, "sections": ["batch"]}
    assert handout(problem([0.5, -0.5, -0.5, -0.5]))["batch"].passes is None
    narrow = handout(problem([0.5, -0.5, -0.5]))["batch"].passes
    assert narrow.rows[0][1] == "(0.524979, 0.549834, 0.574443)"  # sigmoid(0.1), sigmoid(0.2), sigmoid(0.3)


def test_an_exactly_page_wide_passes_table_is_kept_and_its_numbers_are_the_oracles():
    # 2-3-3-1 sigmoid at 3 decimals: the table's estimated width is exactly PASSES_TABLE_WIDTH (100), still printed
    w1 = [[0.1, -0.2], [0.2, -0.3], [0.3, -0.4]]
    w2 = [[0.1, 0.2, 0.3], [0.2, 0.3, 0.4], [0.3, 0.4, 0.5]]
    problem = {"network": {"layers": [2, 3, 3, 1], "activation": "sigmoid", "bias": False},
               "weights": [w1, w2, [[0.5, 0.5, 0.5]]],
               "examples": [{"input": [1, 0], "target": [0]}, {"input": [0, 1], "target": [0]}],
               "loss": "mse", "learning_rate": 0.1, "training": {"batch": "all", "epochs": 1},
               "rounding": {"decimals": 3}, "sections": ["batch"]}
    table = handout(problem)["batch"].passes
    assert table is not None and table.width == 100
    for row, example in zip(table.rows, problem["examples"]):
        oracle = sgd_step(Net("sigmoid", problem["weights"], None, example["input"], example["target"]))
        assert row[1] == "(" + ", ".join(written(a, decimals=3) for a in oracle["a"][1]) + ")"
        assert row[2] == "(" + ", ".join(written(a, decimals=3) for a in oracle["a"][2]) + ")"
        assert row[-1] == written(oracle["delta"][2][0], decimals=3)


def test_the_output_of_one_unit_is_named_by_the_mitchell_unit_number():
    # mitchell numbers the units across layers, the input first: the output of a 1-1 network is o_2
    batch = handout({**one_weight([(1, 0), (2, 0)], batch="all", reduction="mean"), "notation": "mitchell"})["batch"]
    assert batch.examples.header == ["d", r"\text{input}", r"\text{target}", "{o_{2}}", "E_d"]
    assert batch.passes.header == ["d", r"\delta_{2}"]
    assert lines(batch.equations) == [[r"\frac{\partial E}{\partial w_{21}} = (0.5 + 2) / 2 = 1.25"]]


def test_fixed_biases_have_no_gradient_line_and_short_lines_go_two_to_a_row():
    # 2-1-1 identity, biases 0.25 and 0.5 fixed; w1 = (0.5, 1), w2 = 2. x = (1, 0): a1 = 0.75, y = 2, loss 2;
    # x = (0, 1): a1 = 1.25, y = 3, loss 4.5; mean 3.25. Deltas: output y - t = 2, 3; hidden 2 * that = 4, 6.
    # Gradients: w1_11 (4 + 0) / 2 = 2, w1_12 (0 + 6) / 2 = 3, w2 (2 * 0.75 + 3 * 1.25) / 2 = (1.5 + 3.75) / 2
    # = 2.625; no bias line. Three such lines would fit one row, the section packs at most two.
    problem = {"network": {"layers": [2, 1, 1], "activation": "identity", "bias": True, "train_biases": False},
               "weights": [[[0.5, 1]], [[2]]], "biases": [[0.25], [0.5]],
               "examples": [{"input": [1, 0], "target": [0]}, {"input": [0, 1], "target": [0]}],
               "loss": "mse", "learning_rate": 0.1, "training": {"batch": "all", "reduction": "mean", "epochs": 1}}
    batch = handout(problem)["batch"]
    assert lines(batch.error) == [[rf"{{\mathcal{{L}}}} = {MEAN} \mathcal{{L}}_d = (2 + 4.5) / 2 = \boxed{{3.25}}"]]
    assert batch.passes.rows == [["1", "0.75", "4", "2"], ["2", "1.25", "6", "3"]]
    assert lines(batch.equations) == [
        [r"\frac{\partial \mathcal{L}}{\partial w^{(1)}_{1,1}} = (4 + 0) / 2 = 2",
         r"\frac{\partial \mathcal{L}}{\partial w^{(1)}_{1,2}} = (0 + 6) / 2 = 3"],
        [r"\frac{\partial \mathcal{L}}{\partial w^{(2)}_{1,1}} = (1.5 + 3.75) / 2 = 2.625"]]
