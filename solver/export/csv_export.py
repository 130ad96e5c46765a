"""answers.csv: one row per graded number of every version, for grading scripts; responses_template.csv:
the header of the responses file ``handouts grade`` reads."""
from __future__ import annotations

import csv
import io
from decimal import Decimal
from fractions import Fraction

COLUMNS = ("version", "question", "answer", "shown", "tolerance", "points")
RESPONSE_COLUMNS = ("student", "version")
"""The first columns of a responses file; one column per answer id follows."""


def points_text(points: Fraction) -> str:
    """Exact decimal when the share terminates (1/4 -> 0.25), else the float's repr (1/3 -> 0.3333333333333333)."""
    exact = Decimal(points.numerator) / Decimal(points.denominator)
    return format(exact.normalize(), "f") if Fraction(exact) == points else repr(float(points))


def answers_csv(versions) -> str:
    """The CSV text: version code, answer id (``q3`` or ``q3:a1[2]``), answer (``repr`` of the float), the
    answer exactly as the key prints it, the absolute tolerance (``repr``; it always accepts the printed
    answer), and the points of that answer."""
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(COLUMNS)
    for version in versions:
        for question in version.questions:
            for answer in question.answers:
                writer.writerow((version.code, question.answer_id(answer), repr(answer.value), answer.shown,
                                 repr(answer.tolerance), points_text(question.answer_points)))
    return stream.getvalue()


def answer_ids(versions) -> list[str]:
    """Every answer id of every version, in the order of answers.csv (an id that only some versions ask,
    such as a part of a wider layer, where it first appears)."""
    ids = [question.answer_id(answer) for version in versions for question in version.questions
           for answer in question.answers]
    return list(dict.fromkeys(ids))


def responses_template_csv(versions) -> str:
    """The header of a responses file: ``student, version``, then one column per answer id."""
    stream = io.StringIO()
    csv.writer(stream, lineterminator="\n").writerow(RESPONSE_COLUMNS + tuple(answer_ids(versions)))
    return stream.getvalue()
