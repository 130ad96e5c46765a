"""The training sections (solver/sections/rates.py, optimizer.py, history.py, summary.py, self_test.py) built in
process on a one-weight network small enough to work by hand: y = w x (identity, no bias), MSE, so an example's
loss is (w x - t)^2 / 2, its gradient (w x - t) x and its delta y - t. Every expected number is worked out by hand
in the comments (or by the independent oracle, tests/seed_oracle.py); fast (mutation subset)."""
from __future__ import annotations

import re

from solver.api import problem_from_mapping, solve
from solver.sections import build_handout
from solver.sections.rates import Rates


def words(segments: list) -> str:
    """A sentence's segments as one string, math in dollars."""
    return "".join(f"${s['text']}$" if s["math"] else s["text"] for s in segments)


def lines(grid) -> list[list[str]]:
    """A grid's equations row by row as 'lhs rel part rel part...' (the boxed part in \\boxed{})."""
    return [[f"{eq.lhs} {eq.one_line}" for eq in row] for row in grid.rows]


def one_weight(**extra) -> dict:
    """w = 0.5, x = 1, t = 0: loss 0.125, gradient 0.5."""
    return {"network": {"layers": [1, 1], "activation": "identity", "bias": False}, "weights": [[[0.5]]],
            "input": [1], "target": [0], "loss": "mse", "learning_rate": 0.5, **extra}


def records(problem: dict, marks: dict | None = None) -> dict:
    return build_handout(solve(problem_from_mapping(problem)), marks=marks).records


W = "w^{(1)}_{1,1}"
RATES_HEADER = [r"\eta", rf"\Delta {W}", f"{{{W}}}'", r"\mathcal{L}'", r"\text{loss}"]


# --- rates ------------------------------------------------------------------------------------------------------

def test_the_rate_comparison_by_hand_falls_stays_and_rises():
    # w' = 0.5 - 0.5 eta, loss' = 0.125 (1 - eta)^2: eta = 0.5 gives w' = 0.25, loss 0.03125 (shown 0.0313, down);
    # eta = 2 gives w' = -0.5, loss 0.125 (the same); eta = 3 gives w' = -1, loss 0.5 (up)
    rates = records(one_weight(compare_learning_rates=[0.5, 2, 3]))["rates"]
    assert words(rates.intro) == (
        f"The first update repeated with each learning rate, from the same parameters: the change "
        f"$\\Delta {W} = {{{W}}}' - {W}$ and new value of ${W}$, and the batch loss after the update (before it: "
        f"$\\mathcal{{L}} = 0.125$).")
    assert rates.table.header == RATES_HEADER
    assert rates.table.align == "rrrrc"
    assert rates.table.rows == [["0.5", "-0.25", "0.25", "0.0313", r"\downarrow"],
                                ["2", "-1", "-0.5", "0.125", "="],
                                ["3", "-1.5", "-1", "0.5", r"\uparrow"]]
    assert words(rates.verdict) == (
        "With $\\eta = 3$ the loss rises instead of falling: the step is too large for this point and overshoots the "
        "minimum along the gradient.")


def test_every_rising_rate_is_named():
    # eta = 3 and 4: w' = -1 and -1.5, loss 0.5 and 1.125, both up
    rates = records(one_weight(compare_learning_rates=[0.5, 3, 4]))["rates"]
    assert [row[-1] for row in rates.table.rows] == [r"\downarrow", r"\uparrow", r"\uparrow"]
    assert words(rates.verdict).startswith("With $\\eta = 3, 4$ the loss rises instead of falling")


def test_rates_that_all_lower_the_loss_say_so():
    # eta = 1 lands on the minimum: w' = 0, loss 0
    rates = records(one_weight(compare_learning_rates=[0.5, 1]))["rates"]
    assert rates.table.rows == [["0.5", "-0.25", "0.25", "0.0313", r"\downarrow"], ["1", "-0.5", "0", "0", r"\downarrow"]]
    assert words(rates.verdict) == (
        "Every rate lowers the loss; the largest lowers it most here, but larger rates risk overshooting.")


def test_rates_with_an_optimizer_state_say_the_state_is_the_same_and_why_adams_step_follows_the_rate():
    # Adam's first step is -eta * g / (|g| + 1e-8) with g = 0.5: eta = 0.5 gives -0.49999999 (shown -0.5000 at 4
    # significant figures), w' = 9.9999998e-9 (1.000 x 10^-8), loss 5.0e-17 (down). The loss before, 0.125, is exact
    # and short, so it is written as it is.
    problem = one_weight(compare_learning_rates=[0.5, 2], rounding={"significant": 4},
                         training={"optimizer": "adam", "betas": [0.9, 0.999], "epsilon": 1e-8})
    rates = records(problem)["rates"]
    assert words(rates.intro) == (
        f"The first update repeated with each learning rate, from the same parameters and optimizer state: the "
        f"change $\\Delta {W} = {{{W}}}' - {W}$ and new value of ${W}$, and the batch loss after the update (before "
        f"it: $\\mathcal{{L}} = 0.125$).")
    # eta = 2: -1.99999996 (-2.000), w' = -1.49999996 (-1.500), loss 1.12499994 (1.125), up
    assert rates.table.rows == [["0.5", "-0.5000", r"1.000 \times 10^{-8}", r"5.000 \times 10^{-17}", r"\downarrow"],
                                ["2", "-2.000", "-1.500", "1.125", r"\uparrow"]]
    assert words(rates.verdict) == (
        "With $\\eta = 2$ the loss rises instead of falling: the step is too large for this point and overshoots the "
        "minimum along the gradient. Adam's first step moves every parameter by about the learning rate, whatever "
        f"the size of its gradient, so the size of $\\Delta {W}$ is close to the rate itself in each row.")


def test_rmsprops_sentence_follows_the_verdict_after_a_space():
    # RMSprop (alpha 0.99): s = 0.01 g^2, step eta g / (0.1 |g| + 1e-8), about 10 eta: eta = 0.01 gives
    # -0.099999998 (-0.1000), w' = 0.4000, loss 0.08 (0.08000): down
    problem = one_weight(learning_rate=0.01, compare_learning_rates=[0.01], rounding={"significant": 4},
                         training={"optimizer": "rmsprop", "alpha": 0.99, "epsilon": 1e-8})
    rates = records(problem)["rates"]
    assert rates.table.rows == [["0.01", "-0.1000", "0.4000", "0.08000", r"\downarrow"]]
    assert words(rates.verdict) == (
        "Every rate lowers the loss; the largest lowers it most here, but larger rates risk overshooting. "
        "RMSprop's first step divides the gradient by its own size, so "
        f"$\\Delta {W}$ grows with the rate, not with the gradient.")


def test_a_rates_section_without_rates_to_compare_is_empty():
    assert records(one_weight(sections=["rates"]))["rates"] == Rates([], None, [])


# The verdict under the rate table claimed "Every rate lowers the loss; the largest lowers it most here" whenever no
# rate raised the loss: also when a rate left it unchanged, and when a smaller rate lowered it more.

def test_a_rate_that_leaves_the_loss_unchanged_is_not_said_to_lower_it():
    # eta = 2: w' = -0.5, loss 0.125 as before (the step jumps to the mirror point of the parabola)
    rates = records(one_weight(compare_learning_rates=[0.5, 2]))["rates"]
    assert [row[-1] for row in rates.table.rows] == [r"\downarrow", "="]
    assert words(rates.verdict) == "With $\\eta = 2$ the loss stays where it was; every other rate lowers it."


def test_a_zero_gradient_leaves_the_loss_unchanged_at_every_rate():
    # x = 0: y = 0 whatever w, loss (0 - 1)^2 / 2 = 0.5, gradient (0 - 1) * 0 = 0, so w' = w at every rate
    rates = records(one_weight(input=[0], target=[1], compare_learning_rates=[0.5, 1]))["rates"]
    assert rates.table.rows == [["0.5", "0", "0.5", "0.5", "="], ["1", "0", "0.5", "0.5", "="]]
    assert words(rates.verdict) == "With $\\eta = 0.5, 1$ the loss stays where it was."


def test_when_a_smaller_rate_lowers_the_loss_most_the_verdict_names_it():
    # eta = 1.9: w' = 0.5 - 0.95 = -0.45, loss 0.10125 (down, but less than eta = 0.5's 0.03125)
    rates = records(one_weight(compare_learning_rates=[0.5, 1.9]))["rates"]
    assert rates.table.rows == [["0.5", "-0.25", "0.25", "0.0313", r"\downarrow"],
                                ["1.9", "-0.95", "-0.45", "0.1013", r"\downarrow"]]
    assert words(rates.verdict) == (
        "Every rate lowers the loss, but not the largest the most: with $\\eta = 0.5$ it falls furthest, and the "
        "larger steps overshoot that point.")


# --- optimizer ----------------------------------------------------------------------------------------------------

def optimizer_alone(training: dict, **extra) -> object:
    """The optimizer section without the update section, so that it states the rule itself."""
    return records(one_weight(learning_rate=0.1, sections=["optimizer"], training=training, **extra))["optimizer"]


def table(entry) -> tuple:
    return words(entry.title), entry.table.header, entry.table.rows


MOMENTUM_HEADER = [r"\text{parameter}", "g", r"v_{\text{before}}", r"v_{\text{after}}", r"\theta'"]


def test_momentum_by_hand_over_five_updates_shows_the_first_three_and_the_last():
    # g = w: v1 = 0.5, w1 = 0.45; g2 = 0.45, v2 = 0.45 + 0.45 = 0.9, w2 = 0.36; g3 = 0.36, v3 = 0.81 + 0.36 = 1.17,
    # w3 = 0.243; g4 = 0.243, v4 = 1.053 + 0.243 = 1.296, w4 = 0.1134; g5 = 0.1134, v5 = 1.1664 + 0.1134 = 1.2798,
    # w5 = 0.1134 - 0.12798 = -0.01458 (shown -0.0146)
    section = optimizer_alone({"optimizer": "momentum", "momentum": 0.9, "epochs": 5})
    assert words(section.intro) == (
        "The update follows SGD with momentum as defined by PyTorch's torch.optim.SGD with $\\mu = 0.9$. Here "
        "$g = \\frac{\\partial \\mathcal{L}}{\\partial \\theta}$ is the gradient of the example's loss. Every state "
        "starts at 0.")
    assert lines(section.rule) == [[r"v \leftarrow \mu \, v + g", r"\theta \leftarrow \theta - \eta \, v"]]
    assert [table(entry) for entry in section.tables] == [
        ("Update 1 ($t = 1$):", MOMENTUM_HEADER, [[W, "0.5", "0", "0.5", "0.45"]]),
        ("Update 2 ($t = 2$):", MOMENTUM_HEADER, [[W, "0.45", "0.5", "0.9", "0.36"]]),
        ("Update 3 ($t = 3$):", MOMENTUM_HEADER, [[W, "0.36", "0.9", "1.17", "0.243"]]),
        ("Update 5 ($t = 5$):", MOMENTUM_HEADER, [[W, "0.1134", "1.296", "1.2798", "-0.0146"]])]
    assert words(section.note) == "Updates 1 to 3 and the last (5) are shown; handouts solve --json lists every one."
    assert words(section.later) == (
        f"The second update ($t = 2$) of ${W}$ worked in full: it starts from ${W} = 0.45$ and the state the first "
        "update left, with the gradient of example 1's loss at those parameters ($g$ in the table of update 2).")
    assert lines(section.later_rule) == [[f"v({W}) = 0.9 \\cdot 0.5 + 0.45 = 0.9",
                                          f"{{{W}}}' = 0.45 - 0.1 \\cdot 0.9 = \\boxed{{0.36}}"]]
    assert all(eq.mark == "" and eq.anchor == "" for eq in section.later_rule.equations)


def test_four_updates_are_all_shown_without_a_note():
    section = optimizer_alone({"optimizer": "momentum", "momentum": 0.9, "epochs": 4})
    assert [words(entry.title) for entry in section.tables] == [f"Update {i} ($t = {i}$):" for i in (1, 2, 3, 4)]
    assert section.note == []


def test_nesterov_by_hand():
    # v1 = 0.5, w1 = 0.5 - 0.1 (0.5 + 0.9 * 0.5) = 0.405; g2 = 0.405, v2 = 0.45 + 0.405 = 0.855,
    # w2 = 0.405 - 0.1 (0.405 + 0.7695) = 0.28755 (shown 0.2876)
    section = optimizer_alone({"optimizer": "nesterov", "momentum": 0.9, "epochs": 2})
    assert words(section.intro).startswith(
        "The update follows SGD with Nesterov momentum as defined by PyTorch's torch.optim.SGD with $\\mu = 0.9$.")
    assert lines(section.rule) == [[r"v \leftarrow \mu \, v + g", r"\theta \leftarrow \theta - \eta \, (g + \mu \, v)"]]
    assert [entry.table.rows for entry in section.tables] == [[[W, "0.5", "0", "0.5", "0.405"]],
                                                              [[W, "0.405", "0.5", "0.855", "0.2876"]]]
    assert lines(section.later_rule) == [[
        f"v({W}) = 0.9 \\cdot 0.5 + 0.405 = 0.855",
        f"{{{W}}}' = 0.405 - 0.1 \\cdot \\left(0.405 + 0.9 \\cdot 0.855\\right) \\approx \\boxed{{0.2876}}"]]


RMSPROP_HEADER = [r"\text{parameter}", "g", r"s_{\text{before}}", r"s_{\text{after}}", r"\theta'"]


def test_rmsprop_with_alpha_099_moves_ten_times_the_rate_first_by_hand():
    # s1 = 0.01 * 0.25 = 0.0025, w1 = 0.5 - 0.1 * 0.5 / (0.05 + 1e-8) = -0.4999998 (-0.5000); 1 / sqrt(0.01) = 10
    # exactly, eta * 10 = 1. g2 = w1: s2 = 0.99 * 0.0025 + 0.01 * 0.2499998 = 0.004974998 (0.0050),
    # w2 = w1 + 0.1 * 0.4999998 / 0.0705337 = 0.2089
    section = optimizer_alone({"optimizer": "rmsprop", "alpha": 0.99, "epsilon": 1e-8, "epochs": 2})
    assert words(section.intro) == (
        "The update follows RMSprop as defined by PyTorch's torch.optim.RMSprop with $\\alpha = 0.99, \\epsilon = "
        "10^{-8}$. Here $g = \\frac{\\partial \\mathcal{L}}{\\partial \\theta}$ is the gradient of the example's loss. "
        "Every state starts at 0. At the first update $s = (1 - \\alpha) \\, g^2$, so every parameter moves by about "
        "$\\eta / \\sqrt{1 - \\alpha} = 1$ against the sign of its gradient, whatever the gradient's size: 10 times "
        "the learning rate. From the second update on, the running average holds the squared gradients seen so far, "
        "so each step depends on the gradient's size compared with its recent size.")
    assert lines(section.rule) == [[r"s \leftarrow \alpha \, s + (1 - \alpha) \, g^2",
                                    r"\theta \leftarrow \theta - \eta \, \frac{g}{\sqrt{s} + \epsilon}"]]
    assert [table(entry) for entry in section.tables] == [
        ("Update 1 ($t = 1$):", RMSPROP_HEADER, [[W, "0.5", "0", "0.0025", "-0.5000"]]),
        ("Update 2 ($t = 2$):", RMSPROP_HEADER, [[W, "-0.5000", "0.0025", "0.0050", "0.2089"]])]
    assert lines(section.later_rule) == [[
        f"s({W}) = 0.99 \\cdot 0.0025 + (1 - 0.99) \\cdot (-0.5000)^{{2}} \\approx 0.0050",
        f"{{{W}}}' = -0.5000 - 0.1 \\cdot \\frac{{-0.5000}}{{\\sqrt{{\\mathstrut 0.0050}} + 10^{{-8}}}} \\approx \\boxed{{0.2089}}"]]


ADAM_HEADER = [r"\text{parameter}", "g", r"m_{\text{before}}", r"v_{\text{before}}", r"m_{\text{after}}",
               r"v_{\text{after}}", r"\hat{m}", r"\hat{v}", r"\theta'"]


def test_adam_by_hand_over_two_updates():
    # m1 = 0.1 * 0.5 = 0.05, v1 = 0.001 * 0.25 = 0.00025 (0.0003), m-hat 0.05 / 0.1 = 0.5, v-hat 0.00025 / 0.001 =
    # 0.25, w1 = 0.5 - 0.1 * 0.5 / (0.5 + 1e-8) = 0.400000002 (0.4000). g2 = w1: m2 = 0.045 + 0.04 = 0.085,
    # v2 = 0.00024975 + 0.00016 = 0.00040975 (0.0004), m-hat 0.085 / 0.19 = 0.447368, v-hat 0.00040975 / 0.001999
    # = 0.204977, w2 = 0.4 - 0.1 * 0.447368 / 0.452744 = 0.301187 (0.3012)
    section = optimizer_alone({"optimizer": "adam", "betas": [0.9, 0.999], "epsilon": 1e-8, "epochs": 2})
    assert lines(section.rule) == [  # two to a row, although three of these short lines would fit
        [r"m \leftarrow \beta_1 \, m + (1 - \beta_1) \, g", r"v \leftarrow \beta_2 \, v + (1 - \beta_2) \, g^2"],
        [r"\hat{m} = \frac{m}{1 - \beta_1^{\,t}}", r"\hat{v} = \frac{v}{1 - \beta_2^{\,t}}"],
        [r"\theta \leftarrow \theta - \eta \, \frac{\hat{m}}{\sqrt{\hat{v}} + \epsilon}"]]
    assert words(section.intro) == (
        "The update follows Adam as defined by PyTorch's torch.optim.Adam with $\\beta_1 = 0.9, \\beta_2 = 0.999, "
        "\\epsilon = 10^{-8}$. Here $g = \\frac{\\partial \\mathcal{L}}{\\partial \\theta}$ is the gradient of the "
        "example's loss. Every state starts at 0, and $t$ counts the updates. At the first update the bias "
        "corrections give $\\hat{m} = g$ and $\\hat{v} = g^2$, so every parameter moves by almost exactly $\\eta$ "
        "against the sign of its gradient, whatever the gradient's size; from the second update on, the moments "
        "average the gradients seen so far.")
    assert [table(entry) for entry in section.tables] == [
        ("Update 1 ($t = 1$):", ADAM_HEADER, [[W, "0.5", "0", "0", "0.05", "0.0003", "0.5", "0.25", "0.4000"]]),
        ("Update 2 ($t = 2$):", ADAM_HEADER,
         [[W, "0.4000", "0.05", "0.0003", "0.0850", "0.0004", "0.4474", "0.2050", "0.3012"]])]
    assert lines(section.later_rule) == [
        [f"m({W}) = 0.9 \\cdot 0.05 + (1 - 0.9) \\cdot 0.4000 = 0.0850",
         f"\\hat{{m}}({W}) = \\frac{{0.0850}}{{1 - 0.9^{{2}}}} \\approx 0.4474"],
        [f"v({W}) = 0.999 \\cdot 0.0003 + (1 - 0.999) \\cdot 0.4000^{{2}} \\approx 0.0004",
         f"\\hat{{v}}({W}) = \\frac{{0.0004}}{{1 - 0.999^{{2}}}} \\approx 0.2050"],
        [f"{{{W}}}' = 0.4000 - 0.1 \\cdot \\frac{{0.4474}}{{\\sqrt{{\\mathstrut 0.2050}} + 10^{{-8}}}} \\approx \\boxed{{0.3012}}"]]


def test_adams_weight_decay_is_coupled_l2_for_the_weights_only():
    # g = 0.5 + 0.1 * 0.5 = 0.55, m = 0.055, v = 0.001 * 0.3025 = 0.0003025 (0.0003), m-hat 0.55, v-hat 0.3025
    section = optimizer_alone({"optimizer": "adam", "betas": [0.9, 0.999], "epsilon": 1e-8, "epochs": 1,
                               "weight_decay": 0.1})
    assert ("Here $g = \\frac{\\partial \\mathcal{L}}{\\partial \\theta}$ is the gradient of the example's loss with "
            "its penalty: the data loss's gradient plus the weight-decay term $\\lambda \\, \\theta$ ($\\lambda = "
            "0.1$) for a weight, 0 for a bias (in PyTorch the biases need a parameter group of their own without "
            "weight decay), as PyTorch's weight decay adds it to the gradient (coupled L2; AdamW would instead shrink "
            "the parameter outside the rule). Every state starts at 0, and $t$ counts the updates.") in words(
        section.intro)
    assert section.tables[0].table.rows == [[W, "0.55", "0", "0", "0.055", "0.0003", "0.55", "0.3025", "0.4000"]]


def test_plain_sgd_with_weight_decay_states_the_shrink_factor_and_has_no_state_table():
    section = optimizer_alone({"optimizer": "sgd", "epochs": 2, "weight_decay": 0.1})
    assert words(section.intro) == (
        "The update follows plain SGD as defined by PyTorch's torch.optim.SGD. Here $g = \\frac{\\partial "
        "\\mathcal{L}}{\\partial \\theta}$ is the gradient of the example's loss with its penalty: the data loss's "
        "gradient plus the weight-decay term $\\lambda \\, \\theta$ ($\\lambda = 0.1$) for a weight, 0 for a bias (in "
        "PyTorch the biases need a parameter group of their own without weight decay), as PyTorch's weight decay adds "
        "it to the gradient; for plain SGD this is the same as shrinking each decayed parameter by the factor "
        "$(1 - \\eta \\lambda)$ before the gradient step, hence the name weight decay.")
    assert section.tables == [] and section.note == [] and section.later == [] and section.later_rule is None


def test_plain_sgd_without_decay_states_only_the_rule():
    section = optimizer_alone({"optimizer": "sgd", "epochs": 2})
    assert words(section.intro) == (
        "The update follows plain SGD as defined by PyTorch's torch.optim.SGD. Here $g = \\frac{\\partial "
        "\\mathcal{L}}{\\partial \\theta}$ is the gradient of the example's loss.")
    assert lines(section.rule) == [[r"\theta \leftarrow \theta - \eta \, g"]]
    assert section.tables == []


def test_momentum_over_a_batch_of_two_by_hand():
    # x = 1, 2 with t = 0: g = (0.5 + 2) / 2 = 1.25, v1 = 1.25, w1 = 0.375; g2 = (0.375 + 1.5) / 2 = 0.9375,
    # v2 = 1.125 + 0.9375 = 2.0625, w2 = 0.375 - 0.20625 = 0.16875 (0.1688)
    problem = {key: value for key, value in one_weight().items() if key not in ("input", "target")}
    problem.update(examples=[{"input": [1], "target": [0]}, {"input": [2], "target": [0]}], learning_rate=0.1,
                   sections=["optimizer"], training={"optimizer": "momentum", "momentum": 0.9, "epochs": 2,
                                                     "batch": "all"})
    section = records(problem)["optimizer"]
    assert "is the gradient of the batch loss. Every state starts at 0." in words(section.intro)
    assert [entry.table.rows for entry in section.tables] == [[[W, "1.25", "0", "1.25", "0.375"]],
                                                              [[W, "0.9375", "1.25", "2.0625", "0.1688"]]]
    assert words(section.later) == (
        f"The second update ($t = 2$) of ${W}$ worked in full: it starts from ${W} = 0.375$ and the state the first "
        "update left, with the gradient of the batch loss of examples 1 and 2 at those parameters ($g$ in the table "
        "of update 2).")
    assert lines(section.later_rule) == [[f"v({W}) = 0.9 \\cdot 1.25 + 0.9375 = 2.0625",
                                          f"{{{W}}}' = 0.375 - 0.1 \\cdot 2.0625 \\approx \\boxed{{0.1688}}"]]


def test_momentum_with_decayed_biases_over_a_batch_of_three_by_hand():
    # y = w x + b, w = 0.5, b = 0; (x, t) = (1, 0), (2, 0), (1, 1): errors 0.5, 1, -0.5, mean gradients
    # g_w = (0.5 + 2 - 0.5) / 3 = 0.66667 + 0.1 * 0.5 = 0.71667, g_b = 1 / 3 + 0.1 * 0 = 0.33333; w1 = 0.42833,
    # b1 = -0.03333. Update 2: errors 0.395, 0.82333, -0.605: g_w = 1.43667 / 3 + 0.042833 = 0.52172, g_b =
    # 0.61333 / 3 - 0.0033333 = 0.20111; v_w = 0.645 + 0.52172 = 1.16672, w2 = 0.31166; v_b = 0.3 + 0.20111 =
    # 0.50111, b2 = -0.08344
    problem = {key: value for key, value in one_weight().items() if key not in ("input", "target")}
    problem.update(network={"layers": [1, 1], "activation": "identity", "bias": True}, biases=[[0]],
                   examples=[{"input": [1], "target": [0]}, {"input": [2], "target": [0]}, {"input": [1], "target": [1]}],
                   learning_rate=0.1, sections=["optimizer"],
                   training={"optimizer": "momentum", "momentum": 0.9, "epochs": 2, "batch": "all",
                             "weight_decay": 0.1, "decay_biases": True})
    section = records(problem)["optimizer"]
    assert ("is the gradient of the batch loss with its penalty: the data loss's gradient plus the weight-decay term "
            "$\\lambda \\, \\theta$ ($\\lambda = 0.1$), as PyTorch's weight decay adds it to the gradient (coupled L2; "
            "AdamW would instead shrink the parameter outside the rule). Every state starts at 0.") in words(
        section.intro)
    assert [entry.table.rows for entry in section.tables] == [
        [[W, "0.7167", "0", "0.7167", "0.4283"], ["b^{(1)}", "0.3333", "0", "0.3333", "-0.0333"]],
        [[W, "0.5217", "0.7167", "1.1667", "0.3117"], ["b^{(1)}", "0.2011", "0.3333", "0.5011", "-0.0834"]]]
    assert "with the gradient of the batch loss of examples 1 to 3 at those parameters" in words(section.later)


def test_fixed_biases_are_not_in_the_state_table():
    # y = w x + 0.25 with the bias fixed: g = 0.75, v = 0.75, w' = 0.5 - 0.075 = 0.425
    section = optimizer_alone({"optimizer": "momentum", "momentum": 0.9, "epochs": 1},
                              network={"layers": [1, 1], "activation": "identity", "bias": True,
                                       "train_biases": False}, biases=[[0.25]])
    assert section.tables[0].table.rows == [[W, "0.75", "0", "0.75", "0.425"]]


def test_with_the_update_section_the_optimizer_section_points_to_its_rule():
    section = records(one_weight(learning_rate=0.1, sections=["update", "optimizer"],
                                 training={"optimizer": "momentum", "momentum": 0.9, "epochs": 1}))["optimizer"]
    assert words(section.intro) == "The state of every parameter before and after each update, by the rule in The update."
    assert {"math": False, "text": "The update", "ref": "update", "anchor": "the-update"} in section.intro
    assert lines(section.rule) == []
    assert section.tables[0].table.rows == [[W, "0.5", "0", "0.5", "0.45"]]


def test_an_exam_key_marks_the_worked_updates_state_and_new_value_but_not_the_second_update():
    marks = {("velocity", "velocity", "W1[1,1]"): ("q1",), ("new", "W1[1,1]"): ("q2",)}
    handout = records(one_weight(learning_rate=0.1, sections=["update", "optimizer"],
                                 training={"optimizer": "momentum", "momentum": 0.9, "epochs": 2}), marks)
    [block] = handout["update"].blocks
    assert [(eq.lhs, eq.mark, eq.anchor) for eq in block.grid.equations] == [
        (f"v({W})", "q1", ""), (f"{{{W}}}'", "q2", "update-W1-1-1")]
    assert [(eq.mark, eq.anchor) for eq in handout["optimizer"].later_rule.equations] == [("", ""), ("", "")]


def test_an_exam_key_marks_adams_moments():
    marks = {("moment", "first_moment", "W1[1,1]"): ("q1",), ("moment", "second_moment", "W1[1,1]"): ("q2",),
             ("moment", "first_moment_corrected", "W1[1,1]"): ("q3",),
             ("moment", "second_moment_corrected", "W1[1,1]"): ("q4",), ("new", "W1[1,1]"): ("q5",)}
    handout = records(one_weight(learning_rate=0.1, sections=["update"],
                                 training={"optimizer": "adam", "betas": [0.9, 0.999], "epsilon": 1e-8, "epochs": 1}),
                      marks)
    [block] = handout["update"].blocks
    assert [[eq.lhs for eq in row] for row in block.grid.rows] == [
        [f"m({W})", f"\\hat{{m}}({W})"], [f"v({W})", f"\\hat{{v}}({W})"], [f"{{{W}}}'"]]
    # m = 0.1 * 0.5 = 0.05 and m-hat = 0.05 / (1 - 0.9) = 0.5 exactly; v = 0.001 * 0.25 = 0.00025, shown 0.0003
    assert lines(block.grid)[0] == [f"m({W}) = 0.9 \\cdot 0 + (1 - 0.9) \\cdot 0.5 = 0.05",
                                    f"\\hat{{m}}({W}) = \\frac{{0.05}}{{1 - 0.9^{{1}}}} = 0.5"]
    assert lines(block.grid)[1][0] == f"v({W}) = 0.999 \\cdot 0 + (1 - 0.999) \\cdot 0.5^{{2}} \\approx 0.0003"
    assert [eq.mark for eq in block.grid.equations] == ["q1", "q3", "q2", "q4", "q5"]
    assert [eq.anchor for eq in block.grid.equations] == ["", "", "", "", "update-W1-1-1"]


# RMSprop's first-step sentence tested 1 / sqrt(1 - alpha) for exactness in 28-digit Decimals, where the square of
# 1 / sqrt(0.1) rounds back to 10: for alpha = 0.9 it wrote "eta / sqrt(1 - alpha) = 0.3162", an irrational number
# as if exact.

def test_rmsprop_with_alpha_09_moves_about_316_times_the_rate_first():
    # 1 / sqrt(0.1) = 3.16227766 (irrational: approx, 3.1623 at 4 decimals), eta times it 0.316227766 (0.3162);
    # s1 = 0.1 * 0.25 = 0.025, w1 = 0.5 - 0.1 * 0.5 / (0.158113883 + 1e-8) = 0.183772 (0.1838)
    section = optimizer_alone({"optimizer": "rmsprop", "alpha": 0.9, "epsilon": 1e-8, "epochs": 1})
    assert ("so every parameter moves by about $\\eta / \\sqrt{1 - \\alpha} \\approx 0.3162$ against the sign of its "
            "gradient, whatever the gradient's size: 3.1623 times the learning rate.") in words(section.intro)
    assert section.tables[0].table.rows == [[W, "0.5", "0", "0.025", "0.1838"]]
    assert section.later == [] and section.later_rule is None


def test_rmsprop_with_alpha_075_moves_exactly_twice_the_rate_first():
    # 1 - 0.75 = 1/4 = (1/2)^2: 1 / sqrt(1/4) = 2 exactly, eta times it 0.2
    section = optimizer_alone({"optimizer": "rmsprop", "alpha": 0.75, "epsilon": 1e-8, "epochs": 1})
    assert ("so every parameter moves by about $\\eta / \\sqrt{1 - \\alpha} = 0.2$ against the sign of its gradient, "
            "whatever the gradient's size: 2 times the learning rate.") in words(section.intro)


def test_plain_sgd_with_decay_one_example_at_a_time_is_called_plain_sgd_in_the_title():
    title = records(one_weight(learning_rate=0.1, training={"optimizer": "sgd", "epochs": 2, "weight_decay": 0.1}))[
        "title"]
    assert " updates by plain SGD in full " in words(title.intro)


def test_an_exam_key_marks_rmsprops_square_average_and_new_value():
    # s = 0.01 * 0.25 = 0.0025, w' = 0.5 - 0.1 * 0.5 / (0.05 + 1e-8) = -0.4999998 (-0.5000)
    marks = {("moment", "square_average", "W1[1,1]"): ("q1",), ("new", "W1[1,1]"): ("q2",)}
    handout = records(one_weight(learning_rate=0.1, sections=["update"],
                                 training={"optimizer": "rmsprop", "alpha": 0.99, "epsilon": 1e-8, "epochs": 1}), marks)
    [block] = handout["update"].blocks
    assert lines(block.grid) == [[
        f"s({W}) = 0.99 \\cdot 0 + (1 - 0.99) \\cdot 0.5^{{2}} = 0.0025",
        f"{{{W}}}' = 0.5 - 0.1 \\cdot \\frac{{0.5}}{{\\sqrt{{\\mathstrut 0.0025}} + 10^{{-8}}}} \\approx \\boxed{{-0.5000}}"]]
    assert [(eq.mark, eq.anchor) for eq in block.grid.equations] == [("q1", ""), ("q2", "update-W1-1-1")]


# --- history ------------------------------------------------------------------------------------------------------

HISTORY_HEADER = [r"\text{step}", r"\text{epoch}", r"\text{example}", r"\text{loss before}", r"\text{loss after}"]
EXAMPLE_S, BATCH_S = "its example's", "its batch's"
SHOWS = ("the table gives each update's own loss ({whose}) before and after it; the plot, the training loss over "
         "every example after each epoch.")


def history_of(**problem) -> object:
    base = {"network": {"layers": [1, 1], "activation": "identity", "bias": False}, "weights": [[[0.5]]],
            "loss": "mse", "learning_rate": 0.1, "sections": ["history"]}
    return records({**base, **problem})["history"]


TWO = [{"input": [1], "target": [0]}, {"input": [2], "target": [0]}]
"""x = 1 and 2 with t = 0: the mean loss is (w^2 / 2 + (2 w)^2 / 2) / 2 = 1.25 w^2, its gradient 2.5 w."""


def test_the_history_of_momentum_over_batches_by_hand():
    # w = 0.5 -> 0.375 -> 0.16875 (test_momentum_over_a_batch_of_two_by_hand): mean losses 1.25 w^2 = 0.3125,
    # 0.17578125, 0.035595703125
    history = history_of(examples=TWO, training={"optimizer": "momentum", "momentum": 0.9, "epochs": 2, "batch": 2})
    assert words(history.intro) == (
        f"One update by SGD with momentum per batch of 2 examples, in order, for 2 epochs. The first update is worked "
        f"in full above; {SHOWS.format(whose=BATCH_S)}")
    assert (history.table.header, history.table.align) == (HISTORY_HEADER, "cccrr")
    assert history.table.rows == [["1", "1", r"1\text{--}2", "0.3125", "0.1758"],
                                  ["2", "2", r"1\text{--}2", "0.1758", "0.0356"]]
    assert history.points == [(0, 0.3125), (1, 0.17578125), (2, 0.035595703125)]
    assert history.coordinates == "(0,0.3125) (1,0.17578125) (2,0.03559570313)"  # 10 significant figures
    assert words(history.note) == (
        "The training loss (mean loss over the 2 examples) falls from $0.3125$ to $0.0356$ over the 2 epochs.")
    assert words(history.final_intro) == "Parameters after the last update:"
    assert lines(history.final) == [[f"{W} = 0.1688"]]
    assert history.fixed_ticks


def test_the_history_of_plain_sgd_with_decay_and_a_summed_loss_by_hand():
    # one example an update: w = 0.5, g = 0.5 + 0.05 = 0.55, w = 0.445 (loss 0.125 + 0.0125 = 0.1375 before,
    # 0.445^2 / 2 + 0.05 * 0.445^2 = 0.10891 after); example 2 at w = 0.445: (0.89)^2 / 2 + 0.0099 = 0.40595
    # (0.4060). The training loss at the start: 0.125 + 0.5 + 0.0125 = 0.6375 (summed, plus the penalty)
    history = history_of(examples=TWO, training={"optimizer": "sgd", "epochs": 2, "batch": 1, "weight_decay": 0.1,
                                                 "reduction": "sum"})
    assert words(history.intro) == (f"One SGD update per example, in order, for 2 epochs. The first step is worked in full "
                                    f"above; {SHOWS.format(whose=EXAMPLE_S)}")
    assert history.table.rows[:2] == [["1", "1", "1", "0.1375", "0.1089"], ["2", "1", "2", "0.4060", "0.1413"]]
    assert [row[:3] for row in history.table.rows[2:]] == [["3", "2", "1"], ["4", "2", "2"]]
    assert history.points[0] == (0, 0.6375)
    assert words(history.note).startswith(
        "The training loss (total loss over the 2 examples plus the weight-decay penalty) falls from $0.6375$ to ")


def test_a_mini_batch_of_plain_sgd_is_named_so():
    three = TWO + [{"input": [1], "target": [1]}]
    history = history_of(examples=three, training={"optimizer": "sgd", "epochs": 1, "batch": 2})
    assert words(history.intro) == (
        f"One update by mini-batch SGD per batch of 2 examples, in order. The first update is worked in full above; "
        f"{SHOWS.format(whose=BATCH_S)}")
    assert [row[2] for row in history.table.rows] == [r"1\text{--}2", "3"]


def test_a_zero_gradient_keeps_the_training_loss():
    # x = 0: y = 0 whatever w, loss 0.5 at every step
    history = history_of(input=[0], target=[1], training={"epochs": 2})
    assert history.table.rows == [["1", "1", "1", "0.5000", "0.5000"], ["2", "2", "1", "0.5000", "0.5000"]]
    assert words(history.note) == "The training loss (the example's loss) stays at $0.5000$ over the 2 epochs."


def test_too_large_a_rate_makes_the_training_loss_rise():
    # eta = 3, g = w: w = 0.5 -> -1 -> 2, loss w^2 / 2 = 0.125, 0.5, 2
    history = history_of(input=[1], target=[0], learning_rate=3, training={"epochs": 2})
    assert history.points == [(0, 0.125), (1, 0.5), (2, 2.0)]
    assert history.coordinates == "(0,0.125) (1,0.5) (2,2)"
    assert (history.y_ticks, history.y_min, history.y_max) == ("0,0.5,1,1.5,2", "0", "2")
    assert words(history.note) == "The training loss (the example's loss) rises from $0.1250$ to $2.0000$ over the 2 epochs."
    assert lines(history.final) == [[f"{W} = 2.0000"]]


def test_losses_from_one_thousandth_on_get_fixed_point_ticks():
    # w = 0.02, x = 1 and 3: mean loss (0.0004 + 0.0036) / 4 = 0.001 exactly (the lower bound, included); the
    # gradient (0.02 + 0.18) / 2 = 0.1 and eta = 1 give w' = -0.08, loss (0.0064 + 0.0576) / 4 = 0.016
    history = history_of(weights=[[[0.02]]], learning_rate=1, examples=[{"input": [1], "target": [0]},
                                                                        {"input": [3], "target": [0]}],
                         training={"epochs": 1, "batch": "all"})
    assert history.points == [(0, 0.001), (1, 0.016)]
    assert history.fixed_ticks


def test_losses_below_one_thousandth_get_pgfplots_own_ticks():
    # w = 0.02 -> 0.018 -> 0.0162, loss w^2 / 2 = 0.0002, 0.000162, 0.00013122
    history = history_of(weights=[[[0.02]]], input=[1], target=[0], training={"epochs": 2})
    assert history.points == [(0, 0.0002), (1, 0.000162), (2, 0.00013122)]
    assert not history.fixed_ticks


def test_a_loss_of_ten_thousand_is_past_the_fixed_point_ticks():
    # w = 40, x = 3 and 4: mean loss (14400 + 25600) / 4 = 10000 exactly (the upper bound, excluded); gradient
    # (360 + 640) / 2 = 500, eta = 0.01: w' = 35, loss 1225 * 25 / 4 = 7656.25
    history = history_of(weights=[[[40]]], learning_rate=0.01, examples=[{"input": [3], "target": [0]},
                                                                         {"input": [4], "target": [0]}],
                         training={"epochs": 1, "batch": "all"})
    assert history.points == [(0, 10000.0), (1, 7656.25)]
    assert history.coordinates == "(0,10000) (1,7656.25)"
    assert not history.fixed_ticks
    assert words(history.note) == (
        "The training loss (mean loss over the 2 examples) falls from $10000.0000$ to $7656.2500$ over the epoch.")


def test_final_parameters_too_wide_for_one_row_go_four_to_a_row():
    # a 6-1 identity neuron, x = e1, t = 0: only w1 moves, w1 = 0.1 -> 0.1 - 0.1 * 0.1 = 0.09 -> 0.09 - 0.1 * 0.09
    # = 0.081; six short lines would not fit one row, five would, the section packs four
    problem = {"network": {"layers": [6, 1], "activation": "identity", "bias": False}, "weights": [[[0.1] * 6]],
               "input": [1, 0, 0, 0, 0, 0], "target": [0], "notation": "named", "training": {"epochs": 2}}
    history = history_of(**problem)
    assert lines(history.final) == [["w_{1} = 0.0810", "w_{2} = 0.1000", "w_{3} = 0.1000", "w_{4} = 0.1000"],
                                    ["w_{5} = 0.1000", "w_{6} = 0.1000"]]


def test_a_batch_of_three_is_named_by_its_first_and_last_example():
    three = TWO + [{"input": [1], "target": [1]}]
    history = history_of(examples=three, training={"optimizer": "momentum", "momentum": 0.9, "epochs": 1,
                                                   "batch": "all"})
    assert history.table.rows[0][:3] == ["1", "1", r"1\text{--}3"]


def test_the_history_of_momentum_one_example_at_a_time_counts_per_example():
    history = history_of(examples=TWO, training={"optimizer": "momentum", "momentum": 0.9, "epochs": 1})
    assert words(history.intro) == (
        f"One update by SGD with momentum per example, in order. The first update is worked in full above; "
        f"{SHOWS.format(whose=EXAMPLE_S)}")
    assert [row[:3] for row in history.table.rows] == [["1", "1", "1"], ["2", "1", "2"]]


def test_plain_sgd_with_decay_colours_the_gradient_as_an_error_and_marks_the_new_value():
    # g = 0.5 + 0.1 * 0.5 = 0.55, w' = 0.5 - 0.1 * 0.55 = 0.445
    problem = one_weight(learning_rate=0.1, sections=["update"], notation={"preset": "named", "colour": True},
                         training={"weight_decay": 0.1, "epochs": 1})
    [block] = records(problem, {("new", "W1[1,1]"): ("q1",)})["update"].blocks
    assert lines(block.grid) == [[r"{w_{1}}' = 0.5 - 0.1({\color{bperror}0.55}) = \boxed{0.445}"]]
    assert [(eq.mark, eq.anchor) for eq in block.grid.equations] == [("q1", "update-W1-1-1")]


# --- summary ------------------------------------------------------------------------------------------------------

SUMMARY_HEADER = [r"\text{parameter}", r"\text{old}", r"\partial \mathcal{L} / \partial \theta"]
QUANTITIES_HEADER = [r"\text{neuron}", "z", "a", "f'(z)", r"\delta"]
MITCHELL_NOTE = "Deltas in this table follow the convention of this handout, $\\delta = -\\partial \\mathcal{L} / \\partial z$."


def neuron(target, **extra) -> dict:
    """y = w x + b with w = 0.5, b = -0.25, x = 2: y = 0.75, error 0.75 - t, gradients 2 (0.75 - t) and 0.75 - t."""
    return {"network": {"layers": [1, 1], "activation": "identity", "bias": True}, "weights": [[[0.5]]],
            "biases": [[-0.25]], "input": [2], "target": [target], "loss": "mse", "learning_rate": 0.1, **extra}


def test_the_summary_of_a_step_down_by_hand():
    # t = 0: g_w = 1.5, g_b = 0.75; w' = 0.5 - 0.15 = 0.35, b' = -0.25 - 0.075 = -0.325
    summary = records(neuron(0, sections=["summary"]))["summary"]
    assert summary.parameters.header == SUMMARY_HEADER + [r"\text{new}", r"\text{change}"]
    assert summary.parameters.rows == [[W, "0.5", "1.5", "0.35", "-0.15"], ["b^{(1)}", "-0.25", "0.75", "-0.325", "-0.075"]]
    assert (summary.quantities.header, summary.quantities.align) == (QUANTITIES_HEADER, "lrrrr")
    assert summary.quantities.rows == [["a^{(1)}", "0.75", "0.75", "1", "0.75"]]
    assert summary.note == []


def test_a_parameter_that_grows_has_a_plus_sign_in_both_conventions():
    # t = 2: error -1.25, g_w = -2.5, g_b = -1.25; w' = 0.75 (+0.25), b' = -0.125 (+0.125); mitchell's delta 1.25
    descent = records(neuron(2, sections=["summary"]))["summary"]
    mitchell = records(neuron(2, sections=["summary"], convention="mitchell"))["summary"]
    rows = [[W, "0.5", "-2.5", "0.75", "+0.25"], ["b^{(1)}", "-0.25", "-1.25", "-0.125", "+0.125"]]
    assert descent.parameters.rows == mitchell.parameters.rows == rows
    assert descent.quantities.rows == [["a^{(1)}", "0.75", "0.75", "1", "-1.25"]]
    assert mitchell.quantities.rows == [["a^{(1)}", "0.75", "0.75", "1", "1.25"]]
    assert descent.note == [] and words(mitchell.note) == MITCHELL_NOTE


def test_in_the_mitchell_convention_a_fixed_bias_keeps_its_value():
    # the weight changes by +0.25 as above; the fixed bias: -0.25 - (-0.25) of the printed numbers, 0.00
    summary = records(neuron(2, sections=["summary"], convention="mitchell",
                             network={"layers": [1, 1], "activation": "identity", "bias": True,
                                      "train_biases": False}))["summary"]
    assert summary.parameters.rows == [[W, "0.5", "-2.5", "0.75", "+0.25"], ["b^{(1)}", "-0.25", "-1.25", "-0.25", "0.00"]]


def test_with_the_check_the_summary_lists_each_central_difference():
    # the loss is quadratic in each parameter, so the central difference is the gradient itself: 1.5 and 0.75
    summary = records(neuron(0, sections=["summary", "check"]))["summary"]
    assert summary.parameters.header == SUMMARY_HEADER + [r"\text{central difference}", r"\text{rel. error}",
                                                          r"\text{new}", r"\text{change}"]
    assert [row[:4] + row[5:] for row in summary.parameters.rows] == [[W, "0.5", "1.5", "1.5000", "0.35", "-0.15"],
                                                                      ["b^{(1)}", "-0.25", "0.75", "0.7500", "-0.325",
                                                                       "-0.075"]]
    assert all(re.fullmatch(r"0|\d(\.\d)? \\times 10\^\{-\d+\}", row[4]) for row in summary.parameters.rows)


def test_with_the_optimizer_section_the_summary_leaves_the_new_values_to_its_state_table():
    summary = records(neuron(0, sections=["summary", "optimizer"],
                             training={"optimizer": "momentum", "momentum": 0.9}))["summary"]
    assert summary.parameters.header == SUMMARY_HEADER
    assert summary.parameters.rows == [[W, "0.5", "1.5"], ["b^{(1)}", "-0.25", "0.75"]]


def test_a_gradient_that_rounds_to_zero_is_also_written_in_scientific_notation():
    # t = 0.77 at one decimal: error -0.02, g_w = -0.04 and g_b = -0.02 both round to 0.0 (no negative zero), and
    # get their value with a three-digit mantissa beside it
    summary = records(neuron(0.77, sections=["summary"], rounding={"decimals": 1}))["summary"]
    assert [row[:3] for row in summary.parameters.rows] == [
        [W, "0.5", r"0.0\ (-4.00 \times 10^{-2})"], ["b^{(1)}", "-0.25", r"0.0\ (-2.00 \times 10^{-2})"]]


def test_a_softmax_layer_has_no_elementwise_derivative_in_the_summary():
    # softmax of (0, 0) is (0.5, 0.5); cross-entropy with t = (1, 0): deltas y - t = (-0.5, 0.5)
    problem = {"network": {"layers": [1, 2], "activation": "softmax", "bias": False}, "weights": [[[0], [0]]],
               "input": [1], "target": [1, 0], "loss": "cross_entropy", "learning_rate": 0.1, "sections": ["summary"]}
    summary = records(problem)["summary"]
    assert summary.quantities.rows == [["a^{(1)}_{1}", "0", "0.5000", r"\text{--}", "-0.5000"],
                                       ["a^{(1)}_{2}", "0", "0.5000", r"\text{--}", "0.5000"]]
    assert summary.parameters.rows == [["w^{(1)}_{1,1}", "0", "-0.5000", "0.0500", "+0.0500"],
                                       ["w^{(1)}_{2,1}", "0", "0.5000", "-0.0500", "-0.0500"]]


# --- self-test ----------------------------------------------------------------------------------------------------

def questions(problem: dict) -> list[tuple[str, str]]:
    section = records({**problem, "sections": ["self_test"]})["self_test"]
    assert words(section.intro) == "Questions on this handout's own network; try each before you read its answer below."
    return [(words(q["question"]), words(q["answer"])) for q in section.questions]


TWO_INPUTS = {"network": {"layers": [2, 1], "activation": "identity", "bias": True}, "weights": [[[0.5, -1]]],
              "biases": [[0.25]], "input": [2, 0], "target": [0], "loss": "mse", "learning_rate": 0.1}
"""z = 0.5 * 2 - 1 * 0 + 0.25 = 1.25 = y, loss 1.25^2 / 2 = 0.78125 (0.7813); g_w1 = 1.25 * 2 = 2.5, g_b = 1.25."""
WHY_ZERO = ("Why does no weight leaving $x_{2}$ change in this step?",
            "Because $x_{2} = 0$: each such gradient is a delta times $x_{2}$, which is 0.")
ACTIVATION = ("Given $z^{(1)} = 1.25$, compute $a^{(1)}$ and $\\operatorname{id}'(z^{(1)})$.",
              "$a^{(1)} = \\operatorname{id}(1.25) = 1.25$ and $\\operatorname{id}'(z^{(1)}) = 1$.")


def test_the_self_test_of_a_step_down_by_hand():
    # w1' = 0.5 - 0.25 = 0.25, b' = 0.125: y' = 0.625, loss 0.1953125 (0.1953); 0.1953 - 0.7813 = -0.5860
    assert questions(TWO_INPUTS) == [
        ACTIVATION,
        ("Compute the output delta $\\delta^{(1)}$ from $a^{(1)} = 1.25$ and $y = 0$.",
         "$\\delta^{(1)} = 1.25 \\cdot 1 = 1.25$."),
        ("With $\\partial \\mathcal{L} / \\partial w^{(1)}_{1,1} = 2.5$ and $\\eta = 0.1$, what is the new value "
         "of $w^{(1)}_{1,1}$ (now $0.5$)?", "${w^{(1)}_{1,1}}' = 0.5 - 0.1 \\cdot 2.5 = 0.25$."),
        WHY_ZERO,
        ("Does this one update reduce the loss, and by how much?",
         "Yes: $\\mathcal{L}$ goes from $0.7813$ to $0.1953$, a change of $-0.5860$.")]


def test_the_mitchell_self_test_gives_the_delta_and_the_input_and_works_the_change():
    # delta = t - y = -1.25; the change eta delta x = 0.1 * (-1.25) * 2 = -0.25, w1' = 0.25
    assert questions({**TWO_INPUTS, "convention": "mitchell"})[1:3] == [
        ("Compute the output delta $\\delta^{(1)}$ from $a^{(1)} = 1.25$ and $y = 0$.",
         "$\\delta^{(1)} = (-1.25) \\cdot 1 = -1.25$."),
        ("With $\\delta^{(1)} = -1.25$, $x_{1} = 2$ and $\\eta = 0.1$, what is the new value of $w^{(1)}_{1,1}$ "
         "(now $0.5$)?",
         "$\\Delta w^{(1)}_{1,1} = \\eta \\, \\delta^{(1)} \\, x_{1} = 0.1 \\cdot (-1.25) \\cdot 2 = 0.1 \\cdot (-2.5) = "
         "-0.25$, so ${w^{(1)}_{1,1}}' = 0.5 + (-0.25) = 0.25$.")]


def test_a_step_that_raises_the_loss_says_so_with_a_plus_sign():
    # eta = 1.5: w1' = 0.5 - 3.75 = -3.25, b' = 0.25 - 1.875 = -1.625, y' = -8.125, loss 33.0078125 (33.0078);
    # 33.0078 - 0.7813 = 32.2265
    assert questions({**TWO_INPUTS, "learning_rate": 1.5})[-1] == (
        "Does this one update reduce the loss, and by how much?",
        "No, it raises it: $\\mathcal{L}$ goes from $0.7813$ to $33.0078$, a change of $+32.2265$.")


def test_a_step_at_the_minimum_leaves_the_loss_and_asks_about_the_first_zero_input():
    # sigmoid(0) = 0.5 = t: delta 0, loss 0 before and after; x1 = 0 is the first zero input
    problem = {**TWO_INPUTS, "network": {"layers": [2, 1], "activation": "sigmoid", "bias": True}, "input": [0, 0],
               "target": [0.5], "biases": [[0]]}
    result = questions(problem)
    assert result[0] == ("Given $z^{(1)} = 0$, compute $a^{(1)}$ and $\\sigma'(z^{(1)})$.",
                         "$a^{(1)} = \\sigma(0) = 0.5$ and $\\sigma'(z^{(1)}) = a^{(1)} \\left(1 - a^{(1)}\\right) = 0.25$.")
    assert result[3] == ("Why does no weight leaving $x_{1}$ change in this step?",
                         "Because $x_{1} = 0$: each such gradient is a delta times $x_{1}$, which is 0.")
    assert result[4] == ("Does this one update reduce the loss, and by how much?",
                         "No: $\\mathcal{L}$ goes from $0$ to $0$, a change of $0$.")


def test_without_a_zero_input_there_is_no_question_about_one():
    assert len(questions({**TWO_INPUTS, "input": [2, 1]})) == 4


def test_an_adam_self_test_gives_every_constant_and_works_each_state():
    # m = 0.05, m-hat = 0.5, v = 0.00025 (0.0003), v-hat = 0.25, w' = 0.4000 (test_adam_by_hand_over_two_updates);
    # loss after 0.400000002^2 / 2 = 0.0800
    problem = one_weight(learning_rate=0.1, training={"optimizer": "adam", "betas": [0.9, 0.999], "epsilon": 1e-8})
    result = questions(problem)
    assert result[2][0] == (
        f"With $\\partial \\mathcal{{L}} / \\partial {W} = 0.5$, $\\beta_1 = 0.9$, $\\beta_2 = 0.999$, "
        f"$\\epsilon = 10^{{-8}}$, $\\eta = 0.1$ and every state at 0, what are the state and the new value of ${W}$ "
        f"(now $0.5$) after the first update?")
    # each line as its first and last step, ", " between them and ", so " before the new value
    assert result[2][1].startswith(f"$m({W}) = 0.9 \\cdot 0 + (1 - 0.9) \\cdot 0.5 = 0.05$, $\\hat{{m}}({W}) = ")
    assert result[2][1].endswith(f", so ${{{W}}}' = 0.5 - 0.1 \\cdot \\frac{{0.5}}{{\\sqrt{{\\mathstrut 0.25}} + 10^{{-8}}}} "
                                 f"\\approx 0.4000$.")
    assert result[2][1].count("$, $") == 3
    assert result[3] == ("Does this one update reduce the loss, and by how much?",
                         "Yes: $\\mathcal{L}$ goes from $0.125$ to $0.0800$, a change of $-0.0450$.")


def test_a_momentum_self_test_asks_for_the_state():
    # v = 0.5, w' = 0.5 - 0.1 * 0.5 = 0.45
    result = questions(one_weight(learning_rate=0.1, training={"optimizer": "momentum", "momentum": 0.9}))
    assert result[2] == (
        f"With $\\partial \\mathcal{{L}} / \\partial {W} = 0.5$, $\\mu = 0.9$, $\\eta = 0.1$ and every state at "
        f"0, what are the state and the new value of ${W}$ (now $0.5$) after the first update?",
        f"$v({W}) = 0.9 \\cdot 0 + 0.5 = 0.5$, so ${{{W}}}' = 0.5 - 0.1 \\cdot 0.5 = 0.45$.")


def test_a_softmax_output_has_no_activation_question():
    # softmax of (0, 0) = (0.5, 0.5); cross-entropy, t = (1, 0): delta y - t = -0.5, gradient -0.5, w' = 0.05;
    # loss ln 2 = 0.6931, after -ln(e^0.05 / (e^0.05 + e^-0.05)) = ln(1 + e^-0.1) = 0.6444
    problem = {"network": {"layers": [1, 2], "activation": "softmax", "bias": False}, "weights": [[[0], [0]]],
               "input": [1], "target": [1, 0], "loss": "cross_entropy", "learning_rate": 0.1}
    assert questions(problem) == [
        ("Compute the output delta $\\delta^{(1)}_{1}$ from $a^{(1)}_{1} = 0.5000$ and $y_{1} = 1$.",
         "$\\delta^{(1)}_{1} = a^{(1)}_{1} - y_{1} = 0.5000 - 1 = -0.5000$."),
        ("With $\\partial \\mathcal{L} / \\partial w^{(1)}_{1,1} = -0.5000$ and $\\eta = 0.1$, what is the new "
         "value of $w^{(1)}_{1,1}$ (now $0$)?", "${w^{(1)}_{1,1}}' = 0 - 0.1 \\cdot (-0.5000) = 0.0500$."),
        ("Does this one update reduce the loss, and by how much?",
         "Yes: $\\mathcal{L}$ goes from $0.6931$ to $0.6444$, a change of $-0.0487$.")]


# In the mitchell convention the update question gave the worked example's delta and input even when the update
# follows the optimizer rule with the gradient g (weight decay, a batch): with decay the answer used g = 0.55,
# which delta = -0.5, x = 1 and eta do not give.

def test_a_mitchell_self_test_with_weight_decay_gives_the_gradient_with_its_decay_term():
    # g = 0.5 + 0.1 * 0.5 = 0.55, w' = 0.5 - 0.1 * 0.55 = 0.445
    result = questions(one_weight(learning_rate=0.1, convention="mitchell", training={"weight_decay": 0.1}))
    assert result[2] == (
        f"With $\\partial \\mathcal{{L}} / \\partial {W} = 0.55$ and $\\eta = 0.1$, what is the new value of "
        f"${W}$ (now $0.5$)?", f"${{{W}}}' = 0.5 - 0.1 \\cdot 0.55 = 0.445$.")


def test_a_mitchell_self_test_of_a_batch_gives_the_batch_gradient():
    # x = 1 and 2, t = 0: the mean gradient (0.5 + 2) / 2 = 1.25, not example 1's delta times its input (0.5);
    # w' = 0.5 - 0.1 * 1.25 = 0.375
    problem = {key: value for key, value in one_weight(learning_rate=0.1).items() if key not in ("input", "target")}
    problem.update(convention="mitchell", examples=TWO, training={"batch": "all"})
    assert questions(problem)[2] == (
        f"With $\\partial \\mathcal{{L}} / \\partial {W} = 1.25$ and $\\eta = 0.1$, what is the new value of "
        f"${W}$ (now $0.5$)?", f"${{{W}}}' = 0.5 - 0.1 \\cdot 1.25 = 0.375$.")


def test_in_the_mitchell_convention_a_weight_that_grows_below_the_precision_keeps_its_plus_sign():
    # t = 0.77 at one decimal: g_w = -0.04, w' = 0.504: the change +0.004 is written +0.0 (by the negated rule:
    # the sign of the exact change, then its value), not 0.0 (the difference of the printed 0.5 and 0.5)
    summary = records(neuron(0.77, sections=["summary"], convention="mitchell", rounding={"decimals": 1},
                             network={"layers": [1, 1], "activation": "identity", "bias": True,
                                      "train_biases": False}))["summary"]
    assert summary.parameters.rows[0] == [W, "0.5", r"0.0\ (-4.00 \times 10^{-2})", "0.5", "+0.0"]


def test_in_carry_mode_the_value_beside_a_gradient_that_rounds_to_zero_is_the_exact_one():
    # carry mode at one decimal: the carried delta -0.02 is 0.0, the exact gradients are still -0.04 and -0.02
    summary = records(neuron(0.77, sections=["summary"], rounding={"decimals": 1, "mode": "carry"}))["summary"]
    assert [row[2] for row in summary.parameters.rows] == [r"0.0\ (-4.00 \times 10^{-2})",
                                                           r"0.0\ (-2.00 \times 10^{-2})"]


def test_parameters_left_out_of_a_sampled_check_have_empty_check_cells():
    # 20-10-1 identity, every weight 0.1, x = 1: hidden 2, y = 2 = output delta, hidden deltas 0.2; g = 0.2 for
    # every first-layer weight, w' = 0.08. 210 parameters: the check samples 200, the other 10 rows keep two blanks
    problem = {"network": {"layers": [20, 10, 1], "activation": "identity", "bias": False},
               "weights": [[[0.1] * 20 for _ in range(10)], [[0.1] * 10]], "input": [1] * 20, "target": [0],
               "loss": "mse", "learning_rate": 0.1, "sections": ["summary", "check"]}
    rows = records(problem)["summary"].parameters.rows
    assert len(rows) == 210 and {len(row) for row in rows} == {7}
    blank = [row for row in rows if row[3:5] == ["", ""]]
    assert len(blank) == 10
    assert all(row[1:3] + row[5:] == ["0.1", "0.2", "0.08", "-0.02"] for row in blank if row[0].startswith("w^{(1)}"))


# --- update -------------------------------------------------------------------------------------------------------

def test_short_descent_updates_go_at_most_three_to_a_row():
    # y = 1 * 1 + 0 = 1, t = 0: gradients (1, 0, 0) and 1 at eta = 1: w' = (0, 2, 1), b' = -1; at 0 decimals all
    # four lines would fit one row
    problem = {"network": {"layers": [3, 1], "activation": "identity", "bias": True}, "weights": [[[1, 2, 1]]],
               "biases": [[0]], "input": [1, 0, 0], "target": [0], "loss": "mse", "learning_rate": 1,
               "sections": ["update"], "notation": "named", "rounding": {"decimals": 0}}
    [block] = records(problem)["update"].blocks
    assert lines(block.grid) == [[r"{w_{1}}' = 1 - 1(1) = \boxed{0}", r"{w_{2}}' = 2 - 1(0) = \boxed{2}",
                                  r"{w_{3}}' = 1 - 1(0) = \boxed{1}"], [r"{b_{1}}' = 0 - 1(1) = \boxed{-1}"]]


MOMENTUM_2_1 = {"network": {"layers": [2, 1], "activation": "identity", "bias": True}, "weights": [[[0.5, -1]]],
                "biases": [[0.25]], "input": [2, 0], "target": [0], "loss": "mse", "learning_rate": 0.1,
                "sections": ["update", "optimizer"], "training": {"optimizer": "momentum", "momentum": 0.9}}
"""y = 1.25: g = (2.5, 0) and 1.25; v = g, w' = (0.25, -1), b' = 0.125."""


def test_one_parameter_left_out_of_the_worked_update_is_named_in_the_singular():
    update = records(MOMENTUM_2_1)["update"]
    assert [eq.lhs for eq in update.blocks[0].grid.equations] == [
        f"v({W})", f"{{{W}}}'", "v(b^{(1)})", "{b^{(1)}}'"]
    assert words(update.notes).endswith(
        "Every state starts at 0. Worked in full below: one weight and one bias of each layer; the 1 other parameter "
        "follows the same rule, and the state table of update 1 (Optimizer state) gives the gradient, state and new "
        "value of every parameter.")


def test_a_parameter_whose_new_value_an_exam_asks_for_is_worked_in_full():
    update = records(MOMENTUM_2_1, {("new", "W1[1,2]"): ("q1",)})["update"]
    assert lines(update.blocks[0].grid)[1] == ["v(w^{(1)}_{1,2}) = 0.9 \\cdot 0 + 0 = 0",
                                               "{w^{(1)}_{1,2}}' = -1 - 0.1 \\cdot 0 = \\boxed{-1}"]
    assert [eq.mark for eq in update.blocks[0].grid.equations] == ["", "", "", "q1", "", ""]
    assert "Worked in full below" not in words(update.notes)


def test_two_parameters_left_out_of_the_worked_update_are_named_in_the_plural():
    # a 3-1 neuron: its first weight and its bias are worked, w2 and w3 left to the state table
    problem = {**MOMENTUM_2_1, "network": {"layers": [3, 1], "activation": "identity", "bias": True},
               "weights": [[[0.5, -1, 1]]], "input": [2, 0, 0]}
    update = records(problem)["update"]
    assert "; the 2 other parameters follow the same rule, and the state table" in words(update.notes)


def test_mitchell_updates_go_at_most_two_to_a_row():
    # 1-1 with a bias, w = 1, b = 0, x = 1, t = 0, eta = 1: y = 1, delta = t - y = -1; the change eta delta x = -1,
    # w' = 0; eta delta = -1, b' = -1. Three of these lines would fit one row
    problem = {"network": {"layers": [1, 1], "activation": "identity", "bias": True}, "weights": [[[1]]],
               "biases": [[0]], "input": [1], "target": [0], "loss": "mse", "learning_rate": 1, "sections": ["update"],
               "notation": "named", "convention": "mitchell", "rounding": {"decimals": 0}}
    [block] = records(problem)["update"].blocks
    assert lines(block.grid) == [
        [r"\Delta w_{1} = \eta \, \delta_{o} \, x_{1} = 1(-1)(1) = 1(-1) = -1", r"{w_{1}}' = 1 + (-1) = \boxed{0}"],
        [r"\Delta b_{1} = \eta \, \delta_{o} = 1(-1) = -1", r"{b_{1}}' = 0 + (-1) = \boxed{-1}"]]


def test_rmsprop_with_alpha_084_moves_exactly_two_and_a_half_times_the_rate_first():
    # 1 - 0.84 = 0.16 = 4/25 = (2/5)^2: 1 / sqrt(0.16) = 5/2 = 2.5 exactly, eta times it 0.25
    section = optimizer_alone({"optimizer": "rmsprop", "alpha": 0.84, "epsilon": 1e-8, "epochs": 1})
    assert ("so every parameter moves by about $\\eta / \\sqrt{1 - \\alpha} = 0.25$ against the sign of its gradient, "
            "whatever the gradient's size: 2.5 times the learning rate.") in words(section.intro)
