"""Compile standalone LaTeX documents to PDF with latexmk, locked down.

TeX runs with shell escape off and kpathsea's paranoid file access
(``openin_any=p``, ``openout_any=p``), so a document can neither run commands
nor read or write files outside its own folder. Failures raise `LatexError`
naming the first LaTeX error and its line; the .tex and .log files stay in
place for inspection.

Many documents with one preamble (the worked keys of an exam) can share a
format: `dump_format` runs the preamble once (mylatexformat) and
`compile_pdf(..., preamble_format=...)` starts from it instead of loading every
package again, which saves about two thirds of each pdflatex run.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
from pathlib import Path

LATEXMK_TIMEOUT = 120
"""Seconds one `compile_pdf` call may take before it is stopped."""

LATEXMK_COMMAND = (
    "latexmk",
    "-norc",
    "-no-shell-escape",
    "-interaction=nonstopmode",
    "-halt-on-error",
    "-file-line-error",
)
"""The latexmk command line, before the file name. ``-norc`` ignores any
latexmkrc (system, user or in the document's folder), so builds do not depend
on the machine and a folder cannot inject Perl code. The engine's option (`ENGINES`) follows."""

ENGINES = {"pdflatex": "-pdf", "lualatex": "-lualatex"}
"""The TeX engines a document may ask for, with latexmk's option for each."""

_PROGRAM_LINE = re.compile(r"% !TEX program = (?P<engine>\w+)\n")
_MISSING_CHARACTER = re.compile(r"^(?:! )?Missing character: There is no (?P<char>.+?) \((?P<code>U\+[0-9A-F]+)\) in font "
                                r"(?P<font>[^:;!]+)")

DUMP_COMMAND = (
    "pdflatex",
    "-ini",
    "-no-shell-escape",
    "-interaction=nonstopmode",
    "-halt-on-error",
    "-file-line-error",
    "&pdflatex",
    "mylatexformat.ltx",
)
PASS_COMMAND = (
    "pdflatex",
    "-no-shell-escape",
    "-interaction=nonstopmode",
    "-halt-on-error",
    "-file-line-error",
)
"""One pdflatex run, before the format option and the file name (`compile_pdf` with ``single_pass``)."""

_RERUN = re.compile(r"rerun (?:to get|latex)|undefined references|undefined citations|label\(s\) may have changed",
                    re.IGNORECASE)
"""Log lines by which LaTeX or a package says that another run would change the document."""

"""The command that dumps a document's preamble as a format, before the file
name; mylatexformat stops at ``\\begin{document}`` and makes the document skip
its own preamble when it is compiled from the format."""

_FILE_LINE_ERROR = re.compile(r"^(?P<file>[^\s:][^:]*):(?P<line>\d+): (?P<message>.*)$")
_BANG_ERROR = re.compile(r"^! (?P<message>.*)$")
_CONTEXT_LINE = re.compile(r"^l\.(?P<line>\d+) ?(?P<context>.*)$")
_OVERFULL = re.compile(r"^Overfull \\[hv]box .*$", re.MULTILINE)


class LatexError(RuntimeError):
    """A LaTeX build failed.

    The message gives the first LaTeX error with its file and line where the
    log has them. `tex_path` and `log_path` point to the files kept in place.
    """

    def __init__(self, message: str, *, tex_path: Path | None = None, log_path: Path | None = None):
        super().__init__(message)
        self.tex_path = tex_path
        self.log_path = log_path


def latexmk_available() -> bool:
    """Return whether ``latexmk`` is on the PATH."""
    return shutil.which("latexmk") is not None


def latex_environment() -> dict[str, str]:
    """Return the environment TeX runs in: the current one, locked down.

    ``TEXMFOUTPUT`` is removed (paranoid mode would otherwise allow access
    below it), file access is paranoid for reading and writing, shell escape
    is off, and ``max_print_line`` is raised so log lines that carry a file
    name and line number are not wrapped. ``SOURCE_DATE_EPOCH`` (0 unless
    set) fixes the PDF's trailer ID, which a document compiled from a format
    cannot blank with ``\\pdftrailerid{}``, so every build gives the same bytes.
    """
    env = dict(os.environ)
    env.pop("TEXMFOUTPUT", None)
    env.update(openin_any="p", openout_any="p", shell_escape="f", max_print_line="10000")
    env.setdefault("SOURCE_DATE_EPOCH", "0")
    return env


def document_engine(tex_path: Path) -> str:
    """The engine a .tex file asks for on its first line (``% !TEX program = lualatex``); pdflatex if none."""
    with open(tex_path, encoding="utf-8", errors="replace") as handle:
        match = _PROGRAM_LINE.match(handle.readline())
    return match.group("engine") if match and match.group("engine") in ENGINES else "pdflatex"


def compile_pdf(tex_path: Path, preamble_format: Path | None = None, single_pass: bool = False,
                engine: str | None = None) -> Path:
    """Compile `tex_path` to PDF in its own folder with `engine` and return the PDF's path.

    `engine` is a key of `ENGINES`; None takes the one the document names (`document_engine`).
    For pdflatex, `preamble_format` (a format from `dump_format` of a document with the same
    preamble) is where pdflatex starts instead of reading the preamble, and `single_pass` runs
    pdflatex once instead of latexmk's runs until the auxiliary files are stable, for documents
    known to be complete after one run (`asks_for_rerun` tells if the log disagrees); other engines
    always get latexmk's full build.
    Raises `LatexError` if latexmk fails, times out or makes no PDF.
    """
    tex_path = Path(tex_path).resolve()
    if not tex_path.is_file():
        raise LatexError(f"{tex_path}: no such file", tex_path=tex_path)
    engine = engine or document_engine(tex_path)
    if engine not in ENGINES:
        raise ValueError(f"unknown TeX engine {engine!r}; known: {', '.join(ENGINES)}")
    pdf_path = tex_path.with_suffix(".pdf")
    if engine != "pdflatex":
        return _checked(tex_path, pdf_path, *_run([*LATEXMK_COMMAND, ENGINES[engine], tex_path.name], tex_path))
    fmt = [] if preamble_format is None else [f"-fmt={Path(preamble_format).resolve()}"]
    if single_pass:
        return _checked(tex_path, pdf_path, *_run([*PASS_COMMAND, *fmt, tex_path.name], tex_path))
    command = [*LATEXMK_COMMAND, ENGINES[engine], *(f"-pdflatex=pdflatex {shlex.quote(option)} %O %S" for option in fmt)]
    return _checked(tex_path, pdf_path, *_run([*command, tex_path.name], tex_path))


def asks_for_rerun(tex_path: Path) -> bool:
    """Whether the log of the last run of `tex_path` says another run would change the document."""
    log_path = Path(tex_path).with_suffix(".log")
    return bool(_RERUN.search(log_path.read_text(errors="replace"))) if log_path.is_file() else True


def dump_format(tex_path: Path) -> Path:
    """Dump the preamble of `tex_path` (everything before ``\\begin{document}``) as a pdflatex format
    beside it, ``<name>.fmt``, and return its path. Raises `LatexError` if the preamble fails."""
    tex_path = Path(tex_path).resolve()
    if not tex_path.is_file():
        raise LatexError(f"{tex_path}: no such file", tex_path=tex_path)
    command = [*DUMP_COMMAND[:1], f"-jobname={tex_path.stem}", *DUMP_COMMAND[1:], tex_path.name]
    return _checked(tex_path, tex_path.with_suffix(".fmt"), *_run(command, tex_path))


def _checked(tex_path: Path, result: Path, returncode: int, output: str) -> Path:
    """`result` if the run succeeded and made it; else `LatexError` with the log's first error."""
    log_path = tex_path.with_suffix(".log")
    if returncode != 0 or not result.is_file():
        log_text = log_path.read_text(errors="replace") if log_path.is_file() else ""
        detail = first_error(log_text) or _tail(output) or f"latexmk exited with {returncode}"
        where = f" (log: {log_path})" if log_text else ""
        raise LatexError(
            f"LaTeX failed for {tex_path.name}: {detail}{where}",
            tex_path=tex_path,
            log_path=log_path if log_text else None,
        )
    return result


def _run(command: list[str], tex_path: Path) -> tuple[int, str]:
    """Run `command` (latexmk or TeX) in the folder of `tex_path`; return exit code and output.

    The command and the TeX it starts run in their own process group, which is
    killed as a whole on timeout.
    """
    proc = subprocess.Popen(
        command,
        cwd=tex_path.parent,
        env=latex_environment(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        start_new_session=True,
    )
    try:
        output, _ = proc.communicate(timeout=LATEXMK_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise LatexError(
            f"LaTeX timed out after {LATEXMK_TIMEOUT} s for {tex_path.name}",
            tex_path=tex_path,
        ) from None
    return proc.returncode, output


def first_error(log_text: str) -> str | None:
    """Return the first error in a TeX log as ``file:line: message``, or None.

    Understands ``-file-line-error`` lines (``./doc.tex:12: ...``) and classic
    ``! ...`` errors, whose line comes from the following ``l.12 ...`` context.
    The offending source text is appended where the log shows it. A character that no font has
    (an error under ``\\tracinglostchars=3``) is named with its code point and font.
    """
    lines = log_text.splitlines()
    for line in lines:
        missing = _MISSING_CHARACTER.match(line)
        if missing:
            return (f"no glyph for {missing.group('char')} ({missing.group('code')}) in the font "
                    f"{missing.group('font').strip()}")
    for index, line in enumerate(lines):
        match = _FILE_LINE_ERROR.match(line) or _BANG_ERROR.match(line)
        if not match:
            continue
        context = _context_after(lines, index + 1)
        message = match.group("message").strip()
        if "file" in match.groupdict():
            location = f"{_clean_file(match.group('file'))}:{match.group('line')}: "
        elif context:
            location = f"line {context.group('line')}: "
        else:
            location = ""
        source = f" [{context.group('context').strip()}]" if context and context.group("context").strip() else ""
        return f"{location}{message}{source}"
    return None


def overfull_boxes(log_text: str) -> list[str]:
    """Return every ``Overfull \\hbox``/``Overfull \\vbox`` warning in a TeX log.

    Each entry is the warning line as TeX wrote it, which carries the source
    line numbers (``in paragraph at lines 5--6``, ``detected at line 9``).
    """
    return [match.group(0).strip() for match in _OVERFULL.finditer(log_text)]


def _context_after(lines: list[str], start: int, window: int = 12) -> re.Match[str] | None:
    """Return the ``l.N ...`` context line within `window` lines of `start`."""
    for line in lines[start : start + window]:
        match = _CONTEXT_LINE.match(line)
        if match:
            return match
    return None


def _clean_file(name: str) -> str:
    """Drop the ``./`` TeX puts before files in the current folder."""
    return name[2:] if name.startswith("./") else name


def _tail(output: str, count: int = 5) -> str:
    """Return the last `count` non-empty lines of `output`, joined."""
    return " | ".join([line for line in output.splitlines() if line.strip()][-count:])
