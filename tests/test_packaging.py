"""The package carries its templates and schema: a plain wheel (what ``pip install .`` builds) has them."""
from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from solver.render import builtin_templates

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_contains_every_module_template_and_the_schema_and_builds_quietly(tmp_path):
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                            "-w", str(tmp_path), str(ROOT)], check=True, capture_output=True, text=True)
    build_output = (built.stdout + built.stderr).lower()
    assert "deprecat" not in build_output and "warning: " not in build_output.replace("warning: location", "")
    wheel = next(tmp_path.glob("*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    modules = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "solver").rglob("*.py"))
    assert "solver/sections/forward.py" in modules and set(modules) <= names
    templates = sorted(p.relative_to(builtin_templates()).as_posix() for p in builtin_templates().rglob("*.j2"))
    assert len(templates) > 30
    assert {f"solver/templates/{t}" for t in templates} <= names
    assert "solver/schema/problem.schema.json" in names


def test_shipped_schema_matches_the_validation_models():
    from solver.spec import problem_json_schema_text

    shipped = ROOT / "solver" / "schema" / "problem.schema.json"
    assert shipped.read_text(encoding="utf-8") == problem_json_schema_text(), \
        "regenerate with: handouts schema --out solver/schema/problem.schema.json --force"

