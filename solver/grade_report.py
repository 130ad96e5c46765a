"""The files ``handouts grade`` writes: grades.csv, totals.csv, report.md and report.pdf.

The report's numbers (per question the mean score and the count per status, the most common wrong
values beside the key's value with their diagnosis, the totals per version and their histogram) are computed here as ready strings; ``templates/exam/report.md.j2`` and ``report.tex.j2`` hold
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
from statistics import median

from .answers import ASKED
from .build import pdf_bytes
from .errors import OutputError
from .export.csv_export import points_text
from .files import staged_folders, write_bytes, write_text
from .grade import STATUSES, Grades, grade
from .mistakes import MISTAKES, mistake_named
from .responses import number_text
from .render import latex_environment, markdown_environment, render_template

GRADE_COLUMNS = ("student", "version", "question", "response", "expected", "score", "max", "status", "diagnosis")
TOTAL_COLUMNS = ("student", "version", "score", "max", "percent")
BINS = 10
"""Bars of the histogram of totals: 0-10 %, 10-20 %, ..., 90-100 % (100 % in the last)."""
BAR_CM = 6
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


SHOWN_WRONG = 5
"""How many distinct wrong values the report lists per question (the rest are counted)."""
POINT_BARS = 30
"""Totals up to this many points get one bar per point; larger ones get ten 10 % bars."""


def signed(text: str) -> str:
    """A number with a true minus sign: '-0.5' -> '\u22120.5'."""
    return text.replace("-", "\u2212")


def written_number(response: str, key_shown: str) -> str:
    """A readable response as a plain decimal with the student's digits, padded with zeros to the key's
    decimals so a column aligns: (' -0,45', '0.450') -> '\u22120.450'; ('8.7e-2', '0.087') -> '0.087'."""
    value = Decimal(number_text(response))
    places = len(key_shown.partition(".")[2])
    if -value.as_tuple().exponent < places:
        value = value.quantize(Decimal(1).scaleb(-places))
    return signed(format(value, "f"))


def mean_shown(mean: Fraction) -> str:
    """A mean score to one decimal, halves away from zero: 7 -> '7.0', 33/14 -> '2.4'."""
    return percent_text(mean, 1)


def points_shown(points: Fraction) -> str:
    """Points with at most one decimal, halves away from zero: 7, 7.5, 6.7."""
    text = percent_text(points, 1)
    return text[:-2] if text.endswith(".0") else text


@dataclass(frozen=True)
class QuestionSummary:
    """One answer id: what it asks (words and LaTeX label), its points, the class's mean score on it and
    how many students got each status."""

    question: str
    asked: str
    label: str
    points: str
    mean: str
    counts: dict[str, int]


@dataclass(frozen=True)
class WrongValue:
    """One wrong value of one version, the key's value there, how many wrote it and the usual diagnosis."""

    value: str
    version: str
    expected: str
    students: int
    diagnosis: str


@dataclass(frozen=True)
class WrongAnswers:
    """The most common wrong values of one answer id, and how many other wrong values (and students) remain."""

    question: str
    asked: str
    label: str
    values: list[WrongValue]
    other_values: int
    other_students: int


@dataclass(frozen=True)
class HistogramBar:
    label: str
    count: int
    length_cm: str

    @property
    def blocks(self) -> str:
        """The bar as text, one block per student."""
        return "\u2588" * self.count


def _answers_by_id(grades: Grades) -> dict[str, dict[str, object]]:
    """Answer id -> version code -> that version's KeyAnswer."""
    by_id: dict[str, dict[str, object]] = {}
    for code, version in grades.key.versions.items():
        for answer in version.answers:
            by_id.setdefault(answer.id, {})[code] = answer
    return by_id


def question_summaries(grades: Grades) -> list[QuestionSummary]:
    answers = _answers_by_id(grades)
    summaries = []
    for question in grades.answer_ids:
        rows = [r for r in grades.rows if r.question == question]
        if not rows:
            continue
        first = next(iter(answers[question].values()))
        statuses = Counter(r.status for r in rows)
        mean = sum((r.score for r in rows), Fraction(0)) / len(rows)
        summaries.append(QuestionSummary(question, ASKED[first.ask], first.label,
                                         points_shown(first.points), mean_shown(mean),
                                         {status: statuses[status] for status in STATUSES}))
    return summaries


def wrong_answers(grades: Grades) -> list[WrongAnswers]:
    """Per answer id with wrong answers: its most common wrong values, most frequent first (ties in the
    order the class wrote them)."""
    answers = _answers_by_id(grades)
    sections = []
    for question in grades.answer_ids:
        groups: dict[tuple[str, str], list] = {}
        for r in grades.rows:
            if r.question == question and r.status == "wrong":
                shown = answers[question][r.version].shown
                groups.setdefault((r.version, written_number(r.response, shown)), []).append(r)
        if not groups:
            continue
        ranked = sorted(groups.items(), key=lambda item: -len(item[1]))
        values = []
        for (version, value), rows in ranked[:SHOWN_WRONG]:
            common = Counter(r.diagnosis for r in rows).most_common(1)[0][0]
            values.append(WrongValue(value, version, signed(answers[question][version].shown), len(rows),
                                     mistake_named(common).title if common else ""))
        first = next(iter(answers[question].values()))
        rest = ranked[SHOWN_WRONG:]
        sections.append(WrongAnswers(question, ASKED[first.ask], first.label, values, len(rest),
                                     sum(len(rows) for _, rows in rest)))
    return sections


def diagnoses_seen(grades: Grades) -> list[tuple[str, str]]:
    """(title, explanation) of every mistake diagnosed in the class, in the order they are tried."""
    seen = {r.diagnosis for r in grades.rows}
    return [(model.title, model.description) for model in MISTAKES if model.name in seen]


def unreadable_cells(grades: Grades) -> list[tuple[str, str, str]]:
    """(version, answer id, what was written) of every cell that is not a number; no student names (the
    report may be shared), grades.csv has them."""
    return [(r.version, r.question, r.response) for r in grades.rows if r.status == "unreadable"]


def version_summaries(grades: Grades) -> list[tuple[str, int, str]]:
    """(version code, students, mean points) of every version the class sat, in paper order."""
    summaries = []
    for code in grades.key.versions:
        totals = [t.score for t in grades.totals if t.version == code]
        if totals:
            summaries.append((code, len(totals), mean_shown(sum(totals, Fraction(0)) / len(totals))))
    return summaries


def histogram(grades: Grades) -> tuple[str, list[HistogramBar]]:
    """('points' or 'percent', the bars): one bar per whole point when every paper has the same at most
    POINT_BARS points (part points count in the bar below), else ten bars of 10 % (100 % in the last)."""
    maxima = {t.max for t in grades.totals}
    if len(maxima) == 1 and int(next(iter(maxima))) <= POINT_BARS:
        top = int(next(iter(maxima)))
        counts = [0] * (top + 1)
        for total in grades.totals:
            counts[int(total.score)] += 1
        labels, unit = [str(score) for score in range(top + 1)], "points"
    else:
        counts = [0] * BINS
        for total in grades.totals:
            counts[min(int(total.percent * BINS // 100), BINS - 1)] += 1
        width = 100 // BINS
        labels, unit = [f"{i * width}\u2013{(i + 1) * width} %" for i in range(BINS)], "percent"
    tallest = max(counts) or 1
    return unit, [HistogramBar(label, count, percent_text(Fraction(BAR_CM * count, tallest), 2) + "cm")
                  for label, count in zip(labels, counts)]


def tolerance_text(grades: Grades) -> str:
    """The tolerances the key accepts: '\u00b10.0005' or '\u00b10.0005 (q6: \u00b10.001)'."""
    by_tolerance: dict[str, list[str]] = {}
    for question, versions in _answers_by_id(grades).items():
        shown = sorted({answer.tolerance_shown for answer in versions.values()}, key=Decimal)
        by_tolerance.setdefault(" to ".join(f"\u00b1{t}" for t in shown), []).append(question)
    usual = max(by_tolerance, key=lambda t: len(by_tolerance[t]))
    others = "; ".join(f"{', '.join(ids)}: {t}" for t, ids in by_tolerance.items() if t != usual)
    return f"{usual} ({others})" if others else usual


def report_context(grades: Grades) -> dict:
    """Everything the report templates show, as ready strings and counts."""
    totals = grades.totals
    scores = sorted(t.score for t in totals)
    maxima = sorted({t.max for t in totals})
    unit, bars = histogram(grades)
    versions, wrong = version_summaries(grades), wrong_answers(grades)
    return dict(
        title=grades.key.title, course=grades.key.course, students=len(totals),
        versions=versions, statuses=STATUSES,
        version_counts=", ".join(f"{code}: {n}" for code, n, _ in versions),
        max_points=" or ".join(points_shown(m) for m in maxima),
        mean_points=mean_shown(sum(scores, Fraction(0)) / len(scores)) if scores else "0.0",
        mean_percent=percent_text(sum((t.percent for t in totals), Fraction(0)) / len(totals)) if totals else "0.0",
        median_points=points_shown(Fraction(median(scores))) if scores else "0",
        lowest=points_shown(scores[0]) if scores else "0", highest=points_shown(scores[-1]) if scores else "0",
        tolerance=tolerance_text(grades), follow_through=percent_text(100 * grades.follow_through, 0),
        questions=question_summaries(grades), wrong=wrong, diagnoses=diagnoses_seen(grades),
        every_wrong_listed=not any(w.other_values for w in wrong),
        unreadable=unreadable_cells(grades), histogram_unit=unit, histogram=bars)


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
