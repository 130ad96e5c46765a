"""The worked booklet: the compiled worked keys of every version joined into one PDF to print at once.

Each version starts on a new page and has one top-level bookmark, with the worked key's own bookmarks
(its sections) under it. The PDFs are joined by pypdf, not compiled again, and the result depends
only on the input bytes.
"""
from __future__ import annotations

from io import BytesIO

from pypdf import PdfWriter


def booklet(title: str, parts: list[tuple[str, bytes]]) -> bytes:
    """One PDF of ``parts`` (bookmark title, PDF bytes) in order, titled ``title``."""
    writer = PdfWriter()
    for bookmark, pdf in parts:
        writer.append(BytesIO(pdf), outline_item=bookmark)
    writer.add_metadata({"/Title": title})
    stream = BytesIO()
    writer.write(stream)
    return stream.getvalue()
