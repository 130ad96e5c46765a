"""Rounding as the tests expect it, written with the decimal module only (independent of
solver.rounding): half away from zero to ``decimals`` places or ``significant`` figures, fixed-point,
no negative zero."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal
from fractions import Fraction

import mpmath


def as_decimal(value) -> Decimal:
    """An oracle mpf to 30 digits, a float by its repr, a str or Decimal as written."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, Fraction):
        return Context(prec=40).divide(Decimal(value.numerator), Decimal(value.denominator))
    if isinstance(value, mpmath.mpf):
        return Decimal(mpmath.nstr(value, 30, min_fixed=-mpmath.inf, max_fixed=mpmath.inf))
    return Decimal(repr(value) if isinstance(value, float) else str(value))


def rounded(value, decimals: int | None = None, significant: int | None = None) -> Decimal:
    """``value`` rounded half away from zero, with trailing zeros up to the precision (-0.15 at 3
    significant figures is -0.150; a zero keeps significant - 1 places)."""
    number = as_decimal(value)
    if significant is not None and number != 0:
        result = Context(prec=significant, rounding=ROUND_HALF_UP).plus(number)
        missing = significant - len(result.as_tuple().digits)
        result = result.quantize(Decimal(1).scaleb(result.as_tuple().exponent - missing)) if missing > 0 else result
    else:
        places = decimals if significant is None else significant - 1
        result = number.quantize(Decimal(10) ** -places, rounding=ROUND_HALF_UP)
    return result.copy_abs() if result == 0 else result


def written(value, decimals: int | None = None, significant: int | None = None) -> str:
    """The rounded value as a key prints it: ``0.047``, ``12300``, ``0.000``."""
    return format(rounded(value, decimals, significant), "f")


def half_unit(value, decimals: int | None = None, significant: int | None = None) -> Decimal:
    """Half a unit in the last place of the rounded value (the ``tolerance: policy`` width)."""
    return Decimal(5).scaleb(rounded(value, decimals, significant).as_tuple().exponent - 1)
