"""Numbers and substituted formulas as a handout shows them, by the rounding policy and the notation."""
from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction

import sympy as sp
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import PRECEDENCE

from .equations import PLAIN_NUMBER, plain_number, visible_width
from .notation import Notation
from .rounding import RoundingPolicy, plain, scientific, to_decimal

SMALLEST_FIXED = Decimal("1e-4")
LARGEST_FIXED = Decimal("1e6")
"""Computed values from LARGEST_FIXED on (and, with significant figures, below SMALLEST_FIXED) are written in
scientific notation."""
_PARENTHESISED_NEGATIVE = re.compile(r"^\(-[0-9.]+\)$")


class HandoutLatexPrinter(LatexPrinter):
    """SymPy's LaTeX printer with the handouts' choices: ``\\ln`` for the natural logarithm, and a
    0/1 step (ReLU's derivative) written as the indicator ``\\mathbf{1}[z > 0]`` instead of a cases block."""

    def _print_Piecewise(self, expr):
        pieces = expr.args
        if len(pieces) == 2 and pieces[1].cond == sp.true:
            (high, condition), (low, _) = pieces
            if high == 1 and low == 0:
                return f"\\mathbf{{1}}[{self._print(condition)}]"
            if low == 0:
                return f"{self.parenthesize(high, PRECEDENCE['Mul'])}\\,\\mathbf{{1}}[{self._print(condition)}]"
        return super()._print_Piecewise(expr)


class Formatter:
    """Turns values into LaTeX strings: given data exactly, computed values by the policy."""

    def __init__(self, policy: RoundingPolicy, notation: Notation):
        self.policy = policy
        self.notation = notation
        self.style = notation.style.product

    # --- numbers -------------------------------------------------------------------
    def given(self, value: Decimal) -> str:
        """Given data, written exactly as in the problem file."""
        return plain(Decimal(value))

    def given_compact(self, value: Decimal) -> str:
        """Given data as written, but a tiny one (below 10^-4, such as epsilon = 1e-8) as its exact digits times a
        power of ten: ``10^{-8}``, ``2.5 \\times 10^{-7}``."""
        number = Decimal(value)
        if number == 0 or abs(number) >= Decimal("1e-4"):
            return self.given(number)
        digits = number.normalize()
        exponent = digits.adjusted()
        mantissa = plain(digits.scaleb(-exponent))
        return f"10^{{{exponent}}}" if mantissa == "1" else times_ten(mantissa, exponent)

    def value(self, value) -> str:
        """A computed value: exact when it is short enough, else rounded by the policy; with significant
        figures, a value below 10^-4 or from 10^6 on is written in scientific notation.

        Carry-mode values are already rounded (or exact products of shown numbers); exact
        fractions whose decimal expansion fits the policy's precision are written exactly.
        """
        return self._scientific(value) or self._fixed(value)

    def _scientific(self, value) -> str | None:
        """A value in scientific notation, else None: with significant figures one below 10^-4 or from 10^6
        on; with decimal places one from 10^6 on (a saturated output's dE/da, a diverging loss), its mantissa
        to as many decimal places."""
        number = to_decimal(value)
        if number == 0:
            return None
        if self.policy.significant is not None:
            if not SMALLEST_FIXED <= abs(number) < LARGEST_FIXED:
                return times_ten(*scientific(self.policy.round(number), self.policy.significant))
            return None
        if abs(number) >= LARGEST_FIXED:
            return times_ten(*scientific(number, self.policy.decimals + 1))
        return None

    def _fixed(self, value) -> str:
        if self.policy.carries and isinstance(value, Decimal):
            rounded = self.policy.round(value)
            if rounded == value:
                return min(plain(value), plain(rounded), key=len)
            return plain(value.normalize())
        if isinstance(value, Fraction) and self._fits(value):
            return plain(to_decimal(value).normalize())
        return self.policy.show(value)

    def _fits(self, value: Fraction) -> bool:
        number = to_decimal(value).normalize()
        if number == 0:
            return True
        if number != Fraction(number):
            return False
        places = -number.as_tuple().exponent
        if self.policy.decimals is not None:
            return places <= self.policy.decimals
        return len(number.as_tuple().digits) <= self.policy.significant

    def column(self, values) -> list[str]:
        """A table column of computed values in one notation: each by :meth:`value`, but when one of them is in
        scientific notation (significant figures, below 10^-4) every other nonzero value below 1 is too, so that
        2.348 x 10^-6 never stands beside 0.0001153."""
        texts = [self.value(value) for value in values]
        if self.policy.significant is None or not any(self._scientific(value) for value in values):
            return texts
        return [self._scientific_anyway(value, text) for value, text in zip(values, texts)]

    def _scientific_anyway(self, value, text: str) -> str:
        """``text`` of a nonzero value below 1 rewritten in scientific notation (significant figures)."""
        number = to_decimal(value)
        if "\\times" in text or not 0 < abs(number) < 1:
            return text
        return times_ten(*scientific(self.policy.round(number), self.policy.significant))

    def rounded(self, value) -> str:
        """A computed value rounded by the policy in every mode (named results), in scientific notation
        where :meth:`value` uses it."""
        return self._scientific(value) or self.policy.show(value)

    def relation(self, exact, shown) -> str:
        """'=' when the exact value equals the shown one, else '\\approx' (in every rounding mode)."""
        if isinstance(shown, str):
            shown = plain_number(shown)
            if shown is None:
                return r"\approx"
        return "=" if Fraction(to_decimal(exact)) == Fraction(shown) else r"\approx"

    def entries_relation(self, exacts, shown: list[str]) -> str:
        """'=' when every entry of a vector or matrix result is exact (its exact value, or None when it has
        none, equals the printed number; see :meth:`relation`), else '\\approx'."""
        exact = all(value is not None and self.relation(value, text) == "=" for value, text in zip(exacts, shown))
        return "=" if exact else r"\approx"

    def relation_for(self, expr: sp.Expr, texts: dict, shown: str) -> str:
        """'=' when ``expr`` evaluated exactly at the printed numbers ``texts`` (symbol -> LaTeX number)
        gives the printed result ``shown``, else '\\approx'."""
        numbers = {symbol: plain_number(text) for symbol, text in texts.items()}
        result = plain_number(shown)
        if result is None or None in numbers.values():
            return r"\approx"
        exact = expr.subs({symbol: sp.Rational(number.numerator, number.denominator) for symbol, number in numbers.items()})
        if not exact.is_Rational:
            return r"\approx"
        return "=" if Fraction(int(exact.p), int(exact.q)) == result else r"\approx"

    def unrounded_note(self, value) -> str:
        """The remark after a result that rounds to zero: its unrounded size (else '')."""
        small = self.small(value)
        return f"(\\text{{unrounded: }} {small})" if small else ""

    def small(self, value) -> str | None:
        """'2.26 \\times 10^{-4}' for values the policy rounds to zero, else None."""
        if not self.policy.rounds_to_zero(value):
            return None
        return times_ten(*scientific(value))

    def difference(self, after: str, before: str, exact) -> str:
        """The change from ``before`` to ``after``: the difference of the two printed numbers, so that a change
        column agrees with the numbers beside it (written by the policy where that is the same number: -0.1000,
        not -0.10000); but the exact change by the policy where that difference keeps fewer significant
        figures than the policy gives (0.1489 - 0.15 = -0.0011 becomes -0.001055) or either is not plain."""
        if PLAIN_NUMBER.fullmatch(after) and PLAIN_NUMBER.fullmatch(before):
            change = Decimal(after) - Decimal(before)
            text = plain(change)
            by_policy = self.policy.show(change)
            if Decimal(by_policy) == change and len(by_policy) < len(text):
                text = by_policy
            if self.policy.significant is None or change == 0 or _figures(text) >= self.policy.significant:
                return f"+{text}" if change > 0 else text
        text = self.rounded(exact)
        return f"+{text}" if to_decimal(exact) > 0 and text.strip("0.") else text

    @staticmethod
    def full_precision(values, digits: int = 6) -> list[str]:
        """Full-precision values of one kind for prose, written alike: ``digits`` significant figures of
        the smallest nonzero value and as many decimals for every value (trailing zeros kept, so that
        0.551166 is not set beside 0.3613); all in scientific notation (3 significant figures) when a
        nonzero value is below 10^-3 or from 10^6 on (never 0.0000000000001521)."""
        numbers = [to_decimal(value) for value in values]
        nonzero = [abs(number) for number in numbers if number != 0]
        if not nonzero:
            return ["0"] * len(numbers)
        if min(nonzero) < Decimal("0.001") or max(nonzero) >= Decimal(10) ** 6:
            return [times_ten(*scientific(number)) if number != 0 else "0" for number in numbers]
        places = digits - 1 - min(number.adjusted() for number in nonzero)
        return [RoundingPolicy(decimals=places).show(number) for number in numbers]

    @staticmethod
    def percent(value) -> str:
        """A percentage to one decimal (two significant figures below 1 %), halves away from zero, as LaTeX:
        6.0 %, 20.8 %, 0.25 %; every percentage of a handout written alike."""
        number = to_decimal(value)
        policy = RoundingPolicy(decimals=1) if abs(number) >= 1 or number == 0 else RoundingPolicy(None, 2)
        return f"{policy.show(number)}\\,\\%"

    def wrap(self, text: str, value) -> str:
        """Parenthesise negative numbers inside products."""
        return f"({text})" if text.startswith("-") else text

    def product(self, *factors: str, roles: tuple = ()) -> str:
        """Factors (already formatted) multiplied in the preset's style; ``roles`` colours each factor
        (when colour coding is on) by its role: 'weight', 'input', 'activation', 'error' or None."""
        roles = tuple(roles) + (None,) * (len(factors) - len(roles))

        def paint(text, role, bracket):
            inner = text.strip("()")
            coloured = self.notation.paint(role, inner) if role else inner
            return f"({coloured})" if bracket or inner.startswith("-") else coloured

        if self.style == "parens":
            return "".join(paint(f, role, True) for f, role in zip(factors, roles))
        if self.style == "juxtapose":
            (head, *rest), (head_role, *rest_roles) = factors, roles
            return paint(head, head_role, False) + "".join(paint(f, role, True) for f, role in zip(rest, rest_roles))
        return r" \cdot ".join(paint(f, role, False) for f, role in zip(factors, roles))

    def signed_terms(self, terms: list[str], roles: tuple = ()) -> list[str]:
        """Pieces of a sum: 'a', '+ b', '- c' (a negative term is written as subtraction); ``roles`` colours
        each term that is a bare number (when colour coding is on) by its role, the sign left outside."""
        roles = tuple(roles) + (None,) * (len(terms) - len(roles))
        pieces = []
        for index, (term, role) in enumerate(zip(terms, roles)):
            text = term[1:-1] if _PARENTHESISED_NEGATIVE.match(term) else term
            sign, body = ("- ", text[1:].lstrip()) if index and text.startswith("-") else ("+ " if index else "", text)
            pieces.append(sign + (self.notation.paint(role, body) if role else body))
        return pieces

    # --- formulas ------------------------------------------------------------------
    def latex(self, expr: sp.Expr, names: dict | None = None, numeric: bool = False, order: str | None = "none") -> str:
        """SymPy's LaTeX with the notation's symbol names (or numbers substituted for symbols); ``order`` is
        SymPy's term order (``None``: its own, which writes e^z - e^-z; "none": the expression's)."""
        return HandoutLatexPrinter(dict(symbol_names=names or self.notation.symbol_names(), order=order,
                                        mul_symbol="dot" if numeric else None, ln_notation=True)).doprint(expr)

    def pieces(self, expr: sp.Expr, values: dict | None = None) -> list[str]:
        """``expr`` printed as pieces a long line may break between: the terms of a sum, also of a
        bracketed sum that leads a product (numbers substituted for symbols when ``values`` is given)."""
        def printer(e):
            return self.substituted(e, values) if values is not None else self.latex(e)

        if isinstance(expr, sp.Add) and len(expr.args) > 2:
            return self.signed_terms([printer(term) for term in expr.args])
        if isinstance(expr, sp.Mul) and isinstance(expr.args[0], sp.Add) and len(expr.args[0].args) > 2:
            inner = self.pieces(expr.args[0], values)
            rest = printer(sp.Mul(*expr.args[1:], evaluate=False))
            if len(inner) == 1:
                return [f"\\left({inner[0]}\\right) {rest}"]
            return [f"\\bigl({inner[0]}"] + inner[1:-1] + [f"{inner[-1]}\\bigr) {rest}"]
        return [printer(expr)]

    def substituted(self, expr: sp.Expr, values: dict) -> str:
        """``expr`` printed with each symbol replaced by its formatted number (negatives in parentheses)."""
        names = dict(self.notation.symbol_names())
        for symbol, text in values.items():
            names[symbol] = f"({text})" if text.startswith("-") else text
        return self.latex(expr, names, numeric=True)


def _figures(text: str) -> int:
    """The significant figures of a written decimal: '-0.0011' has 2, '-0.1000' has 4."""
    return len(text.lstrip("+-").replace(".", "").lstrip("0"))


def times_ten(mantissa: str, exponent: int) -> str:
    """'2.27 \\times 10^{-4}'."""
    return f"{mantissa} \\times 10^{{{exponent}}}"


def partial(of: str, by: str) -> str:
    """\\frac{\\partial of}{\\partial by}."""
    return f"\\frac{{\\partial {of}}}{{\\partial {by}}}"


def partial_inline(of: str, by: str) -> str:
    """\\partial of / \\partial by, for table cells."""
    return f"\\partial {of} / \\partial {by}"


def symbol_list(symbols: list[str], limit: int = 4, width: int = 13) -> str:
    """'x_1, x_2' or 'x_1, \\dots, x_9': at most ``limit`` symbols and about ``width`` visible characters."""
    if len(symbols) <= limit and visible_width(", ".join(symbols)) <= width:
        return ", ".join(symbols)
    three = f"{symbols[0]}, {symbols[1]}, \\dots, {symbols[-1]}"
    if len(symbols) > 3 and visible_width(three) <= width:
        return three
    return f"{symbols[0]}, \\dots, {symbols[-1]}" if len(symbols) > 1 else symbols[0]


def pmatrix(rows: list[list[str]]) -> str:
    """A LaTeX pmatrix of already formatted entries."""
    return "\\begin{pmatrix} " + " \\\\ ".join(" & ".join(row) for row in rows) + " \\end{pmatrix}"


def column(entries: list[str]) -> str:
    return pmatrix([[e] for e in entries])
