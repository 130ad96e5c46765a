"""Every file in tests/bad_inputs is rejected by the real CLI: one line naming the file, the line where
known and the field, exit code 2, no traceback, and nothing written. Variants under bad_inputs/library/ go
through the same library calls in-process (a CLI run costs ~0.5 s of imports)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from solver.api import load_problem, solve
from solver.errors import ProblemError

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).resolve().parent / "bad_inputs"
EXPECTED = yaml.safe_load((CORPUS / "EXPECTED.yaml").read_text(encoding="utf-8"))


def _ten_megabytes(folder: Path) -> Path:
    path = folder / "ten_megabytes.yaml"
    path.write_text("title: big\nnotes: " + "x" * 10_000_000 + "\n", encoding="utf-8")
    return path


def _missing_file(folder: Path) -> Path:
    return folder / "no_such_problem.yaml"


# Files made by the test instead of committed: (writer, expectation as in EXPECTED.yaml).
GENERATED = {
    "ten_megabytes.yaml": (_ten_megabytes, {"path": "", "line": None, "message": "limited to 1,000,000 bytes"}),
    "no_such_problem.yaml": (_missing_file, {"path": "", "line": None, "message": "cannot read file"}),
}
CLI_FILES = sorted(name for name in EXPECTED if "/" not in name)
LIBRARY_FILES = sorted(name for name in EXPECTED if name.startswith("library/"))
CASES = CLI_FILES + sorted(GENERATED)


def _problem_file(name: str, folder: Path) -> tuple[Path, dict]:
    if name in GENERATED:
        writer, expected = GENERATED[name]
        return writer(folder), expected
    return CORPUS / name, EXPECTED[name]


def _run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    return subprocess.run([sys.executable, "-m", "solver", *args], capture_output=True, text=True,
                          encoding="utf-8", errors="replace", cwd=cwd, env=env, timeout=120)


def _assert_message(stderr: str, path: Path, expected: dict) -> None:
    assert stderr.endswith("\n") and stderr.count("\n") == 1, stderr
    where = f"{path}:{expected['line']}" if expected["line"] else str(path)
    field = f"{expected['path']}: " if expected["path"] else ""
    assert stderr.startswith(f"error: {where}: {field}"), stderr
    assert expected["message"] in stderr


def _assert_rejected(result: subprocess.CompletedProcess, path: Path, expected: dict) -> None:
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    assert result.returncode == 2, result.stderr
    _assert_message(result.stderr, path, expected)


def test_corpus_and_expectations_match():
    files = {path.relative_to(CORPUS).as_posix() for path in CORPUS.rglob("*") if path.is_file()}
    assert files - {"EXPECTED.yaml"} == set(EXPECTED)
    assert len(CLI_FILES) >= 45
    assert b"\xff" in (CORPUS / "non_utf8.yaml").read_bytes()


@pytest.mark.parametrize("name", CASES)
def test_solve_rejects_with_one_clear_line(name, tmp_path):
    path, expected = _problem_file(name, tmp_path)
    _assert_rejected(_run_cli("solve", str(path), cwd=tmp_path), path, expected)


@pytest.mark.parametrize("name", CASES)
def test_render_rejects_and_writes_nothing(name, tmp_path):
    path, expected = _problem_file(name, tmp_path)
    before = set(tmp_path.iterdir())
    out = tmp_path / "out"
    result = _run_cli("render", str(path), "--out", str(out), "--format", "tex,md", cwd=tmp_path)
    _assert_rejected(result, path, expected)
    assert not out.exists()
    assert set(tmp_path.iterdir()) - {out} == before


@pytest.mark.parametrize("name", LIBRARY_FILES)
def test_library_rejects_with_the_same_message(name):
    path = CORPUS / name
    with pytest.raises(ProblemError) as caught:
        solve(load_problem(path))
    assert caught.value.exit_code == 2
    _assert_message(f"error: {caught.value}\n", path, EXPECTED[name])
