"""Writing outputs: every command builds its folder beside the target and moves it into place only when
everything succeeded, replacing the old folder as a whole, under a lock; bad output paths, a full disk
or a stopped run give one line, exit 2 (130/143 when stopped) and leave nothing behind."""
from __future__ import annotations

import errno
import fcntl
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from solver.cli import main

ROOT = Path(__file__).resolve().parent.parent
PROBLEMS = ROOT / "problems"
SEED001 = PROBLEMS / "seed001_named_2_2_1.yaml"
SAMPLE = PROBLEMS / "families" / "sample.yaml"
SATURATES = ROOT / "tests" / "bad_inputs" / "carry_rounding_saturates.yaml"


def run_cli(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    env = dict(env or os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "solver", *args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=300)


def invoke(*args: str):
    return CliRunner().invoke(main, [str(arg) for arg in args])


def assert_one_error_line(result, *fragments: str, code: int = 2) -> None:
    """Exit code, exactly one line on stderr starting with 'error: ', no traceback, nothing on stdout."""
    stderr = result.stderr
    exit_code = result.returncode if isinstance(result, subprocess.CompletedProcess) else result.exit_code
    assert exit_code == code, stderr
    assert "Traceback" not in stderr + result.stdout
    assert stderr.startswith("error: ") and stderr.count("\n") == 1, stderr
    assert result.stdout == ""
    for fragment in fragments:
        assert fragment in stderr, stderr


def tree(folder: Path) -> set[str]:
    """Every path below ``folder``, hidden ones included."""
    return {path.relative_to(folder).as_posix() for path in folder.rglob("*")}


# --- one rename per folder, old folders replaced, umask ---------------------------------------------

def test_rerunning_replaces_the_old_folder_so_no_stale_file_survives(tmp_path):
    out = tmp_path / "out"
    assert invoke("render", SEED001, "--out", out, "--format", "tex,md").exit_code == 0
    assert invoke("render", SEED001, "--out", out, "--format", "md").exit_code == 0
    assert tree(out) == {SEED001.stem, f"{SEED001.stem}/.handouts-output", f"{SEED001.stem}/handout.md",
                         f"{SEED001.stem}/network.svg"}


def test_an_exam_rerun_with_fewer_versions_keeps_no_old_version(tmp_path):
    out = tmp_path / "exam"
    assert invoke("exam", SAMPLE, "--versions", 4, "--seed", 5, "--out", out, "--format", "md").exit_code == 0
    assert len(list((out / "worked").iterdir())) == 4
    (out / "moodle.xml").unlink()
    (out / "moodle.xml").mkdir()  # a folder where moodle.xml goes: replaced with the rest
    assert invoke("exam", SAMPLE, "--versions", 2, "--seed", 5, "--out", out, "--format", "md").exit_code == 0
    assert len(list((out / "worked").iterdir())) == len(list((out / "diagrams").iterdir())) == 2
    assert (out / "moodle.xml").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exam"]


def test_a_folder_that_handouts_did_not_write_is_never_replaced(tmp_path):
    precious = tmp_path / SEED001.stem
    precious.mkdir()
    (precious / "thesis.tex").write_text("mine")
    result = invoke("render", SEED001, "--out", tmp_path, "--format", "md")
    assert_one_error_line(result, f"{precious}: exists and was not written by handouts (it holds thesis.tex)")
    assert tree(tmp_path) == {SEED001.stem, f"{SEED001.stem}/thesis.tex"}


def test_output_files_honour_the_umask(tmp_path):
    previous = os.umask(0o027)
    try:
        assert invoke("render", SEED001, "--out", tmp_path / "out", "--format", "tex,md").exit_code == 0
        assert invoke("schema", "--out", tmp_path / "schema.json").exit_code == 0
        assert invoke("templates", "copy", tmp_path / "mine").exit_code == 0
    finally:
        os.umask(previous)
    folder = tmp_path / "out" / SEED001.stem
    assert oct((folder / "handout.tex").stat().st_mode & 0o777) == "0o640"
    assert oct(folder.stat().st_mode & 0o777) == "0o750"
    assert oct((tmp_path / "schema.json").stat().st_mode & 0o777) == "0o640"
    assert oct((tmp_path / "mine" / "latex").stat().st_mode & 0o777) == "0o750"
    assert oct((tmp_path / "mine" / "latex" / "handout.tex.j2").stat().st_mode & 0o777) == "0o640"


def test_build_moves_nothing_until_every_problem_has_succeeded(tmp_path):
    sources = tmp_path / "problems"
    sources.mkdir()
    shutil.copy(SEED001, sources / "a_good.yaml")
    shutil.copy(SATURATES, sources / "z_fails_while_solving.yaml")
    out = tmp_path / "out"
    result = run_cli("build", str(sources), "--out", str(out), "--format", "tex,md", cwd=tmp_path)
    assert_one_error_line(result, "z_fails_while_solving.yaml", "carry-mode rounding makes an output exactly 0 or 1")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["problems"]


def test_two_problem_files_with_one_name_cannot_share_a_folder(tmp_path):
    (tmp_path / "b").mkdir()
    shutil.copy(SEED001, tmp_path / "b" / SEED001.name)
    result = invoke("build", SEED001, tmp_path / "b", "--out", tmp_path / "out", "--format", "md")
    assert_one_error_line(result, f"would write {tmp_path / 'out' / SEED001.stem} like {SEED001}")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b"]


@pytest.mark.parametrize("name", ["...yaml", "..yaml"])
def test_a_problem_file_name_cannot_write_outside_out(tmp_path, name):
    problem = tmp_path / "in" / name
    problem.parent.mkdir()
    shutil.copy(SEED001, problem)
    result = invoke("render", problem, "--out", tmp_path / "a" / "b", "--format", "tex,md")
    assert_one_error_line(result, f"{problem}: gives the output folder name", "rename the file")
    assert tree(tmp_path) == {"in", f"in/{name}"}


# --- bad output paths: one line, exit 2, nothing left behind -----------------------------------------

def _bad_path_cases():
    family = ["exam", SAMPLE, "--versions", "1", "--seed", "1", "--format", "md", "--out"]
    return {
        "render --out below a file": (["render", SEED001, "--format", "md", "--out", "{file}/out"],
                                      "{file}/out/seed001_named_2_2_1: cannot write: {file} is a file"),
        "render: a file where the folder goes": (["render", SEED001, "--format", "md", "--out", "{dir}"],
                                                 "{dir}/seed001_named_2_2_1: cannot write: it exists and is not a folder"),
        "build --out below a file": (["build", SEED001, "--format", "md", "--out", "{file}/x/y"],
                                     "{file}/x/y/seed001_named_2_2_1: cannot write: {file} is a file"),
        "exam --out below a file": (family + ["{file}/exam"], "{file}/exam: cannot write: {file} is a file"),
        "exam --out is a file": (family + ["{file}"], "Directory '{file}' is a file"),
        "templates copy below a file": (["templates", "copy", "{file}/mine"], "cannot write: {file} is a file"),
        "templates copy to a file": (["templates", "copy", "{file}"], "Directory '{file}' is a file"),
        "schema --out below a file": (["schema", "--out", "{file}/s.json"],
                                      "{file}/s.json: cannot write: {file} is a file"),
        "schema --out a folder": (["schema", "--out", "{dir}"], "'{dir}' is a directory"),
    }


@pytest.mark.parametrize("case", sorted(_bad_path_cases()))
def test_bad_output_paths_give_one_line_and_leave_nothing_behind(tmp_path, case):
    args, expected = _bad_path_cases()[case]
    (tmp_path / "file").write_text("x")
    (tmp_path / "dir").mkdir()
    (tmp_path / "dir" / "seed001_named_2_2_1").write_text("x")
    before = tree(tmp_path)
    names = {"file": str(tmp_path / "file"), "dir": str(tmp_path / "dir")}
    result = invoke(*[str(arg).format(**names) for arg in args])
    assert_one_error_line(result, expected.format(**names))
    assert tree(tmp_path) == before


def _unwritable_folder(tmp_path: Path) -> Path:
    """A folder this process cannot create files in: read-only by mode, or (as root) a read-only tmpfs,
    or /sys."""
    if os.geteuid() != 0:
        folder = tmp_path / "read-only"
        folder.mkdir(mode=0o555)
        return folder
    folder = tmp_path / "read-only"
    folder.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(folder)],
                      capture_output=True).returncode == 0:
        return folder
    return Path("/sys")


@pytest.mark.parametrize("command", ["render", "exam", "schema", "templates"])
def test_a_read_only_folder_gives_one_line(tmp_path, command):
    folder = _unwritable_folder(tmp_path)
    try:
        target = folder / "handouts-out"
        args = {"render": ["render", SEED001, "--format", "md", "--out", target],
                "exam": ["exam", SAMPLE, "--versions", 1, "--seed", 1, "--format", "md", "--out", target],
                "schema": ["schema", "--out", target / "s.json"],
                "templates": ["templates", "copy", target]}[command]
        result = invoke(*args)
        assert_one_error_line(result, f"{target}", "cannot write")
        assert not target.exists()
        if folder != Path("/sys"):
            assert list(folder.iterdir()) == []
    finally:
        if folder.is_mount() and folder != Path("/sys"):
            subprocess.run(["umount", str(folder)], check=True)


@pytest.fixture
def tiny_disk(tmp_path):
    """A 96 KiB tmpfs (needs root and mount); the exam below needs more than 400 KiB."""
    folder = tmp_path / "disk"
    folder.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=96k", "tmpfs", str(folder)],
                                           capture_output=True).returncode != 0:
        pytest.skip("mounting a small tmpfs needs root")
    yield folder
    subprocess.run(["umount", str(folder)], check=True)


def test_a_real_full_disk_mid_exam_gives_one_line_and_leaves_nothing(tiny_disk):
    result = invoke("exam", SAMPLE, "--versions", 6, "--seed", 1, "--format", "tex,md", "--out", tiny_disk / "exam")
    assert_one_error_line(result, f"{tiny_disk / 'exam'}", "No space left on device")
    assert list(tiny_disk.iterdir()) == []


def test_a_full_disk_mid_write_gives_one_line_and_leaves_nothing(tmp_path, monkeypatch):
    written = []
    original = Path.write_bytes

    def fill_the_disk(path, data):
        if len(written) == 3:
            original(path, data[: len(data) // 2])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        written.append(path)
        return original(path, data)

    monkeypatch.setattr(Path, "write_bytes", fill_the_disk)
    out = tmp_path / "exam"
    result = invoke("exam", SAMPLE, "--versions", 2, "--seed", 1, "--format", "tex,md", "--out", out)
    assert_one_error_line(result, f"{out}/", "cannot write: No space left on device")
    assert list(tmp_path.iterdir()) == []


# --- locks and killed runs ----------------------------------------------------------------------------

def test_a_second_exam_into_a_folder_being_written_fails_with_one_line(tmp_path):
    out = tmp_path / "exam"
    assert invoke("exam", SAMPLE, "--versions", 1, "--seed", 1, "--format", "md", "--out", out).exit_code == 0
    before = {path: path.read_bytes() for path in out.rglob("*") if path.is_file()}
    with open(tmp_path / ".exam.lock", "w") as lock:  # what a running handouts holds
        fcntl.flock(lock, fcntl.LOCK_EX)
        result = invoke("exam", SAMPLE, "--versions", 2, "--seed", 9, "--format", "md", "--out", out)
    assert_one_error_line(result, f"{out}: another handouts run is writing this folder")
    assert {path: path.read_bytes() for path in out.rglob("*") if path.is_file()} == before


def test_leftovers_of_a_killed_run_are_removed_by_the_next(tmp_path):
    (tmp_path / ".exam.staging-abc123" / "worked").mkdir(parents=True)
    (tmp_path / ".exam.old-def456").mkdir()
    assert invoke("exam", SAMPLE, "--versions", 1, "--seed", 1, "--format", "md", "--out", tmp_path / "exam").exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exam"]


# --- no latexmk ---------------------------------------------------------------------------------------

@pytest.fixture
def no_latexmk_env(tmp_path):
    """The environment of a machine without TeX: PATH holds only an empty folder."""
    empty = tmp_path / "bin"
    empty.mkdir()
    return dict(os.environ, PATH=str(empty))


def test_build_without_latexmk_writes_tex_and_md_for_every_problem_and_says_how_to_get_pdfs(tmp_path, no_latexmk_env):
    """A folder of three problems (plain, training, softmax; every shipped problem renders in test_handouts)."""
    folder = tmp_path / "problems"
    folder.mkdir()
    for name in ("seed001_named_2_2_1", "training_adam_2_2_1", "extra_relu_softmax_2_3_3_2"):
        shutil.copy(PROBLEMS / f"{name}.yaml", folder)
    result = run_cli("build", str(folder), "--out", str(tmp_path / "output"), cwd=tmp_path, env=no_latexmk_env)
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith("note: latexmk is not installed, so no PDFs were made; to get them install ")
    assert result.stderr.count("\n") == 1 and "apt-get install latexmk" in result.stderr
    names = sorted(path.stem for path in folder.glob("*.yaml"))
    assert sorted(p.name for p in (tmp_path / "output").iterdir()) == names
    for name in names:
        files = {p.name for p in (tmp_path / "output" / name).iterdir()}
        assert {"handout.tex", "handout.md"} <= files and "handout.pdf" not in files


@pytest.mark.parametrize("formats", ["pdf", "tex,pdf", "tex,md,pdf"])
def test_an_explicit_pdf_without_latexmk_stays_an_error(tmp_path, no_latexmk_env, formats):
    result = run_cli("render", str(SEED001), "--format", formats, "--out", str(tmp_path / "output"), cwd=tmp_path,
                     env=no_latexmk_env)
    assert_one_error_line(result, "pdf requested but latexmk is not installed")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bin"]


# --- stopping a run: workers die with it, one line, nothing written -----------------------------------

def _children(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (from /proc)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _start_long_exam(tmp_path: Path) -> tuple[subprocess.Popen, list[int]]:
    """An exam of 999 versions in its own session (like a terminal's job), once its workers are drawing."""
    process = subprocess.Popen(
        [sys.executable, "-m", "solver", "exam", str(SAMPLE), "--versions", "999", "--seed", "1", "--format", "tex,md",
         "--out", str(tmp_path / "exam")], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        cwd=tmp_path, env=dict(os.environ, PYTHONPATH=str(ROOT)), start_new_session=True)
    deadline = time.monotonic() + 60
    while len(_children(process.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1.0)
    workers = _children(process.pid)
    assert len(workers) >= 2, process.stderr.read() if process.poll() is not None else "no workers"
    return process, workers


def _wait_until_gone(pids: list[int], seconds: float = 5.0) -> list[int]:
    deadline = time.monotonic() + seconds
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    return [pid for pid in pids if _alive(pid)]


@pytest.mark.parametrize("how, code, line", [
    ("ctrl-c", 130, "error: interrupted\n"),
    ("sigint", 130, "error: interrupted\n"),
    ("sigterm", 143, "error: terminated\n"),
])
def test_a_stopped_exam_takes_its_workers_with_it_and_writes_nothing(tmp_path, how, code, line):
    process, workers = _start_long_exam(tmp_path)
    try:
        if how == "ctrl-c":  # the terminal sends SIGINT to every process of the foreground group
            os.killpg(process.pid, signal.SIGINT)
        else:
            os.kill(process.pid, signal.SIGINT if how == "sigint" else signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=30)
        assert (process.returncode, stderr, stdout) == (code, line, "")
        assert _wait_until_gone(workers) == []
        assert list(tmp_path.iterdir()) == []
    finally:
        for pid in [process.pid, *workers]:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


def test_workers_exit_when_their_parent_is_killed(tmp_path):
    process, workers = _start_long_exam(tmp_path)
    try:
        os.kill(process.pid, signal.SIGKILL)
        process.communicate(timeout=30)
        assert _wait_until_gone(workers) == []
        assert not (tmp_path / "exam").exists()
    finally:
        for pid in workers:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


# --- click usage errors -------------------------------------------------------------------------------

@pytest.mark.parametrize("args, expected", [
    (["render"], "error: Missing argument 'PROBLEM'. (see 'handouts render --help')"),
    (["render", str(SEED001), "--format", "docx"],
     "error: Invalid value for '--format': choose from tex, md, html, pdf (comma-separated), got 'docx' "
     "(see 'handouts render --help')"),
    (["exam", str(SAMPLE), "--seed", "-1"], "error: Invalid value for '--seed': -1 is not in the range x>=0."),
    (["render", str(SEED001), "--colour"], "error: No such option '--colour'"),
    (["frobnicate"], "error: No such command 'frobnicate'."),
])
def test_usage_errors_are_one_line(tmp_path, args, expected):
    result = run_cli(*args, cwd=tmp_path)
    assert_one_error_line(result, expected)


def test_help_is_unchanged_by_one_line_errors(tmp_path):
    result = run_cli("render", "--help", cwd=tmp_path)
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout.startswith("Usage: handouts render [OPTIONS] PROBLEM\n\n  Render PROBLEM as a handout in each format.")
