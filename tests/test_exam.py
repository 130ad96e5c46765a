"""Randomised exams: answers against the solver and an independent oracle, reproducibility, Moodle
XML, impossible families, and real pdflatex builds of the exam and the key."""
from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import sys
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import mpmath
import pytest
from click.testing import CliRunner
from lxml import etree
from pypdf import PdfReader

from cloze import assert_moodle_matches_answers_csv
from hand_rounding import half_unit, written
from seed_oracle import Net, sgd_step
from solver.api import problem_from_mapping, solve
from solver.cli import main
from solver.exam import build_exam
from solver.families import load_family
from solver.latex_build import compile_pdf, latexmk_available, overfull_boxes

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "problems" / "families" / "sample.yaml"
LAYERED = ROOT / "problems" / "families" / "layered_3_2_2_1.yaml"
SEED = 11
PRECISION = {SAMPLE: {"decimals": 3}, LAYERED: {"significant": 4}}
"""The rounding each family file states (``rounding:``; no question asks for its own precision)."""


STAGES: list[list] = []
"""The progress stages the sample exam's build reported: [label, total, items reported done]."""


@contextmanager
def record_stage(label: str, total: int):
    stage = [label, total, 0]
    STAGES.append(stage)

    def advance(count: int) -> None:
        stage[2] += count

    yield advance


@pytest.fixture(scope="module")
def sample_exam(tmp_path_factory) -> Path:
    """Three versions of the sample family with PDFs, compiled two at a time."""
    out = tmp_path_factory.mktemp("sample")
    STAGES.clear()
    build_exam(SAMPLE, 3, SEED, out, ("tex", "md", "pdf"), progress=record_stage, jobs=2)
    return out


@pytest.fixture(scope="module")
def layered_exam(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("layered")
    build_exam(LAYERED, 2, SEED, out, ("tex", "md"))
    return out


def read_csv(folder: Path) -> list[dict]:
    with open(folder / "answers.csv", newline="") as stream:
        return list(csv.DictReader(stream))


def read_manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text())


def trace_value(question, part: str, step: dict, convention: str) -> float:
    """The asked number from the solver's JSON trace (``handouts solve --json``)."""
    ref = question.parameter_ref
    if question.ask == "output":
        return step["output"][(question.index or int(part[2:-1] or 1)) - 1]
    if question.ask == "loss":
        return step["loss"]
    if question.ask == "loss_after":
        return step["loss_after"]
    if question.ask == "delta":
        sign = -1 if convention == "mitchell" else 1
        return sign * step["delta"][question.layer - 1][question.neuron - 1]
    if question.ask == "section":
        layer, row = re.fullmatch(r"a(\d+)\[(\d+)\]", part).groups()
        return step["a"][int(layer)][int(row) - 1]
    key = ("grad_" if question.ask == "gradient" else "") + ("W" if ref.kind == "weight" else "b")
    key = key if question.ask == "gradient" else key + "_new"
    values = step[key][ref.layer - 1][ref.row - 1]
    return values[ref.column - 1] if ref.kind == "weight" else values


def oracle_value(question, part: str, problem: dict):
    """The same number from the independent reference implementation (30 digits)."""
    net = Net(problem["network"]["activation"], problem["weights"], problem.get("biases"), problem["input"],
              problem["target"], problem["loss"], problem["learning_rate"])
    step = sgd_step(net)
    oracle_step = {"output": step["a"][-1], "loss": step["loss"], "loss_after": step["loss_after"],
                   "delta": step["delta"], "a": step["a"], "grad_W": step["grad_W"], "grad_b": step["grad_b"],
                   "W_new": step["W_new"], "b_new": step["b_new"]}
    return trace_value(question, part, oracle_step, "descent")


def answers_by_version(folder: Path, family_path: Path):
    """(version, question, part, csv row, solver trace value, oracle value) for every csv row."""
    family = load_family(family_path)
    questions = {q.id: q for q in family.questions}
    versions = {v["code"]: v for v in read_manifest(folder)["versions"]}
    solved = {}
    for row in read_csv(folder):
        problem = versions[row["version"]]["problem"]
        if row["version"] not in solved:
            solved[row["version"]] = solve(problem_from_mapping(problem)).to_json_dict()["steps"][0]
        question_id, _, part = row["question"].partition(":")
        question = questions[question_id]
        yield (row["version"], question, part, row, trace_value(question, part, solved[row["version"]],
               problem["convention"]), oracle_value(question, part, problem))


@pytest.mark.parametrize("family_path", [SAMPLE, LAYERED], ids=["sample", "layered"])
def test_answers_csv_equals_solver_and_oracle(family_path, sample_exam, layered_exam):
    folder = sample_exam if family_path == SAMPLE else layered_exam
    precision = PRECISION[family_path]
    rounding = load_family(family_path).spec.rounding
    assert {name: getattr(rounding, name) for name in precision} == precision
    rows = list(answers_by_version(folder, family_path))
    assert rows
    for version, question, part, row, solver, oracle in rows:
        where = f"{version} {row['question']}"
        assert float(row["answer"]) == solver, where
        assert row["answer"] == repr(solver), where
        assert mpmath.almosteq(mpmath.mpf(row["answer"]), oracle, rel_eps=1e-12, abs_eps=1e-15), where
        assert row["shown"] == written(oracle, **precision), where
        if question.tolerance.policy:
            assert Decimal(row["tolerance"]) == half_unit(oracle, **precision), where
        elif question.tolerance.relative is not None:
            assert float(row["tolerance"]) == pytest.approx(float(question.tolerance.relative) * abs(float(oracle))), where
        else:
            assert float(row["tolerance"]) == float(question.tolerance.absolute), where


def key_md_answers(folder: Path) -> dict[str, list[str]]:
    """Printed answers per version, in order, from key.md's tables."""
    found: dict[str, list[str]] = {}
    code = None
    for line in (folder / "key.md").read_text().splitlines():
        if line.startswith("## Version "):
            code = line.split()[-1]
            found[code] = []
        elif code and line.startswith("| ") and "$" in line:
            found[code].append(line.split("|")[3].strip())
    return found


def key_tex_answers(folder: Path) -> dict[str, list[str]]:
    """Printed answers per version, in order, from key.tex's tables (question & quantity & answer & ...)."""
    text = (folder / "key.tex").read_text()
    sections = re.split(r"\\subsection\*\{Version (\S+) ", text)[1:]
    return {code: re.findall(r"^[^&\n]*& [^&\n]* & (-?[0-9.]+) & \\pm", body, re.M)
            for code, body in zip(sections[::2], sections[1::2])}


@pytest.mark.parametrize("family_path", [SAMPLE, LAYERED], ids=["sample", "layered"])
def test_short_keys_print_the_oracle_value_at_the_policy(family_path, sample_exam, layered_exam):
    folder = sample_exam if family_path == SAMPLE else layered_exam
    expected: dict[str, list[str]] = {}
    for version, _, _, _, _, oracle in answers_by_version(folder, family_path):
        expected.setdefault(version, []).append(written(oracle, **PRECISION[family_path]))
    assert key_md_answers(folder) == expected
    assert key_tex_answers(folder) == expected
    assert len(expected) == 3 if family_path == SAMPLE else 2
    exam_tex = (folder / "exam.tex").read_text()
    assert "\\answerline\n" in exam_tex and "\\answerline[" not in exam_tex


def test_versions_are_distinct_and_named_on_every_page(sample_exam):
    versions = read_manifest(sample_exam)["versions"]
    drawn = [json.dumps(v["drawn"], sort_keys=True) for v in versions]
    assert len(set(drawn)) == len(drawn) == 3
    codes = [v["code"] for v in versions]
    assert len(set(codes)) == 3
    pages = pdf_pages(sample_exam / "exam.pdf")
    on_page = [[code for code in codes if code in page] for page in pages if page.strip()]
    assert all(len(found) == 1 for found in on_page), on_page
    assert [found[0] for found in on_page] == sorted((found[0] for found in on_page), key=codes.index)


def test_version_k_does_not_depend_on_the_number_of_versions(sample_exam, tmp_path):
    build_exam(SAMPLE, 5, SEED, tmp_path, ("tex", "md"))
    three, five = read_manifest(sample_exam)["versions"], read_manifest(tmp_path)["versions"]
    assert five[:3] == three
    codes = [v["code"] for v in three]
    assert [r for r in read_csv(tmp_path) if r["version"] in codes] == read_csv(sample_exam)
    for code in codes:
        for name in ("handout.tex", "handout.md"):
            assert (tmp_path / "worked" / code / name).read_bytes() == (sample_exam / "worked" / code / name).read_bytes()


def test_same_seed_gives_byte_identical_files_in_parallel_and_serially(sample_exam, tmp_path):
    build_exam(SAMPLE, 3, SEED, tmp_path, ("tex", "md", "pdf"), jobs=1)
    first = {p.relative_to(sample_exam): p.read_bytes() for p in sample_exam.rglob("*") if p.is_file()}
    second = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert sorted(first) == sorted(second)
    assert {Path("exam.pdf"), Path("key.pdf"), Path("worked.pdf"), Path("moodle.xml"), Path("manifest.json")} <= set(first)
    assert len([name for name in first if name.parent.parent == Path("worked") and name.suffix == ".pdf"]) == 3
    different = [str(name) for name in first if first[name] != second[name]]
    assert not different


def test_manifest_records_seed_hash_and_every_drawn_value(sample_exam):
    import hashlib

    manifest = read_manifest(sample_exam)
    assert manifest["seed"] == SEED
    assert manifest["family_sha256"] == hashlib.sha256(SAMPLE.read_bytes()).hexdigest()
    for version in manifest["versions"]:
        problem = version["problem"]
        assert version["drawn"]["weights[1][0][1]"] == problem["weights"][1][0][1]
        assert version["drawn"]["learning_rate"] == problem["learning_rate"]
        assert len(version["drawn"]) == 6 + 3 + 2 + 1 + 1


def test_moodle_xml_parses_and_every_answer_has_its_tolerance(sample_exam):
    tree = etree.parse(str(sample_exam / "moodle.xml"))
    assert len(tree.xpath("/quiz/question[@type='category']")) == 1
    for question in tree.xpath("/quiz/question[@type='cloze']"):
        text = question.find("questiontext/text").text
        assert "<table" in text and "\\(w_{1} = " in text
    assert_moodle_matches_answers_csv(sample_exam)


SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize("family_path", [SAMPLE, LAYERED], ids=["sample", "layered"])
def test_the_printed_answer_is_accepted_by_its_own_tolerance(family_path, sample_exam, layered_exam):
    from decimal import Decimal

    folder = sample_exam if family_path == SAMPLE else layered_exam
    rows = read_csv(folder)
    assert rows and all(row["shown"] for row in rows)
    for row in rows:
        assert abs(Decimal(row["shown"]) - Decimal(row["answer"])) <= Decimal(row["tolerance"]), row


def test_every_paper_shows_its_network_and_neuron_equations(sample_exam):
    """A student can tell which connection a weight is: every version's paper (LaTeX, Markdown and Moodle)
    draws the network with its weights and gives the symbolic neuron equations, and shows no computed value."""
    import base64

    codes = [v["code"] for v in read_manifest(sample_exam)["versions"]]
    tex = (sample_exam / "exam.tex").read_text()
    md = (sample_exam / "exam.md").read_text()
    assert tex.count(r"\begin{tikzpicture}") == len(codes)
    assert tex.count(r"z_{h_1} &= w_{1} x_{1} + w_{2} x_{2} + b_{1}") == len(codes)
    assert md.count(r"z_{h_1} &= w_{1} x_{1} + w_{2} x_{2} + b_{1}") == len(codes)
    pictures = {}
    for code in codes:
        assert f"](diagrams/{code}.svg)" in md
        root = etree.fromstring((sample_exam / "diagrams" / f"{code}.svg").read_bytes())
        assert len(root.findall(f"{SVG}circle")) == 5
        pictures[code] = root
    manifest = {v["code"]: v["problem"] for v in read_manifest(sample_exam)["versions"]}
    for code, root in pictures.items():
        texts = " ".join("".join(t.itertext()) for t in root.iter(f"{SVG}text")).replace("\u2212", "-")
        for weight in (w for matrix in manifest[code]["weights"] for row in matrix for w in row):
            assert f"{weight:g}" in texts
        assert not [t for t in root.iter(f"{SVG}text") if t.get("fill") == "teal"], "a computed activation is shown"
    assert "text=teal" not in tex
    for question in etree.parse(str(sample_exam / "moodle.xml")).xpath("/quiz/question[@type='cloze']"):
        page = etree.HTML(question.find("questiontext/text").text)
        image = page.xpath("//img")[0]
        assert image.get("alt").startswith(f"Network of version {question.findtext('idnumber')}: A 2-2-1 network")
        svg = base64.b64decode(image.get("src").split("base64,", 1)[1])
        assert svg == (sample_exam / "diagrams" / f"{question.findtext('idnumber')}.svg").read_bytes()
        assert r"w_{1} x_{1} + w_{2} x_{2} + b_{1}" in question.find("questiontext/text").text


def impossible_family(tmp_path: Path, constraint: str) -> Path:
    text = SAMPLE.read_text().replace("max_attempts: 200", "max_attempts: 12")
    if constraint == "min_derivative":
        text = text.replace("min_derivative: 0.05", "min_derivative: 0.3")
    else:
        text = re.sub(r"\{(range|choice): [^}]*\}", "{choice: [0.5]}", text)
        text = text.replace("no_symmetric_hidden: true", "no_symmetric_hidden: false")
    path = tmp_path / f"impossible_{constraint}.yaml"
    path.write_text(text)
    return path


@pytest.mark.parametrize("constraint", ["min_derivative", "distinct_versions"])
def test_impossible_constraints_fail_with_exit_code_2_and_write_nothing(tmp_path, constraint):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["exam", str(impossible_family(tmp_path, constraint)), "--versions", "2",
                                       "--seed", "1", "--out", str(out), "--format", "tex,md"])
    assert result.exit_code == 2, result.output
    message = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(message) == 1
    assert f"rejected by {constraint} " in message[0] and "12 attempts" in message[0]
    assert f"impossible_{constraint}.yaml" in message[0]
    assert not out.exists()


@pytest.mark.parametrize("edit, expected", [
    (("step: 0.1, exclude: [0]}", "stp: 0.1, exclude: [0]}"), "weights[0].stp: unknown key 'stp' (did you mean 'step'?)"),
    (("activation: sigmoid", "activation: {choice: [sigmoid, tanhh]}"), "network.activation: unknown value"),
    (('"W1[1,2]"', '"W3[1,2]"'), "questions[3].parameter: no parameter W3[1,2]"),
    (("{choice: [0.25, 0.5, 1.0]}", "{range: [0, 1], step: 0.5}"), "learning_rate: must be positive, got 0"),
    # 0-based indices would wrap around to the last entry (index -1) and key another parameter's value
    (('"W1[1,2]"', '"W0[1,1]"'), "questions[3].parameter: 'W0[1,1]': indices are 1-based"),
    (('"W1[1,2]"', '"W1[0,1]"'), "questions[3].parameter: 'W1[0,1]': indices are 1-based"),
    (('"W1[1,2]"', '"b1[0]"'), "questions[3].parameter: 'b1[0]': indices are 1-based"),
    (('"W1[1,2]"', '"W00[1,1]"'), "questions[3].parameter: 'W00[1,1]': write indices without leading zeros"),
    (('"W1[1,2]"', '"W1[3,1]"'), "questions[3].parameter: no parameter W1[3,1] in a [2, 2, 1] network: "
                                 "the row (neuron of layer 1) must be between 1 and 2, got 3"),
    (('"W2[1,1]"', '"W2[1,3]"'), "questions[4].parameter: no parameter W2[1,3] in a [2, 2, 1] network: "
                                 "the column (neuron of layer 1) must be between 1 and 2, got 3"),
    (("ask: delta, layer: 2, neuron: 1", "ask: delta, layer: 2, neuron: 0"),
     "questions[2].neuron: must be at least 1, got 0"),
    (("ask: delta, layer: 2, neuron: 1", "ask: delta, layer: 2, neuron: 2"),
     "questions[2].neuron: neuron (of layer 2) must be 1 (there is only one), got 2"),
    (("ask: output}", "ask: output, index: 0}"), "questions[0].index: must be at least 1, got 0"),
    # drawn values that would make the paper's instructions or the marking differ between versions
    (("rounding: {decimals: 3}", "rounding: {decimals: {choice: [2, 3]}}"),
     "rounding.decimals: a drawing rule is not allowed here: this field is the same for every version"),
    (("notation: named", "notation: {choice: [named, layered]}"), "notation: a drawing rule is not allowed here"),
    (("convention: descent", "convention: {choice: [descent, mitchell]}"),
     "convention: a drawing rule is not allowed here"),
    (('title: "Backpropagation: one SGD step"', "title: {choice: [a, b]}"), "title: a drawing rule is not allowed"),
    (("loss: mse", "loss: mse\nsections: {choice: [[forward], [loss]]}"), "sections: a drawing rule is not allowed"),
    (("ask: loss}", "ask: {choice: [loss, loss_after]}}"), "questions[1].ask: a drawing rule is not allowed"),
    (("points: 3,", "points: {range: [1, 3], step: 1},"), "questions[3].points: a drawing rule is not allowed"),
    (("min_derivative: 0.05", "min_derivative: {choice: [0.05, 0.1]}"),
     "constraints.min_derivative: a drawing rule is not allowed"),
    # a tolerance narrower than the rounding of the printed answer would mark the key's own answer wrong
    (("tolerance: {absolute: 0.001}", "tolerance: {relative: 0.001}"),
     "questions[5].tolerance: question 'q6' (version 1): the tolerance"),
])
def test_bad_family_files_name_the_field(tmp_path, edit, expected):
    path = tmp_path / "bad.yaml"
    path.write_text(SAMPLE.read_text().replace(*edit, 1))
    result = CliRunner().invoke(main, ["exam", str(path), "--seed", "1", "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert expected in result.output
    assert f"{path}:" in result.output


def test_stress_reports_rejections_and_spreads():
    result = CliRunner().invoke(main, ["stress", str(SAMPLE), "--draws", "5", "--seed", "3"])
    assert result.exit_code == 0, result.output
    for word in ("every draw solved and verified", "nonzero_at_policy", "min_derivative", "q4", "distinct"):
        assert word in result.output


@pytest.mark.parametrize("command", ["exam", "stress"])
def test_help_ends_with_an_example(command):
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0
    description = result.output.split("Options:")[0].rstrip().splitlines()
    assert description[-2].strip() == "Example:"
    assert description[-1].strip().startswith(f"handouts {command} ")


MITCHELL_SOFTMAX = """\
title: "Softmax & ReLU_2: 100% (Mitchell)"
network: {layers: [2, 3, 2], activation: [relu, softmax]}
weights: {range: [-1, 1], step: 0.25, exclude: [0]}
biases: {range: [-0.5, 0.5], step: 0.25}
input: {range: [-1, 1], step: 0.5}
target: {choice: [[1, 0], [0, 1]]}
loss: cross_entropy
learning_rate: {range: [0.1, 0.5], step: 0.1}
convention: mitchell
notation: mitchell
rounding: {decimals: 3, mode: carry}
questions:
  - {id: out, ask: output, points: 1.5}
  - {id: d, ask: delta, layer: 1, neuron: 3}
  - {id: g, ask: gradient, parameter: "b1[2]", tolerance: {absolute: 0.002}}
constraints: {nonzero_at_policy: true, min_derivative: 0.5, distinct_versions: true}
"""


def test_parts_half_points_and_prose_escaping_compile(tmp_path):
    family = tmp_path / "mitchell_softmax.yaml"
    family.write_text(MITCHELL_SOFTMAX)
    out = tmp_path / "out"
    build_exam(family, 2, SEED, out, ("tex", "pdf"))
    exam_tex = (out / "exam.tex").read_text()
    assert "\\question[1\\half]" in exam_tex and "\\begin{parts}" in exam_tex
    assert "Softmax \\& ReLU\\_2: 100\\% (Mitchell)" in exam_tex
    rows = read_csv(out)
    assert [r["question"] for r in rows[:4]] == ["out:y[1]", "out:y[2]", "d", "g"]
    assert [r["points"] for r in rows[:4]] == ["0.75", "0.75", "1", "1"]
    assert rows[3]["tolerance"] == "0.002"
    targets = [v["problem"]["target"] for v in read_manifest(out)["versions"]]
    assert all(t in ([1, 0], [0, 1]) for t in targets)
    key_text = "".join(pdf_pages(out / "key.pdf")).replace("\u2212", "-")
    assert all(str(Decimal(r["answer"]).quantize(Decimal("0.001"))) in key_text for r in rows)


def pdf_pages(pdf: Path) -> list[str]:
    assert shutil.which("pdftotext"), "pdftotext (poppler-utils) is needed to read the PDFs"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")


def test_exam_and_key_compile_with_pdflatex_without_overfull_boxes(sample_exam, tmp_path):
    assert latexmk_available(), "latexmk and TeX Live are required for this test"
    for name in ("exam", "key"):
        assert (sample_exam / f"{name}.pdf").read_bytes().startswith(b"%PDF")
        tex = tmp_path / f"{name}.tex"
        shutil.copyfile(sample_exam / f"{name}.tex", tex)
        pdf = compile_pdf(tex)
        assert overfull_boxes(tex.with_suffix(".log").read_text(errors="replace")) == []
        text = "".join(pdf_pages(pdf))
        assert "Version V01-" in text and "page 1 of" in text
    key_text = "".join(pdf_pages(sample_exam / "key.pdf")).replace("\u2212", "-")
    first = key_md_answers(sample_exam)
    assert all(answer in key_text for answers in first.values() for answer in answers)


def test_the_build_reports_drawing_and_compiling(sample_exam):
    assert STAGES == [["Drawing and rendering versions", 3, 3], ["Compiling PDFs", 5, 5]]


def test_the_worked_booklet_holds_every_worked_key_with_a_bookmark_per_version(sample_exam):
    codes = [v["code"] for v in read_manifest(sample_exam)["versions"]]
    keys = [PdfReader(sample_exam / "worked" / code / "handout.pdf") for code in codes]
    book = PdfReader(sample_exam / "worked.pdf")
    assert len(book.pages) == sum(len(key.pages) for key in keys)
    starts = [0]
    for key in keys[:-1]:
        starts.append(starts[-1] + len(key.pages))
    tops = [item for item in book.outline if not isinstance(item, list)]
    assert [item.title for item in tops] == [f"Version {code}" for code in codes]
    assert [book.get_destination_page_number(item) for item in tops] == starts
    sections = [item for item in book.outline if isinstance(item, list)]
    assert [[s.title for s in inner] for inner in sections] == [[s.title for s in key.outline] for key in keys]
    texts = [page.extract_text() for key in keys for page in key.pages]
    assert [page.extract_text() for page in book.pages] == texts
    assert len({key.pages[0].extract_text() for key in keys}) == len(keys)


def test_no_progress_bar_when_stderr_is_not_a_terminal(tmp_path):
    result = CliRunner().invoke(main, ["exam", str(SAMPLE), "--versions", "4", "--seed", "3", "--out",
                                       str(tmp_path), "--format", "tex,md"])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert (tmp_path / "exam.tex").is_file()


def test_the_progress_bar_is_drawn_on_a_terminal(monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    from solver.cli import progress_bar

    with progress_bar("Compiling PDFs", 4) as advance:
        advance(4)
    assert "Compiling PDFs" in terminal.getvalue() and "100%" in terminal.getvalue()


def test_jobs_must_be_at_least_one(tmp_path):
    result = CliRunner().invoke(main, ["exam", str(SAMPLE), "--seed", "3", "--out", str(tmp_path), "--jobs", "0"])
    assert result.exit_code == 2 and "Invalid value for '--jobs': 0 is not in the range x>=1" in result.output
    assert not any(tmp_path.iterdir())


def test_worked_keys_have_the_same_pages_and_bookmarks_as_a_standalone_build(sample_exam, tmp_path):
    """The exam compiles worked keys from a shared format in one pass; the pages read the same."""
    code = read_manifest(sample_exam)["versions"][1]["code"]
    tex = tmp_path / "handout.tex"
    shutil.copyfile(sample_exam / "worked" / code / "handout.tex", tex)
    batch, alone = PdfReader(sample_exam / "worked" / code / "handout.pdf"), PdfReader(compile_pdf(tex))
    assert [page.extract_text() for page in batch.pages] == [page.extract_text() for page in alone.pages]
    assert [item.title for item in batch.outline] == [item.title for item in alone.outline]


def test_compact_key_fits_every_version_on_one_page_and_worked_pdfs_show_the_labels(sample_exam):
    """Three versions of the sample take one page of key.pdf (the old key took two pages per version),
    and every worked PDF prints the labels of all six questions."""
    pages = [page for page in pdf_pages(sample_exam / "key.pdf") if page.strip()]
    assert len(pages) == 1
    codes = [v["code"] for v in read_manifest(sample_exam)["versions"]]
    assert all(f"Version {code}" in pages[0] and f"worked/{code}/handout.pdf" in pages[0] for code in codes)
    for code in codes:
        text = "".join(pdf_pages(sample_exam / "worked" / code / "handout.pdf"))
        assert [n for n in range(1, 7) if text.count(f"[q{n}]") != 1] == []


def test_every_worked_key_names_its_version_under_the_title(sample_exam):
    codes = [v["code"] for v in read_manifest(sample_exam)["versions"]]
    for code in codes:
        assert f"Worked key of exam version {code}" in (sample_exam / "worked" / code / "handout.md").read_text()
        assert f"Worked key of exam version {code}" in (sample_exam / "worked" / code / "handout.tex").read_text()
    book = PdfReader(sample_exam / "worked.pdf").pages[0].extract_text()
    assert f"Worked key of exam version {codes[0]}" in book
