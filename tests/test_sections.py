"""Section records built in process (solver.sections) for the cases no reviewed snapshot shows: a
section list without the summary, more parameters than the check table lists, a ReLU kink, a loss that
goes up, an exam version under the title, record helpers. Literal expectations (numbers from the
oracle, tests/seed_oracle.py); fast (part of the mutation subset)."""
from __future__ import annotations

import re
from fractions import Fraction
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from hand_rounding import written
from seed001_problem import SEED001
from seed_oracle import Net, forward as seed_forward, sgd_step
from solver.api import problem_from_mapping, solve
from solver.equations import Grid, chain
from solver.sections import build_handout, chosen_sections
from solver.sections.check import scientific
from solver.sections.records import Block, Table, merged

ROOT = Path(__file__).resolve().parent.parent


def records(problem: dict, version: str = "") -> dict:
    return build_handout(solve(problem_from_mapping(problem)), version=version).records


def words(segments: list) -> str:
    """A sentence's segments as one string, math in dollars."""
    return "".join(f"${s['text']}$" if s["math"] else s["text"] for s in segments)


@pytest.mark.parametrize("value, shown", [
    (0.0, "0"), (1e-5, r"1 \times 10^{-5}"), (2.3456e-11, r"2.35 \times 10^{-11}"), (0.5, "0.5"),
    (0.012345, "0.0123"), (123456.0, r"1.23 \times 10^{5}"), (-3.0e-7, r"-3 \times 10^{-7}"), (9.999e-6, r"1 \times 10^{-5}"),
])
def test_scientific_notation_of_errors(value, shown):
    assert scientific(value) == shown


def test_scientific_with_more_digits():
    assert scientific(2.3456e-11, 4) == r"2.346 \times 10^{-11}"


def test_the_check_table_appears_when_there_is_no_summary():
    check = records({**SEED001, "sections": ["check"]})["check"]
    oracle = sgd_step(Net("sigmoid", SEED001["weights"], SEED001["biases"], SEED001["input"], SEED001["target"]))
    assert check.table.header == ["\\text{parameter}", "\\text{backprop}", "\\text{central difference}",
                                  "\\text{relative error}"]
    labels = [row[0] for row in check.table.rows]
    assert labels == ["w_{1}", "w_{2}", "w_{3}", "w_{4}", "b_{1}", "b_{2}", "w_{5}", "w_{6}", "b_{3}"]
    gradients = [oracle["grad_W"][0][0][0], oracle["grad_W"][0][0][1], oracle["grad_W"][0][1][0],
                 oracle["grad_W"][0][1][1], oracle["grad_b"][0][0], oracle["grad_b"][0][1],
                 oracle["grad_W"][1][0][0], oracle["grad_W"][1][0][1], oracle["grad_b"][1][0]]
    for row, gradient in zip(check.table.rows, gradients):
        assert row[1] == row[2] == written(gradient, decimals=8), row
        assert re.fullmatch(r"0|\d(\.\d{1,2})? \\times 10\^\{-\d+\}", row[3]), row
    assert check.subset == [] and check.kinks == [] and check.sympy != []
    assert words(check.result).startswith("The largest relative error is $")
    assert words(check.result).endswith(r"$, below the tolerance $1 \times 10^{-5}$.")
    assert words(check.intro).startswith(r"Each gradient above was also found without the chain rule, as the central "
                                         r"difference $\partial E / \partial \theta \approx [E(\theta + h) - "
                                         r"E(\theta - h)] / 2h$ with $h = 1 \times 10^{-6}$ (scaled")
    assert r"\max(\lvert g_{\text{backprop}}\rvert + \lvert g_{\text{numeric}}\rvert,\ 1 \times 10^{-6})" in words(check.intro)


WIDE = {
    "network": {"layers": [4, 4, 1], "activation": "sigmoid", "bias": True},
    "weights": [[[0.1, -0.2, 0.3, -0.4], [0.5, 0.6, -0.7, 0.8], [-0.9, 0.1, 0.2, 0.3], [0.4, -0.5, 0.6, 0.7]],
                [[0.8, -0.9, 0.1, 0.2]]],
    "biases": [[0.1, 0.2, -0.1, 0.0], [0.3]],
    "input": [0.5, -0.5, 1.0, 0.25], "target": [0.9], "loss": "mse", "learning_rate": 0.5,
    "notation": "layered",
}
"""25 parameters: one more than the check table lists."""


def test_the_check_table_lists_the_24_largest_errors_of_25():
    check = records({**WIDE, "sections": ["forward", "check"]})["check"]
    assert len(check.table.rows) == 24
    assert words(check.subset) == "The 24 largest of 25 relative errors are shown."
    errors = [0.0 if row[3] == "0" else float(row[3].replace(r" \times 10^{", "e").rstrip("}"))
              for row in check.table.rows]
    assert errors == sorted(errors, reverse=True) and errors[0] > 0


def test_with_the_summary_the_check_points_to_it():
    check = records({**WIDE, "sections": ["summary", "check"]})["check"]
    assert check.table is None
    assert words(check.subset) == "The summary table lists the central difference and the relative error of every parameter."


def test_a_relu_kink_is_named():
    # z^(1)_1 = 0.5 * 1 - 0.5 * 1 + 0 = 0 exactly: ReLU'(0) is taken as 0
    problem = {"network": {"layers": [2, 1, 1], "activation": ["relu", "sigmoid"], "bias": False},
               "weights": [[[0.5, -0.5]], [[0.8]]], "input": [1, 1], "target": [1], "loss": "mse",
               "learning_rate": 0.5, "notation": "layered", "sections": ["check"]}
    check = records(problem)["check"]
    assert words(check.kinks).startswith("2 parameters sit at a ReLU kink ($z = 0$), where the derivative is not "
                                         "defined; there the backpropagated value (using $\\operatorname{ReLU}'(0) = 0$)")


def test_the_title_of_a_worked_exam_key_and_of_a_step_that_raises_the_loss():
    # learning rate 50 overshoots: the oracle's loss goes from 0.0315922 to 0.0929 (up)
    problem = {**SEED001, "learning_rate": 50, "author": "A. Author", "course": "Course", "date": "Week 4"}
    oracle = sgd_step(Net("sigmoid", SEED001["weights"], SEED001["biases"], SEED001["input"], SEED001["target"],
                          eta=50))
    assert oracle["loss_after"] > oracle["loss"]
    title = records(problem, version="V01-ABCD")["title"]
    assert title.title == "Seed 001"
    assert title.byline == ["Worked key of exam version V01-ABCD", "A. Author", "Course", "Week 4"]
    assert words(title.intro) == (
        "This handout works through one complete step of backpropagation for a feedforward network with 2-2-1 "
        "neurons per layer (inputs first): forward pass, loss, backward pass by the chain rule, every gradient, the "
        "update with learning rate $\\eta = 50$, and a second forward pass that shows that this update raises the "
        "loss. Every gradient is checked three ways (backpropagation, the derivative of the whole loss, central "
        "finite differences).")
    assert title.notes == [] and title.legend == []
    assert title.rounding.startswith("All displayed values are rounded to 3 decimal places")


def test_the_title_of_several_steps_and_the_colour_legend():
    problem = {**SEED001, "notation": {"preset": "layered", "colour": True}, "epochs": 3}
    title = records(problem)["title"]
    assert "works through the first of 3 SGD updates in full for" in words(title.intro)
    assert title.byline == []
    assert words(title.legend) == (
        "Colour code: ${\\color{bpinput}x_{1}}$ inputs, ${\\color{bpweight}w^{(1)}_{1,1}}$ weights and biases, "
        "${\\color{bpactivation}a^{(1)}_{1}}$ activations, ${\\color{bperror}\\delta^{(1)}_{1}}$ error signals and "
        "gradients.")


def test_the_default_sections_leave_out_the_history_of_a_single_step():
    single = solve(problem_from_mapping(SEED001))
    assert "history" not in chosen_sections(single.spec, 1)
    assert chosen_sections(single.spec, 2)[-3:] == ("history", "reference", "self_test")
    assert chosen_sections(problem_from_mapping({**SEED001, "sections": ["loss", "title"]}).spec, 5) == ("loss", "title")


def test_table_layout_properties():
    short = Table(["x", "yy"], [["abc", "d"]])
    assert (short.column_spec, short.breaks, short.environment, short.needed_lines) == ("lr", False, "tabular", 6)
    assert short.width == (3 + 3) + (2 + 3)
    assert short.markdown_align == [":---", "---:"]
    assert Table(["a", "b", "c"], [], align="crl").markdown_align == [":---:", "---:", ":---"]
    long = Table(["a"], [["1"]] * 31)
    assert (long.breaks, long.environment, long.needed_lines) == (True, "longtable", 35)
    assert Table(["a"], [["1"]] * 30).breaks is False


def test_blocks_of_a_chain_network_merge_into_one_untitled_block():
    one = Block("Layer 1", Grid.of([[chain("a", "1")]]), ["first"])
    two = Block("Layer 2", Grid.of([[chain("b", "2")], [chain("c", "3")]]), ["second"])
    assert merged([one, two], chain_network=False) == [one, two]
    assert merged([one], chain_network=True) == [one]
    [block] = merged([one, two], chain_network=True)
    assert (block.title, block.text) == ("", ["first", "second"])
    assert block.grid.equations == one.grid.equations + two.grid.equations
    assert [len(row) for row in block.grid.rows] == [3]
    three = Block("Layer 3", Grid.of([[chain("d", "4")]]), [])
    # at most three merged equations to a row, even when four short ones would fit
    assert [len(row) for row in merged([one, two, three], chain_network=True)[0].grid.rows] == [3, 1]


def test_bias_numbers_are_coloured_like_the_weights_the_sign_outside():
    problem = {**SEED001, "notation": {"preset": "named", "colour": True}, "biases": [[-0.35, 0.35], [0.60]]}
    handout = records(problem)
    forward = [row[0].one_line for block in handout["forward"].blocks for row in block.grid.rows]
    assert forward[0].endswith(r"= {\color{bpweight}0.15}({\color{bpinput}0.05}) + {\color{bpweight}0.2}"
                               r"({\color{bpinput}0.1}) - {\color{bpweight}0.35} \approx -0.323")
    assert forward[1].endswith(r"+ {\color{bpweight}0.35} \approx 0.393")
    after = handout["after"].blocks[0].grid.rows[0][0].one_line
    # b1' = -0.35 - 0.5 delta_h1 = -0.352 (oracle: delta_h1 = 0.0045...)
    assert after == (r"= {\color{bpweight}0.150}({\color{bpinput}0.05}) + {\color{bpweight}0.200}({\color{bpinput}0.1}) "
                     r"- {\color{bpweight}0.352} \approx -0.325")


def test_uncoloured_bias_numbers_stay_plain():
    line = records(SEED001)["forward"].blocks[0].grid.rows[0][0].one_line
    assert line.endswith("= 0.15(0.05) + 0.2(0.1) + 0.35 \\approx 0.378")


def test_the_loss_sentence_writes_both_losses_with_the_same_decimals():
    verdict = words(records(SEED001)["after"].verdict)
    oracle = sgd_step(Net("sigmoid", SEED001["weights"], SEED001["biases"], SEED001["input"], SEED001["target"]))
    assert (written(oracle["loss"], decimals=7), written(oracle["loss_after"], decimals=7)) == ("0.0315922", "0.0296960")
    assert verdict == "The loss went down, at full precision from $0.0315922$ to $0.0296960$ ($6.0\\,\\%$ lower)."


def test_the_loss_plot_coordinates_are_short_and_one_per_epoch():
    """One example over two epochs (one update an epoch): the training loss is that example's loss."""
    history = records({**SEED001, "epochs": 2})["history"]
    first = sgd_step(Net("sigmoid", SEED001["weights"], SEED001["biases"], SEED001["input"], SEED001["target"]))
    second = sgd_step(Net("sigmoid", first["W_new"], first["b_new"], SEED001["input"], SEED001["target"]))
    losses = [f"{float(value):.10g}" for value in (first["loss"], first["loss_after"], second["loss_after"])]
    assert history.coordinates == " ".join(f"({epoch},{loss})" for epoch, loss in enumerate(losses))
    assert words(history.note) == (f"The training loss (the example's loss) falls from "
                                   f"${written(first['loss'], decimals=3)}$ to "
                                   f"${written(second['loss_after'], decimals=3)}$ over the 2 epochs.")


LAYERED = {
    "network": {"layers": [3, 2, 1], "activation": ["relu", "identity"], "bias": True},
    "weights": [[[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]], [[0.5, -1.0]]],
    "biases": [[0.1, 0.2], [0.25]],
    "input": [1.0, 0.5, -1.0], "target": [0.5], "loss": "mse", "learning_rate": 0.5,
    "notation": "layered", "rounding": {"decimals": 4}, "options": {"matrix_form": True},
}
"""A matrix-form network whose every step is exact in four decimals: z1 = (0, 0.25), a1 = ReLU(z1) = z1,
z2 = a2 = 0.5(0) - 1.0(0.25) + 0.25 = 0, delta2 = 0 - 0.5 = -0.5, delta1 = (-0.25, 0.5) * (0, 1) = (0, 0.5)."""


def test_exact_matrix_results_say_equals():
    handout = records(LAYERED)
    forward = [equation.one_line for row in handout["forward"].matrix.rows for equation in row]
    assert forward[0].endswith(r"= \begin{pmatrix} 0 \\ 0.25 \end{pmatrix}")
    assert forward[1] == r"= \operatorname{ReLU}(\mathbf{z}^{(1)}) = \begin{pmatrix} 0 \\ 0.25 \end{pmatrix}"
    assert forward[2].endswith(r"= \begin{pmatrix} 0 \end{pmatrix}")
    backward = handout["backward"].matrix
    assert [equation.label for equation in backward] == ["BP1", "BP2", "BP3", "BP4", "BP3", "BP4"]
    assert [[part.relation for part in equation.parts] for equation in backward] == [
        ["=", "=", "="], ["=", "=", "=", "="], ["=", "="], ["=", "="], ["=", "="], ["=", "="]]
    assert backward[1].parts[-1].text == r"\begin{pmatrix} 0 \\ 0.5 \end{pmatrix}"
    assert backward[4].parts[-1].text == r"\begin{pmatrix} 0 & -0.125 \end{pmatrix}"


def test_rounded_matrix_results_say_approx():
    handout = records({**LAYERED, "network": {**LAYERED["network"], "activation": "sigmoid"}})
    forward = [equation.parts[-1].relation for row in handout["forward"].matrix.rows for equation in row]
    # z1 = (0, 0.25) and z2 = 0.5(0.5) - 1.0(0.5622) + 0.25 = -0.0622 are exact from the printed numbers;
    # a1 = (0.5, sigma(0.25) = 0.562177) and a2 are rounded
    assert forward == ["=", r"\approx", "=", r"\approx"]
    relations = [equation.parts[-1].relation for equation in handout["backward"].matrix]
    assert relations == [r"\approx"] * 6


@pytest.mark.parametrize("changes, lines", [
    ({"loss": "bce"}, [r"= -\frac{\partial E}{\partial z_{o}} = \boxed{t - \hat{y}}"]),
    ({"loss": "cross_entropy", "target": [1, 0], "network": {"layers": [2, 2, 2], "activation": ["sigmoid", "softmax"]},
      "weights": [[[0.15, 0.20], [0.25, 0.30]], [[0.40, 0.45], [0.50, 0.55]]], "biases": [[0.35, 0.35], [0.6, 0.6]]},
     [r"= -\frac{\partial E}{\partial z_{o_1}} = \boxed{t_{1} - \hat{y}_{1}}",
      r"= -\frac{\partial E}{\partial z_{o_2}} = \boxed{t_{2} - \hat{y}_{2}}"]),
])
def test_mitchell_writes_a_combined_output_delta_as_t_minus_y(changes, lines):
    backward = records({**SEED001, "convention": "mitchell", **changes})["backward"]
    written_lines = [equation.one_line for row in backward.rules[0].grid.rows for equation in row]
    assert all(line in written_lines for line in lines), written_lines


def chain_record(problem: dict):
    return records({**problem, "options": {"chain": [1, 1, 1]}, "sections": ["chain"]})["chain"]


def test_a_weight_with_more_than_eight_paths_gets_the_summed_form_only():
    deep = {"network": {"layers": [1, 1, 3, 3, 1], "activation": "sigmoid", "bias": False},
            "weights": [[[0.5]], [[0.1], [0.2], [0.3]], [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6], [0.7, 0.8, 0.9]],
                        [[0.3, 0.2, 0.1]]],
            "input": [1.0], "target": [0.5], "loss": "mse", "learning_rate": 0.5, "notation": "layered"}
    record = chain_record(deep)
    assert record.parameter == "w^{(1)}_{1,1}"
    assert words(record.intro) == "There are 9 paths from this weight to the loss, too many to list; summed over all of them:"
    assert (record.paths, record.expanded, record.numeric, record.note) == ([], [], None, [])
    assert record.summation.lhs == r"\frac{\partial \mathcal{L}}{\partial w^{(1)}_{1,1}}"
    assert record.summation.one_line == (r"= x_{1} \cdot \sigma'(z^{(1)}_{1}) \cdot "
                                         r"\frac{\partial \mathcal{L}}{\partial a^{(1)}_{1}}")


def test_a_weight_with_one_path_names_it_in_the_intro():
    # seed 002 chain (1-1-1): y = sigma(0.8 sigma(0.5)) = 0.6220, dE/dy = -0.3780, sigma' 0.2351 and 0.2350
    one = {"network": {"layers": [1, 1, 1], "activation": "sigmoid", "bias": False}, "weights": [[[0.5]], [[0.8]]],
           "input": [1], "target": [1], "loss": "mse", "learning_rate": 0.9, "notation": "layered"}
    record = chain_record(one)
    assert words(record.intro) == (r"The parameter reaches the loss along one path: $w^{(1)}_{1,1} \rightarrow "
                                   r"z^{(1)}_{1} \rightarrow a^{(1)}_{1} \rightarrow z^{(2)} \rightarrow a^{(2)} "
                                   r"\rightarrow \mathcal{L}$.")
    assert record.paths == [] and record.summation is None
    assert record.numeric.one_line == r"= (-0.3780) \cdot 0.2351 \cdot 0.8 \cdot 0.2350 \cdot 1 \approx \boxed{-0.0167}"


def test_a_carried_tiny_chain_gradient_shows_its_unrounded_size():
    # carry mode: the product of the rounded factors is 0.000226..., shown 0.000; the note gives the exact
    # gradient (oracle: 2.26624e-4), not the carried value 0.000
    record = chain_record({**SEED001, "rounding": {"decimals": 3, "mode": "carry"}})
    assert record.numeric.one_line == (r"= 0.251 \cdot 0.187 \cdot 0.4 \cdot 0.241 \cdot 0.05 \approx \boxed{0.000} "
                                       r"\quad (\text{unrounded: } 2.27 \times 10^{-4})")
    assert words(record.note) == ("The gradient is real but smaller than the rounding precision, so it is shown as "
                                  "zero at this precision.")


TWO_EXAMPLES = [{"input": [0.05, 0.10], "target": [0.50]}, {"input": [0.10, 0.05], "target": [0.25]}]


def test_the_history_of_one_epoch_does_not_count_epochs():
    problem = {key: value for key, value in SEED001.items() if key not in ("input", "target")}
    history = records({**problem, "examples": TWO_EXAMPLES, "epochs": 1})["history"]
    assert words(history.intro) == ("One SGD update per example, in order. The first step is worked in full above; "
                                    "the table gives each update's own loss (its example's) before and after it; "
                                    "the plot, the training loss over every example after each epoch.")


def test_final_parameters_too_wide_for_one_row_per_neuron_are_packed_four_to_a_row():
    wide = {"network": {"layers": [2, 6, 1], "activation": "sigmoid", "bias": True},
            "weights": [[[0.1, 0.2]] * 6, [[0.1, 0.2, 0.3, 0.4, 0.5, 0.6]]], "biases": [[0.1] * 6, [0.2]],
            "examples": [{"input": [0.5, 0.5], "target": [0.5]}, {"input": [0.2, 0.1], "target": [0.3]}],
            "loss": "mse", "learning_rate": 0.5, "notation": "layered", "rounding": {"decimals": 4}}
    final = records(wide)["history"].final
    # the output neuron's 6 weights and bias do not fit one line: all 25 parameters, 4 to a row, in order
    assert [len(row) for row in final.rows] == [4, 4, 4, 4, 4, 4, 1]
    assert [equation.lhs for equation in final.rows[0]] == ["w^{(1)}_{1,1}", "w^{(1)}_{1,2}", "b^{(1)}_{1}",
                                                            "w^{(1)}_{2,1}"]


def test_one_relu_kink_is_named_in_the_singular():
    # z^(1) = 0 * 1 = 0: only w^(1) sits at the kink (a^(1) = 0 makes z^(2) = 0.8 * 0 flat in w^(2))
    problem = {"network": {"layers": [1, 1, 1], "activation": ["relu", "sigmoid"], "bias": False},
               "weights": [[[0.0]], [[0.8]]], "input": [1], "target": [1], "loss": "mse",
               "learning_rate": 0.5, "notation": "layered", "sections": ["check"]}
    assert words(records(problem)["check"].kinks).startswith("1 parameter sits at a ReLU kink ($z = 0$)")


def test_exactly_as_many_parameters_as_the_check_table_holds_keeps_their_order():
    # 3-3-3 with biases: 9 + 3 + 9 + 3 = 24 parameters, the table's maximum: all listed, in parameter order
    problem = {"network": {"layers": [3, 3, 3], "activation": "sigmoid", "bias": True},
               "weights": [[[0.1, 0.2, 0.3], [0.4, 0.5, 0.6], [0.7, 0.8, 0.9]],
                           [[0.9, 0.8, 0.7], [0.6, 0.5, 0.4], [0.3, 0.2, 0.1]]],
               "biases": [[0.1, 0.2, 0.3], [0.3, 0.2, 0.1]], "input": [0.5, -0.5, 1.0], "target": [0.2, 0.5, 0.8],
               "loss": "mse", "learning_rate": 0.5, "notation": "layered", "sections": ["check"]}
    check = records(problem)["check"]
    labels = [row[0] for row in check.table.rows]
    assert len(labels) == 24 and check.subset == []
    assert labels[:4] == ["w^{(1)}_{1,1}", "w^{(1)}_{1,2}", "w^{(1)}_{1,3}", "w^{(1)}_{2,1}"]
    assert labels[-1] == "b^{(2)}_{3}"


def test_a_chain_through_a_number_in_scientific_notation_ends_in_the_shown_gradient():
    # target 0.7514 next to y = 0.7513651 (oracle): dE/dy = -3.49e-5 at 3 significant figures, so the
    # written product is not plain arithmetic; the line ends in the gradient as shown (was a TypeError)
    handout = records({**SEED001, "target": [0.7514], "rounding": {"significant": 3}})
    assert handout["chain"].numeric.one_line == (r"= (-3.49 \times 10^{-5}) \cdot 0.187 \cdot 0.4 \cdot 0.241 \cdot "
                                                 r"0.05 \approx \boxed{-3.15 \times 10^{-8}}")
    assert handout["chain"].note == []
    # the after table's change column then comes from the exact change (printed numbers not plain), written
    # in scientific notation like the numbers beside it
    assert handout["after"].comparison.rows[1][1:] == [r"3.49 \times 10^{-5}", r"3.39 \times 10^{-5}", r"-1.05 \times 10^{-6}"]


def test_a_network_too_large_for_sympy_says_nothing_about_sympy():
    # 6-6-1 with biases has 49 parameters, above the 40 that SymPy differentiates whole
    wide = {"network": {"layers": [6, 6, 1], "activation": "sigmoid", "bias": True},
            "weights": [[[0.1] * 6] * 6, [[0.1] * 6]], "biases": [[0.1] * 6, [0.1]], "input": [0.5] * 6,
            "target": [0.5], "loss": "mse", "learning_rate": 0.5, "sections": ["check"], "notation": "layered"}
    assert records(wide)["check"].sympy == []


def test_state_tables_show_the_first_three_updates_and_the_last():
    data = yaml.safe_load((Path(__file__).resolve().parent.parent / "problems" / "training_momentum_2_2_1.yaml")
                          .read_text())
    data["training"]["epochs"] = 3  # 6 updates
    optimizer = records(data)["optimizer"]
    assert [words(entry.title) for entry in optimizer.tables] == [
        f"Update {k} ($t = {k}$):" for k in (1, 2, 3, 6)]
    assert words(optimizer.note) == "Updates 1 to 3 and the last (6) are shown; handouts solve --json lists every one."
    assert words(optimizer.later).startswith("The second update ($t = 2$) of $w^{(1)}_{1,1}$ worked in full")

    # five narrow columns (parameter, g, v before, v after, new value): two tables to a row, the last alone
    assert [[words(entry.title) for entry in row.tables] for row in optimizer.table_rows] == [
        ["Update 1 ($t = 1$):", "Update 2 ($t = 2$):"], ["Update 3 ($t = 3$):", "Update 6 ($t = 6$):"]]
    assert optimizer.table_rows[0].needed_lines == 9 + 5 + 2


def test_wide_state_tables_go_one_to_a_row_and_the_history_points_to_the_last_one():
    data = yaml.safe_load((Path(__file__).resolve().parent.parent / "problems" / "training_adam_2_2_1.yaml")
                          .read_text())
    handout = records(data)
    optimizer, history = handout["optimizer"], handout["history"]
    assert [len(row.tables) for row in optimizer.table_rows] == [1, 1]  # Adam's nine columns
    assert words(history.final_intro) == ("The parameters after the last update are the $\\theta'$ column of update "
                                          "2's state table in Optimizer state.")
    assert not history.final.rows
    plain = records({**SEED001, "training": {"batch": 1, "epochs": 2}})["history"]
    assert words(plain.final_intro) == "Parameters after the last update:"  # no state table to point to
    assert [eq.lhs for row in plain.final.rows for eq in row][:2] == ["w_{1}", "w_{2}"]


def update_lines(grid: Grid) -> list[list[str]]:
    """A grid's equations row by row as 'lhs rel part rel part...' (the boxed part in \\boxed{})."""
    return [[f"{eq.lhs} {eq.one_line}" for eq in row] for row in grid.rows]


def test_the_descent_update_of_seed_001_subtracts_eta_times_the_gradient():
    # oracle by hand: delta_o = (0.75137 - 0.5) * 0.75137 * 0.24863 = 0.04696, h = (0.59327, 0.59688),
    # delta_h = (0.00453, 0.00509); w5' = 0.4 - 0.5 * 0.02786 = 0.38607, b3' = 0.6 - 0.02348 = 0.57652.
    # The printed calculation 0.4 - 0.5(0.028) is 0.386 exactly (=), 0.6 - 0.5(0.047) = 0.5765 is not 0.577 (approx)
    update = records({**SEED001, "sections": ["update"]})["update"]
    assert update_lines(update.rule) == [[r"\theta \leftarrow \theta - \eta \, \frac{\partial E}{\partial \theta}"]]
    assert update.notes == []
    assert [block.title for block in update.blocks] == ["Output layer parameters", "Hidden layer parameters"]
    assert update_lines(update.blocks[0].grid) == [
        [r"{w_{5}}' = 0.4 - 0.5(0.028) = \boxed{0.386}", r"{w_{6}}' = 0.45 - 0.5(0.028) = \boxed{0.436}"],
        [r"{b_{3}}' = 0.6 - 0.5(0.047) \approx \boxed{0.577}"]]
    assert update_lines(update.blocks[1].grid) == [
        [r"{w_{1}}' = 0.15 - 0.5(0.000) = \boxed{0.150}", r"{w_{2}}' = 0.2 - 0.5(0.000) = \boxed{0.200}"],
        [r"{w_{3}}' = 0.25 - 0.5(0.000) = \boxed{0.250}", r"{w_{4}}' = 0.3 - 0.5(0.001) \approx \boxed{0.300}"],
        [r"{b_{1}}' = 0.35 - 0.5(0.005) \approx \boxed{0.348}", r"{b_{2}}' = 0.35 - 0.5(0.005) \approx \boxed{0.347}"]]
    equations = [eq for block in update.blocks for eq in block.grid.equations]
    assert [eq.anchor for eq in equations] == ["update-W2-1-1", "update-W2-1-2", "update-b2-1", "update-W1-1-1",
                                               "update-W1-1-2", "update-W1-2-1", "update-W1-2-2", "update-b1-1",
                                               "update-b1-2"]
    assert all(eq.boxed and eq.mark == "" and eq.note == "" and eq.label == "" for eq in equations)


MITCHELL_OUTPUT = [
    # Delta w = eta delta_o h: 0.5(-0.047)(0.593) = -0.01393, not the shown -0.014 (approx); the carried
    # 0.5(-0.028) = -0.014 exactly; Delta b3 = 0.5(-0.047) = -0.0235, shown -0.023 (true -0.02348)
    [r"\Delta w_{5} = \eta \, \delta_{o} \, h_{1} = 0.5(-0.047)(0.593) \approx 0.5(-0.028) = -0.014",
     r"{w_{5}}' = 0.4 + (-0.014) = \boxed{0.386}"],
    [r"\Delta w_{6} = \eta \, \delta_{o} \, h_{2} = 0.5(-0.047)(0.597) \approx 0.5(-0.028) = -0.014",
     r"{w_{6}}' = 0.45 + (-0.014) = \boxed{0.436}"],
    [r"\Delta b_{3} = \eta \, \delta_{o} = 0.5(-0.047) \approx -0.023", r"{b_{3}}' = 0.6 + (-0.023) = \boxed{0.577}"]]


def test_the_mitchell_update_of_seed_001_writes_the_change_first_with_every_factor():
    update = records({**SEED001, "convention": "mitchell", "sections": ["update"]})["update"]
    assert update_lines(update.rule) == [[r"\Delta w_{ji} = \eta \, \delta_j \, x_{ji}",
                                          r"w_{ji} \leftarrow w_{ji} + \Delta w_{ji}"]]
    assert update.notes == []
    assert update_lines(update.blocks[0].grid) == MITCHELL_OUTPUT
    # hidden: delta_h1 = -0.00453 and delta_h2 = -0.00509 both show as -0.005; Delta w4 = 0.5(-0.000508) = -0.00025
    assert update_lines(update.blocks[1].grid) == [
        [r"\Delta w_{1} = \eta \, \delta_{h_1} \, x_{1} = 0.5(-0.005)(0.05) \approx 0.5(0.000) = 0.000",
         r"{w_{1}}' = 0.15 + 0.000 = \boxed{0.150}"],
        [r"\Delta w_{2} = \eta \, \delta_{h_1} \, x_{2} = 0.5(-0.005)(0.1) \approx 0.5(0.000) = 0.000",
         r"{w_{2}}' = 0.2 + 0.000 = \boxed{0.200}"],
        [r"\Delta w_{3} = \eta \, \delta_{h_2} \, x_{1} = 0.5(-0.005)(0.05) \approx 0.5(0.000) = 0.000",
         r"{w_{3}}' = 0.25 + 0.000 = \boxed{0.250}"],
        [r"\Delta w_{4} = \eta \, \delta_{h_2} \, x_{2} = 0.5(-0.005)(0.1) \approx 0.5(-0.001) \approx 0.000",
         r"{w_{4}}' = 0.3 + 0.000 = \boxed{0.300}"],
        [r"\Delta b_{1} = \eta \, \delta_{h_1} = 0.5(-0.005) \approx -0.002", r"{b_{1}}' = 0.35 + (-0.002) = \boxed{0.348}"],
        [r"\Delta b_{2} = \eta \, \delta_{h_2} = 0.5(-0.005) \approx -0.003", r"{b_{2}}' = 0.35 + (-0.003) = \boxed{0.347}"]]
    changes = [row[0] for block in update.blocks for row in block.grid.rows]
    news = [row[1] for block in update.blocks for row in block.grid.rows]
    assert [eq.anchor for eq in changes] == ["update-W2-1-1", "update-W2-1-2", "update-b2-1", "update-W1-1-1",
                                             "update-W1-1-2", "update-W1-2-1", "update-W1-2-2", "update-b1-1",
                                             "update-b1-2"]
    assert [(eq.boxed, eq.mark) for eq in changes] == [(False, "")] * 9
    assert [(eq.boxed, eq.mark, eq.anchor) for eq in news] == [(True, "", "")] * 9


def test_the_mitchell_change_colours_the_delta_as_an_error_and_the_input_by_its_layer():
    problem = {**SEED001, "convention": "mitchell", "notation": {"preset": "named", "colour": True}, "sections": ["update"]}
    output, hidden = records(problem)["update"].blocks
    assert update_lines(output.grid)[0][0] == (
        r"\Delta w_{5} = \eta \, \delta_{o} \, h_{1} = 0.5({\color{bperror}-0.047})({\color{bpactivation}0.593}) "
        r"\approx 0.5({\color{bperror}-0.028}) = -0.014")
    assert update_lines(hidden.grid)[0][0] == (
        r"\Delta w_{1} = \eta \, \delta_{h_1} \, x_{1} = 0.5({\color{bperror}-0.005})({\color{bpinput}0.05}) "
        r"\approx 0.5({\color{bperror}0.000}) = 0.000")


def test_fixed_biases_are_not_updated_and_the_update_says_so():
    problem = {**SEED001, "network": {**SEED001["network"], "train_biases": False}, "sections": ["update"]}
    update = records(problem)["update"]
    assert words(update.notes) == "The biases are fixed in this problem: they keep their values."
    assert update_lines(update.blocks[0].grid) == [
        [r"{w_{5}}' = 0.4 - 0.5(0.028) = \boxed{0.386}", r"{w_{6}}' = 0.45 - 0.5(0.028) = \boxed{0.436}"]]
    assert [eq.lhs for eq in update.blocks[1].grid.equations] == ["{w_{1}}'", "{w_{2}}'", "{w_{3}}'", "{w_{4}}'"]


def test_weight_decay_alone_trains_by_the_optimizer_rule():
    # batch of one, plain SGD, lambda = 0.01: g(w5) = 0.02786 + 0.01 * 0.4 = 0.03186, w5' = 0.4 - 0.5 * 0.03186 = 0.38407
    problem = {**SEED001, "training": {"batch": 1, "epochs": 1, "optimizer": "sgd", "weight_decay": 0.01},
               "sections": ["update"]}
    update = records(problem)["update"]
    assert update_lines(update.rule) == [[
        r"\theta \leftarrow \theta - \eta \, g = \theta - \eta \left(\frac{\partial E_{\text{data}}}{\partial \theta} "
        r"+ \lambda \, \theta\right) = (1 - \eta \lambda) \, \theta - \eta \, \frac{\partial E_{\text{data}}}{\partial \theta}"]]
    assert words(update.notes).startswith("The update follows plain SGD as defined by PyTorch's torch.optim.SGD. Here "
                                          r"$g = \frac{\partial E}{\partial \theta}$ is the gradient of the example's "
                                          "loss with its penalty")
    assert update_lines(update.blocks[0].grid)[0] == [r"{w_{5}}' = 0.4 - 0.5(0.032) = \boxed{0.384}"]


def test_momentum_alone_trains_by_the_optimizer_rule():
    # first step: v = 0.9 * 0 + g = 0.028 (g = 0.02786), w5' = 0.4 - 0.5 * 0.028 = 0.386
    problem = {**SEED001, "training": {"batch": 1, "epochs": 1, "optimizer": "momentum", "momentum": 0.9},
               "sections": ["update"]}
    update = records(problem)["update"]
    assert update_lines(update.rule) == [[r"v \leftarrow \mu \, v + g", r"\theta \leftarrow \theta - \eta \, v"]]
    assert words(update.notes) == (
        "The update follows SGD with momentum as defined by PyTorch's torch.optim.SGD with $\\mu = 0.9$. Here "
        "$g = \\frac{\\partial E}{\\partial \\theta}$ is the gradient of the example's loss. Every state starts at 0.")
    assert update_lines(update.blocks[0].grid)[0] == [r"v(w_{5}) = 0.9 \cdot 0 + 0.028 = 0.028",
                                                      r"{w_{5}}' = 0.4 - 0.5 \cdot 0.028 = \boxed{0.386}"]


def test_a_batch_alone_trains_by_the_optimizer_rule():
    # two copies of the seed 001 example: the mean gradient is the example's, g(w5) = 0.02786, w5' = 0.386
    problem = {key: value for key, value in SEED001.items() if key not in ("input", "target")}
    problem.update({"examples": [{"input": [0.05, 0.10], "target": [0.50]}] * 2, "sections": ["update"],
                    "training": {"batch": "all", "reduction": "mean", "epochs": 1, "optimizer": "sgd"}})
    update = records(problem)["update"]
    assert update_lines(update.rule) == [[r"\theta \leftarrow \theta - \eta \, g"]]
    assert words(update.notes) == ("The update follows plain SGD as defined by PyTorch's torch.optim.SGD. Here "
                                   r"$g = \frac{\partial E}{\partial \theta}$ is the gradient of the batch loss.")
    assert update_lines(update.blocks[0].grid)[:2] == [[r"{w_{5}}' = 0.4 - 0.5(0.028) = \boxed{0.386}"],
                                                       [r"{w_{6}}' = 0.45 - 0.5(0.028) = \boxed{0.436}"]]


@pytest.mark.parametrize("convention", ["descent", "mitchell"])
def test_an_exam_key_marks_the_new_value_of_the_asked_parameter_only(convention):
    # the question asks for w5' (W2[1,1]); the key labels its new-value line, not the change line
    solution = solve(problem_from_mapping({**SEED001, "convention": convention, "sections": ["update"]}))
    update = build_handout(solution, marks={("new", "W2[1,1]"): ("q3",), ("new", "b2[1]"): ("q1", "q4")}).records["update"]
    marked = {eq.lhs: eq.mark for block in update.blocks for eq in block.grid.equations if eq.mark}
    assert marked == {"{w_{5}}'": "q3", "{b_{3}}'": "q1, q4"}


def test_short_descent_updates_go_three_to_a_row():
    # one decimal: every output gradient (0.028, 0.028, 0.047) shows as 0.0, so three lines fit a row
    update = records({**SEED001, "rounding": {"decimals": 1}, "sections": ["update"]})["update"]
    assert update_lines(update.blocks[0].grid) == [[r"{w_{5}}' = 0.4 - 0.5(0.0) = \boxed{0.4}",
                                                    r"{w_{6}}' = 0.45 - 0.5(0.0) \approx \boxed{0.4}",
                                                    r"{b_{3}}' = 0.6 - 0.5(0.0) = \boxed{0.6}"]]


def test_the_adam_rule_is_packed_two_to_a_row():
    problem = {**SEED001, "training": {"batch": 1, "epochs": 1, "optimizer": "adam", "betas": [0.9, 0.999],
                                       "epsilon": 1e-8}, "sections": ["update"]}
    assert update_lines(records(problem)["update"].rule) == [
        [r"m \leftarrow \beta_1 \, m + (1 - \beta_1) \, g", r"v \leftarrow \beta_2 \, v + (1 - \beta_2) \, g^2"],
        [r"\hat{m} = \frac{m}{1 - \beta_1^{\,t}}", r"\hat{v} = \frac{v}{1 - \beta_2^{\,t}}"],
        [r"\theta \leftarrow \theta - \eta \, \frac{\hat{m}}{\sqrt{\hat{v}} + \epsilon}"]]


def test_fixed_biases_with_an_optimizer_keep_both_notes():
    problem = {**SEED001, "network": {**SEED001["network"], "train_biases": False}, "sections": ["update"],
               "training": {"batch": 1, "epochs": 1, "optimizer": "momentum", "momentum": 0.9}}
    notes = words(records(problem)["update"].notes)
    assert notes.startswith("The update follows SGD with momentum as defined by PyTorch's torch.optim.SGD")
    # the optimizer sentence, a space, then the fixed-bias sentence (words() joins segments as the templates do)
    assert notes.endswith("Every state starts at 0. The biases are fixed in this problem: they keep their values.")


def test_the_update_of_a_chain_network_is_one_untitled_block():
    # 1-1-1, all 0.5, x = t = 1: a1 = 0.73106, o = 0.70381, delta_o = -0.06175, delta_h = -0.00607;
    # w2' = 0.5 + 0.5 * 0.04514 = 0.52257, b2' = 0.53087, w1' = b1' = 0.50304
    problem = {"network": {"layers": [1, 1, 1], "activation": "sigmoid", "bias": True}, "weights": [[[0.5]], [[0.5]]],
               "biases": [[0.5], [0.5]], "input": [1.0], "target": [1.0], "loss": "mse", "learning_rate": 0.5,
               "notation": "named", "rounding": {"decimals": 3}, "sections": ["update"]}
    [block] = records(problem)["update"].blocks
    assert block.title == ""
    assert update_lines(block.grid) == [
        [r"{w_{2}}' = 0.5 - 0.5(-0.045) \approx \boxed{0.523}", r"{b_{2}}' = 0.5 - 0.5(-0.062) = \boxed{0.531}"],
        [r"{w_{1}}' = 0.5 - 0.5(-0.006) = \boxed{0.503}", r"{b_{1}}' = 0.5 - 0.5(-0.006) = \boxed{0.503}"]]


def test_a_batch_shows_every_examples_activations_and_deltas_from_the_oracle():
    """The shipped batch problem: example 2's hidden activations and deltas, by the independent oracle at the
    handout's 4 significant figures (a = 0.5927, 0.5963; delta = 0.009947, 0.01116; output delta 0.1030)."""
    data = yaml.safe_load((Path(__file__).resolve().parent.parent / "problems" / "training_sgd_batch_decay_2_2_1.yaml")
                          .read_text())
    table = records(data)["batch"].passes
    assert table.header == ["d", r"(a^{(1)}_{1}, a^{(1)}_{2})", r"(\delta^{(1)}_{1}, \delta^{(1)}_{2})", r"\delta^{(2)}"]
    for row, example in zip(table.rows, data["examples"]):
        oracle = sgd_step(Net("sigmoid", data["weights"], data["biases"], example["input"], example["target"]))
        hidden = [f"{float(a):.4g}" for a in oracle["a"][1]]
        deltas = [f"{float(d):.4g}" for d in oracle["delta"][0]]
        assert row[1] == f"({hidden[0]}, {hidden[1]})" and row[2] == f"({deltas[0]}, {deltas[1]})"
        assert float(row[3]) == pytest.approx(float(oracle["delta"][1][0]), rel=5e-4)  # 4 significant figures
    assert table.rows[1][1:] == ["(0.5927, 0.5963)", "(0.009947, 0.01116)", "0.1030"]


def update_parameters(block: Block) -> list[str]:
    """The parameters whose new value a block of the update section writes (the boxed lines' left sides)."""
    return [eq.lhs for row in block.grid.rows for eq in row if "boxed" in eq.one_line]


MOMENTUM = {**SEED001, "training": {"batch": 1, "epochs": 1, "optimizer": "momentum", "momentum": 0.9},
            "options": {"chain": [1, 2, 1]}}
"""Seed 001 by SGD with momentum; the chain through hidden neuron 2's first weight."""


def test_an_optimizer_with_state_works_one_weight_and_one_bias_per_layer_and_tables_the_rest():
    handout = records(MOMENTUM)
    update = handout["update"]
    assert [update_parameters(block) for block in update.blocks] == [
        ["{w_{5}}'", "{b_{3}}'"],  # output layer: its first weight and its bias
        ["{w_{3}}'", "{b_{1}}'"]]  # hidden layer: the chain's weight (neuron 2, input 1: w3) and the first bias
    assert words(update.notes).endswith(
        "Every state starts at 0. Worked in full below: one weight and one bias of each layer; the 5 other "
        "parameters follow the same rule, and the state table of update 1 (Optimizer state) gives the "
        "gradient, state and new value of every parameter.")
    assert {"math": False, "text": "Optimizer state", "ref": "optimizer", "anchor": "optimizer-state"} in update.notes
    assert len(handout["optimizer"].tables[0].table.rows) == 9  # every parameter in the state table


def test_a_parameter_an_exam_asks_about_is_always_worked_in_full():
    solution = solve(problem_from_mapping(MOMENTUM))
    update = build_handout(solution, marks={("velocity", "velocity", "W2[1,2]"): ("q3",)}).records["update"]
    assert update_parameters(update.blocks[0]) == ["{w_{5}}'", "{w_{6}}'", "{b_{3}}'"]
    assert "the 4 other parameters follow" in words(update.notes)


def test_without_the_state_tables_every_parameter_is_worked_in_full():
    update = records({**MOMENTUM, "sections": ["update"]})["update"]
    assert [len(update_parameters(block)) for block in update.blocks] == [3, 6]
    assert "Worked in full below" not in words(update.notes)


def test_fixed_biases_leave_one_weight_per_layer_worked_in_full():
    problem = {**MOMENTUM, "network": {**SEED001["network"], "train_biases": False}}
    update = records(problem)["update"]
    assert [update_parameters(block) for block in update.blocks] == [["{w_{5}}'"], ["{w_{3}}'"]]
    assert ("Worked in full below: one weight of each layer; the 4 other parameters follow the same rule"
            in words(update.notes))


def test_training_handouts_leave_out_the_expanded_chain_and_the_matrix_form():
    plain = build_handout(solve(problem_from_mapping({**SEED001, "notation": "layered"})))
    trained = build_handout(solve(problem_from_mapping({**MOMENTUM, "notation": "layered"})))
    assert "chain" in plain.sections and plain.context.matrix_form
    assert "chain" not in trained.sections and not trained.context.matrix_form
    chosen = build_handout(solve(problem_from_mapping({**MOMENTUM, "notation": "layered",
                                                       "options": {"matrix_form": True}})))
    assert chosen.context.matrix_form


def _example_losses(weights, biases, examples) -> list:
    """Each example's loss at the given parameters, by the oracle."""
    return [sgd_step(Net("sigmoid", weights, biases, e["input"], e["target"]))["loss"] for e in examples]


def test_several_updates_an_epoch_plot_the_training_loss_over_every_example_by_the_oracle():
    problem = {key: value for key, value in SEED001.items() if key not in ("input", "target")}
    history = records({**problem, "examples": TWO_EXAMPLES, "epochs": 2})["history"]
    weights, biases, expected = SEED001["weights"], SEED001["biases"], []
    for _ in range(2):
        expected.append(sum(_example_losses(weights, biases, TWO_EXAMPLES)) / 2)
        for example in TWO_EXAMPLES:
            step = sgd_step(Net("sigmoid", weights, biases, example["input"], example["target"]))
            weights, biases = step["W_new"], step["b_new"]
    expected.append(sum(_example_losses(weights, biases, TWO_EXAMPLES)) / 2)
    assert [x for x, _ in history.points] == [0, 1, 2]
    assert [y for _, y in history.points] == pytest.approx([float(v) for v in expected], rel=1e-12)
    assert history.y_ticks.split(",")[0] == history.y_min == "0" and float(history.y_max) >= max(expected)
    assert words(history.note) == (
        f"The training loss (mean loss over the 2 examples) falls from ${written(expected[0], decimals=3)}$ to "
        f"${written(expected[-1], decimals=3)}$ over the 2 epochs.")
    assert words(history.intro).endswith("the table gives each update's own loss (its example's) before and after "
                                         "it; the plot, the training loss over every example after each epoch.")
    batch = records({**problem, "examples": TWO_EXAMPLES, "training": {"batch": 2, "epochs": 2}})
    assert "each update's own loss (its batch's) before" in words(batch["history"].intro)
    shipped = records(yaml.safe_load((ROOT / "problems" / "training_sgd_batch_decay_2_2_1.yaml").read_text()))
    assert words(shipped["diagram"].caption).endswith("its activation in the forward pass of example 1.")


def test_one_epoch_says_so_in_the_note():
    problem = {key: value for key, value in SEED001.items() if key not in ("input", "target")}
    history = records({**problem, "examples": TWO_EXAMPLES, "epochs": 1})["history"]
    assert [x for x, _ in history.points] == [0, 1]
    assert words(history.note).endswith("over the epoch.")


def test_in_carry_mode_the_rate_table_repeats_the_worked_update_from_the_carried_numbers():
    """The row of the problem's own rate is the worked update: same new weight, same loss after (carried); the
    JSON trace keeps the comparison at full precision."""
    problem = yaml.safe_load((ROOT / "problems" / "training_sgd_batch_decay_2_2_1.yaml").read_text())
    problem["rounding"] = {"significant": 4, "mode": "carry"}
    solution = solve(problem_from_mapping(problem))
    handout = build_handout(solution).records
    own_rate = handout["rates"].table.rows[0]
    assert own_rate[0] == "0.5"
    worked = [eq for block in handout["update"].blocks for row in block.grid.rows for eq in row
              if eq.lhs == "{w^{(1)}_{1,1}}'"][0]
    assert own_rate[2] == re.search(r"\\boxed\{([-0-9.]+)\}", worked.one_line)[1] == "0.1489"
    assert own_rate[3] == solution.first.shown.loss_after.normalize().to_eng_string() == "0.08942"
    exact = solution.to_json_dict()["learning_rate_comparison"][0]
    assert exact["loss_after"] != 0.08942 and round(exact["loss_after"], 5) == 0.08939


ADAM_BATCH = {**{key: value for key, value in SEED001.items() if key not in ("input", "target")},
              "examples": TWO_EXAMPLES, "rounding": {"significant": 4},
              "training": {"batch": "all", "epochs": 2, "optimizer": "adam", "betas": [0.9, 0.999], "epsilon": 1e-8}}


def test_adam_pitfalls_say_what_summing_and_the_bias_corrections_really_do():
    """Adam's step m-hat / sqrt(v-hat) does not scale with the gradient; without both corrections the first step
    is (1 - 0.9) / sqrt(1 - 0.999) = 0.1 / 0.031623 = 3.162 times the right one, without m-hat's 0.1 times;
    summing scales m by |B| and v by |B|^2, so m-hat / sqrt(v-hat) keeps its size."""
    pitfalls = [words(item) for item in records(ADAM_BATCH)["reference"].pitfalls]
    assert ("Summing the examples' gradients instead of averaging them (or the reverse) scales g and m by "
            "$\\lvert B \\rvert$ and v by $\\lvert B \\rvert^2$, yet hardly changes the step: "
            "$\\hat{m} / \\sqrt{\\hat{v}}$ cancels the scale, all but $\\epsilon$.") in pitfalls
    assert ("Both moments start at 0, so leaving out the bias corrections changes the first steps: without both, the "
            "first step is $(1 - \\beta_1) / \\sqrt{1 - \\beta_2} \\approx 3.162$ times the right one; without "
            "only $m$'s correction (keeping $v$'s), it is $1 - \\beta_1$ times the right one.") in pitfalls
    assert not any("times larger" in item for item in pitfalls)


def test_the_forward_pass_after_the_first_update_comes_before_the_later_updates():
    handout = build_handout(solve(problem_from_mapping(ADAM_BATCH)))
    order = handout.sections
    assert order.index("update") < order.index("after") < order.index("optimizer")
    assert words(handout.records["optimizer"].later).endswith(
        "with the gradient of the batch loss of examples 1 and 2 at those parameters ($g$ in the table of update 2).")


def test_cross_references_print_the_section_number_in_latex_and_link_the_heading_elsewhere():
    from solver.build import render_outputs

    outputs = render_outputs(solve(problem_from_mapping(MOMENTUM)), ("tex", "md", "html"))
    tex, md, html = outputs["handout.tex"], outputs["handout.md"], outputs["handout.html"]
    assert "the state table of update 1 (section~\\ref{sec:optimizer}) gives" in tex
    assert "by the rule in section~\\ref{sec:update}." in tex
    assert "\\section{Optimizer state}\n\\label{sec:optimizer}" in tex and "\\section{The update}\n\\label{sec:update}" in tex
    plain = render_outputs(solve(problem_from_mapping(SEED001)), ("tex",))["handout.tex"]
    assert "\\label" not in plain and "\\ref" not in plain  # no reference: one pdflatex pass still suffices
    assert "(section [Optimizer state](#optimizer-state)) gives" in md and "## Optimizer state" in md
    assert "by the rule in section [The update](#the-update)." in md and "## The update" in md
    assert '(section <a href="#optimizer">Optimizer state</a>) gives' in html and '<section id="optimizer"' in html


def test_the_self_test_asks_for_an_optimizers_state_and_gives_every_constant_it_needs(tmp_path):
    """Nesterov trained for one update, the first update of w(2)_11 = 0.40 with g = 0.08891 (the summed batch
    loss): v = 0.9 * 0 + g, and w' = 0.40 - 0.5 * (g + 0.9 g) = 0.40 - 0.5 * 1.9 * 0.08891 = 0.40 - 0.08446 =
    0.3155 by hand."""
    from solver.api import load_problem

    text = (ROOT / "problems" / "training_nesterov_2_2_1.yaml").read_text()  # the file writes 0.40
    assert "epochs: 2" in text
    (tmp_path / "one_update.yaml").write_text(text.replace("epochs: 2", "epochs: 1"))
    solution = solve(load_problem(tmp_path / "one_update.yaml"))
    question = build_handout(solution).records["self_test"].questions[2]
    assert words(question["question"]) == (
        "With $\\partial \\mathcal{L} / \\partial w^{(2)}_{1,1} = 0.08891$, $\\mu = 0.9$, $\\eta = 0.5$ and every "
        "state at 0, what are the state and the new value of $w^{(2)}_{1,1}$ (now $0.40$) after the first update?")
    assert words(question["answer"]) == (
        "$v(w^{(2)}_{1,1}) = 0.9 \\cdot 0 + 0.08891 = 0.08891$, so ${w^{(2)}_{1,1}}' = 0.40 - 0.5 \\cdot "
        "\\left(0.08891 + 0.9 \\cdot 0.08891\\right) \\approx 0.3155$.")


def test_with_a_second_update_the_self_test_asks_for_it_from_the_state_the_first_left():
    """The shipped Nesterov problem, the chain weight w(1)_11 at t = 2 (the update worked in full in the optimizer
    section): v1 = 0.001221, g2 = 0.0009636, so v2 = 0.9 * 0.001221 + 0.0009636 = 0.0020625 (4 figures: 0.002063)
    and w'' = 0.1488 - 0.5 * (0.0009636 + 0.9 * 0.002063) = 0.1488 - 0.5 * 0.0028203 = 0.14739 (0.1474) by hand."""
    from solver.api import load_problem

    solution = solve(load_problem(ROOT / "problems" / "training_nesterov_2_2_1.yaml"))
    question = build_handout(solution).records["self_test"].questions[2]
    assert words(question["question"]) == (
        "At the second update ($t = 2$) of $w^{(1)}_{1,1}$ (now $0.1488$), its gradient is $g = 0.0009636$ and the "
        "first update left $v = 0.001221$. With $\\mu = 0.9$ and $\\eta = 0.5$, what are its new state and value?")
    assert words(question["answer"]) == (
        "$v(w^{(1)}_{1,1}) = 0.9 \\cdot 0.001221 + 0.0009636 \\approx 0.002063$, so ${w^{(1)}_{1,1}}' = 0.1488 - "
        "0.5 \\cdot \\left(0.0009636 + 0.9 \\cdot 0.002063\\right) \\approx 0.1474$.")


@pytest.mark.parametrize("training, name", [
    ({"batch": "all"}, "batch gradient descent"), ({"batch": 2}, "mini-batch SGD"),
    ({"batch": 1, "optimizer": "momentum", "momentum": 0.9}, "SGD with momentum")])
def test_the_title_names_plain_sgd_over_a_batch_by_its_batch_size(training, name):
    problem = {key: value for key, value in SEED001.items() if key not in ("input", "target")}
    three = TWO_EXAMPLES + [{"input": [0.2, 0.3], "target": [0.75]}]
    intro = words(records({**problem, "examples": three, "training": {**training, "epochs": 2}})["title"].intro)
    assert f" updates by {name} in full " in intro


def test_the_rate_comparison_says_why_adams_first_step_follows_the_rate():
    """Adam at t = 1: m-hat = g and v-hat = g^2, so each step is eta * g / (|g| + 1e-8), about eta in size."""
    rates = records({**ADAM_BATCH, "compare_learning_rates": [0.01, 0.1]})["rates"]
    assert [row[1] for row in rates.table.rows] == ["-0.01000", "-0.1000"]  # w11's gradient is positive
    assert words(rates.verdict).endswith(
        "Adam's first step moves every parameter by about the learning rate, whatever the size of its gradient, so "
        "the size of $\\Delta w_{1}$ is close to the rate itself in each row.")


def test_the_rate_comparison_says_why_rmsprops_first_step_follows_the_rate():
    """RMSprop at t = 1: s = 0.01 g^2, so each step is eta * g / (0.1 |g| + 1e-8), about 10 eta in size."""
    training = {"batch": "all", "epochs": 2, "optimizer": "rmsprop", "alpha": 0.99, "epsilon": 1e-8}
    rates = records({**ADAM_BATCH, "training": training, "compare_learning_rates": [0.01, 0.1]})["rates"]
    assert [float(row[1]) for row in rates.table.rows] == pytest.approx([-0.1, -1.0], rel=1e-3)  # epsilon shaves a little
    assert words(rates.verdict).endswith(
        "RMSprop's first step divides the gradient by its own size, so $\\Delta w_{1}$ grows with the rate, not with "
        "the gradient.")


def test_a_step_ratio_is_written_with_three_figures_and_thousands_grouped():
    from solver.sections.optimizer import _three_figures

    assert [_three_figures(Fraction(value)) for value in ("1.2107", "2.9266", "951.6", "12390", "0.5", "1000")] == [
        "1.21", "2.93", "952", "12,400", "0.5", "1,000"]


def test_a_batch_handout_names_the_example_loss_in_the_backward_pass_and_the_batch_loss_in_the_glossary():
    problem = {key: value for key, value in SEED001.items() if key not in ("input", "target")}
    handout = records({**problem, "examples": TWO_EXAMPLES, "training": {"batch": 2, "weight_decay": 0.01}})
    backward = handout["backward"]
    lhs = [eq.lhs for block in backward.rules + backward.numbers for row in block.grid.rows for eq in row]
    assert "\\frac{\\partial E_{1}}{\\partial \\hat{y}}" in lhs  # example 1's loss, not the batch's E
    assert not any("\\partial E}" in side or "\\partial E " in side for side in lhs)
    deltas = [eq for block in backward.rules for row in block.grid.rows for eq in row if eq.lhs == "\\delta_{o}"]
    assert deltas and deltas[0].parts[0].text.startswith("\\frac{\\partial E_{1}}{\\partial z_{o}}")
    glossary = dict(handout["setup"].glossary)
    assert glossary["E"] == "batch loss: the mean of the examples' losses, plus the weight-decay penalty"
    assert glossary["E_d"] == "loss of example d of the batch: squared error (with the factor 1/2)"
    assert glossary["E_{\\text{data}}"] == "the loss without the penalty"
    assert words(handout["summary"].note) == "The neuron table is example 1's, the one worked in full."
    single = dict(records(SEED001)["setup"].glossary)
    assert single["E"] == "loss: squared error (with the factor 1/2)" and "E_d" not in single
    assert single["t"] == "target value" and single["z_{o}"] == "pre-activation of the output layer"
    assert records(SEED001)["summary"].note == []


def test_the_history_tables_each_examples_output_and_loss_at_the_start_and_after_training_from_the_oracle():
    """Seed 001's network, two examples by SGD (one update each): the oracle's two steps give the final parameters;
    each example's output and loss there and at the start come from the oracle's forward pass."""
    problem = {key: value for key, value in SEED001.items() if key not in ("input", "target")}
    history = records({**problem, "examples": TWO_EXAMPLES})["history"]
    start = Net("sigmoid", SEED001["weights"], SEED001["biases"], TWO_EXAMPLES[0]["input"], TWO_EXAMPLES[0]["target"])
    first = sgd_step(start)
    second = sgd_step(Net("sigmoid", first["W_new"], first["b_new"], TWO_EXAMPLES[1]["input"],
                          TWO_EXAMPLES[1]["target"]))
    rows = []
    for index, example in enumerate(TWO_EXAMPLES, start=1):
        net = Net("sigmoid", SEED001["weights"], SEED001["biases"], example["input"], example["target"])
        before, after = (seed_forward(net, weights, biases)[1][-1][0] for weights, biases in
                         ((net.weights, net.biases), (second["W_new"], second["b_new"])))
        t = net.t[0]
        rows.append([str(index), str(example["target"][0])] +  # given data as written: 0.5, 0.25
                    [written(value, decimals=3) for value in (before, after, (before - t) ** 2 / 2, (after - t) ** 2 / 2)])
    assert history.fits.header == ["\\text{example}", "t", "\\hat{y}\\ \\text{at start}", "\\hat{y}\\ \\text{after}",
                                   "E_d\\ \\text{at start}", "E_d\\ \\text{after}"]
    assert history.fits.rows == rows
    assert words(history.fits_intro) == ("Each example's output and own loss with the given parameters and after the "
                                         "last update:")
    assert records({**SEED001, "epochs": 2})["history"].fits is None  # one example: the note says it all


def test_rmsprop_and_adam_lines_raise_the_root_bar_above_a_following_epsilon():
    """'\\sqrt{7.761 \\times 10^{-6}} + 10^{-8}' read as if 10^{-8} were under the root: a strut raises the bar."""
    for name in ("training_rmsprop_2_2_1", "training_adam_2_2_1"):
        data = yaml.safe_load((ROOT / "problems" / f"{name}.yaml").read_text())
        lines = [f"{eq.lhs} {eq.one_line}" for block in records(data)["update"].blocks for eq in block.grid.equations]
        roots = re.findall(r"\\sqrt\{(\\mathstrut )?[0-9.]+(?: \\times 10\^\{-?\d+\})?\} \+ 10\^\{-8\}", " ".join(lines))
        assert roots and all(strut for strut in roots), name


def test_xor_says_how_many_examples_its_outputs_classify_right_and_names_every_loss_symbol():
    """XOR's outputs (the fits table, from the oracle-checked solver): at the start 0.5763, 0.3737, 0.4332, 0.5448
    for targets 1, 1, 0, 0 (examples 1 and 3 right at 0.5); after the 8 updates 0.4683, 0.3791, 0.3934, 0.4682
    (examples 3 and 4 right): 2 of 4 both times."""
    handout = records(yaml.safe_load((ROOT / "problems" / "extra_xor_epochs_2_2_1.yaml").read_text()))
    history = handout["history"]
    assert [row[2:4] for row in history.fits.rows] == [["0.5763", "0.4683"], ["0.3737", "0.3791"],
                                                        ["0.4332", "0.3934"], ["0.5448", "0.4682"]]
    assert words(history.fits_note) == ("Read as classes (class 1 where $\\hat{y}$ is at least 0.5), 2 of the 4 "
                                        "examples are right at the start and 2 after the last update.")
    assert dict(handout["setup"].glossary)["E_d"] == "loss of example d: binary cross-entropy"
    assert words(handout["self_test"].questions[-1]["question"]) == (
        "Does the first update reduce its loss, and by how much?")
    one_example = records({**SEED001, "epochs": 2})["history"]
    assert one_example.fits is None and one_example.fits_note == []  # one example: no table, no count


def test_a_batch_boxes_the_batch_gradient_not_example_1s():
    problem = {key: value for key, value in SEED001.items() if key not in ("input", "target")}
    batch = records({**problem, "examples": TWO_EXAMPLES, "training": {"batch": 2}})["gradients"]
    assert not any(eq.boxed for block in batch.blocks for eq in block.grid.equations)
    single = records(SEED001)["gradients"]
    assert all(eq.boxed for block in single.blocks for eq in block.grid.equations)


def test_a_fixed_bias_keeps_its_given_value_in_the_summary_whatever_the_rounding():
    """One decimal is coarser than the given bias -0.25: its new value was printed -0.3 (the rounded value)
    with a change of -0.05, although a fixed bias does not move."""
    problem = {**SEED001, "network": {**SEED001["network"], "train_biases": False}, "rounding": {"decimals": 1},
               "biases": [[-0.25, 0.35], [0.6]]}
    rows = {row[0]: row for row in records(problem)["summary"].parameters.rows}
    assert [rows[b][-2:] for b in ("b_{1}", "b_{2}", "b_{3}")] == [["-0.25", "0.0"], ["0.35", "0.0"], ["0.6", "0.0"]]
    assert rows["w_{2}"][-2:] == ["0.2", "0.0"]  # a trained weight by the policy: 0.2 - 0.5 * 0.000456


def test_the_json_trace_carries_each_examples_fit_at_the_start_and_after_training():
    problem = {key: value for key, value in SEED001.items() if key not in ("input", "target")}
    trace = solve(problem_from_mapping({**problem, "examples": TWO_EXAMPLES})).to_json_dict()
    start = Net("sigmoid", SEED001["weights"], SEED001["biases"], TWO_EXAMPLES[1]["input"], TWO_EXAMPLES[1]["target"])
    before = seed_forward(start, start.weights, start.biases)[1][-1][0]
    fit = trace["example_fits"][1]
    assert len(trace["example_fits"]) == 2 and fit["outputs_before"] == pytest.approx([float(before)], rel=1e-12)
    assert fit["loss_before"] == pytest.approx(float((before - start.t[0]) ** 2 / 2), rel=1e-12)
    assert len(trace["epoch_losses"]) == 2 and fit["loss_after"] == pytest.approx(
        trace["steps"][-1]["loss_after"], rel=1e-12)  # the last update is example 2's: its loss after is this fit's
