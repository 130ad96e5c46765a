"""Exporters of exam versions: one module per output format."""
from __future__ import annotations

from .csv_export import answers_csv, responses_template_csv
from .moodle import moodle_xml

__all__ = ["answers_csv", "moodle_xml", "responses_template_csv"]
