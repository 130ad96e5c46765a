"""Exact LaTeX fragments (SymPy's printer tests are the model): notation presets with asymmetric indices,
product styles, number formatting, equation layout and the sign conventions. Every expected string was
worked out by hand from the presets' definitions, not copied from the code's output."""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
import sympy as sp

from solver.convention import CONVENTIONS, negate_for_display
from solver.equations import Grid, Part, arithmetic_value, chain, printed_dot, visible_width
from solver.formatting import Formatter, symbol_list
from solver.network import Network
from solver.notation import Notation, markdown_colours
from solver.parameters import ParameterRef
from solver.rounding import RoundingPolicy

NET = Network((3, 2, 2, 1), ("sigmoid", "tanh", "sigmoid"), True, True)


def notation(preset: str, colour: bool = False) -> Notation:
    return Notation.build(preset, NET, colour=colour)


# --- notation: row != column, layers >= 2 ------------------------------------------------
@pytest.mark.parametrize("preset, expected", [
    ("layered", [r"w^{(1)}_{2,3}", r"w^{(2)}_{1,2}", r"w^{(3)}_{1,2}", r"b^{(2)}_{1}", r"\delta^{(2)}_{2}",
                 r"a^{(2)}_{1}", r"z^{(3)}", "y"]),
    ("named", [r"w_{6}", r"w_{8}", r"w_{12}", r"b_{3}", r"\delta_{h^{(2)}_2}", r"h^{(2)}_{1}", r"z_{o}", "t"]),
    ("mitchell", [r"w_{53}", r"w_{65}", r"w_{87}", r"b_{6}", r"\delta_{7}", r"o_{6}", r"\mathrm{net}_{8}", "t"]),
    ("arrows", [r"w_{x3 \rightarrow h^{(1)}_2}", r"w_{h^{(1)}_2 \rightarrow h^{(2)}_1}", r"w_{h^{(2)}_2 \rightarrow o}",
                r"b_{h^{(2)}_1}", r"\delta_{h^{(2)}_2}", r"h^{(2)}_{1}", r"z_{o}", "y"]),
])
def test_presets_name_rows_and_columns_the_right_way_round(preset, expected):
    N = notation(preset)
    got = [N.weight(1, 2, 3), N.weight(2, 1, 2), N.weight(3, 1, 2), N.bias(2, 1), N.delta(2, 2),
           N.activation(2, 1), N.preactivation(3, 1), N.target(1)]
    assert got == expected


def test_parameter_refs_use_the_same_symbols():
    N = notation("layered")
    assert N.parameter(ParameterRef("weight", 1, 2, 3)) == r"w^{(1)}_{2,3}"
    assert N.parameter(ParameterRef("bias", 3, 1)) == r"b^{(3)}"


def test_two_digit_unit_numbers_get_a_comma():
    wide = Network((6, 5, 1), ("sigmoid", "sigmoid"), True, True)
    assert Notation.build("mitchell", wide).weight(1, 5, 6) == r"w_{11,6}"
    assert Notation.build("mitchell", wide).weight(2, 1, 5) == r"w_{12,11}"
    # units are numbered across the network: 4-4-1 ends at unit 9 (no comma), 4-5-1 at unit 10
    assert Notation.build("mitchell", Network((4, 4, 1), ("sigmoid", "sigmoid"), True, True)).weight(2, 1, 4) == "w_{98}"
    assert Notation.build("mitchell", Network((4, 5, 1), ("sigmoid", "sigmoid"), True, True)).weight(2, 1, 5) == \
        "w_{10,9}"


def test_accessible_colours_are_the_darker_text_shades():
    assert markdown_colours(r"{\color{bpinput}x} {\color{bpweight}w} {\color{bpactivation}a} {\color{bperror}e}",
                            accessible=True) == (r"{\color{#A16084}x} {\color{#0072B2}w} {\color{#008561}a} "
                                                 r"{\color{#C05500}e}")


def test_colour_names_become_hex_for_markdown():
    N = notation("layered", colour=True)
    assert N.paint("weight", "w") == r"{\color{bpweight}w}"
    assert N.paint("loss", "L") == "L"
    assert markdown_colours(r"{\color{bperror}\delta}") == r"{\color{#D55E00}\delta}"


# --- product styles and numbers ------------------------------------------------------------
@pytest.mark.parametrize("preset, expected", [
    ("mitchell", "(0.5)(-0.25)"), ("arrows", "(0.5)(-0.25)"), ("named", "0.5(-0.25)"),
    ("layered", r"0.5 \cdot (-0.25)"),
])
def test_product_styles(preset, expected):
    fmt = Formatter(RoundingPolicy(3), notation(preset))
    assert fmt.product("0.5", "-0.25") == expected


def test_products_colour_each_factor_by_role():
    fmt = Formatter(RoundingPolicy(3), notation("layered", colour=True))
    assert fmt.product("0.5", "-1.0", roles=("weight", "input")) == r"{\color{bpweight}0.5} \cdot ({\color{bpinput}-1.0})"


@pytest.mark.parametrize("value, decimals, expected", [
    (Fraction(3925, 10000), 3, "0.393"), (Fraction(-3925, 10000), 3, "-0.393"), (Fraction(5, 10000), 3, "0.001"),
    (Fraction(-4, 10000), 3, "0.000"), (0.123456, 4, "0.1235"), (Fraction(1, 2), 3, "0.5"),
])
def test_values_round_half_away_from_zero_and_never_print_minus_zero(value, decimals, expected):
    assert Formatter(RoundingPolicy(decimals), notation("named")).value(value) == expected


def test_significant_figures_switch_to_scientific_notation_when_tiny_or_huge():
    fmt = Formatter(RoundingPolicy(None, 4), notation("layered"))
    assert fmt.value(1.521e-13) == r"1.521 \times 10^{-13}"
    assert fmt.value(0.012345) == "0.01235"
    assert fmt.value(-3.3e-5) == r"-3.300 \times 10^{-5}"
    assert fmt.small(2.27e-4) is None
    assert Formatter(RoundingPolicy(3), notation("named")).small(0.000227) == r"2.27 \times 10^{-4}"


def test_prose_numbers_and_percentages():
    assert Formatter.full_precision([0.0315926123]) == ["0.0315926"]
    assert Formatter.full_precision([1.521e-13]) == [r"1.52 \times 10^{-13}"]
    assert Formatter.full_precision([0]) == ["0"]


@pytest.mark.parametrize("values, expected", [
    ([0.5511664088, 0.3613000411], ["0.551166", "0.361300"]),
    ([0.0315922, 0.029696], ["0.0315922", "0.0296960"]),
    ([1.105188, 0.3495639], ["1.105188", "0.349564"]),
    ([0.25, 0], ["0.250000", "0.000000"]),
    ([0.0315922, 0.000123456], [r"3.16 \times 10^{-2}", r"1.23 \times 10^{-4}"]),
    ([2500000.0, 0], [r"2.50 \times 10^{6}", "0"]),
])
def test_full_precision_values_of_one_kind_are_written_alike(values, expected):
    assert Formatter.full_precision(values) == expected
    assert Formatter.percent(6.0024) == r"6.0\,\%" and Formatter.percent(4.175) == r"4.2\,\%"
    assert Formatter.percent(0.2549) == r"0.25\,\%" and Formatter.percent(-4.25) == r"-4.3\,\%"


def test_long_symbol_lists_are_shortened():
    assert symbol_list(["x_{1}", "x_{2}"]) == "x_{1}, x_{2}"
    assert symbol_list([f"w_{{{i}}}" for i in range(1, 7)]) == r"w_{1}, w_{2}, \dots, w_{6}"


# --- equations ----------------------------------------------------------------------------
def test_relations_follow_the_printed_numbers():
    assert chain("z", "0.15(0.05) + 0.35", "0.3575").one_line == "= 0.15(0.05) + 0.35 = 0.3575"
    assert chain("z", "0.15(0.05) + 0.35", "0.358").one_line == r"= 0.15(0.05) + 0.35 \approx 0.358"
    assert chain("d", "0.251(0.187)", "0.047", boxed=True).one_line == r"= 0.251(0.187) \approx \boxed{0.047}"
    assert chain("s", r"0.1 + 0.1 - 0.3 + 0.1", "0").one_line == "= 0.1 + 0.1 - 0.3 + 0.1 = 0"
    assert chain("s", r"\sigma(0.3)", Part(("0.574",), r"\approx")).one_line == r"= \sigma(0.3) \approx 0.574"


def test_arithmetic_of_written_calculations():
    assert arithmetic_value(r"(0.9)(0.0435)") == Fraction(3915, 100000)
    assert arithmetic_value(r"0.6 \cdot \left(1 - 0.6\right)") == Fraction(6, 25)
    assert arithmetic_value(r"-(-0.0087)") == Fraction(87, 10000)
    assert arithmetic_value(r"{\color{bpweight}0.5} \cdot 2") == 1
    assert arithmetic_value("0.25") is None and arithmetic_value(r"\sigma(0.3)") is None
    # factors the formatter writes in scientific notation (tiny derivatives of saturated neurons)
    assert arithmetic_value(r"(-0.5) \cdot 2.5 \times 10^{-7}") == Fraction(-125, 10 ** 9)
    assert arithmetic_value(r"(-1.5 \times 10^{-174}) \cdot 2 + 1 \times 10^{6}") == Fraction(10 ** 6) - Fraction(3, 10 ** 174)


def test_arithmetic_of_fractions_and_whole_powers():
    # Adam's bias correction and RMSprop's square average as the optimizer section writes them
    assert arithmetic_value(r"\frac{0.004846}{1 - 0.9^{1}}") == Fraction(4846, 100000)
    assert arithmetic_value(r"\frac{2.348 \times 10^{-6}}{1 - 0.999^{2}}") == Fraction(2348, 10 ** 9) / Fraction(1999, 10 ** 6)
    assert arithmetic_value(r"0.99 \cdot 0 + (1 - 0.99) \cdot 0.02786^{2}") == Fraction(776_1796, 10 ** 12)
    assert arithmetic_value(r"\frac{\frac{1}{4}}{0.5}") == Fraction(1, 2)
    assert arithmetic_value(r"\frac{(0.75 - 0.5)^2}{2}") == Fraction(1, 32)
    assert arithmetic_value(r"0.4 - 0.01 \cdot 10^{-8}") == Fraction(4, 10) - Fraction(1, 10 ** 10)
    # not worked out: a symbol in the exponent, a fractional or huge exponent, 0 to a negative power, open groups
    assert arithmetic_value(r"\frac{1}{1 + e^{-0.3}}") is None
    assert arithmetic_value(r"0.5^{0.5}") is None and arithmetic_value(r"2^{65}") is None
    assert arithmetic_value(r"2^{64}") == 2 ** 64 and arithmetic_value(r"2^{-64}") == Fraction(1, 2 ** 64)
    assert arithmetic_value(r"\frac{1}{0^{-1}}") is None and arithmetic_value(r"\frac{1}{2") is None
    assert arithmetic_value(r"\frac{1}2") is None and arithmetic_value(r"0.5^{2") is None
    assert chain("m", r"\frac{0.004846}{1 - 0.9^{1}}", Part(("0.04846",), r"\approx")).one_line == \
        r"= \frac{0.004846}{1 - 0.9^{1}} = 0.04846"


def test_matrix_results_are_exact_only_when_every_entry_is():
    assert printed_dot([("0.1", "1.0"), ("0.2", "0.5"), ("0.3", "-1.0")], "0.1") == 0
    assert printed_dot([("{\\color{bpweight}0.4}", "(-0.5)")]) == Fraction(-1, 5)
    assert printed_dot([("0.5", r"1.52 \times 10^{-3}")]) is None and printed_dot([], "x") is None
    fmt = Formatter(RoundingPolicy(3), notation("layered"))
    assert fmt.entries_relation([Fraction(1, 4), 0], ["0.25", "0.000"]) == "="
    assert fmt.entries_relation([Fraction(1, 4), Fraction(1, 3)], ["0.25", "0.333"]) == r"\approx"
    assert fmt.entries_relation([Fraction(1, 4), None], ["0.25", "0"]) == r"\approx"


def test_grid_sets_equations_side_by_side_only_when_they_fit():
    short = Grid.of([[chain("a", "1"), chain("b", "2")]])
    assert short.lines() == ["a &= 1 & b &= 2"]
    long_sum = chain("z", [f"+ {i}.123456789" for i in range(12)])
    assert Grid.of([[long_sum, chain("b", "2")]]).lines()[0].startswith("z &=")
    assert len(Grid.packed([chain(f"x_{{{i}}}", "1") for i in range(6)], max_columns=3).rows) == 2


def test_visible_width_counts_what_is_printed():
    assert visible_width(r"\frac{\partial E}{\partial w_{1}}") == 3
    assert visible_width("a + b") == 4


# --- conventions ---------------------------------------------------------------------------
def test_conventions_sign_and_display():
    a, t = sp.symbols("a t")
    assert CONVENTIONS["mitchell"].prefix(r"\frac{\partial E}{\partial z}") == r"-\frac{\partial E}{\partial z}"
    assert CONVENTIONS["descent"].shown(Decimal("0.5")) == Decimal("0.5")
    assert CONVENTIONS["mitchell"].shown(Decimal("0.5")) == Decimal("-0.5")
    assert sp.latex(negate_for_display(sp.Add(a, -t, evaluate=False)), order="none") == "t - a"


# --- notation: small and multi-output networks, overrides, titles ---------------------------------------
SHALLOW = Network((2, 2, 2), ("sigmoid", "softmax"), True, True)
"""One hidden layer and two outputs: hidden neurons need no layer index, outputs need a row."""
SINGLE = Network((2, 3, 1), ("relu", "sigmoid"), True, True)


@pytest.mark.parametrize("preset, expected", [
    ("named", ["x_{1}", "h_{2}", r"\hat{y}_{2}", "z_{h_2}", "z_{o_1}", r"\delta_{o_2}", "b_{2}", "t_{2}"]),
    ("arrows", ["x_{1}", "h_{2}", "o_{2}", "z_{h2}", "z_{o1}", r"\delta_{o2}", "b_{h2}", "y_{2}"]),
    ("mitchell", ["x_{1}", "o_{4}", "o_{6}", r"\mathrm{net}_{4}", r"\mathrm{net}_{5}", r"\delta_{6}", "b_{4}",
                  "t_{6}"]),
    ("layered", ["x_{1}", "a^{(1)}_{2}", "a^{(2)}_{2}", "z^{(1)}_{2}", "z^{(2)}_{1}", r"\delta^{(2)}_{2}",
                 "b^{(1)}_{2}", "y_{2}"]),
])
def test_presets_on_a_two_output_network(preset, expected):
    N = Notation.build(preset, SHALLOW)
    got = [N.activation(0, 1), N.activation(1, 2), N.activation(2, 2), N.preactivation(1, 2),
           N.preactivation(2, 1), N.delta(2, 2), N.bias(1, 2), N.target(2)]
    assert got == expected


@pytest.mark.parametrize("preset, expected", [
    ("named", [r"\hat{y}", "h_{3}", "z_{o}", r"\delta_{o}", r"\delta_{h_3}", "b_{4}", "t", "w_{9}"]),
    ("arrows", ["o", "h_{3}", "z_{o}", r"\delta_{o}", r"\delta_{h3}", "b_{o}", "y", r"w_{h3 \rightarrow o}"]),
    ("mitchell", ["o_{6}", "o_{5}", r"\mathrm{net}_{6}", r"\delta_{6}", r"\delta_{5}", "b_{6}", "t", "w_{65}"]),
    ("layered", ["a^{(2)}", "a^{(1)}_{3}", "z^{(2)}", r"\delta^{(2)}", r"\delta^{(1)}_{3}", "b^{(2)}", "y",
                 r"w^{(2)}_{1,3}"]),
])
def test_presets_on_a_single_output_network(preset, expected):
    N = Notation.build(preset, SINGLE)
    got = [N.activation(2, 1), N.activation(1, 3), N.preactivation(2, 1), N.delta(2, 1), N.delta(1, 3),
           N.bias(2, 1), N.target(1), N.weight(2, 1, 3)]
    assert got == expected


def test_function_symbols_and_their_derivatives():
    N = Notation.build("named", SINGLE)
    assert N.function(1) == r"\operatorname{ReLU}" and N.function(2) == r"\sigma"
    assert N.fprime(2, 1) == r"\sigma'(z_{o})"
    assert Notation.build("layered", SINGLE).fprime(1, 2) == r"\operatorname{ReLU}'(z^{(1)}_{2})"


def test_vectors_and_matrices_of_matrix_form():
    N = Notation.build("layered", NET)
    assert [N.activation_vector(0), N.activation_vector(2), N.weight_matrix(3), N.bias_vector(1),
            N.preactivation_vector(2), N.delta_vector(3)] == [
        r"\mathbf{x}", r"\mathbf{a}^{(2)}", r"\mathbf{W}^{(3)}", r"\mathbf{b}^{(1)}", r"\mathbf{z}^{(2)}",
        r"\boldsymbol{\delta}^{(3)}"]


def test_layer_titles():
    assert [Notation.build("named", NET).layer_title(l) for l in range(4)] == [
        "Input layer", "Hidden layer 1", "Hidden layer 2", "Output layer"]
    assert [Notation.build("named", SINGLE).layer_title(l) for l in range(3)] == [
        "Input layer", "Hidden layer", "Output layer"]


def test_overrides_replace_only_the_named_letters():
    N = Notation.build("named", SINGLE, {"loss": r"\mathcal{L}", "target": "y", "unknown_role": "q"})
    assert (N.loss, N.target(1), N.eta, N.weight(1, 1, 1)) == (r"\mathcal{L}", "y", r"\eta", "w_{1}")
    assert Notation.build("named", SINGLE).letters["loss"] == "E"


def test_an_unsafe_override_is_refused_naming_the_role():
    from solver.errors import ProblemError

    with pytest.raises(ProblemError, match=r"notation\.symbols\.loss"):
        Notation.build("named", SINGLE, {"loss": r"\input{x}"}, source="p.yaml")


def test_colour_roles_of_activations():
    assert Notation.activation_role(0) == "input" and Notation.activation_role(1) == "activation"
    coloured = Notation.build("layered", SINGLE, colour=True).symbol_names()
    sym = SINGLE.symbols
    assert coloured[sym.a[0][0]] == r"{\color{bpinput}x_{1}}"
    assert coloured[sym.a[1][0]] == r"{\color{bpactivation}a^{(1)}_{1}}"
    assert coloured[sym.w[2][0][2]] == r"{\color{bpweight}w^{(2)}_{1,3}}"
    assert coloured[sym.delta[2][0]] == r"{\color{bperror}\delta^{(2)}}"
    assert coloured[sym.z[2][0]] == "z^{(2)}" and coloured[sym.t[0]] == "y"


@pytest.mark.parametrize("preset, output", [("named", r"\hat{y}"), ("arrows", "o")])
def test_named_and_arrows_hidden_activations_carry_their_layer_only_in_deeper_networks(preset, output):
    deep = Notation.build(preset, Network((2, 2, 2, 1), ("sigmoid",) * 3, True, True))
    assert (deep.activation(1, 2), deep.activation(2, 1), deep.activation(3, 1)) == ("h^{(1)}_{2}", "h^{(2)}_{1}", output)
    shallow = Notation.build(preset, Network((2, 2, 1), ("sigmoid",) * 2, True, True))
    assert (shallow.activation(1, 2), shallow.colour) == ("h_{2}", False)


def test_layered_output_and_hidden_letters_can_differ():
    N = Notation.build("layered", Network((2, 2, 1), ("sigmoid",) * 2, True, True), {"output": "y", "hidden": "h"})
    assert (N.activation(1, 1), N.activation(2, 1)) == ("h^{(1)}_{1}", "y^{(2)}")


def test_an_unsafe_override_without_a_source_names_the_problem():
    from solver.errors import ProblemError

    with pytest.raises(ProblemError) as error:
        Notation.build("named", SINGLE, {"loss": r"\input{x}"})
    assert error.value.source == "<problem>"


@pytest.mark.parametrize(("after", "before", "expected"), [
    ("0.3758", "0.40", "-0.0242"),
    ("0.4000", "0.40", "0.0000"),
    ("0.3997", "0.40", "-0.0003"),   # the printed numbers' difference, even where the exact change is -0.00035
])
def test_with_decimal_places_a_change_is_the_difference_of_the_printed_numbers(after, before, expected):
    assert Formatter(RoundingPolicy(4), notation("named")).difference(after, before, Decimal("-0.00035")) == expected


@pytest.mark.parametrize(("after", "before", "exact", "expected"), [
    ("0.1489", "0.15", Decimal("-0.001055127"), "-0.001055"),  # not -0.0011, which keeps 2 figures
    ("0.3758", "0.40", Decimal("-0.0242319"), "-0.02423"),     # not -0.0242 (3 figures)
    ("0.05000", "0.15", Decimal("-0.0999961"), "-0.1000"),     # 4 figures as the policy writes it, not -0.10000
    ("0.05004", "0.15", Decimal("-0.0999649"), "-0.09996"),
    ("0.3496", "1.105", Decimal("-0.7555993"), "-0.7554"),     # 4 figures: the printed numbers' own difference
    ("1.106", "0.001234", Decimal("1.104766"), "+1.104766"),   # more figures than the policy: kept exact
    ("0.7214", "0.8", Decimal("-0.0786"), "-0.07860"),         # 3 figures: the exact change, padded by the policy
])
def test_with_significant_figures_a_change_keeps_at_least_the_policys_figures(after, before, exact, expected):
    assert Formatter(RoundingPolicy(None, 4), notation("named")).difference(after, before, exact) == expected


@pytest.mark.parametrize("value, expected", [
    (2.6e-10, r"2.6 \times 10^{-10}"), (4.18e-9, r"4.2 \times 10^{-9}"), (2e-9, r"2.0 \times 10^{-9}"),
    (9.96e-9, r"1.0 \times 10^{-8}"), (0.0, "0"),
])
def test_relative_errors_in_a_column_all_have_two_significant_figures(value, expected):
    from solver.sections.check import relative_error

    assert relative_error(value) == expected


def test_a_column_with_one_value_in_scientific_notation_writes_every_small_value_so():
    """Adam's v-hat column at 4 significant figures: 0.002348 stood beside 4.455 x 10^-6."""
    fmt = Formatter(RoundingPolicy(None, 4), notation("named"))
    values = [Decimal("0.0023481"), Decimal("0.0000044552"), Decimal("-0.00011527"), Decimal("0"), Decimal("1.5")]
    # zero and values from 1 on stay as value() writes them
    assert fmt.column(values) == [r"2.348 \times 10^{-3}", r"4.455 \times 10^{-6}", r"-1.153 \times 10^{-4}",
                                  "0.000", "1.500"]
    assert fmt.column(values[:1] + values[3:]) == ["0.002348", "0.000", "1.500"]  # none scientific: unchanged


def test_with_decimal_places_a_column_keeps_each_value_as_written():
    fmt = Formatter(RoundingPolicy(4), notation("named"))
    assert fmt.column([Decimal("0.0023481"), Decimal("0.0000044552"), Decimal("2500000")]) == [
        "0.0023", "0.0000", r"2.5000 \times 10^{6}"]


def test_activation_names_inside_a_sentence_are_lower_case_but_acronyms():
    from solver.functions import ACTIVATIONS

    assert {name: act.in_text for name, act in ACTIVATIONS.items()} == {
        "sigmoid": "sigmoid", "tanh": "hyperbolic tangent", "relu": "ReLU", "identity": "identity",
        "softmax": "softmax"}


def test_a_result_never_stands_alone_on_the_last_line_of_a_broken_equation():
    """seed 003's z2(1) broke as '... = 0.4 + 0.25 - 0.6 + 0.2' then '= 0.25' alone; the sum now goes down too."""
    eq = chain("z^{(1)}_{2}", "w^{(1)}_{2,1} x_{1} + w^{(1)}_{2,2} x_{2} + w^{(1)}_{2,3} x_{3} + b^{(1)}_{2}",
               "0.4 \\cdot 1.0 + 0.5 \\cdot 0.5 + 0.6 \\cdot (-1.0) + 0.2", "0.4 + 0.25 - 0.6 + 0.2", "0.25")
    assert eq.rows() == [
        ("z^{(1)}_{2}", "= w^{(1)}_{2,1} x_{1} + w^{(1)}_{2,2} x_{2} + w^{(1)}_{2,3} x_{3} + b^{(1)}_{2} = 0.4 \\cdot "
                        "1.0 + 0.5 \\cdot 0.5 + 0.6 \\cdot (-1.0) + 0.2"),
        ("", "= 0.4 + 0.25 - 0.6 + 0.2 = 0.25")]
    short = chain("z", "0.1 + 0.2", "0.3")
    assert short.rows() == [("z", "= 0.1 + 0.2 = 0.3")]  # one line: nothing to move
    alone = chain("y", "a" * 90, "0.5")  # the line before holds one step only: it stays
    assert [right for _, right in alone.rows()] == ["= " + "a" * 90, "= 0.5"]
