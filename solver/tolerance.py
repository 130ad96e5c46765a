"""The marking rule of an exam question: the precision it asks for and the tolerance that accepts it.

A question asks for its own ``decimals`` or ``significant`` figures, or for the exam's rounding policy.
Its tolerance must accept every correctly rounded answer at that precision. Where that does not
depend on the drawn numbers (an absolute tolerance with decimal places, a relative one with
significant figures) it is checked when the family is loaded; otherwise on every drawn version.
"""
from __future__ import annotations

from decimal import Decimal

from .rounding import RoundingPolicy, plain, to_decimal


def question_policy(question, exam_policy: RoundingPolicy) -> RoundingPolicy:
    """The rounding of a question's answer: its own precision if it states one, else the exam's
    (always in the exam's rounding mode)."""
    if question.decimals is None and question.significant is None:
        return exam_policy
    return RoundingPolicy(question.decimals, question.significant, exam_policy.mode)


def precision_text(policy: RoundingPolicy) -> str:
    """``3 decimal places`` or ``4 significant figures``."""
    if policy.significant is not None:
        return f"{policy.significant} significant figure{'s' if policy.significant != 1 else ''}"
    return f"{policy.decimals} decimal place{'s' if policy.decimals != 1 else ''}"


def worst_rounding_gap(policy: RoundingPolicy) -> tuple[str, Decimal]:
    """The largest gap between a value and its correctly rounded answer when it does not depend on the
    value: ``("absolute", half a unit in the last decimal)`` for decimal places, ``("relative", half a
    unit in the last significant figure of 1.000...)`` for significant figures."""
    if policy.significant is not None:
        return "relative", Decimal(5).scaleb(-policy.significant)
    return "absolute", Decimal(5).scaleb(-policy.decimals - 1)


def precision_problem(question, exam_policy: RoundingPolicy) -> str | None:
    """Why a question's own precision cannot be marked, or None. In carry mode every result is rounded
    to the exam's precision as it is computed, so a question may only ask for fewer figures of the
    same kind (a rounded-as-you-go 0.386 has no fourth decimal to ask for)."""
    own = question_policy(question, exam_policy)
    if not exam_policy.carries or own == exam_policy:
        return None
    same_kind = (own.significant is None) == (exam_policy.significant is None)
    if same_kind and (own.significant or own.decimals or 0) <= (exam_policy.significant or exam_policy.decimals or 0):
        return None
    return (f"question '{question.id}': in carry mode every result is rounded to {precision_text(exam_policy)} "
            f"as it is computed, so the question cannot ask for {precision_text(own)}; ask for at most "
            f"{precision_text(exam_policy)} or use rounding mode: display")


def load_time_problem(question, exam_policy: RoundingPolicy) -> str | None:
    """Why the question's tolerance rejects correctly rounded answers whatever is drawn, or None."""
    policy = question_policy(question, exam_policy)
    kind, gap = worst_rounding_gap(policy)
    width = getattr(question.tolerance, kind)
    if width is None or width >= gap:
        return None
    example = ("half a unit in the last decimal" if kind == "absolute"
               else "half a unit in the last figure of a value just above a power of ten")
    return (f"question '{question.id}': the {kind} tolerance {plain(width)} is less than {example} at "
            f"{precision_text(policy)} ({plain(gap)}), so correctly rounded answers would be marked wrong; "
            f"use tolerance: policy, {{{kind}: {plain(gap)}}} or more, or ask for more precision")


def absolute_width(question, value, policy: RoundingPolicy) -> tuple[Decimal, str]:
    """The absolute tolerance of one answer around ``value`` and how it is printed."""
    rule = question.tolerance
    if rule.absolute is not None:
        return rule.absolute, plain(rule.absolute)
    if rule.relative is not None:
        width = abs(to_decimal(value)) * rule.relative
        return width, RoundingPolicy(decimals=None, significant=2).show(width)
    half_unit = Decimal(1).scaleb(policy.round(value).as_tuple().exponent) / 2
    return half_unit, plain(half_unit)


def within(value: float, target: float, tolerance: float) -> bool:
    """Whether ``value`` lies within ``tolerance`` of ``target``, allowing for the float representation
    of both (0.641 - 0.6405 is a little more than 0.0005 in float64)."""
    return abs(value - target) <= tolerance * (1 + 1e-9) + 1e-12 * max(1.0, abs(target))
