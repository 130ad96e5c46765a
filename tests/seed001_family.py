"""The shared seed 001 exam family (tests/families/seed001.yaml): its problem part plus a test's
questions, with exact one-time text edits."""
from __future__ import annotations

from pathlib import Path

SEED001_FAMILY = (Path(__file__).parent / "families" / "seed001.yaml").read_text(encoding="utf-8")


def family_text(questions: str, *edits: tuple[str, str]) -> str:
    """The seed 001 family with ``questions`` (YAML lines after ``questions:``, possibly followed by
    more top-level keys), then each (old, new) edit applied once; an edit that matches nothing fails."""
    text = f"{SEED001_FAMILY}questions:\n{questions}"
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def family_file(tmp_path: Path, questions: str, *edits: tuple[str, str]) -> Path:
    """``family_text`` written to ``tmp_path/family.yaml``."""
    path = tmp_path / "family.yaml"
    path.write_text(family_text(questions, *edits), encoding="utf-8")
    return path
