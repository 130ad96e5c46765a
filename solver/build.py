"""Render problem files into OUT/<name>/: handout.tex, handout.md, network.svg,
handout.html and handout.pdf.

Every folder is built in a temporary sibling and moved into place only when every problem of the run
has been solved, verified and rendered (see :mod:`solver.files`).
"""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Sequence

from .api import solve
from .spec import Problem, load_problem
from .errors import OutputError
from .files import output_name, staged_folders, write_bytes, write_file
from .latex_build import LatexError, compile_pdf, latexmk_available
from .scripts import document_fonts, prose_fields

NO_LATEXMK = ("pdf requested but latexmk is not installed (install latexmk and TeX Live, "
              "or use --format tex,md)")


class LatexFailure(OutputError):
    """A LaTeX build failed: the message without a log location, and the log's bytes (None if none),
    so the log can be kept beside the output folder that was not written."""

    def __init__(self, message: str, log: bytes | None):
        self.message = message
        self.log = log
        super().__init__(message)

    @classmethod
    def from_error(cls, exc: LatexError) -> LatexFailure:
        """Capture the log of a failed build before its scratch folder is removed."""
        log_path = exc.log_path
        if log_path is None or not Path(log_path).is_file():
            return cls(str(exc), None)
        return cls(str(exc).replace(f" (log: {log_path})", ""), Path(log_path).read_bytes())

    def kept_beside(self, target: Path) -> OutputError:
        """Write the log to ``TARGET.latex-failed.log`` and return the error that names it."""
        if self.log is None:
            return OutputError(f"{self.message}; nothing was written")
        kept = failed_log(target)
        write_file(kept, self.log)
        return OutputError(f"{self.message} (log: {kept}); nothing else was written")


def failed_log(target: Path) -> Path:
    """Where the log of a failed LaTeX build for the output folder ``target`` is kept."""
    return target.with_name(f"{target.name}.latex-failed.log")


def render_outputs(solution, formats, templates_dir: Path | None = None, marks: dict | None = None,
                   version: str = "") -> dict[str, str]:
    """Every text output of a solution, in memory: file name -> content. ``marks`` and ``version`` (an
    exam's worked key) label the lines that answer its questions and name the version (see
    ``sections.build_handout``)."""
    from .render import render_handout, render_loss_svg, render_svg
    from .sections import build_handout

    if "pdf" in formats:
        source = solution.problem.source
        document_fonts(prose_fields(solution.spec), source).require_installed(source)
    handout = build_handout(solution, marks, version)
    outputs = {}
    if "tex" in formats or "pdf" in formats:
        outputs["handout.tex"] = render_handout(solution, "tex", templates_dir, handout)
    if "md" in formats:
        outputs["handout.md"] = render_handout(solution, "md", templates_dir, handout)
        if "diagram" in handout.sections and handout.context.network_drawable:
            outputs["network.svg"] = render_svg(solution, templates_dir, handout)
        if "history" in handout.sections:
            outputs["loss.svg"] = render_loss_svg(solution, templates_dir, handout)
    if "html" in formats:
        from .html import render_html

        outputs["handout.html"] = render_html(solution, templates_dir, handout)
    return outputs


def pdf_bytes(tex: str) -> bytes:
    """Compile LaTeX source to PDF in a scratch folder that is removed afterwards; raises LatexFailure."""
    if not latexmk_available():
        raise OutputError(NO_LATEXMK)
    with tempfile.TemporaryDirectory(prefix="handouts-latex-") as workdir:
        tex_path = Path(workdir) / "handout.tex"
        tex_path.write_text(tex, encoding="utf-8")
        try:
            return compile_pdf(tex_path).read_bytes()
        except LatexError as exc:
            raise LatexFailure.from_error(exc) from None


def handout_files(problem: Problem, formats, templates_dir: Path | None = None) -> dict[str, bytes]:
    """Solve, verify and render one problem: file name -> bytes, in memory."""
    outputs = render_outputs(solve(problem), formats, templates_dir)
    files = {name: text.encode("utf-8") for name, text in outputs.items()
             if name != "handout.tex" or "tex" in formats}
    if "pdf" in formats:
        files["handout.pdf"] = pdf_bytes(outputs["handout.tex"])
    return files


def render_problem_file(problem_path: Path, out_dir: Path, formats=("tex", "md", "pdf"),
                        templates_dir: Path | None = None) -> list[Path]:
    """Load, solve, verify and render one problem file into OUT/<name>/."""
    return render_problems([load_problem(problem_path)], out_dir, formats, templates_dir)


def render_problem(problem: Problem, out_dir: Path, formats=("tex", "md", "pdf"),
                   templates_dir: Path | None = None) -> list[Path]:
    """Solve, verify and render a loaded problem into OUT/<name>/; nothing is written unless every step
    succeeded."""
    return render_problems([problem], out_dir, formats, templates_dir)


def render_problems(problems: Sequence[Problem], out_dir: Path, formats=("tex", "md", "pdf"),
                    templates_dir: Path | None = None) -> list[Path]:
    """Render each problem into OUT/<name>/, replacing old folders; no folder is moved into place until
    every problem has succeeded. A LaTeX failure keeps only its log, as OUT/<name>.latex-failed.log.
    Returns the written paths."""
    if "pdf" in formats and not latexmk_available():
        raise OutputError(NO_LATEXMK)
    targets = [Path(out_dir) / output_name(problem.name, problem.source) for problem in problems]
    first = {}
    for problem, target in zip(problems, targets):
        if first.setdefault(target, problem.source) != problem.source:
            raise OutputError(f"{problem.source}: would write {target} like {first[target]}; rename one of them")
    written = []
    with staged_folders(targets) as folders:
        for problem, target, folder in zip(problems, targets, folders):
            try:
                files = handout_files(problem, formats, templates_dir)
            except LatexFailure as failure:
                raise failure.kept_beside(target) from None
            for name, data in files.items():
                write_bytes(folder / name, data)
                written.append(target / name)
    for target in targets:
        failed_log(target).unlink(missing_ok=True)
    return written
