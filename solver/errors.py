"""Errors that reach the user as one clear message (exit code 2), never a traceback."""
from __future__ import annotations

import unicodedata


def one_line(text: str) -> str:
    """``text`` with every control character and line or paragraph separator written as its Python escape
    (a newline as ``\\n``), so that a message quoting a user's value stays on one line."""
    return "".join(repr(char)[1:-1] if unicodedata.category(char) in ("Cc", "Zl", "Zp") else char for char in text)


class HandoutError(Exception):
    """Base class for every error the CLI reports as a plain message."""

    exit_code = 2


class ProblemError(HandoutError):
    """A problem or family file is wrong: names the file, the field path and, where known, the line."""

    def __init__(self, source: str, path: str, message: str, line: int | None = None):
        self.source = source
        self.path = path
        self.message = message
        self.line = line
        super().__init__(str(self))

    def __reduce__(self):
        """Pickle with all fields, so the error survives a worker process (exam versions in parallel)."""
        return type(self), (self.source, self.path, self.message, self.line)

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        field = f"{self.path}: " if self.path else ""
        return f"{where}: {field}{self.message}"


class NumericalError(HandoutError):
    """A valid problem whose numbers break down, e.g. carry-mode rounding makes an output exactly 0 or 1.

    ``solve`` turns it into a ProblemError naming the file; ``path`` is the field to change.
    """

    def __init__(self, path: str, message: str):
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}")


class VerificationError(HandoutError):
    """The solver's three independent computations of a gradient disagree."""


class TemplateFailure(HandoutError):
    """A template has a syntax error or uses an undefined variable."""


class OutputError(HandoutError):
    """Writing outputs failed (LaTeX error, a file that would be overwritten, ...)."""


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived: the run stops like on Ctrl-C, and the CLI exits with 143 instead of 130."""


class ResponsesError(ProblemError):
    """A responses file (``handouts grade``) is wrong: names the file, the line and the column."""
