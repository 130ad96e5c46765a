"""Marking (``handouts grade``): the responses template, follow-through credit from the quantity graph,
diagnoses, response parsing, structural errors, the reports. The follow-through values are checked
against plain-Python formulas of the 2-2-1 sigmoid network written here, not the solver."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from solver.cli import main
from solver.exam import build_exam

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


def test_the_manifest_records_the_questions_and_the_share(exam_dir, tmp_path):
    import json

    manifest = json.loads((exam_dir / "manifest.json").read_text())
    assert manifest["follow_through"] == 1.0
    assert manifest["questions"][0] == {"id": "q1", "ask": "output", "points": 2.0}
    assert manifest["questions"][5] == {"id": "q6", "ask": "loss_after", "points": 2.0,
                                        "tolerance": {"absolute": 0.001}}
