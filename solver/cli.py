"""The ``handouts`` command: a thin layer over the library API.

Heavy imports (SymPy, NumPy) happen inside commands, after the problem file is validated, so
``--help`` and a bad file answer at once.
"""
from __future__ import annotations

import functools
import json
import sys
from pathlib import Path

import click

FORMATS = ("tex", "md", "html", "pdf")


def _reports_errors(command):
    """Turn HandoutError into one plain message on stderr and exit code 2 (no traceback)."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        from .errors import HandoutError

        try:
            return command(*args, **kwargs)
        except HandoutError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)

    return wrapper


def _parse_formats(ctx, param, value: str) -> tuple[str, ...]:
    formats = tuple(part.strip() for part in value.split(",") if part.strip())
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise click.BadParameter(f"choose from {', '.join(FORMATS)} (comma-separated), got {value!r}")
    return formats


def output_options(command):
    """Options shared by every command that renders handouts."""
    command = click.option("--templates", "templates_dir", type=click.Path(file_okay=False, path_type=Path),
                           help="Folder of templates that replace built-in templates of the same name.")(command)
    command = click.option("--format", "formats", default="tex,md,pdf", show_default=True,
                           callback=_parse_formats, help="Comma-separated formats: tex, md, html, pdf.")(command)
    return command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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
    for step in solution.to_json_dict()["steps"]:
        click.echo(f"step {step['step']} (epoch {step['epoch']}, example {step['example']}): "
                   f"loss {step['loss']:.10g} -> {step['loss_after']:.10g}, output {step['output']} -> "
                   f"{step['output_after']}, gradient check max relative error {step['check']['max_rel_error']:.2e}")


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
    from .build import render_problem

    for loaded in problems:
        for path in render_problem(loaded, out_dir, formats, templates_dir):
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
    from .files import write_text_atomic

    if out_file.exists() and not force:
        raise OutputError(f"{out_file} exists; use --force to overwrite it")
    write_text_atomic(out_file, text)
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
@output_options
@_reports_errors
def exam(family: Path, count: int, seed: int, out_dir: Path, formats: tuple[str, ...], templates_dir: Path | None):
    """Draw versions of the problem family FAMILY and write the exam, answer keys and quiz export.

    \b
    Example:
      handouts exam problems/families/sample.yaml --versions 30 --seed 2026 --out output/exam
    """
    from .exam import build_exam
    from .latex_build import latexmk_available

    with click.progressbar(length=count, label="Drawing and rendering versions", file=sys.stderr) as bar:
        paths = build_exam(family, count, seed, out_dir, formats, templates_dir, progress=bar.update)
    for path in paths:
        click.echo(str(path))
    if "pdf" in formats and not latexmk_available():
        click.echo("note: latexmk is not installed, so no PDFs were made", err=True)


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
    with click.progressbar(length=draws, label="Drawing versions", file=sys.stderr) as bar:
        report = stress_family(loaded, draws, seed, progress=bar.update)
    for line in report.lines():
        click.echo(line)


if __name__ == "__main__":
    main()
