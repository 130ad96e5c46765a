"""Marking (``handouts grade``): the responses template, follow-through credit from the quantity graph,
diagnoses, response parsing, structural errors, the reports. The follow-through values are checked
against plain-Python formulas of the 2-2-1 sigmoid network written here, not the solver."""
from __future__ import annotations

import csv
import dataclasses
import json
import math
import shutil
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from solver.answers import ASKED, PROMPTS
from solver.cli import main
from solver.exam import build_exam
from solver.grade import grade, load_exam_key
from solver.grade_report import histogram, report, written_number, wrong_answers
from solver.mistakes import MISTAKES
from solver.responses import parse_number

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "problems" / "families" / "sample.yaml"


def error_lines(output: str) -> list[str]:
    assert "Traceback" not in output
    return [line for line in output.splitlines() if line.startswith("error:")]


@pytest.fixture(scope="module")
def exam_dir(tmp_path_factory) -> Path:
    """Three versions of the sample family (tex and md only)."""
    out = tmp_path_factory.mktemp("exam") / "exam"
    build_exam(SAMPLE, 3, 1, out, ("tex", "md"))
    return out


def test_exam_writes_the_responses_template(exam_dir):
    assert (exam_dir / "responses_template.csv").read_text() == "student,version,q1,q2,q3,q4,q5,q6\n"


def test_the_template_lists_every_part_of_a_longer_question(tmp_path):
    family = tmp_path / "family.yaml"
    family.write_text(SAMPLE.read_text().replace("  - {id: q1, points: 2, ask: output}",
                                                 "  - {id: q1, points: 2, ask: section, section: forward}"))
    build_exam(family, 1, 1, tmp_path / "out", ("md",))
    header = (tmp_path / "out" / "responses_template.csv").read_text().strip().split(",")
    assert header[:6] == ["student", "version", "q1:a1[1]", "q1:a1[2]", "q1:a2[1]", "q2"]
    with open(tmp_path / "out" / "answers.csv", newline="") as stream:
        assert [row["question"] for row in csv.DictReader(stream)] == header[2:]


@pytest.mark.parametrize("value, message", [
    ("1.5", "follow_through: must lie between 0 and 1 (the share of the points), got 1.5"),
    ("-0.5", "follow_through: must lie between 0 and 1 (the share of the points), got -0.5"),
    ("{range: [0, 1], step: 0.5}", "follow_through: a drawing rule is not allowed here"),
])
def test_a_bad_follow_through_share_is_one_line(tmp_path, value, message):
    family = tmp_path / "family.yaml"
    family.write_text(SAMPLE.read_text() + f"follow_through: {value}\n")
    result = CliRunner().invoke(main, ["exam", str(family), "--versions", "1", "--seed", "1",
                                       "--out", str(tmp_path / "out"), "--format", "md"])
    assert result.exit_code == 2
    lines = error_lines(result.output)
    assert len(lines) == 1 and lines[0].startswith(f"error: {family}:") and message in lines[0], lines
    assert not (tmp_path / "out").exists()


def test_the_manifest_records_the_questions_and_the_share(exam_dir):
    manifest = json.loads((exam_dir / "manifest.json").read_text())
    assert manifest["follow_through"] == 1.0
    assert manifest["questions"][0] == {"id": "q1", "ask": "output", "points": 2.0}
    assert manifest["questions"][5] == {"id": "q6", "ask": "loss_after", "points": 2.0,
                                        "tolerance": {"absolute": 0.001}}


# ---------------------------------------------------------------- an independent oracle of the sample network
def sigmoid(v: float) -> float:
    return 1 / (1 + math.exp(-v))


class Net:
    """The 2-2-1 sigmoid network with squared error (factor 1/2), descent convention, one SGD step,
    written out in plain Python from a version's problem in manifest.json."""

    def __init__(self, problem: dict):
        self.W1, self.W2 = problem["weights"][0], problem["weights"][1][0]
        self.b1, self.b2 = problem["biases"][0], problem["biases"][1][0]
        self.x, self.t, self.eta = problem["input"], problem["target"][0], problem["learning_rate"]

    def hidden(self, W1=None, b1=None) -> list[float]:
        W1, b1 = W1 or self.W1, b1 or self.b1
        return [sigmoid(W1[j][0] * self.x[0] + W1[j][1] * self.x[1] + b1[j]) for j in range(2)]

    def output(self, h=None, W2=None, b2=None) -> float:
        h, W2, b2 = h or self.hidden(), W2 or self.W2, self.b2 if b2 is None else b2
        return sigmoid(W2[0] * h[0] + W2[1] * h[1] + b2)

    def loss(self, y: float) -> float:
        return 0.5 * (y - self.t) ** 2

    def output_delta(self, y: float) -> float:
        return (y - self.t) * y * (1 - y)

    def hidden_delta(self, delta: float, j: int) -> float:
        h = self.hidden()[j]
        return self.W2[j] * delta * h * (1 - h)

    def loss_after(self, delta: float, gradient_w1_12: float, new_w2_11: float) -> float:
        """The loss after the update from an output delta, with the gradient of W1[1,2] and the new W2[1,1]
        the student wrote (every other parameter updated correctly from their delta)."""
        h = self.hidden()
        W1 = [[self.W1[j][k] - self.eta * self.hidden_delta(delta, j) * self.x[k] for k in range(2)]
              for j in range(2)]
        W1[0][1] = self.W1[0][1] - self.eta * gradient_w1_12
        b1 = [self.b1[j] - self.eta * self.hidden_delta(delta, j) for j in range(2)]
        W2 = [new_w2_11, self.W2[1] - self.eta * delta * h[1]]
        return self.loss(self.output(self.hidden(W1, b1), W2, self.b2 - self.eta * delta))


def versions(exam: Path) -> dict[str, Net]:
    manifest = json.loads((exam / "manifest.json").read_text())
    return {v["code"]: Net(v["problem"]) for v in manifest["versions"]}


def test_the_oracle_reproduces_the_key(exam_dir):
    with open(exam_dir / "answers.csv", newline="") as stream:
        key = {(r["version"], r["question"]): float(r["answer"]) for r in csv.DictReader(stream)}
    for code, net in versions(exam_dir).items():
        y = net.output()
        delta = net.output_delta(y)
        found = [y, net.loss(y), delta, net.hidden_delta(delta, 0) * net.x[1],
                 net.W2[0] - net.eta * delta * net.hidden()[0],
                 net.loss_after(delta, net.hidden_delta(delta, 0) * net.x[1], net.W2[0] - net.eta * delta * net.hidden()[0])]
        assert found == pytest.approx([key[(code, f"q{n}")] for n in range(1, 7)], rel=1e-12), code


# ---------------------------------------------------------------- a synthetic class
V1, V2, V3 = "V01-JR4O", "V02-VLXR", "V03-OS2F"
CLASS = [
    # student, version, q1..q6, expected statuses, diagnoses of the wrong ones, score
    ("correct", V1, ["0.641", "0.146", "0.124", "0.005", "0.241", "0.125"], "cccccc", "", "12"),
    ("commas", V2, ["0,452", " 0.062 ", "8,7e-2", "-1.7E-3", "\u22120.810", "0.059\u2009"], "cccccc", "", "12"),
    ("slip", V1, ["0.500", "0.080", "0.100", "0.004", "0.253", "0.129"], "wfffff", "", "10"),
    ("no_fprime", V1, ["0.641", "0.146", "0.541", "0.020", "0.045", "0.065"], "ccwfff", "missing_derivative", "10"),
    ("t_minus_y", V1, ["0.641", "0.146", "-0.124", "-0.005", "0.358", ""], "ccwffb", "target_minus_output", "8"),
    ("signs", V1, ["0.641", "0.146", "0.124", "-0.005", "0.358", "0.125"], "cccwwc", "sign sign", "7"),
    ("no_half", V1, ["0.641", "0.293", "0.124", "0.005", "0.241", "0.125"], "cwcccc", "missing_half", "11"),
    ("new_weights", V1, ["0.641", "0.146", "0.124", "0.004", "0.241", "0.125"], "cccwcc",
     "updated_weights_in_backward", "9"),
    ("no_eta", V2, ["0.452", "0.062", "0.087", "-0.002", "-0.840", ""], "ccccwb", "learning_rate_missing", "8"),
    ("eta_twice", V2, ["0.452", "0.062", "0.087", "-0.002", "-0.820", "abc"], "ccccwu", "learning_rate_twice", "8"),
    ("z_for_a", V1, ["0.579", "0.146", "0.124", "0.005", "0.241", "0.125"], "wccccc", "activation_for_preactivation",
     "10"),
    ("early_rounding", V1, ["0.643", "0.146", "0.124", "0.005", "0.241", "0.125"], "wccccc", "rounding", "10"),
    ("unreadable", V1, ["0.64.1", "1,234.5", "0.124", "0.005", "0.241", "0.125"], "uucccc", "", "9"),
    ("absent", V3, ["", "", "", "", "", ""], "bbbbbb", "", "0"),
]
STATUS = {"c": "correct", "f": "follow_through", "w": "wrong", "b": "blank", "u": "unreadable"}


def write_class(path: Path, students=CLASS, delimiter=",") -> Path:
    with open(path, "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream, delimiter=delimiter)
        writer.writerow(["student", "version"] + [f"q{n}" for n in range(1, 7)])
        for student, version, cells, *_ in students:
            writer.writerow([student, version] + cells)
    return path


@pytest.fixture(scope="module")
def graded(exam_dir, tmp_path_factory):
    return grade(exam_dir, write_class(tmp_path_factory.mktemp("class") / "responses.csv"))


def test_every_student_gets_the_expected_statuses_diagnoses_and_score(graded):
    rows = {}
    for row in graded.rows:
        rows.setdefault(row.student, []).append(row)
    totals = {t.student: t for t in graded.totals}
    for student, version, cells, statuses, diagnoses, score in CLASS:
        mine = rows[student]
        assert [r.question for r in mine] == [f"q{n}" for n in range(1, 7)]
        assert [r.status for r in mine] == [STATUS[s] for s in statuses], student
        assert " ".join(r.diagnosis for r in mine if r.diagnosis) == diagnoses, student
        assert all(not r.diagnosis for r in mine if r.status != "wrong"), student
        assert totals[student].score == Fraction(score) and totals[student].max == 12, student


TRAINING_MISTAKES = {"batch_sum_for_mean", "decay_left_out", "bias_correction_left_out"}
"""Mistakes of batches, weight decay and Adam, which plain SGD cannot make (diagnosed in test_training_marking)."""


def test_every_diagnosis_occurs_in_the_class(graded):
    assert {r.diagnosis for r in graded.rows} - {""} == {m.name for m in MISTAKES} - TRAINING_MISTAKES


def test_follow_through_values_match_the_oracle(exam_dir):
    """The values a student's own earlier answers give, from the graph, against the plain formulas."""
    key = load_exam_key(exam_dir)
    for code, net in versions(exam_dir).items():
        graph = key.versions[code].graph
        y, delta, gradient, new = 0.5, 0.1, 0.004, 0.253
        assert graph.value((1, "loss"), {(1, "a", 2, 1): y}) == pytest.approx(net.loss(y), rel=1e-12)
        assert graph.value((1, "delta", 2, 1), {(1, "a", 2, 1): y}) == pytest.approx(net.output_delta(y), rel=1e-12)
        assert graph.value((1, "gradient", "W1[1,2]"), {(1, "delta", 2, 1): delta}) == pytest.approx(
            net.hidden_delta(delta, 0) * net.x[1], rel=1e-12)
        assert graph.value((1, "new", "W2[1,1]"), {(1, "delta", 2, 1): delta}) == pytest.approx(
            net.W2[0] - net.eta * delta * net.hidden()[0], rel=1e-12)
        known = {(1, "delta", 2, 1): delta, (1, "gradient", "W1[1,2]"): gradient, (1, "new", "W2[1,1]"): new}
        assert graph.value((1, "loss_after"), known) == pytest.approx(net.loss_after(delta, gradient, new), rel=1e-12)


def test_the_slip_student_follows_through_with_the_values_written_out(exam_dir):
    net = versions(exam_dir)[V1]
    # the slip student's y = 0.5: E = 0.08, delta = 0.4 * 0.5 * 0.5 = 0.1; their later answers are these, rounded
    assert round(net.loss(0.5), 3) == 0.080 and round(net.output_delta(0.5), 3) == 0.100
    assert round(net.hidden_delta(0.1, 0) * net.x[1], 3) == 0.004
    assert round(net.W2[0] - net.eta * 0.1 * net.hidden()[0], 3) == 0.253
    assert round(net.loss_after(0.1, 0.004, 0.253), 3) == 0.129


def test_a_follow_through_share_scales_the_points(exam_dir, tmp_path):
    folder = tmp_path / "exam"
    shutil.copytree(exam_dir, folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["follow_through"] = 0.5
    (folder / "manifest.json").write_text(json.dumps(manifest))
    slip = [s for s in CLASS if s[0] == "slip"]
    result = grade(folder, write_class(tmp_path / "r.csv", slip))
    assert [r.score for r in result.rows] == [0, Fraction(1, 2), 1, Fraction(3, 2), 1, 1]
    assert result.totals[0].score == 5


@pytest.mark.parametrize("text, value", [
    ("0.641", 0.641), ("0,641", 0.641), (" 0.641 ", 0.641), ("6.41e-1", 0.641), ("6,41E-1", 0.641),
    ("-1 234.5", -1234.5), ("1\u2009234,5", 1234.5), ("\u22120.2", -0.2), (".5", 0.5), ("+3", 3.0),
    ("1,234.5", None), ("0.64.1", None), ("nan", None), ("inf", None), ("1/2", None), ("0.5x", None), ("e5", None),
])
def test_cells_are_numbers_with_a_comma_or_point_or_unreadable(text, value):
    assert parse_number(text) == value


# ---------------------------------------------------------------- the command, its files and bad structure
def run_grade(exam: Path, responses: Path, out: Path):
    return CliRunner().invoke(main, ["grade", str(exam), str(responses), "--out", str(out)])


@pytest.fixture(scope="module")
def graded_folder(exam_dir, tmp_path_factory) -> Path:
    """The synthetic class graded by the command, report.pdf compiled with latexmk."""
    folder = tmp_path_factory.mktemp("graded")
    result = run_grade(exam_dir, write_class(folder / "responses.csv"), folder / "out")
    assert result.exit_code == 0, result.output
    return folder / "out"


def test_the_command_writes_grades_totals_and_reports(graded_folder):
    assert sorted(p.name for p in graded_folder.iterdir() if not p.name.startswith(".")) == [
        "grades.csv", "report.md", "report.pdf", "totals.csv"]
    with open(graded_folder / "grades.csv", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert list(rows[0]) == ["student", "version", "question", "response", "expected", "score", "max", "status",
                             "diagnosis"]
    assert len(rows) == 6 * len(CLASS)
    slip = [r for r in rows if r["student"] == "slip"]
    assert [(r["response"], r["expected"], r["score"], r["status"]) for r in slip[:3]] == [
        ("0.500", "0.641", "0", "wrong"), ("0.080", "0.146", "1", "follow_through"),
        ("0.100", "0.124", "2", "follow_through")]
    assert [r["diagnosis"] for r in rows if r["student"] == "signs"] == ["", "", "", "sign", "sign", ""]
    totals = (graded_folder / "totals.csv").read_text().splitlines()
    assert totals[0] == "student,version,score,max,percent"
    assert totals[1:4] == ["correct,V01-JR4O,12,12,100.0", "commas,V02-VLXR,12,12,100.0", "slip,V01-JR4O,10,12,83.3"]
    assert totals[-1] == "absent,V03-OS2F,0,12,0.0"


def test_the_report_shows_what_each_question_asks_counts_wrong_values_beside_the_key_and_the_histogram(
        graded_folder):
    report = (graded_folder / "report.md").read_text()
    assert report.startswith("# Marking report\n\nBackpropagation: one SGD step · Neural networks · quiz 3\n")
    # totals 12 12 10 10 8 7 11 9 8 8 10 10 9 0: sum 124 of 14 * 12; sorted middle pair 9 and 10
    assert ("14 students sat 3 versions (V01-JR4O: 10, V02-VLXR: 3, V03-OS2F: 1). Totals out of 12 points: "
            "mean 8.9 (73.8 %), median 9.5, lowest 0, highest 12.") in report
    assert "within ±0.0005 (q6: ±0.001) of the key's value" in report
    # q4 (3 points): 8 correct and 3 follow-through of 14 students score 33 / 14 = 2.36
    assert "| q4 | gradient $\\dfrac{\\partial E}{\\partial w_{2}}$ | 3 | 2.4 | 8 | 3 | 2 | 1 | 0 |" in report
    assert "| q1 | network output $\\hat{y}$ | 2 | 1.3 | 9 | 0 | 3 | 1 | 1 |" in report
    assert "| −0.005 | V01-JR4O | 0.005 | 1 | opposite sign |" in report
    assert "| −0.840 | V02-VLXR | −0.810 | 1 | learning rate left out |" in report
    assert "| 0.500 | V01-JR4O | 0.641 | 1 | – |" in report
    assert "- **squared error without the ½**: The squared error without its factor ½: twice the loss." in report
    assert "| V01-JR4O | q2 | “1,234.5” |" in report and "| V01-JR4O | q1 | “0.64.1” |" in report
    assert "Every wrong value, beside the key's value" in report
    assert not any(name in report for name in ("no_fprime", "early_rounding", "absent"))  # no student names
    assert "| V01-JR4O | 10 | 9.6 |" in report  # (12 + 10 + 10 + 8 + 7 + 11 + 9 + 10 + 10 + 9) / 10
    assert "| 10 | 4 | ████ |" in report and "| 0 | 1 | █ |" in report and "| 6 | 0 |  |" in report
    text = PdfReader(graded_folder / "report.pdf").pages[0].extract_text()
    assert "Marking report" in text and "learning rate applied twice" in text and "−0.840" in text


def test_the_report_counts_the_wrong_values_it_does_not_list(exam_dir, tmp_path):
    """Seven students with seven different wrong outputs: five listed, two counted."""
    students = [(f"s{i}", V1, [f"0.{100 + i}", "", "", "", "", ""]) for i in range(7)]
    graded = grade(exam_dir, write_class(tmp_path / "responses.csv", students))
    (section,) = wrong_answers(graded)
    assert [v.value for v in section.values] == ["0.100", "0.101", "0.102", "0.103", "0.104"]
    assert (section.other_values, section.other_students) == (2, 2)
    assert "And 2 other wrong values (2 students)." in report(graded, "md")
    assert "The most common wrong values, beside the key's value" in report(graded, "md")


def test_totals_of_more_than_thirty_points_get_ten_percent_bars(exam_dir, tmp_path):
    graded = grade(exam_dir, write_class(tmp_path / "responses.csv", CLASS[:3]))
    scaled = dataclasses.replace(graded, totals=tuple(dataclasses.replace(t, score=t.score * 5, max=t.max * 5)
                                                    for t in graded.totals))
    unit, bars = histogram(scaled)
    assert unit == "percent" and [bar.label for bar in bars][-1] == "90–100 %"
    assert [bar.count for bar in bars] == [0] * 8 + [1, 2]  # 83.3 %, 100 %, 100 %


def test_grading_is_deterministic_and_idempotent(exam_dir, graded_folder, tmp_path):
    responses = write_class(tmp_path / "responses.csv")
    for _ in range(2):
        assert run_grade(exam_dir, responses, tmp_path / "again").exit_code == 0
        for name in ("grades.csv", "totals.csv", "report.md", "report.pdf"):
            assert (tmp_path / "again" / name).read_bytes() == (graded_folder / name).read_bytes(), name


def test_the_exported_template_round_trips(exam_dir, tmp_path):
    """The template filled in with the key's printed answers, one student per version, gets full marks."""
    with open(exam_dir / "answers.csv", newline="") as stream:
        key = list(csv.DictReader(stream))
    header = (exam_dir / "responses_template.csv").read_text().strip().split(",")
    path = tmp_path / "filled.csv"
    with open(path, "w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        for code in dict.fromkeys(row["version"] for row in key):
            shown = {row["question"]: row["shown"] for row in key if row["version"] == code}
            writer.writerow([f"student {code}", code] + [shown[q] for q in header[2:]])
    result = grade(exam_dir, path)
    assert {r.status for r in result.rows} == {"correct"}
    assert [t.score for t in result.totals] == [12, 12, 12]


@pytest.mark.parametrize("text, message", [
    ("student,version,q1,q1\n", "{path}:1: q1: the column appears twice"),
    ("student,version,q1,q9\n", "{path}:1: q9: unknown column: the exam asks for q1, q2, q3, q4, q5, q6"),
    ("student,q1\nann,0.5\n", "{path}:1: version: the column is missing"),
    ("version,q1\nV01-JR4O,0.5\n", "{path}:1: student: the column is missing"),
    ("student,version,q1\nann,V09-XXXX,0.5\n", "{path}:2: version: unknown version code 'V09-XXXX'; the exam has "
                                              "V01-JR4O, V02-VLXR, V03-OS2F"),
    ("student,version,q1\nann,V01-JR4O,0.5\nbob,V02-VLXR,\nann,V03-OS2F,0.1\n",
     "{path}:4: student: 'ann' appears twice (first on line 2)"),
    ("student,version,q1\n,V01-JR4O,0.5\n", "{path}:2: student: the student's name or number is empty"),
    ("student,version,q1\nann,V01-JR4O,0.5,0.7\n", "{path}:2: the row has 4 cells, the header 3"),
    ("", "{path}:1: the file is empty; start from responses_template.csv"),
])
def test_bad_structure_is_one_line_exit_2_and_nothing_written(exam_dir, tmp_path, text, message):
    path = tmp_path / "responses.csv"
    path.write_text(text)
    result = run_grade(exam_dir, path, tmp_path / "out")
    assert result.exit_code == 2
    lines = error_lines(result.output)
    assert len(lines) == 1 and lines[0].startswith("error: " + message.format(path=path)), lines
    assert not (tmp_path / "out").exists()


def test_semicolons_and_an_excel_bom_are_read(exam_dir, tmp_path):
    path = write_class(tmp_path / "r.csv", CLASS[:2], delimiter=";")
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert [t.score for t in grade(exam_dir, path).totals] == [12, 12]


def test_an_edited_key_or_a_folder_that_is_not_an_exam_is_refused(exam_dir, tmp_path):
    folder = tmp_path / "exam"
    shutil.copytree(exam_dir, folder)
    answers = folder / "answers.csv"
    answers.write_text(answers.read_text().replace("0.6408421372915117", "0.7408421372915117"))
    responses = write_class(tmp_path / "r.csv", CLASS[:1])
    result = run_grade(folder, responses, tmp_path / "out")
    assert result.exit_code == 2
    assert error_lines(result.output) == [
        f"error: {answers}:2: answer: q1 of version V01-JR4O is 0.7408421372915117, but the problem in "
        "manifest.json gives 0.6408421372915117; was the exam folder edited?"]
    result = run_grade(tmp_path, responses, tmp_path / "out")
    assert result.exit_code == 2 and error_lines(result.output)[0].startswith(f"error: {tmp_path / 'manifest.json'}: "
                                                                              "cannot read")
    result = run_grade(exam_dir, responses, exam_dir)
    assert error_lines(result.output) == [f"error: --out {exam_dir}: would replace the exam folder {exam_dir}; "
                                          "choose another folder"]
    assert not (tmp_path / "out").exists()


def test_the_exam_files_are_read_within_a_size_limit_and_as_utf8(exam_dir, tmp_path):
    folder = tmp_path / "exam"
    shutil.copytree(exam_dir, folder)
    responses = write_class(tmp_path / "r.csv", CLASS[:1])
    answers = folder / "answers.csv"
    answers.write_bytes(answers.read_bytes().replace(b"version,", b"v\xe9rsion,", 1))
    result = run_grade(folder, responses, tmp_path / "out")
    assert error_lines(result.output) == [f"error: {answers}:1: file is not valid UTF-8 (byte 0xe9 at offset 1) "
                                          "(is this a folder that 'handouts exam' wrote?)"]
    manifest = folder / "manifest.json"
    manifest.unlink()
    manifest.symlink_to("/dev/zero")
    result = run_grade(folder, responses, tmp_path / "out")
    assert result.exit_code == 2 and error_lines(result.output) == [
        f"error: {manifest}: file is larger than 50,000,000 bytes; input files are limited to 50,000,000 bytes "
        "(is this a folder that 'handouts exam' wrote?)"]
    assert not (tmp_path / "out").exists()


TWO_STEPS = """\
title: "Two steps"
network: {layers: [2, 2, 1], activation: sigmoid, bias: true}
weights:
  - [[0.15, 0.20], [0.25, 0.30]]
  - [[0.40, 0.45]]
biases: [[0.35, 0.35], [0.60]]
examples:
  - {input: [0.05, 0.10], target: [0.50]}
  - {input: [0.30, 0.60], target: [0.20]}
loss: mse
learning_rate: {choice: [0.5]}
notation: named
rounding: {decimals: 3, mode: carry}
questions:
  - {id: n1, ask: new_weight, parameter: "W2[1,1]"}
  - {id: y2, ask: output, step: 2}
  - {id: l2, ask: loss, step: 2}
"""


def test_a_later_sgd_step_follows_through_from_a_new_weight_in_carry_mode(tmp_path):
    family = tmp_path / "family.yaml"
    family.write_text(TWO_STEPS)
    build_exam(family, 1, 1, tmp_path / "exam", ("md",))
    first = Net({"weights": [[[0.15, 0.20], [0.25, 0.30]], [[0.40, 0.45]]], "biases": [[0.35, 0.35], [0.60]],
                 "input": [0.05, 0.10], "target": [0.50], "learning_rate": 0.5})
    delta = first.output_delta(first.output())
    h = first.hidden()
    W1 = [[first.W1[j][k] - 0.5 * first.hidden_delta(delta, j) * first.x[k] for k in range(2)] for j in range(2)]
    b1 = [first.b1[j] - 0.5 * first.hidden_delta(delta, j) for j in range(2)]
    # the student's new W2[1,1] is 0.5 (the key: 0.386); every other parameter is updated correctly
    second = Net({"weights": [W1, [[0.5, first.W2[1] - 0.5 * delta * h[1]]]], "biases": [b1, [first.b2 - 0.5 * delta]],
                  "input": [0.30, 0.60], "target": [0.20], "learning_rate": 0.5})
    y2 = second.output()
    assert round(y2, 3) == 0.763 and round(second.loss(0.763), 3) == 0.158
    code = json.loads((tmp_path / "exam" / "manifest.json").read_text())["versions"][0]["code"]
    responses = tmp_path / "r.csv"
    responses.write_text(f"student,version,n1,y2,l2\nright,{code},0.386,0.750,0.151\nslip,{code},0.5,0.763,0.158\n")
    result = grade(tmp_path / "exam", responses)
    assert [(r.student, r.status) for r in result.rows] == [
        ("right", "correct"), ("right", "correct"), ("right", "correct"),
        ("slip", "wrong"), ("slip", "follow_through"), ("slip", "follow_through")]
    graph = load_exam_key(tmp_path / "exam").versions[code].graph
    assert graph.value((2, "a", 2, 1), {(1, "new", "W2[1,1]"): 0.5}) == pytest.approx(y2, rel=1e-12)


def test_an_answer_the_version_does_not_ask_and_a_non_utf8_file_are_one_line(tmp_path):
    from solver.errors import ResponsesError
    from solver.responses import read_responses

    path = tmp_path / "r.csv"
    path.write_text("student,version,q1:a1[1],q1:a1[3]\nann,V01,0.5,0.7\n")
    with pytest.raises(ResponsesError) as found:
        read_responses(path, {"V01": ("q1:a1[1]", "q1:a1[2]"), "V02": ("q1:a1[1]", "q1:a1[2]", "q1:a1[3]")})
    assert str(found.value) == f"{path}:2: q1:a1[3]: version V01 does not ask this; leave the cell empty"
    path.write_bytes(b"student,version\n\xe9,V01\n")
    with pytest.raises(ResponsesError) as found:
        read_responses(path, {"V01": ()})
    assert str(found.value) == f"{path}: is not UTF-8 text (byte 16); save it as CSV UTF-8"


def test_without_latexmk_the_pdf_is_skipped_with_a_note(exam_dir, tmp_path, monkeypatch):
    import solver.latex_build

    monkeypatch.setattr(solver.latex_build, "latexmk_available", lambda: False)
    result = run_grade(exam_dir, write_class(tmp_path / "r.csv", CLASS[:1]), tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").glob("[!.]*")) == ["grades.csv", "report.md", "totals.csv"]
    assert "note: latexmk is not installed, so no PDFs were made" in result.output


def test_a_responses_file_is_read_within_the_input_size_limit():
    from solver.errors import ResponsesError
    from solver.responses import read_responses

    with pytest.raises(ResponsesError) as found:
        read_responses(Path("/dev/zero"), {"V01": ()})
    assert str(found.value) == ("/dev/zero: file is larger than 1,000,000 bytes; input files are limited to "
                                "1,000,000 bytes")


def test_a_mistake_made_on_the_key_values_is_named_after_an_earlier_slip(exam_dir, tmp_path):
    """After a wrong output (0.500 for 0.641; t = 0.1), twice the key's loss (0.293 = 2 * 0.146) and the key's
    gradient with the opposite sign (-0.005 for 0.005) are the mistakes as the report shows them beside the
    key, although the student's own output gives other values (loss 0.08, gradient about 0.004)."""
    students = [("after_slip", V1, ["0.500", "0.293", "", "-0.005", "", ""])]
    graded = grade(exam_dir, write_class(tmp_path / "responses.csv", students))
    assert [(r.status, r.diagnosis) for r in graded.rows] == [
        ("wrong", ""), ("wrong", "missing_half"), ("blank", ""), ("wrong", "sign"), ("blank", ""), ("blank", "")]


@pytest.mark.parametrize("written, key, shown", [
    (" -0,45", "0.450", "\u22120.450"), ("8,7e-2", "0.087", "0.087"), ("1.23456", "0.123", "1.23456"),
    ("\u22121 234.5", "0.5", "\u22121234.5"), ("3", "0.125", "3.000")])
def test_a_wrong_value_is_shown_with_the_students_digits_padded_to_the_keys_decimals(written, key, shown):
    assert written_number(written, key) == shown


def test_the_report_names_every_kind_of_question():
    assert ASKED.keys() == PROMPTS.keys()
