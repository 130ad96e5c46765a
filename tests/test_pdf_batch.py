"""solver.pdf_batch compiles many documents in parallel, sharing a preamble format, with the same bytes
as one compile each."""
from __future__ import annotations

import os
import shutil
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
