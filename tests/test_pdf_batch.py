"""solver.pdf_batch compiles many documents in parallel, sharing a preamble format, with the same bytes
as one compile each."""
from __future__ import annotations

import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from solver import pdf_batch
from solver.latex_build import LatexError, compile_pdf, latexmk_available

pytestmark = pytest.mark.skipif(not latexmk_available() and not os.environ.get("CI"),
                                reason="latexmk is not installed (.ci/run installs it)")

SHARED = "\\documentclass{article}\n\\usepackage{amsmath}\n\\newcommand{\\grad}{\\nabla}\n"
OTHER = "\\documentclass{article}\n"


def document(preamble: str, body: str) -> str:
    return f"{preamble}\\begin{{document}}\n{body}\n\\end{{document}}\n"


TEXTS = {
    "worked/A/handout.tex": document(SHARED, "Version A: $\\grad E$."),
    "worked/B/handout.tex": document(SHARED, "Version B: $\\grad E$."),
    "exam.tex": document(OTHER, "The exam."),
}


def test_shared_preambles_are_found_once():
    assert pdf_batch.shared_preambles(TEXTS) == {SHARED: "worked/A/handout.tex"}


@pytest.mark.parametrize("jobs", [1, 2])
def test_every_pdf_is_the_same_bytes_as_its_own_compile(tmp_path: Path, jobs: int):
    done = []
    pdfs = pdf_batch.compile_documents(TEXTS, jobs, done.append)
    assert list(pdfs) == ["worked/A/handout.pdf", "worked/B/handout.pdf", "exam.pdf"]
    assert done == [1, 1, 1]
    for name, text in TEXTS.items():
        tex = tmp_path / name
        tex.parent.mkdir(parents=True, exist_ok=True)
        tex.write_text(text)
        assert pdfs[Path(name).with_suffix(".pdf").as_posix()] == compile_pdf(tex).read_bytes()


def test_the_first_failing_document_is_reported_and_its_log_kept():
    texts = dict(TEXTS)
    texts["worked/B/handout.tex"] = document(SHARED, "Broken: \\nosuchmacro.")
    with pytest.raises(LatexError, match=r"handout.tex:5: Undefined control sequence") as caught:
        pdf_batch.compile_documents(texts, 2)
    log = caught.value.log_path
    assert log.parts[-3:] == ("worked", "B", "handout.log") and log.is_file()
    shutil.rmtree(log.parents[3])


def test_jobs_below_one_are_refused():
    with pytest.raises(ValueError, match="jobs must be at least 1, got 0"):
        pdf_batch.compile_documents(TEXTS, 0)


@pytest.mark.parametrize("body, printed", [
    ("\\section{Forward}\\label{forward} See section~\\ref{forward} on page~\\pageref{forward}.",
     "See section 1 on page 1."),
    ("\\tableofcontents\\section{Forward} See the contents.", "1 Forward 1"),
])
def test_documents_that_need_a_second_run_get_it(tmp_path: Path, body: str, printed: str):
    texts = {f"{code}/doc.tex": document(SHARED, body) for code in ("A", "B")}
    pdfs = pdf_batch.compile_documents(texts, 2)
    for name, pdf in pdfs.items():
        (tmp_path / "out.pdf").write_bytes(pdf)
        text = subprocess.run(["pdftotext", str(tmp_path / "out.pdf"), "-"], capture_output=True, text=True,
                              check=True).stdout
        assert printed in " ".join(text.split()) and "??" not in text


def test_one_pass_does_not_suffice_for_a_table_of_contents(tmp_path: Path):
    text = document(SHARED, "\\tableofcontents\\section{Forward} Text.")
    with ThreadPoolExecutor(1) as pool:
        assert not pdf_batch.one_pass_suffices(tmp_path, "doc.tex", text, pool.submit(lambda: None))


def test_a_worked_key_is_complete_after_one_run(tmp_path: Path):
    from solver.api import load_problem, solve
    from solver.build import render_outputs

    solution = solve(load_problem(Path(__file__).resolve().parent.parent / "problems" / "seed001_named_2_2_1.yaml"))
    text = render_outputs(solution, ("tex",))["handout.tex"]
    with ThreadPoolExecutor(1) as pool:
        assert pdf_batch.one_pass_suffices(tmp_path, "handout.tex", text, pool.submit(lambda: None))
