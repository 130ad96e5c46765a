"""Randomised exams: draw versions of a family, then write the student exam, the short key, the
worked key per version, answers.csv, manifest.json and a Moodle quiz, all from the same draws.

Everything is built in memory first (and the PDFs in a scratch folder); files are written, each
atomically, only once every version has been drawn, solved, verified and rendered.
"""
from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Callable

from .answers import AnsweredQuestion, answer_question
from .draw import Version, draw_versions
from .errors import OutputError
from .export import answers_csv, moodle_xml
from .families import Family, load_family
from .files import write_bytes_atomic, write_text_atomic
from .given import GivenData, given_data
from .latex_build import LatexError, compile_pdf, latexmk_available
from .render import latex_environment, markdown_environment, render_layout_svg, render_template
from .rounding import RoundingPolicy, plain
from .scripts import document_fonts, prose_fields
from .solution import Solution

SHEETS = {"tex": ("exam.tex", "key.tex"), "md": ("exam.md", "key.md")}
"""The exam and short-key files of each text format; their templates are ``exam/<name>.j2``."""


@dataclass(frozen=True)
class ExamVersion:
    """One version as the exam, keys and exporters see it: the draw, the given data, the answered
    questions and the worked solution's files (name -> text)."""

    version: Version
    given: GivenData
    questions: tuple[AnsweredQuestion, ...]
    worked: dict[str, str]
    network_svg: str
    """The paper's network drawing as SVG ('' when the network is too wide to draw)."""

    @property
    def diagram_alt(self) -> str:
        """Alternative text of the drawing."""
        return f"Network of version {self.code}: {self.given.network}"

    @property
    def code(self) -> str:
        return self.version.code

    @property
    def total_points(self) -> str:
        return plain(sum(q.points for q in self.questions))


def _text_formats(formats) -> tuple[str, ...]:
    """Text formats to render: pdf needs tex."""
    return tuple(fmt for fmt in ("tex", "md") if fmt in formats or (fmt == "tex" and "pdf" in formats))


def build_version(family: Family, formats: tuple[str, ...], templates_dir: Path | None, version: Version,
                  solution: Solution) -> ExamVersion:
    """Answer every question and render the worked solution of one drawn version (runs in a worker)."""
    from .build import render_outputs

    questions = tuple(answer_question(question, solution, family.source) for question in family.questions)
    worked = render_outputs(solution, _text_formats(formats), templates_dir)
    given = given_data(solution)
    svg = render_layout_svg(given.diagram, templates_dir) if given.diagram else ""
    return ExamVersion(version, given, questions, worked, svg)


def instructions(family: Family) -> str:
    """The instruction sentence printed on every version (plain text)."""
    policy = RoundingPolicy.from_spec(family.spec.rounding)
    precision = (f"{policy.significant} significant figures" if policy.significant is not None
                 else f"{policy.decimals} decimal places")
    return (f"Give every numerical answer rounded to {precision} (halves away from zero). "
            "Use full precision in intermediate steps.")


def manifest(family: Family, seed: int, versions: list[ExamVersion]) -> str:
    """The JSON manifest: seed, the family file's hash, and every drawn value and problem per version."""
    def plain_json(value):
        if isinstance(value, Decimal):
            return float(value)
        if isinstance(value, dict):
            return {key: plain_json(item) for key, item in value.items()}
        if isinstance(value, list):
            return [plain_json(item) for item in value]
        return value

    data = {
        "family": Path(family.source).name,
        "family_sha256": family.sha256,
        "seed": seed,
        "versions": [{"number": v.version.number, "code": v.code, "attempt": v.version.attempt,
                      "rejections": v.version.rejections, "drawn": plain_json(v.version.drawn),
                      "problem": plain_json(v.version.problem)} for v in versions],
    }
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def exam_points(points: Decimal) -> str:
    """Points as the exam class reads them: ``3``, or ``1\\half`` for 1.5."""
    whole = int(points)
    return str(whole) if points == whole else f"{whole}\\half"


def _sheets(family: Family, versions: list[ExamVersion], formats, templates_dir: Path | None) -> dict[str, str]:
    """exam.tex, key.tex, exam.md, key.md (as requested), rendered from templates/exam/."""
    context = dict(family=family.spec, versions=versions, instructions=instructions(family))
    sheets = {}
    for fmt in _text_formats(formats):
        env = latex_environment(templates_dir) if fmt == "tex" else markdown_environment(templates_dir)
        env.filters["exam_points"] = exam_points
        fonts = document_fonts(prose_fields(family.spec), family.source) if fmt == "tex" else None
        for name in SHEETS[fmt]:
            sheets[name] = render_template(env, f"exam/{name}.j2", fonts=fonts, **context)
    return sheets


def _pdfs(texts: dict[str, str]) -> dict[str, bytes]:
    """The PDF of each .tex (relative path -> text), compiled in a scratch folder that is kept, with the
    .log, if LaTeX fails."""
    if not latexmk_available():
        raise OutputError("pdf requested but latexmk is not installed (install latexmk and TeX Live, "
                          "or use --format tex,md)")
    scratch = Path(tempfile.mkdtemp(prefix="handouts-exam-"))
    pdfs = {}
    for name, text in texts.items():
        tex_path = write_text_atomic(scratch / name, text)
        try:
            pdfs[Path(name).with_suffix(".pdf").as_posix()] = compile_pdf(tex_path).read_bytes()
        except LatexError as exc:
            raise OutputError(f"{exc}; nothing was written to the output folder") from None
    shutil.rmtree(scratch)
    return pdfs


def exam_outputs(family: Family, seed: int, versions: list[ExamVersion], formats,
                 templates_dir: Path | None = None) -> dict[str, str | bytes]:
    """Every output file, in memory: relative path -> text (or PDF bytes)."""
    sheets = _sheets(family, versions, formats, templates_dir)
    outputs: dict[str, str | bytes] = {name: text for name, text in sheets.items()
                                       if name.rsplit(".", 1)[1] in formats}
    for version in versions:
        if "md" in formats and version.network_svg:
            outputs[f"diagrams/{version.code}.svg"] = version.network_svg
        for name, text in version.worked.items():
            if not (name == "handout.tex" and "tex" not in formats):
                outputs[f"worked/{version.code}/{name}"] = text
    outputs["answers.csv"] = answers_csv(versions)
    outputs["manifest.json"] = manifest(family, seed, versions)
    outputs["moodle.xml"] = moodle_xml(family.spec.title, versions, instructions(family))
    if "pdf" in formats:
        texts = {name: sheets[name] for name in SHEETS["tex"]}
        texts.update({f"worked/{v.code}/handout.tex": v.worked["handout.tex"] for v in versions})
        outputs.update(_pdfs(texts))
    return outputs


def build_exam(family_path: str | Path, versions: int, seed: int, out_dir: str | Path,
               formats=("tex", "md", "pdf"), templates_dir: Path | None = None,
               progress: Callable[[int], None] | None = None) -> list[Path]:
    """Draw ``versions`` versions of the family under ``seed`` and write every exam file into ``out_dir``.

    ``progress(1)`` is called as each version is drawn and rendered. PDFs are made when "pdf" is in
    ``formats`` and latexmk is installed. Returns the written paths, sorted.
    """
    if versions < 1:
        raise OutputError(f"--versions must be at least 1, got {versions}")
    family = load_family(family_path)
    work = partial(build_version, family, tuple(formats), templates_dir)
    built = [payload for _, payload in draw_versions(family, versions, seed, work, progress)]
    outputs = exam_outputs(family, seed, built, formats, templates_dir)
    out_dir = Path(out_dir)
    return [write_bytes_atomic(out_dir / name, content) if isinstance(content, bytes)
            else write_text_atomic(out_dir / name, content) for name, content in sorted(outputs.items())]
