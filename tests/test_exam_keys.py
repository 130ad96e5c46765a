"""The compact answer key (a table per version, linking to the worked key) and the question labels
that the worked key of each version sets beside the lines answering its questions."""
from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from mathcheck import extract_math, render_errors
from solver.exam import build_exam

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "problems" / "families" / "sample.yaml"
LAYERED = ROOT / "problems" / "families" / "layered_3_2_2_1.yaml"


@pytest.fixture(scope="module")
def keys(tmp_path_factory) -> dict[str, Path]:
    """Two versions of each shipped family, tex and md (no PDF)."""
    folders = {}
    for path in (SAMPLE, LAYERED):
        folders[path.stem] = out = tmp_path_factory.mktemp(path.stem)
        build_exam(path, 2, 7, out, ("tex", "md"))
    return folders


def shown_by_question(folder: Path) -> dict[str, dict[str, list[str]]]:
    """Version -> question number label (q1, q2, ...) -> printed answers, from answers.csv."""
    with open(folder / "answers.csv", newline="") as stream:
        rows = list(csv.DictReader(stream))
    found: dict[str, dict[str, list[str]]] = {}
    for row in rows:
        questions = found.setdefault(row["version"], {})
        question_id = row["question"].split(":")[0]
        order = list(dict.fromkeys(r["question"].split(":")[0] for r in rows if r["version"] == row["version"]))
        questions.setdefault(f"q{order.index(question_id) + 1}", []).append(row["shown"])
    return found


MARKS = {"handout.tex": " \\quad \\text{\\small\\textbf{[%s]}}", "handout.md": " \\qquad \\textbf{[%s]}"}


@pytest.mark.parametrize("family", ["sample", "layered_3_2_2_1"])
@pytest.mark.parametrize("name", ["handout.tex", "handout.md"])
def test_each_question_label_stands_beside_the_line_that_answers_it(keys, family, name):
    folder = keys[family]
    for code, questions in shown_by_question(folder).items():
        lines = (folder / "worked" / code / name).read_text().splitlines()
        for question, answers in questions.items():
            mark = MARKS[name] % question
            marked = [line for line in lines if mark in line]
            assert len(marked) == len(answers), (code, question, marked)
            for line, shown in zip(marked, answers):
                # the label follows the equation whose printed result is the key's answer
                before = line.split(mark)[0]
                assert before.endswith((f" {shown}", f"\\boxed{{{shown}}}")), (code, question, line)


def test_worked_key_labels_in_the_sample_are_literal(keys):
    folder = keys["sample"]
    code = shown_by_question(folder).__iter__().__next__()
    text = (folder / "worked" / code / "handout.tex").read_text()
    marked = [line.split(" &")[0] for line in text.splitlines() if r"\textbf{[q" in line]
    labels = [re.findall(r"\[(q\d)\]", line) for line in text.splitlines() if r"\textbf{[q" in line]
    # q1 output, q2 loss, q3 output delta, q4 dE/dw2 (W1[1,2], second of its row), q5 w5', q6 loss after
    assert labels == [["q1"], ["q2"], ["q3"], ["q4"], ["q5"], ["q6"]]
    assert marked == [r"\hat{y}", "E", r"\delta_{o}", r"\frac{\partial E}{\partial w_{1}}", "{w_{5}}'", "{E}'"]
    gradient_row = next(line for line in text.splitlines() if "[q4]" in line)
    assert gradient_row.index(r"\partial w_{2}") < gradient_row.index("[q4]")


def test_a_section_question_labels_every_activation_and_shares_the_output_line(tmp_path):
    family = tmp_path / "both.yaml"
    family.write_text(SAMPLE.read_text().replace(
        "  - {id: q2, points: 1, ask: loss}", "  - {id: q2, points: 1, ask: loss}\n"
                                             "  - {id: all, points: 3, ask: section, section: forward}"))
    build_exam(family, 1, 7, tmp_path / "out", ("md",))
    [worked] = (tmp_path / "out" / "worked").iterdir()
    lines = [line for line in (worked / "handout.md").read_text().splitlines() if r"\textbf{[q" in line]
    assert [re.findall(r"\[([^]]+)\]", line)[-1] for line in lines] == [
        "q3", "q3", "q1, q3", "q2", "q4", "q5", "q6", "q7"]


def test_the_compact_key_is_a_table_per_version_linking_the_worked_key(keys):
    folder = keys["sample"]
    codes = list(shown_by_question(folder))
    tex, md = (folder / "key.tex").read_text(), (folder / "key.md").read_text()
    assert "\\documentclass[10pt,a4paper]{article}" in tex and "\\answerline" not in tex
    assert "handout.tex" not in tex and "handout.tex" not in md
    for code in codes:
        assert f"\\href{{worked/{code}/handout.pdf}}{{worked/{code}/handout.pdf}}" in tex
        # no PDF was made, so the Markdown key links the worked Markdown
        assert f"Worked key: [worked/{code}/handout.md](worked/{code}/handout.md)" in md
    assert tex.count(r"\begin{tabular}") == md.count("| Question | Quantity | Answer | Tolerance | Points |") == 2
    assert re.search(r"^q4 & \\dfrac\{\\partial E\}\{\\partial w_\{2\}\} & -?0\.\d{3} & \\pm\\,0\.0005 & 3 \\\\$", tex, re.M)
    assert re.search(r"^\| q6 \| \$\{E\}\^\{\\mathrm\{new\}\}\$ \| -?0\.\d{3} \| ± 0\.001 \| 2 \|$", md, re.M)


def test_labelled_worked_keys_and_the_compact_key_render_in_katex_and_mathjax(keys):
    fragments = []
    for folder in keys.values():
        fragments += extract_math((folder / "key.md").read_text())
        for worked in sorted((folder / "worked").iterdir()):
            fragments += extract_math((worked / "handout.md").read_text())
    assert any(r"\textbf{[q1]}" in tex for tex, _ in fragments)
    assert render_errors(fragments) == []
