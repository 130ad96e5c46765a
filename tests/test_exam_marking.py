"""Marking rules of exam questions: a question's own precision (decimals, significant figures), the
tolerance rule checked at load time or on every drawn version, and carry mode. All values are those of
the seed 001 network (the shared family tests/families/seed001.yaml, one fixed version), written out as
literals."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from seed001_family import family_file
from solver.answers import answer_question
from solver.cli import main
from solver.draw import find_version
from solver.exam import instructions
from solver.families import load_family

FIXED = """\
  - {id: q1, ask: output}
  - {id: q2, ask: loss, decimals: 5}
  - {id: q3, ask: gradient, parameter: "W1[1,1]", significant: 3}
  - {id: q4, ask: new_weight, parameter: "W2[1,1]", decimals: 4, tolerance: {absolute: 0.00005}}
  - {id: q5, ask: delta, layer: 2, neuron: 1, tolerance: {relative: 0.02}}
"""
"""The questions asked of the shared seed 001 family (tests/families/seed001.yaml, 3 decimals)."""


def answered(path: Path) -> dict:
    """Question id -> AnsweredQuestion of version 1."""
    family = load_family(path)
    _, solution = find_version(family, 1, 1)
    return {q.id: answer_question(q, solution, family.source, n) for n, q in enumerate(family.questions)}


def error_lines(output: str) -> list[str]:
    assert "Traceback" not in output
    return [line for line in output.splitlines() if line.startswith("error:")]


def shown(question) -> list[tuple[str, str]]:
    return [(a.shown, a.tolerance_shown) for a in question.answers]


def test_a_question_states_its_own_precision(tmp_path):
    found = answered(family_file(tmp_path, FIXED))
    assert shown(found["q1"]) == [("0.751", "0.0005")]
    assert found["q1"].prompt == r"Compute the network output $\hat{y}$."
    assert shown(found["q2"]) == [("0.03159", "0.000005")]
    assert found["q2"].prompt == "Compute the loss $E$. Give it to 5 decimal places."
    assert shown(found["q3"]) == [("0.000227", "0.0000005")]
    assert found["q3"].prompt.endswith(" Give it to 3 significant figures.")
    assert shown(found["q4"]) == [("0.3861", "0.00005")]
    assert found["q4"].answers[0].value == 0.38607034191750633
    # relative 0.02 of 0.046958916742166824 is 0.00093917833484333648, printed to 2 significant figures
    assert shown(found["q5"]) == [("0.047", "0.00094")]
    assert found["q5"].answers[0].tolerance == 0.0009391783348433365


def test_the_paper_and_answers_csv_use_the_question_precision(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["exam", str(family_file(tmp_path, FIXED)), "--versions", "1", "--seed", "1",
                                       "--out", str(out), "--format", "tex,md"])
    assert result.exit_code == 0, result.output
    rows = (out / "answers.csv").read_text().splitlines()
    assert rows[2].split(",")[1:] == ["q2", "0.03159219909552027", "0.03159", "5e-06", "1"]
    assert rows[3].split(",")[1:] == ["q3", "0.0002266243976734737", "0.000227", "5e-07", "1"]
    for name in ("exam.tex", "exam.md", "moodle.xml"):
        text = (out / name).read_text()
        assert "Compute the loss $E$. Give it to 5 decimal places." in text.replace(r"\(E\)", "$E$"), name
        assert "rounded to 3 decimal places unless the question says otherwise" in text, name
    key = (out / "key.md").read_text()
    assert "| 0.03159 | ± 0.000005 |" in key and "| 0.3861 | ± 0.00005 |" in key


@pytest.mark.parametrize("edits, field, message", [
    # decimals + absolute: half a unit in the 4th decimal is 0.00005 whatever is drawn
    ((("decimals: 4, tolerance: {absolute: 0.00005}", "decimals: 4, tolerance: {absolute: 0.00004}"),),
     "questions[3].tolerance", "question 'q4': the absolute tolerance 0.00004 is less than half a unit in the "
     "last decimal at 4 decimal places (0.00005), so correctly rounded answers would be marked wrong; use "
     "tolerance: policy, {absolute: 0.00005} or more, or ask for more precision"),
    # the exam's 3 decimals apply to a question without its own precision
    ((("{id: q1, ask: output}", "{id: q1, ask: output, tolerance: {absolute: 0.0001}}"),),
     "questions[0].tolerance", "the absolute tolerance 0.0001 is less than half a unit in the last decimal at "
     "3 decimal places (0.0005)"),
    # significant + relative: 1.0004 rounds to 1.00 at 3 figures, 0.04% away
    ((('significant: 3}', 'significant: 3, tolerance: {relative: 0.004}}'),),
     "questions[2].tolerance", "the relative tolerance 0.004 is less than half a unit in the last figure of a "
     "value just above a power of ten at 3 significant figures (0.005)"),
    ((('significant: 3}', 'significant: 3, decimals: 2}'),),
     "questions[2]", "give either decimals or significant, not both"),
    ((("rounding: {decimals: 3}", "rounding: {decimals: 3, mode: carry}"),),
     "questions[1].decimals", "question 'q2': in carry mode every result is rounded to 3 decimal places as it "
     "is computed, so the question cannot ask for 5 decimal places; ask for at most 3 decimal places or use "
     "rounding mode: display"),
    ((('title: "Seed 001 family"', 'title: "Seed 001\\x07family"'),),
     "title", "contains the control character U+0007; use plain text on one line"),
])
def test_a_tolerance_wrong_for_every_draw_is_refused_at_load_time(tmp_path, edits, field, message):
    path = family_file(tmp_path, FIXED, *edits)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["exam", str(path), "--versions", "1", "--seed", "1", "--out", str(out),
                                       "--format", "tex,md"])
    assert result.exit_code == 2, result.output
    [line] = error_lines(result.output)
    assert line.startswith(f"error: {path}:") and f": {field}: " in line and message in line
    assert not out.exists()


@pytest.mark.parametrize("edit, message", [
    # significant + absolute depends on the size of the answer: 0.000227 is 3.76e-7 from the value
    (('significant: 3}', 'significant: 3, tolerance: {absolute: 0.0000003}}'),
     "questions[2].tolerance: question 'q3' (version 1): the tolerance 0.0000003 rejects the answer the key "
     "prints (0.000227, from 0.0002266243976734737); use tolerance: policy, or one of at least "
     "0.0000003756023265263"),
    # decimals + relative depends on the answer too: 1% of 0.0316 is less than |0.032 - 0.0316|
    (("ask: loss, decimals: 5}", "ask: loss, tolerance: {relative: 0.01}}"),
     "questions[1].tolerance: question 'q2' (version 1): the tolerance 0.00032 rejects the answer the key "
     "prints (0.032, from 0.03159219909552027)"),
])
def test_a_tolerance_that_depends_on_the_draw_is_checked_on_each_version(tmp_path, edit, message):
    path = family_file(tmp_path, FIXED, edit)
    load_family(path)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["exam", str(path), "--versions", "1", "--seed", "1", "--out", str(out),
                                       "--format", "tex,md"])
    assert result.exit_code == 2, result.output
    [line] = error_lines(result.output)
    assert line.startswith(f"error: {path}: ") and message in line
    assert not out.exists()


CARRY = """\
  - {id: out, ask: output}
  - {id: delta, ask: delta, layer: 2, neuron: 1}
  - {id: grad, ask: gradient, parameter: "W2[1,1]", tolerance: {absolute: 0.05}}
"""


def test_carry_mode_accepts_the_full_precision_answer_and_vice_versa(tmp_path):
    path = family_file(tmp_path, CARRY, ("rounding: {decimals: 3}", "rounding: {decimals: 1, mode: carry}"))
    found = answered(path)
    # output: rounded as you go 0.8, at full precision 0.7514 -> 0.8 as well
    assert [(a.value, a.shown, a.tolerance) for a in found["out"].answers] == [(0.8, "0.8", 0.05)]
    # delta: 0.1 when every step is rounded to one decimal, 0.046958... -> 0.0 at full precision
    assert [(a.value, a.shown, a.tolerance) for a in found["delta"].answers] == [(0.1, "0.1", 0.1)]
    # an absolute tolerance is widened the same way: 0.1 carried, 0.0278... -> 0.0 at full precision
    assert [(a.value, a.shown, a.tolerance) for a in found["grad"].answers] == [(0.1, "0.1", 0.1)]
    for answer in found["delta"].answers + found["grad"].answers:
        assert abs(0.0 - answer.value) <= answer.tolerance and abs(float(answer.shown) - answer.value) <= answer.tolerance
    assert instructions(load_family(path)) == (
        "Give every numerical answer rounded to 1 decimal place (halves away from zero). You may round "
        "intermediate results to 1 decimal place as you go or keep full precision: answers from either method "
        "are accepted.")
