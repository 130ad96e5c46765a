"""moodle.xml read back with an independent parser of Moodle's cloze syntax (tests/cloze.py): every
NUMERICAL answer, tolerance and weight against answers.csv, feedback with every special character,
and category paths."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from cloze import ClozeError, assert_moodle_matches_answers_csv, clozes, parse_cloze, split_category_path
from seed001_family import family_text
from solver.exam import build_exam
from solver.export.moodle import category_path, cloze_escape

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "problems" / "families" / "sample.yaml"
LAYERED = ROOT / "problems" / "families" / "layered_3_2_2_1.yaml"

SPECIAL_TITLE = 'Quiz 3/B: "hard" #1 ~ {x} \\ end'
SPECIAL_FEEDBACK = 'Closing } hash # tilde ~ slash / quote " backslash \\ and $\\dfrac{\\partial E}{\\partial y}$.'
SPECIAL = family_text("""\
  - {id: q1, ask: output, points: 1.5, feedback: 'FEEDBACK'}
  - {id: q2, ask: section, section: forward, points: 3}
constraints: {distinct_versions: true}
""", ('title: "Seed 001 family"', f"title: '{SPECIAL_TITLE}'"), ("[[0.40, 0.45]]", "[[0.40, {choice: [0.45, 0.5]}]]"),
                      ("FEEDBACK", SPECIAL_FEEDBACK))
"""The shared seed 001 family (tests/families/seed001.yaml) with a drawn weight and special characters."""


@pytest.mark.parametrize("family_path", [SAMPLE, LAYERED], ids=["sample", "layered"])
def test_every_cloze_answer_and_tolerance_equals_answers_csv(family_path, tmp_path):
    build_exam(family_path, 2, 5, tmp_path, ("md",))
    assert_moodle_matches_answers_csv(tmp_path)


def test_cloze_weights_and_answers_literal(tmp_path):
    path = tmp_path / "special.yaml"
    path.write_text(SPECIAL)
    build_exam(path, 1, 1, tmp_path / "out", ("md",))
    [subquestions] = clozes(tmp_path / "out").values()
    # half points: 1.5 for q1, 3 shared by three activations (1 each): weights 3 : 2 : 2 : 2
    assert [(s.weight, s.alternatives[0].answer) for s in subquestions] == [
        (3, "0.7568985138058796:0.0005"), (2, "0.5932699921071872:0.0005"),
        (2, "0.596884378259767:0.0005"), (2, "0.7568985138058796:0.0005")]


def test_feedback_and_title_with_every_special_character_survive(tmp_path):
    path = tmp_path / "special.yaml"
    path.write_text(SPECIAL)
    out = tmp_path / "out"
    build_exam(path, 2, 1, out, ("tex", "md"))
    assert_moodle_matches_answers_csv(out)
    math = r"\(\dfrac{\partial E}{\partial y}\)"
    feedback = SPECIAL_FEEDBACK.replace(r"$\dfrac{\partial E}{\partial y}$", math)
    for subquestions in clozes(out).values():
        right, wrong = subquestions[0].alternatives
        assert right.feedback == f"Correct: {right.value_and_tolerance[0].quantize(Decimal('0.001'))}. {feedback}"
        assert wrong.feedback.endswith(f"(\u00b1 0.0005). {feedback}")
        assert subquestions[1].alternatives[0].feedback.endswith(".")
    tree = etree.parse(str(out / "moodle.xml"))
    assert split_category_path(tree.xpath("/quiz/question[@type='category']/category/text")[0].text) == [
        "$course$", "top", SPECIAL_TITLE]
    assert [q.findtext("name/text") for q in tree.xpath("/quiz/question[@type='cloze']")][0].startswith(SPECIAL_TITLE)


@pytest.mark.parametrize("text, escaped", [
    ('} # ~ / " \\', '\\} \\# \\~ \\/ \\" \\\\'),
    ("0.050 (\u00b1 0.0005)", "0.050 (\u00b1 0.0005)"),
    (r"\(x_{1}\)", r"\\(x_{1\}\\)"),
])
def test_cloze_escape(text, escaped):
    assert cloze_escape(text) == escaped
    [sub] = parse_cloze("{1:SHORTANSWER:=a#" + escaped + "}")
    assert sub.alternatives[0].feedback == text


@pytest.mark.parametrize("broken", ["{1:NUMERICAL:=1:0.1#a / b}", "{1:NUMERICAL:=1:0.1#a \\( b}",
                                    "{1:NUMERICAL:=1:0.1#a # b}", '{1:NUMERICAL:=1:0.1#a " b}'])
def test_the_parser_refuses_a_missing_escape(broken):
    with pytest.raises(ClozeError):
        parse_cloze(broken)


def test_an_unescaped_brace_ends_the_subquestion():
    [sub] = parse_cloze("{1:NUMERICAL:=1:0.1#a } b}")
    assert sub.alternatives[0].feedback == "a "


@pytest.mark.parametrize("names, path", [
    (["$course$", "top", "Quiz 3/B"], "$course$/top/Quiz 3//B"),
    (["$course$", "top", "/ starts and ends /"], "$course$/top/ // starts and ends // "),
])
def test_a_slash_in_a_title_does_not_nest_categories(names, path):
    assert category_path(names) == path
    assert split_category_path(path) == names
