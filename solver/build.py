"""Render a problem file into OUT/<name>/: handout.tex, handout.md, network.svg and handout.pdf."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from .api import solve
from .spec import Problem, load_problem
from .errors import OutputError
from .files import write_bytes_atomic, write_text_atomic
from .latex_build import LatexError, compile_pdf, latexmk_available
from .scripts import document_fonts, prose_fields


def render_outputs(solution, formats, templates_dir: Path | None = None) -> dict[str, str]:
    """Every text output of a solution, in memory: file name -> content."""
    from .render import render_handout, render_loss_svg, render_svg
    from .sections import build_handout

    if "pdf" in formats:
        source = solution.problem.source
        document_fonts(prose_fields(solution.spec), source).require_installed(source)
    handout = build_handout(solution)
    outputs = {}
    if "tex" in formats or "pdf" in formats:
        outputs["handout.tex"] = render_handout(solution, "tex", templates_dir, handout)
    if "md" in formats:
        outputs["handout.md"] = render_handout(solution, "md", templates_dir, handout)
        if "diagram" in handout.sections and handout.context.network_drawable:
            outputs["network.svg"] = render_svg(solution, templates_dir, handout)
        if "history" in handout.sections:
            outputs["loss.svg"] = render_loss_svg(solution, templates_dir, handout)
    return outputs


def build_pdf(tex_path: Path) -> Path:
    """Compile a written .tex into a .pdf beside it, atomically; on failure keep .tex and .log and raise."""
    if not latexmk_available():
        raise OutputError("pdf requested but latexmk is not installed (install latexmk and TeX Live, "
                          "or use --format tex,md)")
    with tempfile.TemporaryDirectory(prefix=".build-", dir=tex_path.parent) as workdir:
        work_tex = Path(workdir) / tex_path.name
        shutil.copyfile(tex_path, work_tex)
        try:
            pdf = compile_pdf(work_tex)
        except LatexError as exc:
            log = work_tex.with_suffix(".log")
            kept = tex_path.with_suffix(".log")
            if log.exists():
                write_bytes_atomic(kept, log.read_bytes())
            raise OutputError(f"{tex_path}: LaTeX failed: {exc} (log kept in {kept})") from None
        return write_bytes_atomic(tex_path.with_suffix(".pdf"), pdf.read_bytes())


def render_problem_file(problem_path: Path, out_dir: Path, formats=("tex", "md", "pdf"),
                        templates_dir: Path | None = None) -> list[Path]:
    """Load, solve, verify and render one problem file into OUT/<name>/."""
    return render_problem(load_problem(problem_path), out_dir, formats, templates_dir)


def render_problem(problem: Problem, out_dir: Path, formats=("tex", "md", "pdf"),
                   templates_dir: Path | None = None) -> list[Path]:
    """Solve, verify and render a loaded problem; nothing is written unless every step before succeeded."""
    solution = solve(problem)
    outputs = render_outputs(solution, formats, templates_dir)
    folder = Path(out_dir) / problem.name
    written = []
    for name, text in outputs.items():
        if name == "handout.tex" and "tex" not in formats:
            continue
        written.append(write_text_atomic(folder / name, text))
    if "pdf" in formats:
        tex_path = folder / "handout.tex"
        if "tex" not in formats:
            with tempfile.TemporaryDirectory(prefix=".tex-", dir=folder if folder.exists() else None) as scratch:
                temporary_tex = write_text_atomic(Path(scratch) / "handout.tex", outputs["handout.tex"])
                pdf = build_pdf(temporary_tex)
                written.append(write_bytes_atomic(folder / "handout.pdf", pdf.read_bytes()))
        else:
            written.append(build_pdf(tex_path))
    return written
