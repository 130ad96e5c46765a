"""Text mutations of the shipped problem and family files (tokens swapped for hostile YAML, lines deleted,
duplicated, re-indented or cut off) are loaded, solved and rendered in process: every outcome is a handout or
one HandoutError, never another exception. FUZZ_EXAMPLES=2000 runs it longer (see docs/testing.md)."""
from __future__ import annotations

import os
import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solver.api import load_problem, solve
from solver.build import render_outputs
from solver.draw import find_version
from solver.errors import HandoutError, VerificationError
from solver.families import load_family

ROOT = Path(__file__).resolve().parent.parent
PROBLEMS = sorted((ROOT / "problems").glob("*.yaml"))
FAMILIES = sorted((ROOT / "problems" / "families").glob("*.yaml"))
LONG_RUN = "FUZZ_EXAMPLES" in os.environ
FUZZ_SETTINGS = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "25")), deadline=None,
                         derandomize=not LONG_RUN,  # the suite's run is the same every time; a long run explores
                         suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

HOSTILE = [
    "1e999", "-1e999", "1e-400", "0e-99999", "-0", "-0.0", ".inf", "-.inf", ".nan", "0x1F", "0o7", "010", "1:30",
    "1_000", "9" * 120, "1000", "-1000", "1000.000000000001", "0.1234567890123", "2.5", "0", "1", "-1", "64", "65",
    "~", "null", "true", "yes", "on", "[]", "{}", "[[]]", "[0]", "[1, 1, 1]", "{range: [0, 1], step: 0.5}",
    "{choice: []}", "''", '""', "'0.5'", "!!str 1", "!!int 0.5", "!!float abc", "!!binary AA==", "!!set {a}",
    "!!python/none ''", "&a 1", "*a", "? x", "- x", "|", ">", "#", "%", "@", "`", "\\", '"', "'", "\t", "\u2028",
    "\x85", "\ufeff", "\x00", "\x07", "é", "Ж", "😀", "$\\input{x}$", "$", "\\\\", "}", "{", "[", "]", ",", ":",
    "sigmoid", "softmax", "relu", "identity", "tanh", "bce", "cross_entropy", "carry", "mitchell", "layered",
]
EXTREME = [
    "400", "-400", "999.999999999999", "-999.999999999999", "0.000000000001", "-0.000000000001", "0", "0.0",
    "1e-12", "1e2", "36", "-36", "40", "-40", "700", "0.5", "1", "2", "3", "8", "12", "50",
]
"""Valid numbers at the edges (saturating weights, the smallest and largest values, counts near the limits):
most survive loading and exercise solving and rendering."""
TOKEN = re.compile(r"-?[0-9][0-9._e+-]*|[A-Za-z_][A-Za-z_0-9]*|[\[\]{},:]")


@st.composite
def mutated_texts(draw, files: list[Path]) -> str:
    """One shipped file with one to three mutations of its text."""
    lines = draw(st.sampled_from(files)).read_text(encoding="utf-8").splitlines()
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["number", "number", "number", "token", "token", "delete", "duplicate", "indent",
                                     "truncate"]))
        row = draw(st.integers(0, len(lines) - 1))
        line = lines[row]
        if kind in ("token", "number"):
            tokens = [t for t in TOKEN.finditer(line) if kind == "token" or t.group()[-1].isdigit()]
            if not tokens:
                continue
            token = draw(st.sampled_from(tokens))
            lines[row] = line[:token.start()] + draw(st.sampled_from(HOSTILE if kind == "token" else EXTREME)) + \
                line[token.end():]
        elif kind == "delete":
            del lines[row]
        elif kind == "duplicate":
            lines.insert(row, line)
        elif kind == "indent":
            lines[row] = line[2:] if line.startswith("  ") and draw(st.booleans()) else "  " + line
        else:
            lines = lines[:row] + [line[:draw(st.integers(0, len(line)))]]
        if not lines:
            lines = [""]
    return "\n".join(lines) + "\n"


def _outcome(run) -> None:
    """Run ``run``; a HandoutError is a clean refusal, anything else fails the test (it would be a traceback).
    A VerificationError is one line too, but on a file that loads it means the solver disagrees with itself."""
    try:
        run()
    except VerificationError as error:
        raise AssertionError(f"the self-check failed on a file that loaded: {error}") from error
    except HandoutError:
        pass


@FUZZ_SETTINGS
@given(text=mutated_texts(PROBLEMS))
def test_mutated_problem_files_render_or_are_refused_in_one_line(text, tmp_path_factory):
    path = tmp_path_factory.mktemp("fuzz") / "mutated.yaml"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    _outcome(lambda: render_outputs(solve(load_problem(path)), ("tex", "md", "html")))


@FUZZ_SETTINGS
@given(text=mutated_texts(FAMILIES))
def test_mutated_family_files_draw_or_are_refused_in_one_line(text, tmp_path_factory):
    path = tmp_path_factory.mktemp("fuzz") / "mutated.yaml"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    _outcome(lambda: find_version(load_family(path), 1, 1))
