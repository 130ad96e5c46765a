"""Reading a class's responses (RESPONSES.csv): one row per student, columns ``student, version`` and
one per answer id; a blank cell is no answer. Numbers may use a decimal comma or point, spaces (thin
spaces too) and scientific notation. Bad structure is one ``ResponsesError`` naming the row or column.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from .errors import ResponsesError
from .export.csv_export import RESPONSE_COLUMNS
from .reading import ReadFailure, read_limited

DELIMITERS = ",;\t"
"""Accepted cell separators: a spreadsheet saving CSV with decimal commas writes semicolons."""

_SPACES = re.compile(r"[\s\u00a0\u2009\u202f\u2007\u200a\u2008]+")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def number_text(text: str) -> str | None:
    """The number a cell holds as plain text (no spaces, decimal point, ASCII minus), or None when it is not
    a number: ``0,641``, ``0.641``, ``-1 234.5``, ``6.41e-1``, ``−0.2`` (a minus sign) are numbers;
    ``1,234.5``, ``0.64.1``, ``nan`` or ``1/2`` are not."""
    compact = _SPACES.sub("", text).replace("\u2212", "-")
    if compact.count(",") + compact.count(".") > 1:
        return None
    compact = compact.replace(",", ".")
    return compact if _NUMBER.fullmatch(compact) else None


def parse_number(text: str) -> float | None:
    """The number a cell holds (see ``number_text``), or None when it is not a number."""
    compact = number_text(text)
    return None if compact is None else float(compact)


@dataclass(frozen=True)
class Response:
    """One student's row: name, version code, the line it starts on, and the cell of each answer id
    (only the answer columns the file has)."""

    student: str
    version: str
    line: int
    cells: dict[str, str]


def _delimiter(header_line: str) -> str:
    return max(DELIMITERS, key=header_line.count)


def _read_text(path: Path) -> str:
    try:
        return read_limited(path).decode("utf-8-sig")
    except ReadFailure as exc:
        raise ResponsesError(str(path), "", exc.message) from None
    except UnicodeDecodeError as exc:
        raise ResponsesError(str(path), "", f"is not UTF-8 text (byte {exc.start}); save it as CSV UTF-8") from None


def _header(path: Path, header: list[str], answer_ids: Iterable[str]) -> list[str]:
    source, known = str(path), set(answer_ids)
    columns = [name.strip() for name in header]
    seen = set()
    for name in columns:
        if name in seen:
            raise ResponsesError(source, name, "the column appears twice", 1)
        seen.add(name)
        if name not in known and name not in RESPONSE_COLUMNS:
            raise ResponsesError(source, name or "(empty)", "unknown column: the exam asks for "
                                 f"{', '.join(answer_ids)} (see responses_template.csv)", 1)
    for name in RESPONSE_COLUMNS:
        if name not in seen:
            raise ResponsesError(source, name, "the column is missing (the first columns are "
                                 f"{', '.join(RESPONSE_COLUMNS)}, see responses_template.csv)", 1)
    return columns


def read_responses(path: str | Path, versions: dict[str, tuple[str, ...]]) -> list[Response]:
    """Every student's row of ``path``; ``versions`` maps each version code of the exam to its answer
    ids. Raises ResponsesError for an unknown or duplicate column, a missing student or version column,
    an unknown version code, a duplicate or empty student name, too many cells, or an answer to a
    question the student's version does not ask. Rows with every cell empty are skipped."""
    path = Path(path)
    source = str(path)
    text = _read_text(path)
    answer_ids = tuple(dict.fromkeys(i for ids in versions.values() for i in ids))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text.split("\n", 1)[0]))
    try:
        header = next(reader, None)
        if header is None:
            raise ResponsesError(source, "", "the file is empty; start from responses_template.csv", 1)
        columns = _header(path, header, answer_ids)
        responses, first_line = [], {}
        line = reader.line_num
        for row in reader:
            start, line = line + 1, reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) > len(columns):
                raise ResponsesError(source, "", f"the row has {len(row)} cells, the header {len(columns)}", start)
            cells = dict(zip(columns, (cell.strip() for cell in row)))
            student, version = cells.pop("student", ""), cells.pop("version", "")
            if not student:
                raise ResponsesError(source, "student", "the student's name or number is empty", start)
            if student in first_line:
                raise ResponsesError(source, "student", f"{student!r} appears twice (first on line "
                                     f"{first_line[student]})", start)
            first_line[student] = start
            if version not in versions:
                raise ResponsesError(source, "version", f"unknown version code {version!r}; the exam has "
                                     f"{', '.join(versions)}", start)
            extra = next((name for name, cell in cells.items() if cell and name not in versions[version]), None)
            if extra is not None:
                raise ResponsesError(source, extra, f"version {version} does not ask this; leave the cell empty",
                                     start)
            responses.append(Response(student, version, start, cells))
    except csv.Error as exc:
        raise ResponsesError(source, "", f"not valid CSV: {exc}", reader.line_num) from None
    return responses
