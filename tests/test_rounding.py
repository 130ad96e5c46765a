"""The rounding policy pinned with literal values worked out by hand: halves go away from zero on both
signs, for decimals and for significant figures; values that round to zero print without a sign; carry
mode rounds each named quantity before the next step uses it."""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from solver.rounding import RoundingPolicy, plain, scientific, to_decimal
from solver.spec import RoundingSpec


@pytest.mark.parametrize("value, decimals, expected", [
    (Fraction(3925, 10000), 3, "0.393"), (Fraction(-3925, 10000), 3, "-0.393"),
    (Fraction(5, 10000), 3, "0.001"), (Fraction(-5, 10000), 3, "-0.001"),
    (Fraction(25, 1000), 2, "0.03"), (Fraction(-25, 1000), 2, "-0.03"),
    (Fraction(15, 10), 0, "2"), (Fraction(-25, 10), 0, "-3"),
    (Fraction(4999, 10000), 0, "0"), (Fraction(-4999, 10000), 0, "0"),
    ("0.12345", 4, "0.1235"), ("-0.12345", 4, "-0.1235"), ("0.12344999", 4, "0.1234"),
])
def test_decimal_ties_round_away_from_zero_on_both_signs(value, decimals, expected):
    assert RoundingPolicy(decimals).show(Decimal(value) if isinstance(value, str) else value) == expected


def test_floats_round_by_their_shortest_repr_not_their_binary_value():
    # 2.675 is stored as 2.67499999999999982236431605997495353221893310546875; a hand calculation
    # (and the printed given data) reads 2.675, which rounds to 2.68.
    assert RoundingPolicy(2).show(2.675) == "2.68"
    assert RoundingPolicy(2).show(-2.675) == "-2.68"
    assert RoundingPolicy(1).show(0.05) == "0.1"


@pytest.mark.parametrize("value, significant, expected", [
    (Fraction(3925, 10000), 3, "0.393"), (Fraction(-3925, 10000), 3, "-0.393"),
    (Fraction(12345, 1000), 4, "12.35"), (Fraction(-12345, 1000), 4, "-12.35"),
    (Fraction(5, 10000), 1, "0.0005"), (Fraction(15, 100000), 1, "0.0002"),
    (Fraction(9995, 1000), 3, "10.0"), (Fraction(-9995, 1000), 3, "-10.0"),
    (Fraction(99995, 1000000), 4, "0.1000"), (Fraction(1234567), 3, "1230000"),
    (Fraction(1, 3), 2, "0.33"), (Fraction(2, 3), 2, "0.67"),
])
def test_significant_figure_ties_round_away_from_zero(value, significant, expected):
    assert RoundingPolicy(None, significant).show(value) == expected


@pytest.mark.parametrize("policy, value, expected", [
    (RoundingPolicy(3), Fraction(-4, 10000), "0.000"), (RoundingPolicy(3), Fraction(4, 10000), "0.000"),
    (RoundingPolicy(3), 0, "0.000"), (RoundingPolicy(3), -0.0, "0.000"),
    (RoundingPolicy(0), Fraction(-1, 3), "0"), (RoundingPolicy(None, 3), 0, "0.00"),
    (RoundingPolicy(None, 1), 0, "0"),
])
def test_values_that_round_to_zero_print_without_a_sign(policy, value, expected):
    assert policy.show(value) == expected


def test_rounded_zero_is_a_positive_decimal_zero():
    assert str(RoundingPolicy(3).round(Fraction(-4, 10000))) == "0.000"
    assert str(RoundingPolicy(None, 2).round(-0.0)) == "0.0"


def test_rounds_to_zero_flags_only_nonzero_values():
    policy = RoundingPolicy(3)
    assert policy.rounds_to_zero(Fraction(4, 10000)) and policy.rounds_to_zero(-0.0004)
    assert not policy.rounds_to_zero(0) and not policy.rounds_to_zero(Fraction(5, 10000))
    assert not RoundingPolicy(None, 3).rounds_to_zero(1e-12)


def test_carry_mode_chain_rounds_each_quantity_before_it_is_used():
    # A sigmoid output for t = 1 worked by hand at 4 decimals: o = sigma(1) = 0.73105857... -> 0.7311,
    # t - o = 0.2689, delta = o(1 - o)(t - o) = 0.7311 * 0.2689 * 0.2689 = 0.0528640... -> 0.0529, and
    # eta * delta = 0.05 * 0.0529 = 0.002645 -> 0.0026: every step uses the rounded value before it.
    policy = RoundingPolicy(4, None, "carry")
    assert policy.carries and not RoundingPolicy(4).carries
    o = policy.round(Fraction(7310585786300049, 10**16))
    assert o == Decimal("0.7311")
    error = policy.round(1 - o)
    assert error == Decimal("0.2689")
    delta = policy.round(o * (1 - o) * error)
    assert delta == Decimal("0.0529")
    assert policy.round(Decimal("0.05") * delta) == Decimal("0.0026")


@pytest.mark.parametrize("value, expected", [
    (Decimal("-0"), "0"), (Decimal("-0.000"), "0.000"), (Decimal("1E+3"), "1000"), (Decimal("-2.50"), "-2.50"),
    (Decimal("1E-7"), "0.0000001"),
])
def test_plain_writes_no_exponent_and_no_negative_zero(value, expected):
    assert plain(value) == expected


def test_exact_fractions_become_exact_decimals():
    assert to_decimal(Fraction(1, 8)) == Decimal("0.125")
    assert to_decimal(Fraction(-3, 4)) == Decimal("-0.75")
    assert to_decimal(0.1) == Decimal("0.1")


@pytest.mark.parametrize("value, digits, expected", [
    (2.27e-4, 3, ("2.27", -4)), (-3.3e-5, 4, ("-3.300", -5)), (9.996e-7, 3, ("1.00", -6)),
    (Fraction(-99951, 10**10), 3, ("-1.00", -5)), (0, 3, ("0", 0)),
    (Decimal("0.0002225"), 3, ("2.23", -4)), (Decimal("-0.0002235"), 3, ("-2.24", -4)),
    (Decimal("0.00009995"), 3, ("1.00", -4)),
])
def test_scientific_mantissa_and_exponent(value, digits, expected):
    assert scientific(value, digits) == expected


def test_values_wider_than_the_default_decimal_context_round_exactly():
    # 34 significant digits: more than Python's default 28-digit context can quantize
    assert RoundingPolicy(4).show(Fraction(10**30, 3)) == "333333333333333333333333333333.3333"
    assert RoundingPolicy(None, 3).show(Fraction(10**30, 3)) == "333000000000000000000000000000"


@pytest.mark.parametrize("spec, expected", [
    (RoundingSpec(), RoundingPolicy(4, None, "display")),
    (RoundingSpec(mode="carry"), RoundingPolicy(4, None, "carry")),
    (RoundingSpec(decimals=2, mode="carry"), RoundingPolicy(2, None, "carry")),
    (RoundingSpec(significant=3), RoundingPolicy(None, 3, "display")),
    (RoundingSpec(decimals=0), RoundingPolicy(0, None, "display")),
])
def test_policy_from_the_problem_file(spec, expected):
    assert RoundingPolicy.from_spec(spec) == expected


def test_the_rounding_statement_in_display_mode():
    assert RoundingPolicy(3).describe() == (
        "All displayed values are rounded to 3 decimal places (halves are rounded away from zero); full "
        "precision is used internally, so a result can differ in its last digit from the rounded numbers shown "
        "before it. A line says = only where the numbers it shows give its result exactly, and \u2248 where the "
        "result is rounded. Given data are written exactly as stated.")


def test_the_rounding_statement_in_carry_mode():
    assert RoundingPolicy(None, 4, "carry").describe() == (
        "Every named quantity is rounded to 4 significant figures as soon as it is computed (halves are rounded "
        "away from zero), and later steps use the rounded values, as in a hand calculation. A line says = only "
        "where the numbers it shows give its result exactly, and \u2248 where the result is rounded. Given data "
        "are written exactly as stated.")
