"""The number systems of solver/evaluate.py, one behaviour at a time, with literal expectations: sigmoid and
softmax values worked out with mpmath at 50 digits from the definitions (sigma(0.3775) =
0.593269992107187255..., softmax(0.5, 1) = (0.377540668798145435..., 0.622459331201854564...)),
exact fractions, and the errors carry-mode rounding must give. Fast (part of the mutation subset)."""
from __future__ import annotations

import warnings
from decimal import Decimal
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp

from solver.api import problem_from_mapping, solve
from solver.errors import NumericalError
from solver.evaluate import CarryNumerics, ExactNumerics, FloatNumerics, PreciseNumerics
from solver.functions import ACTIVATIONS, z
from solver.rounding import RoundingPolicy

SIGMOID = ACTIVATIONS["sigmoid"].formula
CARRY_8 = RoundingPolicy(8, None, "carry")

SEED001 = {
    "network": {"layers": [2, 2, 1], "activation": "sigmoid"},
    "weights": [[[0.15, 0.20], [0.25, 0.30]], [[0.40, 0.45]]],
    "biases": [[0.35, 0.35], [0.60]],
    "input": [0.05, 0.10], "target": [0.50], "loss": "mse", "learning_rate": 0.5,
}


def test_carry_mode_rounds_a_sigmoid_to_the_policys_eight_decimals():
    # sigma(0.3775) = 0.5932699921...: eight decimals keep 0.59326999 (six significant digits would give 0.59327)
    assert CarryNumerics(CARRY_8).call(SIGMOID, (z,), (Decimal("0.3775"),)) == Decimal("0.59326999")


def test_carry_mode_softmax_is_rounded_at_every_output():
    values = CarryNumerics(CARRY_8).softmax(np.array([Decimal("0.5"), Decimal("1.0")], dtype=object))
    assert list(values) == [Decimal("0.37754067"), Decimal("0.62245933")]
    assert all(isinstance(v, Decimal) for v in values)


def test_precise_softmax_keeps_forty_digits():
    values = PreciseNumerics().softmax(np.array([mpmath.mpf("0.5"), mpmath.mpf(1)], dtype=object))
    assert mpmath.nstr(values[0], 30) == "0.377540668798145435361099434254"
    assert mpmath.nstr(values[1], 30) == "0.622459331201854564638900565746"


def test_a_precise_decimal_is_read_from_its_digits():
    # mpf("0.1") at 40 digits, not the float 0.1 (0.1000000000000000055511...)
    value = PreciseNumerics().given(Decimal("0.1"))
    assert mpmath.nstr(value, 30) == "0.1"
    assert value == mpmath.mpf("0.1")


def test_a_division_by_zero_in_carry_mode_is_the_carry_rounding_error():
    x = sp.Symbol("x")
    with pytest.raises(NumericalError) as raised:
        CarryNumerics(CARRY_8).call(1 / x, (x,), (Decimal(0),))
    assert raised.value.path == "rounding"
    assert raised.value.message == ("carry-mode rounding makes an output exactly 0 or 1, so the loss or its "
                                    "derivative is infinite; keep more digits or use mode: display")


def test_float_overflow_gives_infinity_without_a_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert FloatNumerics().call(sp.exp(z), (z,), (1000.0,)) == np.inf
        assert list(FloatNumerics().map(sp.exp(z), z, np.array([1000.0, 0.0]))) == [np.inf, 1.0]


def test_float_results_of_exact_numerics_are_not_counted_as_rounded_fractions():
    numerics = ExactNumerics()
    values = numerics.named(numerics.map(SIGMOID, z, numerics.array([Fraction(0), Fraction(3775, 10000)])))
    assert values[0] == Fraction(1, 2) and isinstance(values[0], Fraction)
    assert isinstance(values[1], float) and values[1] == pytest.approx(0.5932699921071873, rel=1e-15)
    assert numerics.rounded == 0


def test_seed_001_is_exact_arithmetic_throughout():
    assert "arithmetic" not in solve(problem_from_mapping(SEED001)).to_json_dict()


def test_float_numerics_keep_float64_even_for_a_constant_derivative():
    # the identity's derivative is the integer 1: float64 still holds it as 1.0, one per neuron
    values = FloatNumerics().map(ACTIVATIONS["identity"].derivative, z, np.array([0.5, -2.0]))
    assert values.dtype == np.float64 and list(values) == [1.0, 1.0]


def test_a_float_relu_derivative_is_read_from_z():
    relu = ACTIVATIONS["relu"]
    values = FloatNumerics().derivative(relu, np.array([-1.0, 2.0, 0.0]), np.array([0.0, 2.0, 0.0]))
    assert list(values) == [0.0, 1.0, 0.0]


def test_float_arrays_hold_float64_whatever_they_are_given():
    values = FloatNumerics().array([Fraction(1, 4), Decimal("0.5"), 2])
    assert values.dtype == np.float64 and list(values) == [0.25, 0.5, 2.0]


@pytest.mark.parametrize("name, z, a, expected", [
    # sigma'(40) = e^-40 / (1 + e^-40)^2 = 4.24835425529158899e-18, but float64 rounds sigma(40) to 1, so a (1 - a) is 0
    ("sigmoid", 40.0, 1.0, 4.248354255291589e-18),
    # tanh'(20) = 4 e^-40 / (1 + e^-40)^2 = 1.69934170211663560e-17 (tanh(20) is 1.0 in float64)
    ("tanh", 20.0, 1.0, 1.6993417021166356e-17),
    ("sigmoid", 0.0, 0.5, 0.25),     # below the saturation threshold the output form a (1 - a) is used
    ("tanh", 0.5, 0.5, 0.75),        # ... even where it disagrees with z: 1 - a^2 at the given a
])
def test_a_saturated_float_derivative_is_computed_from_z(name, z, a, expected):
    values = FloatNumerics().derivative(ACTIVATIONS[name], np.array([z]), np.array([a]))
    assert values[0] == pytest.approx(expected, rel=1e-12)


def test_the_count_of_fractions_continued_as_floats_adds_up_over_calls():
    numerics = ExactNumerics(limit_bits=8)
    numerics.named(numerics.array([Fraction(1, 1000)]))      # 1000 needs 10 bits: continued as a float
    numerics.named(numerics.array([Fraction(1, 3)]))         # exact
    numerics.named(numerics.array([Fraction(1, 1000), Fraction(1, 999)]))
    assert numerics.rounded == 3
