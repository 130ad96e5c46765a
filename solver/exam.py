"""Randomised exams: draw versions of a family, then write the student exam, the compact key, the
worked key per version (and all of them in one booklet, worked.pdf), answers.csv, manifest.json, the
responses template for ``handouts grade`` and a Moodle quiz, all from the same draws.

Everything is built in memory first (and the PDFs in a scratch folder) and written into a temporary
sibling of the exam folder, which replaces the old folder as a whole only once every version has been
drawn, solved, verified and rendered (see :mod:`solver.files`).
"""
from __future__ import annotations

import json
import tempfile
from contextlib import nullcontext
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Callable, ContextManager

from .answers import AnsweredQuestion, answer_question, question_label, question_marks
from .booklet import booklet
from .build import NO_LATEXMK, LatexFailure, failed_log, render_outputs
from .draw import Version, draw_versions
from .errors import OutputError
from .export import answers_csv, moodle_xml, responses_template_csv
from .families import Family, load_family
from .files import staged_folders, write_bytes, write_text
from .given import GivenData, given_data
from .latex_build import LatexError, latexmk_available
from .pdf_batch import compile_documents
from .render import latex_environment, markdown_environment, render_layout_svg, render_template
from .rounding import RoundingPolicy, plain
from .scripts import document_fonts, prose_fields
from .solution import Solution
from .tolerance import precision_text

Progress = Callable[[str, int], ContextManager[Callable[[int], None]]]
"""``progress(label, total)`` opens one stage of a build (e.g. a progress bar); it yields the function to
call with the number of items just finished."""

SHEETS = {"tex": ("exam.tex", "key.tex"), "md": ("exam.md", "key.md")}
"""The exam and compact-key files of each text format; their templates are ``exam/<name>.j2``."""


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

    @property
    def labelled(self) -> tuple[tuple[str, AnsweredQuestion], ...]:
        """Every question with its label in the keys (``q1``, ``q2``...: the paper's numbering)."""
        return tuple((question_label(number), question) for number, question in enumerate(self.questions, 1))

    @property
    def key_needed_lines(self) -> int:
        """Lines to keep together for this version's table in the compact key (rows, rules, heading)."""
        return sum(len(q.answers) for q in self.questions) + 7


def _stage(progress: Progress | None, label: str, total: int) -> ContextManager[Callable[[int], None] | None]:
    """The stage ``label`` of ``progress``, or a stage that reports nothing."""
    return progress(label, total) if progress else nullcontext()


def _text_formats(formats) -> tuple[str, ...]:
    """Text formats to render: pdf needs tex."""
    return tuple(fmt for fmt in ("tex", "md") if fmt in formats or (fmt == "tex" and "pdf" in formats))


def build_version(family: Family, formats: tuple[str, ...], templates_dir: Path | None, version: Version,
                  solution: Solution) -> ExamVersion:
    """Answer every question and render the worked solution of one drawn version (runs in a worker)."""
    questions = tuple(answer_question(question, solution, family.source, number)
                      for number, question in enumerate(family.questions))
    worked = render_outputs(solution, formats, templates_dir, question_marks(questions),
                            version.code)
    given = given_data(solution)
    svg = render_layout_svg(given.diagram, templates_dir) if given.diagram else ""
    return ExamVersion(version, given, questions, worked, svg)


def instructions(family: Family) -> str:
    """The instruction sentence printed on every version (plain text): the exam's precision, and how
    intermediate results may be rounded (in carry mode both methods are marked correct)."""
    policy = RoundingPolicy.from_spec(family.spec.rounding)
    own = any(q.decimals is not None or q.significant is not None for q in family.questions)
    rule = (f"Give every numerical answer rounded to {precision_text(policy)}"
            f"{' unless the question says otherwise' if own else ''} (halves away from zero). ")
    if policy.carries:
        return rule + (f"You may round intermediate results to {precision_text(policy)} as you go or keep "
                       "full precision: answers from either method are accepted.")
    return rule + "Use full precision in intermediate steps."


def manifest(family: Family, seed: int, versions: list[ExamVersion]) -> str:
    """The JSON manifest: seed, the family file's hash, the questions and the follow-through share (what
    ``handouts grade`` needs to mark), and every drawn value and problem per version."""
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
        "follow_through": plain_json(family.spec.follow_through),
        "questions": [plain_json(q.model_dump(exclude_defaults=True)) for q in family.questions],
        "versions": [{"number": v.version.number, "code": v.code, "attempt": v.version.attempt,
                      "rejections": v.version.rejections, "invalid_draws": list(v.version.invalid),
                      "drawn": plain_json(v.version.drawn),
                      "problem": plain_json(v.version.problem)} for v in versions],
    }
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def exam_points(points: Decimal) -> str:
    """Points as the exam class reads them: ``3``, or ``1\\half`` for 1.5."""
    whole = int(points)
    return str(whole) if points == whole else f"{whole}\\half"


def _sheets(family: Family, versions: list[ExamVersion], formats, templates_dir: Path | None) -> dict[str, str]:
    """exam.tex, key.tex, exam.md, key.md (as requested), rendered from templates/exam/. The keys link to
    each version's worked PDF (the worked Markdown from key.md when no PDF is made)."""
    context = dict(family=family.spec, versions=versions, instructions=instructions(family))
    sheets = {}
    for fmt in _text_formats(formats):
        env = latex_environment(templates_dir) if fmt == "tex" else markdown_environment(templates_dir)
        env.filters["exam_points"] = exam_points
        worked = "handout.pdf" if fmt == "tex" or "pdf" in formats else "handout.md"
        fonts = document_fonts(prose_fields(family.spec), family.source) if fmt == "tex" else None
        for name in SHEETS[fmt]:
            sheets[name] = render_template(env, f"exam/{name}.j2", worked=worked, fonts=fonts, **context)
    return sheets


def _pdfs(texts: dict[str, str], jobs: int | None, progress: Progress | None) -> dict[str, bytes]:
    """The PDF of each .tex (relative path -> text), ``jobs`` at a time, in a scratch folder that is removed
    afterwards; a LaTeX failure raises LatexFailure carrying the log."""
    if not latexmk_available():
        raise OutputError(NO_LATEXMK)
    with tempfile.TemporaryDirectory(prefix="handouts-exam-") as scratch, \
            _stage(progress, "Compiling PDFs", len(texts)) as advance:
        try:
            return compile_documents(texts, jobs, advance, Path(scratch))
        except LatexError as exc:
            raise LatexFailure.from_error(exc) from None


def exam_outputs(family: Family, seed: int, versions: list[ExamVersion], formats,
                 templates_dir: Path | None = None, jobs: int | None = None,
                 progress: Progress | None = None) -> dict[str, str | bytes]:
    """Every output file, in memory: relative path -> text (or PDF bytes); PDFs are compiled ``jobs`` at
    a time (default: one per core)."""
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
    outputs["responses_template.csv"] = responses_template_csv(versions)
    outputs["manifest.json"] = manifest(family, seed, versions)
    outputs["moodle.xml"] = moodle_xml(family.spec.title, versions, instructions(family))
    if "pdf" in formats:
        texts = {name: sheets[name] for name in SHEETS["tex"]}
        texts.update({f"worked/{v.code}/handout.tex": v.worked["handout.tex"] for v in versions})
        outputs.update(_pdfs(texts, jobs, progress))
        outputs["worked.pdf"] = booklet(f"{family.spec.title}: worked keys", [
            (f"Version {v.code}", outputs[f"worked/{v.code}/handout.pdf"]) for v in versions])
    return outputs


def build_exam(family_path: str | Path, versions: int, seed: int, out_dir: str | Path,
               formats=("tex", "md", "pdf"), templates_dir: Path | None = None,
               progress: Progress | None = None, jobs: int | None = None) -> list[Path]:
    """Draw ``versions`` versions of the family under ``seed`` and write every exam file into ``out_dir``.

    PDFs are made when "pdf" is in ``formats`` (latexmk is then required), ``jobs`` documents at a time
    (default: one per core); the output is the same bytes for any ``jobs``. ``progress`` reports the
    drawing and the compiling. The exam folder replaces an old one as a whole, under a lock; a LaTeX
    failure keeps only its log, as ``OUT.latex-failed.log``. Returns the written paths, sorted.
    """
    if versions < 1:
        raise OutputError(f"--versions must be at least 1, got {versions}")
    family = load_family(family_path)
    if "pdf" in formats and not latexmk_available():
        raise OutputError(NO_LATEXMK)
    out_dir = Path(out_dir)
    with staged_folders([out_dir]) as (folder,):
        work = partial(build_version, family, tuple(formats), templates_dir)
        with _stage(progress, "Drawing and rendering versions", versions) as advance:
            built = [payload for _, payload in draw_versions(family, versions, seed, work, advance)]
        try:
            outputs = exam_outputs(family, seed, built, formats, templates_dir, jobs, progress)
        except LatexFailure as failure:
            raise failure.kept_beside(out_dir) from None
        for name, content in sorted(outputs.items()):
            (write_bytes if isinstance(content, bytes) else write_text)(folder / name, content)
    failed_log(out_dir).unlink(missing_ok=True)
    return [out_dir / name for name in sorted(outputs)]
