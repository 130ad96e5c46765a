"""An independent reader of Moodle's embedded-answers (cloze) syntax, for checking moodle.xml.

As documented for the Embedded answers (Cloze) question type: a subquestion is
``{weight:TYPE:alternatives}``; alternatives are separated by ``~``; each is an optional grade
(``=`` for 100 %, or ``%n%``), the answer, and optionally ``#`` and its feedback; a NUMERICAL answer is
``value:tolerance``. Inside a subquestion the characters ``} # ~ / " \\`` are written with a backslash
before them. This reader is strict: a backslash before any other character, or an unescaped special
character where the syntax does not expect one, is an error (so missing escapes are found). Feedback is
HTML, as in Moodle: entities are decoded after the cloze syntax is read.
"""
from __future__ import annotations

import csv
import html
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

SPECIAL = '}#~/"\\'
TYPES = ("NUMERICAL", "NM", "SHORTANSWER", "SA", "MW", "SHORTANSWER_C", "SAC", "MWC", "MULTICHOICE", "MC",
         "MULTICHOICE_V", "MCV", "MULTICHOICE_H", "MCH")
START = re.compile(r"\{(\d*):(" + "|".join(sorted(TYPES, key=len, reverse=True)) + r"):")
NUMBER = r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?"
NUMERICAL = re.compile(rf"({NUMBER})(?::({NUMBER}))?")


class ClozeError(ValueError):
    """The text is not valid cloze syntax."""


@dataclass(frozen=True)
class Alternative:
    grade: Decimal
    answer: str
    feedback: str

    @property
    def value_and_tolerance(self) -> tuple[Decimal, Decimal]:
        """A NUMERICAL answer as (value, tolerance; 0 when not given)."""
        match = NUMERICAL.fullmatch(self.answer)
        if not match:
            raise ClozeError(f"not a numerical answer: {self.answer!r}")
        return Decimal(match.group(1)), Decimal(match.group(2) or 0)


@dataclass(frozen=True)
class Subquestion:
    weight: int
    kind: str
    alternatives: tuple[Alternative, ...]


def _fields(body: str, start: int) -> tuple[list[list[tuple[str, str]]], int]:
    """Read alternatives from ``start`` up to the closing brace: per alternative, its parts (the text
    before ``#`` and after), each as (raw text, unescaped text). Returns them and the index after ``}``."""
    alternatives, parts, raw, text = [], [], [], []
    i = start
    while i < len(body):
        char = body[i]
        if char == "\\":
            if i + 1 >= len(body) or body[i + 1] not in SPECIAL:
                raise ClozeError(f"backslash before {body[i + 1:i + 2]!r} at {i}: not a cloze escape")
            raw.append(body[i:i + 2])
            text.append(body[i + 1])
            i += 2
            continue
        if char in '/"':
            raise ClozeError(f"unescaped {char!r} at {i}")
        if char == "#":
            if parts:
                raise ClozeError(f"a second unescaped '#' at {i}")
            parts.append(("".join(raw), "".join(text)))
            raw, text = [], []
        elif char in "~}":
            parts.append(("".join(raw), "".join(text)))
            alternatives.append(parts)
            parts, raw, text = [], [], []
            if char == "}":
                return alternatives, i + 1
        else:
            raw.append(char)
            text.append(char)
        i += 1
    raise ClozeError("a subquestion is not closed")


def _alternative(parts: list[tuple[str, str]]) -> Alternative:
    answer = parts[0][1]
    grade = Decimal(0)
    if answer.startswith("="):
        grade, answer = Decimal(100), answer[1:]
    elif match := re.match(r"%(-?[0-9]+(?:\.[0-9]*)?)%", answer):
        grade, answer = Decimal(match.group(1)), answer[match.end():]
    feedback = html.unescape(parts[1][1]) if len(parts) > 1 else ""
    if not answer:
        raise ClozeError("an empty answer")
    return Alternative(grade, answer, feedback)


def parse_cloze(text: str) -> list[Subquestion]:
    """Every subquestion of a cloze question text, in order."""
    found, position = [], 0
    while match := START.search(text, position):
        alternatives, position = _fields(text, match.end())
        found.append(Subquestion(int(match.group(1) or 1), match.group(2),
                                 tuple(_alternative(parts) for parts in alternatives)))
    return found


def split_category_path(path: str) -> list[str]:
    """Category names of a Moodle category path: ``/`` separates, ``//`` is a slash inside a name."""
    return [name.replace("//", "/").strip() for name in re.split(r"(?<!/)/(?!/)", path)]


def clozes(folder: Path) -> dict[str, list]:
    """Version code -> parsed subquestions of its cloze question."""
    tree = etree.parse(str(folder / "moodle.xml"))
    return {q.findtext("idnumber"): parse_cloze(q.find("questiontext/text").text)
            for q in tree.xpath("/quiz/question[@type='cloze']")}


def assert_moodle_matches_answers_csv(folder: Path) -> None:
    """Each cloze subquestion is NUMERICAL with one full-grade answer equal to answers.csv's answer and
    tolerance, a catch-all wrong answer, and a weight in proportion to the points."""
    with open(folder / "answers.csv", newline="") as stream:
        rows = list(csv.DictReader(stream))
    parsed = clozes(folder)
    assert list(parsed) == list(dict.fromkeys(r["version"] for r in rows))
    ratios = []
    for code, subquestions in parsed.items():
        expected = [r for r in rows if r["version"] == code]
        assert len(subquestions) == len(expected)
        for sub, row in zip(subquestions, expected):
            assert sub.kind == "NUMERICAL"
            right, wrong = sub.alternatives
            assert right.grade == 100 and right.value_and_tolerance == (Decimal(row["answer"]), Decimal(row["tolerance"]))
            assert right.feedback.startswith(f"Correct: {row['shown']}.")
            assert wrong.grade == 0 and wrong.answer == "*"
            assert wrong.feedback.startswith(f"The key's answer is {row['shown']} (\u00b1 ")
            ratios.append(sub.weight / float(row["points"]))
    assert ratios and max(ratios) == pytest.approx(min(ratios), rel=1e-12)
    assert sum(len(v) for v in parsed.values()) == len(rows)
