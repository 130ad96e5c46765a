"""solver.latex_build compiles PDFs, reports LaTeX errors and keeps TeX in its folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from solver import latex_build
from solver.latex_build import LatexError, compile_pdf, latexmk_available, overfull_boxes

pytestmark = pytest.mark.skipif(
    not latexmk_available() and not os.environ.get("CI"),
    reason="latexmk is not installed (.ci/run installs it)",
)


def write_document(folder: Path, body: str, name: str = "doc.tex") -> Path:
    """Write a minimal article with `body` as its content; return its path."""
    tex_path = folder / name
    tex_path.write_text(
        "\\documentclass{article}\n\\begin{document}\n" + body + "\n\\end{document}\n"
    )
    return tex_path


def pdf_text(pdf_path: Path) -> str:
    """Return the text of a PDF, extracted by pdftotext."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    return subprocess.run(
        ["pdftotext", str(pdf_path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_valid_document_compiles(tmp_path: Path) -> None:
    pdf_path = compile_pdf(write_document(tmp_path, r"Gradient $\frac{\partial L}{\partial w}$."))
    assert pdf_path == tmp_path / "doc.pdf"
    assert pdf_path.read_bytes().startswith(b"%PDF")
    assert "Gradient" in pdf_text(pdf_path)


def test_error_names_file_and_line_and_keeps_files(tmp_path: Path) -> None:
    tex_path = write_document(tmp_path, "First line.\n\\undefinedmacro\n")
    with pytest.raises(LatexError) as info:
        compile_pdf(tex_path)
    message = str(info.value)
    assert "doc.tex:4:" in message
    assert "Undefined control sequence" in message
    assert "\\undefinedmacro" in message
    assert tex_path.is_file()
    assert info.value.log_path == tmp_path / "doc.log"
    assert info.value.log_path.is_file()


def test_overfull_boxes_are_reported_with_lines(tmp_path: Path) -> None:
    tex_path = write_document(tmp_path, "\\hbox to 2cm{A box that is far too wide for two centimetres}")
    compile_pdf(tex_path)
    warnings = overfull_boxes((tmp_path / "doc.log").read_text())
    assert len(warnings) == 1
    assert warnings[0].startswith("Overfull \\hbox")
    assert "detected at line 3" in warnings[0]


def test_overfull_boxes_parses_both_kinds() -> None:
    log_text = (
        "Overfull \\hbox (15.0pt too wide) in paragraph at lines 12--14\n"
        "[]\\OT1/cmr/m/n/10 text\n"
        "Underfull \\hbox (badness 10000) in paragraph at lines 20--20\n"
        "Overfull \\vbox (3.0pt too high) detected at line 31\n"
    )
    assert overfull_boxes(log_text) == [
        "Overfull \\hbox (15.0pt too wide) in paragraph at lines 12--14",
        "Overfull \\vbox (3.0pt too high) detected at line 31",
    ]


def test_reading_etc_passwd_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("openin_any", "a")
    tex_path = write_document(tmp_path, "Before.\n\\input{/etc/passwd}\nAfter.")
    try:
        pdf_path = compile_pdf(tex_path)
    except LatexError as error:
        assert "`/etc/passwd.tex' not found" in str(error)
        assert "root:" not in (tmp_path / "doc.log").read_text()
    else:
        assert "root:" not in pdf_text(pdf_path)


@pytest.mark.parametrize("reference", ["absolute", "parent"])
def test_reading_beside_the_folder_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reference: str
) -> None:
    monkeypatch.setenv("openin_any", "a")
    secret = tmp_path / "secret.tex"
    secret.write_text("TOPSECRET\n")
    work = tmp_path / "work"
    work.mkdir()
    name = str(secret.with_suffix("")) if reference == "absolute" else "../secret"
    tex_path = write_document(work, f"Before.\n\\input{{{name}}}\nAfter.")
    try:
        pdf_path = compile_pdf(tex_path)
    except LatexError as error:
        assert "not found" in str(error)
    else:
        assert "TOPSECRET" not in pdf_text(pdf_path)


def test_writing_outside_the_folder_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("openout_any", "a")
    monkeypatch.setenv("TEXMFOUTPUT", str(tmp_path))
    outside = tmp_path / "outside.txt"
    work = tmp_path / "work"
    work.mkdir()
    tex_path = write_document(
        work,
        f"\\newwrite\\leak\\immediate\\openout\\leak={outside}\n"
        "\\immediate\\write\\leak{leaked}\\immediate\\closeout\\leak\nText.",
    )
    try:
        compile_pdf(tex_path)
    except LatexError:
        pass
    assert not outside.exists()


def test_shell_escape_is_disabled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("shell_escape", "t")
    tex_path = write_document(tmp_path, "\\immediate\\write18{touch pwned}\nText.")
    compile_pdf(tex_path)
    assert not (tmp_path / "pwned").exists()
    assert not Path("pwned").exists()


def test_runaway_document_times_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(latex_build, "LATEXMK_TIMEOUT", 3)
    with pytest.raises(LatexError, match="timed out"):
        compile_pdf(write_document(tmp_path, "\\def\\spin{\\relax\\spin}\\spin"))


PREAMBLE = "\\documentclass{article}\n\\usepackage{amsmath}\n\\typeout{PREAMBLE-READ}\n\\newcommand{\\grad}{\\nabla}\n"


def write_with_preamble(folder: Path, body: str) -> Path:
    """A document with PREAMBLE and `body`, as doc.tex in `folder` (created)."""
    folder.mkdir(parents=True, exist_ok=True)
    tex_path = folder / "doc.tex"
    tex_path.write_text(PREAMBLE + "\\begin{document}\n" + body + "\n\\end{document}\n")
    return tex_path


def test_a_dumped_preamble_is_not_read_again_and_gives_the_same_pdf(tmp_path: Path) -> None:
    fmt = latex_build.dump_format(write_with_preamble(tmp_path / "format dir", "unused"))
    assert fmt == tmp_path / "format dir" / "doc.fmt"
    from_format = compile_pdf(write_with_preamble(tmp_path / "a", "Gradient $\\grad E$."), preamble_format=fmt)
    log = (tmp_path / "a" / "doc.log").read_text()
    assert "preloaded format=doc" in log and "PREAMBLE-READ" not in log
    assert "Gradient" in pdf_text(from_format)
    plain = compile_pdf(write_with_preamble(tmp_path / "b", "Gradient $\\grad E$."))
    assert "PREAMBLE-READ" in (tmp_path / "b" / "doc.log").read_text()
    assert from_format.read_bytes() == plain.read_bytes()


def test_builds_a_second_apart_give_identical_bytes(tmp_path: Path) -> None:
    first = compile_pdf(write_with_preamble(tmp_path / "a", "Same text.")).read_bytes()
    time.sleep(1.1)
    second = compile_pdf(write_with_preamble(tmp_path / "b", "Same text.")).read_bytes()
    assert first == second


def test_a_preamble_error_names_its_line(tmp_path: Path) -> None:
    tex_path = tmp_path / "doc.tex"
    tex_path.write_text("\\documentclass{article}\n\\usepackage{amsmath}\n\\undefinedmacro\n\\begin{document}\nx\n\\end{document}\n")
    with pytest.raises(LatexError, match=r"doc.tex:3: Undefined control sequence"):
        latex_build.dump_format(tex_path)


def test_a_single_pass_is_one_run_and_the_log_says_when_it_is_not_enough(tmp_path: Path) -> None:
    plain = compile_pdf(write_with_preamble(tmp_path / "plain", "Text."), single_pass=True)
    assert not (tmp_path / "plain" / "doc.fdb_latexmk").exists()
    assert not latex_build.asks_for_rerun(plain)
    assert plain.read_bytes() == compile_pdf(write_with_preamble(tmp_path / "full", "Text.")).read_bytes()
    referring = write_with_preamble(tmp_path / "ref", "\\section{A}\\label{a} See~\\ref{a}.")
    compile_pdf(referring, single_pass=True)
    assert latex_build.asks_for_rerun(referring)
    compile_pdf(referring)
    assert not latex_build.asks_for_rerun(referring)
    assert "See 1." in pdf_text(referring.with_suffix(".pdf"))
