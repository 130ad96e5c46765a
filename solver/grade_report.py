"""The files ``handouts grade`` writes: grades.csv, totals.csv, report.md and report.pdf.

The report's numbers (shares per question, the most common wrong values and diagnoses, the histogram of
totals) are computed here as ready strings; ``templates/exam/report.md.j2`` and ``report.tex.j2`` hold
the layout only.
"""
from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

from .build import pdf_bytes
from .errors import OutputError
from .export.csv_export import points_text
from .files import staged_folders, write_bytes, write_text
from .grade import STATUSES, Grades, grade
from .render import latex_environment, markdown_environment, render_template

GRADE_COLUMNS = ("student", "version", "question", "response", "expected", "score", "max", "status", "diagnosis")
TOTAL_COLUMNS = ("student", "version", "score", "max", "percent")
COMMON = 3
"""How many of the most common wrong values and diagnoses the report lists per question."""
BINS = 10
"""Bars of the histogram of totals: 0-10 %, 10-20 %, ..., 90-100 % (100 % in the last)."""
BAR_CM = 8
"""Length of the longest bar in the PDF."""


def percent_text(share: Fraction, places: int = 1) -> str:
    """A share in percent, halves away from zero: 2/3 -> '66.7'."""
    exact = Decimal(share.numerator) / Decimal(share.denominator)
    return str(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def _csv(columns, rows) -> str:
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return stream.getvalue()


def grades_csv(grades: Grades) -> str:
    """One row per student and answer id."""
    return _csv(GRADE_COLUMNS, ((r.student, r.version, r.question, r.response, r.expected, points_text(r.score),
                                 points_text(r.max), r.status, r.diagnosis) for r in grades.rows))


def totals_csv(grades: Grades) -> str:
    """One row per student: score, maximum and percent (one decimal)."""
    return _csv(TOTAL_COLUMNS, ((t.student, t.version, points_text(t.score), points_text(t.max),
                                 percent_text(t.percent)) for t in grades.totals))


def _counted(counter: Counter) -> list[str]:
    """The most common entries with their counts, ``0.700 (2)``; ties in first-seen order."""
    return [f"{text} ({count})" for text, count in counter.most_common(COMMON)]


@dataclass(frozen=True)
class QuestionSummary:
    """One answer id: how many students it was asked of, the percent of them per status, and the most
    common wrong values (as first written, with their version when the class sat several) and
    diagnoses with their counts (``0.359 in V02-K7QD (3)``, ``sign (3)``)."""

    question: str
    asked: int
    shares: dict[str, str]
    wrong_values: list[str]
    diagnoses: list[str]


@dataclass(frozen=True)
class HistogramBar:
    label: str
    count: int
    length_cm: str

    @property
    def blocks(self) -> str:
        """The bar as text, one block per student."""
        return "\u2588" * self.count


def question_summaries(grades: Grades) -> list[QuestionSummary]:
    summaries = []
    several = len({r.version for r in grades.rows}) > 1
    for question in grades.answer_ids:
        rows = [r for r in grades.rows if r.question == question]
        if not rows:
            continue
        statuses = Counter(r.status for r in rows)
        written: dict[tuple, str] = {}
        wrong = Counter()
        for r in rows:
            if r.status == "wrong":
                text = written.setdefault((r.version, r.value), r.response)
                wrong[f"{text} in {r.version}" if several else text] += 1
        shares = {status: percent_text(Fraction(100 * statuses[status], len(rows)), 0) for status in STATUSES}
        summaries.append(QuestionSummary(question, len(rows), shares, _counted(wrong),
                                         _counted(Counter(r.diagnosis for r in rows if r.diagnosis))))
    return summaries


def histogram(grades: Grades) -> list[HistogramBar]:
    counts = [0] * BINS
    for total in grades.totals:
        counts[min(int(total.percent * BINS // 100), BINS - 1)] += 1
    width = 100 // BINS
    tallest = max(counts) or 1
    return [HistogramBar(f"{i * width}\u2013{(i + 1) * width} %", count,
                         percent_text(Fraction(BAR_CM * count, tallest), 2) + "cm") for i, count in enumerate(counts)]


def report_context(grades: Grades) -> dict:
    """Everything the report templates show, as ready strings and counts."""
    totals = grades.totals
    mean = sum((t.percent for t in totals), Fraction(0)) / len(totals) if totals else Fraction(0)
    return dict(students=len(totals), mean_percent=percent_text(mean), statuses=STATUSES,
                follow_through=percent_text(100 * grades.follow_through, 0),
                questions=question_summaries(grades), histogram=histogram(grades))


def report(grades: Grades, fmt: str, templates_dir: Path | None = None) -> str:
    """report.md (``fmt`` 'md') or report.tex ('tex')."""
    env = latex_environment(templates_dir) if fmt == "tex" else markdown_environment(templates_dir)
    return render_template(env, f"exam/report.{fmt}.j2", **report_context(grades))


def grade_outputs(grades: Grades, pdf: bool = True, templates_dir: Path | None = None) -> dict[str, str | bytes]:
    """Every output file in memory: name -> text (or the PDF's bytes, when ``pdf``)."""
    outputs: dict[str, str | bytes] = {"grades.csv": grades_csv(grades), "totals.csv": totals_csv(grades),
                                       "report.md": report(grades, "md", templates_dir)}
    if pdf:
        outputs["report.pdf"] = pdf_bytes(report(grades, "tex", templates_dir))
    return outputs


def write_grades(grades: Grades, out_dir: str | Path, pdf: bool = True,
                 templates_dir: Path | None = None) -> list[Path]:
    """Write the outputs into ``out_dir``, which replaces an old one as a whole once all are made."""
    out_dir = Path(out_dir)
    outputs = grade_outputs(grades, pdf, templates_dir)
    with staged_folders([out_dir]) as (folder,):
        for name, content in sorted(outputs.items()):
            (write_bytes if isinstance(content, bytes) else write_text)(folder / name, content)
    return [out_dir / name for name in sorted(outputs)]


def grade_exam(exam_dir: str | Path, responses_path: str | Path, out_dir: str | Path, pdf: bool = True,
               templates_dir: Path | None = None) -> list[Path]:
    """Mark ``responses_path`` against ``exam_dir`` and write the outputs into ``out_dir`` (which must not be
    the exam folder or hold it: that folder would be replaced). Returns the written paths."""
    exam, out = Path(exam_dir).resolve(), Path(out_dir).resolve()
    if out == exam or out in exam.parents:
        raise OutputError(f"--out {out_dir}: would replace the exam folder {exam_dir}; choose another folder")
    return write_grades(grade(exam_dir, responses_path), out_dir, pdf, templates_dir)
