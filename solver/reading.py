"""Reading input files (problems, families, templates) with the size limit enforced while reading."""
from __future__ import annotations

from pathlib import Path

MAX_INPUT_BYTES = 1_000_000
"""The largest problem, family or template file read (a bigger one is refused without reading it all)."""


class ReadFailure(Exception):
    """An input file that cannot be read as text: ``message`` says why, ``line`` where (or None)."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line


def read_limited(path: Path, limit: int = MAX_INPUT_BYTES) -> bytes:
    """The bytes of ``path``, reading at most ``limit + 1`` of them (so ``/dev/zero`` stops at once)."""
    try:
        with open(path, "rb") as stream:
            raw = stream.read(limit + 1)
    except OSError as exc:
        raise ReadFailure(f"cannot read file: {exc.strerror or exc}") from None
    if len(raw) > limit:
        raise ReadFailure(f"file is larger than {limit:,} bytes; input files are limited to {limit:,} bytes")
    return raw


def decode_utf8(raw: bytes) -> str:
    """``raw`` decoded as UTF-8; an undecodable byte is a ReadFailure naming the byte, offset and line."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ReadFailure(f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
                          line) from None


def read_utf8(path: Path, limit: int = MAX_INPUT_BYTES) -> tuple[str, bytes]:
    """The text of a UTF-8 input file and its bytes (for a digest), within the size limit."""
    raw = read_limited(path, limit)
    return decode_utf8(raw), raw
