"""The rounding policy: how every shown number is rounded and written."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import MAX_EMAX, MIN_EMIN, ROUND_HALF_UP, Context, Decimal, localcontext
from fractions import Fraction

_WIDE = Context(prec=60)


def to_decimal(value) -> Decimal:
    """The decimal value of a number: floats by their shortest repr, fractions exactly (to 60 digits)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, Fraction):
        return _WIDE.divide(Decimal(value.numerator), Decimal(value.denominator))
    if isinstance(value, int):
        return Decimal(value)
    return Decimal(repr(float(value)))


def _context_for(number: Decimal, exponent: int) -> Context:
    """A context precise enough to quantize ``number`` to ``10^exponent`` (60 digits at least): any finite
    decimal rounds without InvalidOperation, however large or small."""
    return Context(prec=max(60, number.adjusted() - exponent + 2), Emin=MIN_EMIN, Emax=MAX_EMAX)


def plain(value: Decimal) -> str:
    """A decimal written without exponent and without a negative zero."""
    if value == 0:
        value = abs(value)
    return format(value, "f")


@dataclass(frozen=True)
class RoundingPolicy:
    """Round half away from zero to ``decimals`` places or ``significant`` figures; mode display or carry."""

    decimals: int | None = 4
    significant: int | None = None
    mode: str = "display"

    @classmethod
    def from_spec(cls, spec) -> "RoundingPolicy":
        if spec.decimals is None and spec.significant is None:
            return cls(4, None, spec.mode)
        return cls(spec.decimals, spec.significant, spec.mode)

    @property
    def carries(self) -> bool:
        return self.mode == "carry"

    def round(self, value) -> Decimal:
        """The value rounded by the policy, as an exact decimal (never -0)."""
        number = to_decimal(value)
        if number == 0:
            return Decimal(0).quantize(self._zero_quantum())
        if self.significant is not None:
            exponent = number.adjusted() - (self.significant - 1)
        else:
            exponent = -self.decimals
        with localcontext(_context_for(number, exponent)):
            rounded = number.quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_UP)
        if self.significant is not None and rounded.adjusted() > number.adjusted():
            rounded = rounded.quantize(Decimal(1).scaleb(exponent + 1))  # exact: 9.995 -> 10.00 -> 10.0
        return abs(rounded) if rounded == 0 else rounded

    def _zero_quantum(self) -> Decimal:
        places = self.decimals if self.decimals is not None else max(self.significant - 1, 0)
        return Decimal(1).scaleb(-places)

    def show(self, value) -> str:
        """The value as printed: rounded, fixed-point, no negative zero."""
        return plain(self.round(value))

    def rounds_to_zero(self, value) -> bool:
        return to_decimal(value) != 0 and self.round(value) == 0

    def describe(self) -> str:
        """One sentence for the handout's rounding statement (plain text)."""
        if self.significant is not None:
            precision = f"{self.significant} significant figures"
        else:
            precision = f"{self.decimals} decimal places"
        rule = "halves are rounded away from zero"
        if self.carries:
            return (f"Every named quantity is rounded to {precision} as soon as it is computed ({rule}), and later "
                    "steps use the rounded values, as in a hand calculation. A line says = only where the numbers "
                    "it shows give its result exactly, and \u2248 where the result is rounded. Given data are "
                    "written exactly as stated.")
        return (f"All displayed values are rounded to {precision} ({rule}); full precision is used internally, so "
                "a result can differ in its last digit from the rounded numbers shown before it. A line says = only "
                "where the numbers it shows give its result exactly, and \u2248 where the result is rounded. Given "
                "data are written exactly as stated.")


def scientific(value, digits: int = 3) -> tuple[str, int]:
    """Mantissa and exponent for a LaTeX 'm \\times 10^{e}' display of a small value."""
    number = to_decimal(value)
    if number == 0:
        return "0", 0
    exponent = number.adjusted()
    with localcontext(_context_for(number, exponent)):
        mantissa = (number.scaleb(-exponent)).quantize(Decimal(1).scaleb(-(digits - 1)), rounding=ROUND_HALF_UP)
    if abs(mantissa) >= 10:
        exponent += 1
        mantissa = (mantissa / 10).quantize(Decimal(1).scaleb(-(digits - 1)))  # exact: 10.00 -> 1.000
    return plain(mantissa), exponent
