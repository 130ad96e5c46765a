"""Compile standalone LaTeX documents to PDF with latexmk, locked down.

TeX runs with shell escape off and kpathsea's paranoid file access
(``openin_any=p``, ``openout_any=p``), so a document can neither run commands
nor read or write files outside its own folder. Failures raise `LatexError`
naming the first LaTeX error and its line; the .tex and .log files stay in
place for inspection.
"""

from __future__ import annotations

import os
import re
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
    name and line number are not wrapped.
    """
    env = dict(os.environ)
    env.pop("TEXMFOUTPUT", None)
    env.update(openin_any="p", openout_any="p", shell_escape="f", max_print_line="10000")
    return env


def document_engine(tex_path: Path) -> str:
    """The engine a .tex file asks for on its first line (``% !TEX program = lualatex``); pdflatex if none."""
    with open(tex_path, encoding="utf-8", errors="replace") as handle:
        match = _PROGRAM_LINE.match(handle.readline())
    return match.group("engine") if match and match.group("engine") in ENGINES else "pdflatex"


def compile_pdf(tex_path: Path, engine: str | None = None) -> Path:
    """Compile `tex_path` to PDF in its own folder with `engine` and return the PDF's path.

    `engine` is a key of `ENGINES`; None takes the one the document names (`document_engine`).
    Raises `LatexError` if latexmk fails, times out or makes no PDF.
    """
    tex_path = Path(tex_path).resolve()
    if not tex_path.is_file():
        raise LatexError(f"{tex_path}: no such file", tex_path=tex_path)
    engine = engine or document_engine(tex_path)
    if engine not in ENGINES:
        raise ValueError(f"unknown TeX engine {engine!r}; known: {', '.join(ENGINES)}")
    log_path = tex_path.with_suffix(".log")
    pdf_path = tex_path.with_suffix(".pdf")
    returncode, output = _run_latexmk(tex_path, engine)
    if returncode != 0 or not pdf_path.is_file():
        log_text = log_path.read_text(errors="replace") if log_path.is_file() else ""
        detail = first_error(log_text) or _tail(output) or f"latexmk exited with {returncode}"
        where = f" (log: {log_path})" if log_text else ""
        raise LatexError(
            f"LaTeX failed for {tex_path.name}: {detail}{where}",
            tex_path=tex_path,
            log_path=log_path if log_text else None,
        )
    return pdf_path


def _run_latexmk(tex_path: Path, engine: str) -> tuple[int, str]:
    """Run latexmk with `engine` on `tex_path` in its folder; return exit code and output.

    latexmk and the TeX it starts run in their own process group, which is
    killed as a whole on timeout.
    """
    proc = subprocess.Popen(
        [*LATEXMK_COMMAND, ENGINES[engine], tex_path.name],
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
