"""The YAML reader: YAML 1.2 core-schema values taken exactly as written, and reads bounded by the size limit."""
from __future__ import annotations

import hashlib
import os
import resource
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from solver.errors import ProblemError
from solver.families import load_family
from solver.yamlfile import parse_yaml

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("written, value", [
    ("010", 10),
    ("-007", -7),
    ("1:30", "1:30"),
    ("yes", "yes"),
    ("no", "no"),
    ("on", "on"),
    ("off", "off"),
    ("y", "y"),
    ("true", True),
    ("FALSE", False),
    ("~", None),
    ("", None),
    ("0.50", Decimal("0.50")),
    ("1e3", Decimal("1E+3")),
    ("1_000", "1_000"),
    ("!!float 5", Decimal("5")),
    ("!!int 12", 12),
    ("!!str 5", "5"),
    ("!!str yes", "yes"),
    ("'0.5'", "0.5"),
    ("= ", "="),
    ("2001-12-14", "2001-12-14"),
])
def test_values_are_read_by_the_yaml_1_2_core_schema(written, value):
    read = parse_yaml(f"value: {written}\n", "<test>").data["value"]
    assert read == value and type(read) is type(value)


def test_yaml_1_2_directive_is_accepted():
    assert parse_yaml("%YAML 1.2\n---\nvalue: 010\n", "<test>").data == {"value": 10}


def test_merge_key_is_plain_text():
    assert parse_yaml("'<<': 1\n", "<test>").data == {"<<": 1}


def test_unknown_local_tag_names_the_field():
    with pytest.raises(ProblemError) as caught:
        parse_yaml("network:\n  layers: !custom [2, 1]\n", "p.yaml")
    assert str(caught.value) == ("p.yaml:2: network.layers: the YAML tag !custom is not allowed in problem files "
                                 "(only plain values, lists and mappings)")


def _limit_memory():
    """Keep a regression from eating the machine: the child may use at most 4 GB of address space."""
    resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_an_endless_file_is_refused_after_the_limit(tmp_path):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    result = subprocess.run([sys.executable, "-m", "solver", "render", "/dev/zero", "--out", str(tmp_path / "out")],
                            capture_output=True, text=True, env=env, timeout=120, preexec_fn=_limit_memory)
    assert result.returncode == 2
    assert result.stderr == ("error: /dev/zero: file is larger than 1,000,000 bytes; input files are limited to "
                             "1,000,000 bytes\n")
    assert not (tmp_path / "out").exists()


def test_a_family_digest_is_of_the_bytes_read():
    path = ROOT / "problems" / "families" / "sample.yaml"
    assert load_family(path).sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
