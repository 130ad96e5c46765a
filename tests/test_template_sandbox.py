"""User templates are code run in Jinja's sandbox: they format, they cannot run commands or read files, and
every error inside one is a single line naming the template file and line (exit 2, nothing written)."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from solver.api import load_problem, solve
from solver.cli import main
from solver.errors import TemplateFailure
from solver.render import render_handout

ROOT = Path(__file__).resolve().parent.parent
SEED001 = ROOT / "problems" / "seed001_named_2_2_1.yaml"
PART = Path("markdown") / "parts" / "loss.md.j2"


@pytest.fixture(scope="module")
def solution():
    return solve(load_problem(SEED001))


def _templates(folder: Path, body: bytes, name: Path = PART) -> Path:
    path = folder / "templates" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body)
    return folder / "templates"


@pytest.mark.parametrize("body, line, message", [
    (b"ok\n{{ cycler.__init__.__globals__.os.popen('echo pwned').read() }}\n", 2,
     "not allowed in a template (templates can only format the values they are given): access to attribute "
     "'__init__' of 'type' object is unsafe."),
    (b"{{ lipsum.__globals__['os'].listdir('/') }}\n", 1,
     "not allowed in a template (templates can only format the values they are given): access to attribute "
     "'__globals__' of 'function' object is unsafe."),
    (b"{{ ''.__class__.__mro__[1].__subclasses__() }}\n", 1, "access to attribute '__class__' of 'str' object is unsafe."),
    (b"a\n{{ 1/0 }}\n", 2, "template error: ZeroDivisionError: division by zero"),
    (b"a\nb\n{{ 'a' + 1 }}\n", 3, 'template error: TypeError: can only concatenate str (not "int") to str'),
    (b"{{ '%d' % 'x' }}\n", 1, "template error: TypeError: %d format: a real number is required, not str"),
    (b"{{ no_such_thing.here }}\n", 1, "undefined template variable: 'no_such_thing' is undefined"),
    (b"{% macro f(n) %}{{ f(n) }}{% endmacro %}\n{{ f(1) }}\n", 1,
     "templates nest too deeply (does a template extend or include itself?)"),
    (b"{% include 'markdown/parts/loss.md.j2' %}\n", 1, "templates nest too deeply"),
    (b"{{ range(100001) | list | length }}\n", 1, "template error: OverflowError: Range too big."),
    (b"ok\n\xff\xfe\n", 2, "file is not valid UTF-8 (byte 0xff at offset 3)"),
])
def test_template_errors_are_one_line_with_file_and_line(solution, tmp_path, body, line, message):
    templates = _templates(tmp_path, body)
    with pytest.raises(TemplateFailure) as caught:
        render_handout(solution, "md", templates)
    text = str(caught.value)
    assert text.startswith(f"{(templates / PART).resolve()}:{line}: ") and message in text
    assert "\n" not in text


def test_a_template_that_extends_itself_is_one_line(solution, tmp_path):
    name = Path("markdown") / "handout.md.j2"
    templates = _templates(tmp_path, b'{% extends "markdown/handout.md.j2" %}\n', name)
    with pytest.raises(TemplateFailure) as caught:
        render_handout(solution, "md", templates)
    assert str(caught.value) == (f"{(templates / name).resolve()}:1: templates nest too deeply (does a template "
                                 "extend or include itself?)")


def test_a_template_too_big_to_read_is_refused(solution, tmp_path):
    templates = _templates(tmp_path, b"x" * 1_000_001)
    with pytest.raises(TemplateFailure) as caught:
        render_handout(solution, "md", templates)
    assert str(caught.value) == (f"{(templates / PART).resolve()}: file is larger than 1,000,000 bytes; input "
                                 "files are limited to 1,000,000 bytes")


def test_cli_runs_no_command_and_writes_nothing(tmp_path):
    templates = _templates(tmp_path, b"{{ cycler.__init__.__globals__.os.popen('echo pwned').read() }}\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["render", str(SEED001), "--format", "md", "--out", str(out),
                                       "--templates", str(templates)])
    assert result.exit_code == 2
    assert "pwned" not in result.output
    assert result.output.count("\n") == 1 and result.output.startswith(f"error: {(templates / PART).resolve()}:1: ")
    assert not out.exists()


def test_templates_may_still_format(solution, tmp_path):
    templates = _templates(tmp_path, b"{{ '%.2f' | format(0.125) }} {{ [3, 1, 2] | sort | join(',') }} "
                                     b"{{ s.equation.lhs | length > 0 }}\n")
    assert "0.12 1,2,3 True" in render_handout(solution, "md", templates)
