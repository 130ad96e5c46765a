"""The ``handouts`` command: a thin layer over the library API.

Heavy imports (SymPy, NumPy) happen inside commands, after the problem file is validated, so
``--help`` and a bad file answer at once.
"""
from __future__ import annotations

import contextlib
import functools
import json
import os
import signal
import sys
import threading
from pathlib import Path

import click

from .errors import Terminated, one_line

FORMATS = ("tex", "md", "html", "pdf")
INTERRUPTED_EXIT = 130
"""Exit code after Ctrl-C (SIGINT), as shells report a process stopped by SIGINT."""
TERMINATED_EXIT = 143
"""Exit code after SIGTERM (e.g. from ``timeout``), 128 + 15."""
NO_PDF_NOTE = ("note: latexmk is not installed, so no PDFs were made; to get them install TeX Live and "
               "latexmk (Debian: apt-get install latexmk texlive-latex-extra texlive-pictures) and run again")
_PDF_SKIPPED = "handouts.pdf_skipped"


def _stop(exc: KeyboardInterrupt) -> None:
    """One line and exit 130 (Ctrl-C) or 143 (SIGTERM); outputs were already removed on the way out.

    The process ends with ``os._exit``: a worker killed while sending its result can leave the pool's
    result pipe half-written, and the exit handler that joins the pool's thread would then wait forever.
    """
    terminated = isinstance(exc, Terminated)
    click.echo("error: terminated" if terminated else "error: interrupted", err=True)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(TERMINATED_EXIT if terminated else INTERRUPTED_EXIT)


def _reports_errors(command):
    """Turn HandoutError into one plain message on stderr and exit code 2 (no traceback), and Ctrl-C or
    SIGTERM into one line and exit code 130 or 143."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        from .errors import HandoutError

        try:
            return command(*args, **kwargs)
        except HandoutError as exc:
            click.echo(f"error: {one_line(str(exc))}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt as exc:
            _stop(exc)

    return wrapper


def _raise_terminated(signum, frame):
    raise Terminated()


class HandoutsGroup(click.Group):
    """The command group: click's usage errors are one line ``error: ...`` with exit code 2 like every
    other error, and SIGTERM stops a run like Ctrl-C."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        in_main_thread = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGTERM, _raise_terminated) if in_main_thread else None
        try:
            result = super().main(args, prog_name, complete_var, False, **extra)
        except click.ClickException as exc:
            message = one_line(" ".join(exc.format_message().split()))
            context = getattr(exc, "ctx", None)
            hint = f" (see '{context.command_path} --help')" if isinstance(exc, click.UsageError) and context else ""
            click.echo(f"error: {message}{hint}", err=True)
            sys.exit(2)
        except click.Abort as exc:
            _stop(exc.__cause__ if isinstance(exc.__cause__, KeyboardInterrupt) else KeyboardInterrupt())
        except KeyboardInterrupt as exc:
            _stop(exc)
        finally:
            if in_main_thread:
                signal.signal(signal.SIGTERM, previous)
        sys.exit(result if isinstance(result, int) else 0)


@contextlib.contextmanager
def progress_bar(label: str, total: int):
    """A progress bar of ``total`` items on standard error, yielding its update function; nothing at all is
    drawn when standard error is not a terminal."""
    if not sys.stderr.isatty():
        yield lambda done: None
        return
    with click.progressbar(length=total, label=label, file=sys.stderr) as bar:
        yield bar.update


def _parse_formats(ctx, param, value: str | None) -> tuple[str, ...]:
    """The --format list; without --format, all formats, but pdf only when latexmk is installed."""
    if value is None:
        from .latex_build import latexmk_available

        if latexmk_available():
            return FORMATS
        ctx.meta[_PDF_SKIPPED] = True
        return tuple(fmt for fmt in FORMATS if fmt != "pdf")
    formats = tuple(part.strip() for part in value.split(",") if part.strip())
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise click.BadParameter(f"choose from {', '.join(FORMATS)} (comma-separated), got {value!r}")
    return formats


def output_options(command):
    """Options shared by every command that renders handouts; a successful run whose default formats
    skipped pdf ends with one note saying how to get PDFs."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        result = command(*args, **kwargs)
        if click.get_current_context().meta.get(_PDF_SKIPPED):
            click.echo(NO_PDF_NOTE, err=True)
        return result

    wrapper = click.option("--templates", "templates_dir", type=click.Path(file_okay=False, path_type=Path),
                           help="Folder of templates that replace built-in templates of the same name.")(wrapper)
    wrapper = click.option("--format", "formats", default=None, callback=_parse_formats,
                           help="Comma-separated formats: tex, md, html, pdf.  [default: tex,md,html,pdf; without "
                                "latexmk, tex,md,html and a note; an explicit pdf needs latexmk]")(wrapper)
    return wrapper


@click.group(cls=HandoutsGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="backprop-handouts")
def main():
    """Worked backpropagation solutions (LaTeX/PDF, Markdown and HTML) and randomised exams with keys.

    \b
    Example:
      handouts render problems/seed001_named_2_2_1.yaml --out output
    """


@main.command()
@click.argument("problem", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the full-precision trace as JSON.")
@_reports_errors
def solve(problem: Path, as_json: bool):
    """Solve PROBLEM and print every quantity of every SGD step, verified three ways.

    \b
    Example:
      handouts solve problems/seed001_named_2_2_1.yaml --json
    """
    from .spec import load_problem

    loaded = load_problem(problem)
    from .api import solve as solve_problem

    solution = solve_problem(loaded)
    if as_json:
        click.echo(json.dumps(solution.to_json_dict(), indent=2))
        return
    trace = solution.to_json_dict()
    for step in trace["steps"]:
        click.echo(_step_line(step, trace["training"]["optimizer"]))


def _step_line(step: dict, optimizer: str) -> str:
    """One line per update of ``handouts solve``: examples, loss before and after, output, checks."""
    examples = step["examples"]
    where = f"example {examples[0]}" if len(examples) == 1 else f"examples {examples[0]}-{examples[-1]}"
    line = f"step {step['step']} (epoch {step['epoch']}, {where}): loss {step['loss']:.10g} -> {step['loss_after']:.10g}"
    if "output" in step:
        line += f", output {step['output']} -> {step['output_after']}"
    line += f", gradient check max relative error {step['check']['max_rel_error']:.2e}"
    if optimizer != "sgd":
        line += f", {optimizer} state check max relative error {step['check']['max_optimizer_rel_error']:.2e}"
    return line


@main.command()
@click.argument("problem", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("output"),
              show_default=True, help="Folder; the handout goes to OUT/<problem name>/.")
@output_options
@_reports_errors
def render(problem: Path, out_dir: Path, formats: tuple[str, ...], templates_dir: Path | None):
    """Render PROBLEM as a handout in each format.

    \b
    Example:
      handouts render problems/seed003_layered_3_2_2_1.yaml --format tex,md --out output
    """
    from .spec import load_problem

    loaded = load_problem(problem)
    from .build import render_problem

    for path in render_problem(loaded, out_dir, formats, templates_dir):
        click.echo(str(path))


@main.command()
@click.argument("sources", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("output"),
              show_default=True, help="Folder; each handout goes to OUT/<problem name>/.")
@output_options
@_reports_errors
def build(sources: tuple[Path, ...], out_dir: Path, formats: tuple[str, ...], templates_dir: Path | None):
    """Render every problem file in SOURCES (files or folders of *.yaml; subfolders are not searched).

    \b
    Example:
      handouts build problems --out output
    """
    from .spec import load_problem

    files = []
    for source in sources:
        files += sorted(source.glob("*.yaml")) if source.is_dir() else [source]
    if not files:
        raise click.UsageError("no *.yaml problem files found")
    problems = [load_problem(path) for path in files]
    from .build import render_problems

    for path in render_problems(problems, out_dir, formats, templates_dir):
        click.echo(str(path))


@main.group()
def templates():
    """Work with the handout templates.

    \b
    Example:
      handouts templates copy my_templates
    """


@templates.command("copy")
@click.argument("target", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite files that already exist in TARGET.")
@_reports_errors
def templates_copy(target: Path, force: bool):
    """Copy the built-in templates into TARGET for editing (existing files are kept unless --force).

    \b
    Example:
      handouts templates copy my_templates && handouts render p.yaml --templates my_templates
    """
    from .render import copy_templates

    copied, kept = copy_templates(target, force)
    for path in copied:
        click.echo(f"copied {path}")
    for path in kept:
        click.echo(f"kept   {path} (exists; use --force to overwrite)")


@main.command()
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the schema to this file instead of standard output.")
@click.option("--force", is_flag=True, help="Overwrite --out if it exists.")
@_reports_errors
def schema(out_file: Path | None, force: bool):
    """Print the JSON Schema of the problem-file format (for editor autocompletion).

    The same schema ships in the package as solver/schema/problem.schema.json.

    \b
    Example:
      handouts schema --out problem.schema.json
    """
    from .spec import problem_json_schema_text

    text = problem_json_schema_text()
    if out_file is None:
        click.echo(text, nl=False)
        return
    from .errors import OutputError
    from .files import write_file

    if out_file.exists() and not force:
        raise OutputError(f"{out_file} exists; use --force to overwrite it")
    write_file(out_file, text.encode("utf-8"))
    click.echo(str(out_file))


@main.command()
@click.argument("family", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--versions", "count", type=click.IntRange(1, 999), default=4, show_default=True,
              help="Number of versions (one per student or per seat).")
@click.option("--seed", type=click.IntRange(0), required=True,
              help="Seed: version k of a seed is the same whatever --versions is.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("output/exam"),
              show_default=True, help="Folder for the exam, keys, worked solutions, answers.csv, manifest.json "
                                      "and moodle.xml.")
@click.option("--jobs", type=click.IntRange(1), default=None,
              help="PDFs compiled at once (default: one per core).")
@output_options
@_reports_errors
def exam(family: Path, count: int, seed: int, out_dir: Path, jobs: int | None, formats: tuple[str, ...],
         templates_dir: Path | None):
    """Draw versions of the problem family FAMILY and write the exam, answer keys and quiz export.

    \b
    Example:
      handouts exam problems/families/sample.yaml --versions 30 --seed 2026 --out output/exam
    """
    from .exam import build_exam

    paths = build_exam(family, count, seed, out_dir, formats, templates_dir, progress=progress_bar, jobs=jobs)
    for path in paths:
        click.echo(str(path))


@main.command()
@click.argument("exam_dir", type=click.Path(file_okay=False, path_type=Path))
@click.argument("responses", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("output/grades"),
              show_default=True, help="Folder for grades.csv, totals.csv, report.md and report.pdf.")
@click.option("--templates", "templates_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder of templates that replace built-in templates of the same name (exam/report.*.j2).")
@_reports_errors
def grade(exam_dir: Path, responses: Path, out_dir: Path, templates_dir: Path | None):
    """Mark the students' answers in RESPONSES (a CSV shaped like EXAM_DIR/responses_template.csv) against
    the exam in EXAM_DIR, with follow-through credit and a diagnosis of each wrong answer.

    report.pdf is made when latexmk is installed (else a note says so).

    \b
    Example:
      handouts grade output/exam responses.csv --out output/grades
    """
    from .grade_report import grade_exam
    from .latex_build import latexmk_available

    pdf = latexmk_available()
    for path in grade_exam(exam_dir, responses, out_dir, pdf, templates_dir):
        click.echo(str(path))
    if not pdf:
        click.echo(NO_PDF_NOTE, err=True)


@main.command()
@click.argument("family", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--draws", type=click.IntRange(1, 100_000), default=1000, show_default=True,
              help="Number of versions to draw.")
@click.option("--seed", type=click.IntRange(0), default=0, show_default=True, help="Seed of the draws.")
@_reports_errors
def stress(family: Path, draws: int, seed: int):
    """Draw many versions of FAMILY, solve and verify each, and report constraint rejections and the
    spread of every answer.

    \b
    Example:
      handouts stress problems/families/sample.yaml --draws 1000
    """
    from .families import load_family
    from .stress import stress_family

    loaded = load_family(family)
    with progress_bar("Drawing versions", draws) as advance:
        report = stress_family(loaded, draws, seed, progress=advance)
    for line in report.lines():
        click.echo(line)


if __name__ == "__main__":
    main()
