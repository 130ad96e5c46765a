"""The package carries its templates: a plain wheel (what ``pip install .`` builds) contains every one."""
from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from solver.render import builtin_templates

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_contains_every_template(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                    "-w", str(tmp_path), str(ROOT)], check=True, capture_output=True)
    wheel = next(tmp_path.glob("*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    templates = sorted(p.relative_to(builtin_templates()).as_posix() for p in builtin_templates().rglob("*.j2"))
    assert len(templates) > 30
    assert {f"solver/templates/{t}" for t in templates} <= names
