"""Jinja environments, template lookup and filters; rendering a Solution into .tex or .md text."""
from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

import jinja2
from jinja2.loaders import split_template_path
from jinja2.sandbox import SandboxedEnvironment, SecurityError
from pylatexenc.latexencode import UnicodeToLatexEncoder

from .errors import OutputError, TemplateFailure
from .files import staged_folders, write_bytes
from .scripts import document_fonts, pdflatex_prints, prose_fields
from .reading import ReadFailure, read_utf8

LATEX_DELIMITERS = dict(block_start_string="((*", block_end_string="*))", variable_start_string="(((",
                        variable_end_string=")))", comment_start_string="((=", comment_end_string="=))")
_LATEX_SPECIALS = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "%": r"\%",
                   "#": r"\#", "_": r"\_", "^": r"\textasciicircum{}", "~": r"\textasciitilde{}"}
_UNICODE = UnicodeToLatexEncoder(non_ascii_only=True, replacement_latex_protection="braces-all")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|$~&])")


def builtin_templates() -> Path:
    """The folder of built-in templates (works from a source tree and from a plain ``pip install``)."""
    return Path(str(resources.files("solver.templates")))


def escape_latex(text) -> str:
    """Prose from a problem file, made safe for LaTeX: every special character is printed literally.

    Characters pdflatex prints become T1 macros (``é`` -> ``{\\'e}``, which LuaLaTeX reads too); any
    other character stays as it is, for LuaLaTeX and the fonts ``scripts.document_fonts`` chose.
    """
    return "".join(_escape_char(ch) for ch in str(text))


@lru_cache(maxsize=4096)
def _escape_char(char: str) -> str:
    if char in _LATEX_SPECIALS:
        return _LATEX_SPECIALS[char]
    if ord(char) < 0x80 or not pdflatex_prints(char):
        return char
    return _UNICODE.unicode_to_latex(char)


def escape_markdown(text) -> str:
    """Prose from a problem file, made safe for Markdown: punctuation is backslash-escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text)).replace("\n", " ")


def aligned(equation, mark=None) -> str:
    """An Equation as the body of an aligned environment (rows joined with \\\\); ``mark(labels)`` (a
    template macro) sets the labels of the exam questions it answers."""
    return " \\\\\n".join(equation.lines(mark))


def grid_lines(grid, mark=None) -> str:
    """A Grid as the body of one aligned environment (``mark`` as in :func:`aligned`)."""
    return " \\\\\n".join(grid.lines(mark))


GRID_CHUNK_LINES = 12
"""Most lines in one Markdown math block (MathJax limits the size of one formula)."""


def grid_chunks(grid, mark=None) -> list[str]:
    """A Grid as aligned bodies of at most GRID_CHUNK_LINES lines each (Markdown; ``mark`` as in :func:`aligned`)."""
    lines = grid.lines(mark)
    return [" \\\\\n".join(lines[i:i + GRID_CHUNK_LINES]) for i in range(0, len(lines), GRID_CHUNK_LINES)]


def _modified(path: Path) -> float | None:
    try:
        return path.stat().st_mtime
    except OSError:
        return None


class _FolderLoader(jinja2.BaseLoader):
    """Templates from one folder, read within the input size limit; a file that is too big or not UTF-8 is a
    TemplateFailure naming it (and the line of the first bad byte)."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def get_source(self, environment, template):
        path = self.folder.joinpath(*split_template_path(template))
        if not path.is_file():
            raise jinja2.TemplateNotFound(template)
        try:
            text, _ = read_utf8(path)
        except ReadFailure as exc:
            where = f"{path}:{exc.line}" if exc.line else str(path)
            raise TemplateFailure(f"{where}: {exc.message}") from None
        mtime = _modified(path)
        return text, str(path), lambda: _modified(path) == mtime


def _loader(templates_dir: Path | None) -> jinja2.BaseLoader:
    builtin = _FolderLoader(builtin_templates())
    if templates_dir is None:
        return builtin
    return jinja2.ChoiceLoader([_FolderLoader(templates_dir), builtin])


def _environment(templates_dir: Path | None, latex: bool) -> jinja2.Environment:
    if templates_dir is not None and not Path(templates_dir).is_dir():
        raise OutputError(f"{templates_dir}: template folder does not exist")
    return _cached_environment(None if templates_dir is None else Path(templates_dir).resolve(), latex)


@lru_cache(maxsize=8)
def _cached_environment(templates_dir: Path | None, latex: bool) -> jinja2.Environment:
    """One environment per template folder and kind: templates are parsed once (Jinja rechecks file times).

    Templates are code, so they run sandboxed: they can format the values they are given, not reach Python
    internals (``__globals__``, ``__init__``, ...), open files or run commands."""
    options = LATEX_DELIMITERS if latex else {}
    env = SandboxedEnvironment(loader=_loader(templates_dir), undefined=jinja2.StrictUndefined, autoescape=False,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, **options)
    env.filters.update(escape=escape_latex if latex else escape_markdown, escape_latex=escape_latex,
                       escape_markdown=escape_markdown, aligned=aligned, grid_lines=grid_lines,
                       grid_chunks=grid_chunks)
    return env


def latex_environment(templates_dir: Path | None = None) -> jinja2.Environment:
    """Jinja environment for LaTeX templates (delimiters ((* *)), ((( ))), ((= =)))."""
    return _environment(templates_dir, latex=True)


def markdown_environment(templates_dir: Path | None = None) -> jinja2.Environment:
    """Jinja environment for Markdown and SVG templates (default delimiters)."""
    return _environment(templates_dir, latex=False)


def html_environment(templates_dir: Path | None = None) -> jinja2.Environment:
    """Jinja environment for HTML templates: the Markdown one (default delimiters, same loader) with HTML
    autoescaping and the MathML filters of ``solver.html``."""
    return _html_overlay(markdown_environment(templates_dir))


@lru_cache(maxsize=8)
def _html_overlay(base: jinja2.Environment) -> jinja2.Environment:
    from .html import HTML_FILTERS

    env = base.overlay(autoescape=True)
    env.filters = {**base.filters, **HTML_FILTERS}
    return env


def _template_location(exc: BaseException) -> str:
    """'file.j2:LINE' of the innermost template frame of an exception, if any."""
    location = ""
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            location = f"{filename}:{tb.tb_lineno}"
        tb = tb.tb_next
    return location


_TEMPLATE_RUNTIME_ERRORS = (jinja2.TemplateRuntimeError, ArithmeticError, TypeError, ValueError, LookupError,
                            AttributeError)
"""What a template's own expressions can raise (``{{ 1/0 }}``, ``{{ 'a' + 1 }}``, ``{{ x[9] }}``...)."""


def render_template(env: jinja2.Environment, name: str, **context) -> str:
    """Render one template; every error a template can cause (syntax, undefined variable, a forbidden
    attribute, an expression that fails, endless recursion) becomes one TemplateFailure with file and line."""
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateFailure(f"{exc.filename or exc.name}:{exc.lineno}: template syntax error: {exc.message}") from None
    except jinja2.TemplateNotFound as exc:
        raise TemplateFailure(f"template not found: {exc.name}") from None
    except SecurityError as exc:
        where = _template_location(exc) or name
        raise TemplateFailure(f"{where}: not allowed in a template (templates can only format the values they "
                              f"are given): {exc.message}") from None
    except jinja2.UndefinedError as exc:
        where = _template_location(exc) or name
        raise TemplateFailure(f"{where}: undefined template variable: {exc.message}") from None
    except RecursionError as exc:
        where = _template_location(exc) or name
        raise TemplateFailure(f"{where}: templates nest too deeply (does a template extend or include "
                              "itself?)") from None
    except _TEMPLATE_RUNTIME_ERRORS as exc:
        where = _template_location(exc) or name
        raise TemplateFailure(f"{where}: template error: {type(exc).__name__}: {' '.join(str(exc).split())}") from None


def _handout(solution, handout):
    from .sections import build_handout

    return handout or build_handout(solution)


def render_handout(solution, fmt: str = "tex", templates_dir: Path | None = None, handout=None) -> str:
    """The handout of ``solution`` as LaTeX (``fmt='tex'``) or Markdown (``fmt='md'``) text."""
    handout = _handout(solution, handout)
    from .notation import PALETTE, markdown_colours

    context = dict(solution=solution, spec=solution.spec, handout=handout, notation=solution.notation,
                   policy=solution.policy, palette=PALETTE)
    if fmt == "tex":
        fonts = document_fonts(prose_fields(solution.spec), solution.problem.source)
        return render_template(latex_environment(templates_dir), "latex/handout.tex.j2", fonts=fonts, **context)
    if fmt == "md":
        return markdown_colours(render_template(markdown_environment(templates_dir), "markdown/handout.md.j2",
                                                **context))
    raise ValueError(f"unknown format {fmt!r}")


def render_svg(solution, templates_dir: Path | None = None, handout=None) -> str:
    """The network diagram as a standalone SVG file (for Markdown handouts)."""
    from .diagram import diagram_layout

    handout = _handout(solution, handout)
    record = handout.records.get("diagram")
    return render_layout_svg(record.layout if record is not None else diagram_layout(handout.context), templates_dir)


def render_layout_svg(layout: dict, templates_dir: Path | None = None) -> str:
    """A diagram layout (``diagram.diagram_layout``) drawn as a standalone SVG file."""
    return render_template(markdown_environment(templates_dir), "markdown/diagram.svg.j2", diagram=layout)


def render_loss_svg(solution, templates_dir: Path | None = None, handout=None) -> str:
    """The loss-per-step plot as a standalone SVG file (for Markdown handouts with several steps)."""
    from .diagram import loss_plot
    from .sections import history

    handout = _handout(solution, handout)
    record = handout.records.get("history") or history.build(handout.context)
    plot = loss_plot(record.points)
    return render_template(markdown_environment(templates_dir), "markdown/loss.svg.j2", plot=plot)


def copy_templates(target: Path, force: bool = False) -> tuple[list[Path], list[Path]]:
    """Copy the built-in templates into ``target``; existing files are kept unless ``force``.

    Each top-level template folder (``latex/``, ``markdown/``, ``exam/``) is assembled in a temporary
    sibling from its existing files and the built-ins and moved into place once all are ready, so a
    failure leaves ``target`` as it was. Returns (copied, kept) paths inside ``target``.
    """
    source = builtin_templates()
    target = Path(target)
    files = [path.relative_to(source) for path in sorted(source.rglob("*.j2"))]
    tops = sorted({relative.parts[0] for relative in files})
    copied, kept = [], []
    with staged_folders([target / top for top in tops], keep_existing=True) as folders:
        staging = dict(zip(tops, folders))
        for relative in files:
            destination = staging[relative.parts[0]].joinpath(*relative.parts[1:])
            if destination.exists() and not force:
                kept.append(target / relative)
                continue
            write_bytes(destination, (source / relative).read_bytes())
            copied.append(target / relative)
    return copied, kept
