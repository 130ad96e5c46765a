"""Every generated Markdown file as GitHub renders it (cmarkgfm, GitHub's own parser): tables keep the
header's cell count, no cell splits a math span, and math comes in few, large blocks."""
from __future__ import annotations

import re
from pathlib import Path

import cmarkgfm
import pytest
from lxml import html

from solver.api import load_problem, problem_from_mapping, solve
from solver.build import render_outputs

ROOT = Path(__file__).resolve().parent.parent
PROBLEMS = sorted((ROOT / "problems").glob("*.yaml"))


@pytest.fixture(scope="module")
def markdown():
    return {p.stem: render_outputs(solve(load_problem(p)), ("md",))["handout.md"] for p in PROBLEMS}


def tables(text: str) -> list:
    """The tables GitHub would render, as lists of rows of cell texts (header row first)."""
    tree = html.fromstring(f"<div>{cmarkgfm.github_flavored_markdown_to_html(text)}</div>")
    return [[[cell.text_content() for cell in row.xpath("./th|./td")] for row in table.xpath(".//tr")]
            for table in tree.xpath("//table")]


def test_the_check_catches_a_pipe_inside_math():
    broken = tables("| a | b |\n| --- | --- |\n| $|x|$ | 2 |\n")[0]
    assert broken[1] != ["$|x|$", "2"] and broken[1][0].count("$") % 2 == 1


@pytest.mark.parametrize("name", [p.stem for p in PROBLEMS])
def test_tables_keep_their_cells_and_math_spans(markdown, name):
    found = tables(markdown[name])
    source_rows = [line for line in markdown[name].splitlines() if line.startswith("|") and "---" not in line]
    assert len(found) >= 3
    assert sum(len(table) for table in found) == len(source_rows)
    for table in found:
        width = len(table[0])
        for row in table:
            assert len(row) == width, row
            for cell in row:
                assert cell.count("$") % 2 == 0, row


@pytest.mark.parametrize("name", [p.stem for p in PROBLEMS])
def test_math_comes_in_few_large_blocks(markdown, name):
    blocks = markdown[name].count("$$") // 2
    neurons = sum(load_problem(ROOT / "problems" / f"{name}.yaml").spec.network.layers[1:])
    assert blocks <= 30 + 3 * neurons, blocks


def test_byline_has_no_stray_separator_without_author():
    problem = problem_from_mapping({
        "title": "T", "course": "Neural networks", "network": {"layers": [1, 1]}, "weights": [[[0.5]]],
        "biases": [[0.1]], "input": [1.0], "target": [0.5], "learning_rate": 0.5})
    text = render_outputs(solve(problem), ("md",))["handout.md"]
    assert "\nNeural networks\n" in text
    assert not re.search(r"(^|\n) ?· ", text)
