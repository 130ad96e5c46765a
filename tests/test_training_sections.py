"""The training sections (solver/sections/rates.py, optimizer.py, history.py, summary.py, self_test.py) built in
process on a one-weight network small enough to work by hand: y = w x (identity, no bias), MSE, so an example's
loss is (w x - t)^2 / 2, its gradient (w x - t) x and its delta y - t. Every expected number is worked out by hand
in the comments (or by the independent oracle, tests/seed_oracle.py); fast (mutation subset)."""
from __future__ import annotations

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
