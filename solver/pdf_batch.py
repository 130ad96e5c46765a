"""Compiling many independent LaTeX documents at once (the PDFs of an exam).

Documents are compiled in parallel, one latexmk per job (one job per core by default). Documents
that share a preamble (every worked key of an exam) start from one format of it, dumped once by
`latex_build.dump_format`, instead of each loading every package again; and they get one pdflatex
run instead of latexmk's two or more when one run of the first of them gives the same bytes as the
full build (no cross-reference needs a second run). Each document is compiled
in its own scratch folder from the same files whatever the number of jobs, and TeX's output is
deterministic, so the PDFs are the same bytes for any ``jobs``.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Callable

from .files import write_text
from .latex_build import LatexError, asks_for_rerun, compile_pdf, dump_format

SHARED_FROM = 2
"""A preamble used by at least this many documents is run once, as a format, for all of them."""

BEGIN_DOCUMENT = "\\begin{document}"


def default_jobs() -> int:
    """One job per core this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def preamble(text: str) -> str | None:
    """Everything before ``\\begin{document}``, or None if the text has no such line."""
    head, found, _ = text.partition(BEGIN_DOCUMENT)
    return head if found else None


def shared_preambles(texts: dict[str, str]) -> dict[str, str]:
    """Each preamble used by at least SHARED_FROM documents -> the first of them (by name, in order)."""
    users: dict[str, list[str]] = {}
    for name, text in texts.items():
        head = preamble(text)
        if head is not None:
            users.setdefault(head, []).append(name)
    return {head: names[0] for head, names in users.items() if len(names) >= SHARED_FROM}


def _result(future: Future | None):
    """The future's value, or None if there is none or it failed with a LaTeX error."""
    try:
        return future.result() if future is not None else None
    except LatexError:
        return None


def one_pass_suffices(folder: Path, name: str, text: str, preamble_format: Future | None) -> bool:
    """Whether one pdflatex run of the document gives the same bytes as latexmk's full build (both
    compiled in ``folder`` from the preamble's format). Decided on the first document of a shared
    preamble, it holds for the others, which differ only in their numbers."""
    fmt = _result(preamble_format)
    once_tex = write_text(folder / "once" / name, text)
    try:
        full = compile_pdf(write_text(folder / "full" / name, text), fmt).read_bytes()
        once = compile_pdf(once_tex, fmt, single_pass=True).read_bytes()
    except LatexError:
        return False
    return full == once and not asks_for_rerun(once_tex)


def _compile(tex_path: Path, preamble_format: Future | None, single_pass: Future | None) -> bytes:
    """The PDF of one written document, from its preamble's format where that was dumped and works
    (a document that fails from the format is compiled again on its own, so the format only saves
    time), in one pass where `one_pass_suffices` said so and the log does not ask for another."""
    fmt = _result(preamble_format)
    once = bool(_result(single_pass))
    if fmt is not None:
        try:
            return _build(tex_path, fmt, once)
        except LatexError:
            for leftover in tex_path.parent.glob(f"{tex_path.stem}.*"):
                if leftover != tex_path:
                    leftover.unlink()
    return _build(tex_path, None, once)


def _build(tex_path: Path, fmt: Path | None, once: bool) -> bytes:
    """One run if ``once`` and the log is content with it, else latexmk's full build."""
    if once and not asks_for_rerun(compile_pdf(tex_path, fmt, single_pass=True)):
        return tex_path.with_suffix(".pdf").read_bytes()
    return compile_pdf(tex_path, fmt).read_bytes()


def compile_documents(texts: dict[str, str], jobs: int | None = None,
                      progress: Callable[[int], None] | None = None,
                      workdir: Path | None = None) -> dict[str, bytes]:
    """The PDF of every document (relative .tex path -> text), keyed by its relative .pdf path, in the
    given order.

    ``jobs`` documents are compiled at once (default: one per core); ``progress(1)`` is called as each
    one is done. On failure the remaining documents are skipped, the scratch folder is kept with the
    .tex and .log files, and the `LatexError` of the first failing document (in the given order) is
    raised. With ``workdir`` the documents are compiled there and the caller removes the folder.
    """
    jobs = default_jobs() if jobs is None else jobs
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, got {jobs}")
    scratch = workdir or Path(tempfile.mkdtemp(prefix="handouts-pdf-"))
    paths = {name: write_text(scratch / "documents" / name, text) for name, text in texts.items()}
    pdfs: dict[str, bytes] = {}
    errors: dict[str, LatexError] = {}
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        formats, single_pass = {}, {}
        for number, (head, first) in enumerate(shared_preambles(texts).items()):
            folder = scratch / "formats" / str(number)
            formats[head] = pool.submit(dump_format, write_text(folder / Path(first).name, texts[first]))
            single_pass[head] = pool.submit(one_pass_suffices, folder, Path(first).name, texts[first], formats[head])
        futures = {pool.submit(_compile, paths[name], formats.get(preamble(text)), single_pass.get(preamble(text))): name
                   for name, text in texts.items()}
        for future in as_completed(futures):
            if future.cancelled():
                continue
            name = futures[future]
            try:
                pdfs[name] = future.result()
            except LatexError as exc:
                errors[name] = exc
                for other in futures:
                    other.cancel()
            if progress:
                progress(1)
    if errors:
        raise errors[next(name for name in texts if name in errors)]
    if workdir is None:
        shutil.rmtree(scratch)
    return {Path(name).with_suffix(".pdf").as_posix(): pdfs[name] for name in texts}
