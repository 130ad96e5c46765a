"""Marking a class's responses to an exam with follow-through credit and diagnoses.

``grade(exam_dir, responses) -> Grades`` reads what ``handouts exam`` wrote (manifest.json: the drawn
problem of every version, the questions and the follow-through share; answers.csv: the key), solves
every version again, checks the key against the solver, and marks every answer of every student:

* ``correct``: within the question's tolerance of the key (full points);
* ``follow_through``: not correct, but within the tolerance of the value the student's own earlier
  answers give, where at least one of those earlier answers is wrong or itself follow-through (points
  times the family's ``follow_through`` share). The earlier answers are the quantities the asked one
  depends on in the quantity graph (``dependencies.QuantityGraph``) that the student answered, never
  the asked quantity itself; so only the first wrong answer of a chain is ``wrong``;
* ``wrong``: anything else, with the first diagnosis of ``mistakes.MISTAKES`` that the answer matches
  when the mistake is made on the key's earlier values, else on the student's own earlier answers
  (or none);
* ``blank`` and ``unreadable`` (not a number): no points.

Writing the files is ``grade_report``'s job.
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from .answers import answer_question
from .api import problem_from_mapping, solve
from .dependencies import Key, QuantityGraph, quantity_key
from .errors import ProblemError, VerificationError
from .export.csv_export import COLUMNS
from .families import QuestionSpec
from .mistakes import MistakeCase, diagnose
from .reading import ReadFailure, read_utf8
from .responses import Response, parse_number, read_responses
from .tolerance import within

STATUSES = ("correct", "follow_through", "wrong", "blank", "unreadable")
OFF_KEY = ("wrong", "follow_through")
"""Statuses of an earlier answer that differs from the key: later answers may follow through from it."""
SELF_CHECK = 1e-9
"""Largest relative difference between the quantity graph and the solver (a larger one is an error)."""
EXAM_FILE_BYTES = 50_000_000
"""The largest manifest.json or answers.csv read (enforced while reading)."""


@dataclass(frozen=True)
class KeyAnswer:
    """One graded number of one version: answer id, key value, as printed, tolerance (number and as
    printed), points, its quantity in the graph (None for a quantity the graph does not hold: no
    follow-through), the kind of question that asks it and its LaTeX label on the paper."""

    id: str
    value: float
    shown: str
    tolerance: float
    points: Fraction
    key: Key | None
    ask: str
    label: str
    tolerance_shown: str


@dataclass(frozen=True)
class VersionKey:
    code: str
    answers: tuple[KeyAnswer, ...]
    graph: QuantityGraph

    @property
    def answer_ids(self) -> tuple[str, ...]:
        return tuple(a.id for a in self.answers)


@dataclass(frozen=True)
class ExamKey:
    """Everything needed to mark an exam: the versions by code, in order, the follow-through share, and
    the exam's title and course as the papers print them."""

    folder: Path
    versions: dict[str, VersionKey]
    follow_through: Fraction
    title: str
    course: str

    @property
    def answer_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(i for v in self.versions.values() for i in v.answer_ids))


@dataclass(frozen=True)
class GradedAnswer:
    """One row of grades.csv."""

    student: str
    version: str
    question: str
    response: str
    expected: str
    score: Fraction
    max: Fraction
    status: str
    diagnosis: str
    value: float | None
    """The response as a number (None when blank or unreadable)."""


@dataclass(frozen=True)
class Total:
    """One row of totals.csv."""

    student: str
    version: str
    score: Fraction
    max: Fraction

    @property
    def percent(self) -> Fraction:
        return 100 * self.score / self.max


@dataclass(frozen=True)
class Grades:
    """Every graded answer (students in file order, answers in paper order) and every student's total."""

    rows: tuple[GradedAnswer, ...]
    totals: tuple[Total, ...]
    key: ExamKey
    """The exam the class sat (its versions' answers, labels, points and tolerances, its title)."""

    @property
    def answer_ids(self) -> tuple[str, ...]:
        return self.key.answer_ids

    @property
    def follow_through(self) -> Fraction:
        return self.key.follow_through


def _read_exam_file(path: Path) -> str:
    try:
        return read_utf8(path, EXAM_FILE_BYTES)[0]
    except ReadFailure as exc:
        raise ProblemError(str(path), "", f"{exc.message} (is this a folder that 'handouts exam' wrote?)",
                           exc.line) from None


def _read_json(path: Path) -> dict:
    try:
        return json.loads(_read_exam_file(path))
    except ValueError as exc:
        raise ProblemError(str(path), "", f"not valid JSON: {exc}") from None


def _read_key_rows(path: Path) -> list[tuple[int, dict]]:
    reader = csv.DictReader(io.StringIO(_read_exam_file(path), newline=""))
    if tuple(reader.fieldnames or ()) != COLUMNS:
        raise ProblemError(str(path), "", f"the columns must be {', '.join(COLUMNS)}", 1)
    return [(reader.line_num, row) for row in reader]


def _number(path: Path, line: int, row: dict, field: str) -> float:
    value = parse_number(row[field] or "")
    if value is None:
        raise ProblemError(str(path), field, f"not a number: {row[field]!r}", line)
    return value


def _agrees(found: float, solved: float) -> bool:
    """Whether ``found`` is the solver's ``solved`` within SELF_CHECK (relative, absolute below 1)."""
    return abs(found - solved) <= SELF_CHECK * max(1.0, abs(solved))


def _version_key(code: str, problem: dict, questions: list[QuestionSpec], rows: list[tuple[int, dict]],
                 source: Path, answers_path: Path) -> VersionKey:
    """Solve one version again and check answers.csv against it (same answer ids, same values)."""
    solution = solve(problem_from_mapping(problem, f"{source} ({code})"))
    graph = QuantityGraph(solution)
    solved = [(question.answer_id(answer), answer, question.step, question.ask)
              for question in (answer_question(q, solution) for q in questions) for answer in question.answers]
    if [i for i, *_ in solved] != [row["question"] for _, row in rows]:
        line = rows[0][0] if rows else 1
        raise ProblemError(str(answers_path), "question", f"the answer ids of version {code} differ from the "
                           "questions in manifest.json; was the exam folder edited?", line)
    answers = []
    for (answer_id, answer, step, ask), (line, row) in zip(solved, rows):
        value = _number(answers_path, line, row, "answer")
        if not _agrees(value, answer.value):
            raise ProblemError(str(answers_path), "answer", f"{answer_id} of version {code} is {row['answer']}, "
                               f"but the problem in manifest.json gives {answer.value!r}; was the exam folder "
                               "edited?", line)
        key = quantity_key(answer.quantity, step)
        if key not in graph.nodes:
            key = None
        if key is not None and not solution.policy.carries:
            from_graph = graph.paper_sign(key) * graph.value(key)
            if not _agrees(from_graph, answer.value):
                raise VerificationError(f"{source} ({code}): {answer_id}: the quantity graph gives {from_graph!r}, "
                                        f"the solver {answer.value!r}")
        points = Fraction(Decimal(row["points"])).limit_denominator(10_000)
        answers.append(KeyAnswer(answer_id, value, row["shown"], _number(answers_path, line, row, "tolerance"),
                                 points, key, ask, answer.label, row["tolerance"]))
    return VersionKey(code, tuple(answers), graph)


def load_exam_key(exam_dir: str | Path) -> ExamKey:
    """Read manifest.json and answers.csv of an exam folder and solve every version again."""
    folder = Path(exam_dir)
    manifest_path, answers_path = folder / "manifest.json", folder / "answers.csv"
    manifest = _read_json(manifest_path)
    if "questions" not in manifest or "versions" not in manifest:
        raise ProblemError(str(manifest_path), "questions", "not recorded; this exam was written by an older "
                           "version of handouts: run 'handouts exam' again with the same seed")
    try:
        questions = [QuestionSpec.model_validate(q) for q in manifest["questions"]]
    except ValueError as exc:
        raise ProblemError(str(manifest_path), "questions", " ".join(str(exc).split())) from None
    rows_by_version: dict[str, list] = {}
    for line, row in _read_key_rows(answers_path):
        rows_by_version.setdefault(row["version"], []).append((line, row))
    versions = {}
    for entry in manifest["versions"]:
        code = entry["code"]
        versions[code] = _version_key(code, entry["problem"], questions, rows_by_version.pop(code, []),
                                      manifest_path, answers_path)
    if rows_by_version:
        extra = next(iter(rows_by_version))
        raise ProblemError(str(answers_path), "version", f"version {extra} is not in manifest.json",
                           rows_by_version[extra][0][0])
    share = Fraction(str(manifest.get("follow_through", 1)))
    first = manifest["versions"][0]["problem"] if manifest["versions"] else {}
    return ExamKey(folder, versions, share, str(first.get("title") or ""), str(first.get("course") or ""))


def _cell(text: str) -> tuple[str, float | None]:
    """('blank' | 'unreadable' | 'number', value)."""
    if not text:
        return "blank", None
    value = parse_number(text)
    return ("unreadable", None) if value is None else ("number", value)


def _status(answer: KeyAnswer, value: float, graph: QuantityGraph, given: dict[Key, tuple[float, str]],
            statuses: dict[str, str]) -> tuple[str, str]:
    """(status, diagnosis) of one number the student wrote, given the earlier answers' statuses."""
    if within(value, answer.value, answer.tolerance):
        return "correct", ""
    if answer.key is None:
        return "wrong", ""
    earlier = {key: given[key] for key in graph.ancestors(answer.key) if key in given}
    case = MistakeCase(graph, answer.key, {key: number for key, (number, _) in earlier.items()})
    follows = any(statuses[answer_id] in OFF_KEY for _, answer_id in earlier.values())
    if follows and within(value, case.own, answer.tolerance):
        return "follow_through", ""
    from_key = MistakeCase(graph, answer.key, {})
    return "wrong", diagnose(from_key, value, answer.tolerance) or diagnose(case, value, answer.tolerance)


def grade_paper(version: VersionKey, response: Response, share: Fraction) -> list[GradedAnswer]:
    """Every answer of one student's paper, in paper order. Answers are marked in dependency order, so
    the status of every earlier answer is known when a later one is marked."""
    graph = version.graph
    cells = {a.id: _cell(response.cells.get(a.id, "")) for a in version.answers}
    given: dict[Key, tuple[float, str]] = {}
    """Graph key -> (the student's value in the graph's convention, the id of the answer that gave it)."""
    for answer in version.answers:
        kind, value = cells[answer.id]
        if kind == "number" and answer.key is not None and answer.key not in given:
            given[answer.key] = (graph.paper_sign(answer.key) * value, answer.id)
    credit = {"correct": Fraction(1), "follow_through": share}
    statuses: dict[str, str] = {}
    graded: dict[str, GradedAnswer] = {}
    unplaced = len(graph.nodes)
    for answer in sorted(version.answers, key=lambda a: graph.order(a.key) if a.key else unplaced):
        kind, value = cells[answer.id]
        status, diagnosis = _status(answer, value, graph, given, statuses) if kind == "number" else (kind, "")
        statuses[answer.id] = status
        graded[answer.id] = GradedAnswer(response.student, response.version, answer.id,
                                         response.cells.get(answer.id, ""), answer.shown,
                                         answer.points * credit.get(status, 0), answer.points, status, diagnosis,
                                         value)
    return [graded[a.id] for a in version.answers]


def grade(exam_dir: str | Path, responses_path: str | Path) -> Grades:
    """Mark every student of ``responses_path`` against the exam in ``exam_dir`` (see the module docstring).

    Raises ResponsesError for a responses file with bad structure and ProblemError for an exam folder
    that is incomplete or was edited."""
    key = load_exam_key(exam_dir)
    responses = read_responses(responses_path, {code: v.answer_ids for code, v in key.versions.items()})
    rows, totals = [], []
    for response in responses:
        paper = grade_paper(key.versions[response.version], response, key.follow_through)
        rows += paper
        totals.append(Total(response.student, response.version, sum((r.score for r in paper), Fraction(0)),
                            sum((r.max for r in paper), Fraction(0))))
    return Grades(tuple(rows), tuple(totals), key)
