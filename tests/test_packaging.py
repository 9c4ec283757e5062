"""Packaging promises: environment.yml matches pyproject.toml; the README's numbers come from the code."""

from __future__ import annotations

import re
from pathlib import Path

import tomllib
import yaml

ROOT = Path(__file__).resolve().parent.parent
CONDA_NAMES = {"igraph": "python-igraph"}  # PyPI name -> conda-forge name


def _req(spec: str) -> tuple[str, str]:
    m = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", spec)
    return m.group(1).lower(), m.group(2).replace(" ", "")


def test_environment_yml_in_sync_with_pyproject():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pip_deps = dict(_req(d) for d in meta["dependencies"] + meta["optional-dependencies"]["test"])
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = dict(_req(d) for d in env["dependencies"] if isinstance(d, str))
    for name, bound in pip_deps.items():
        cname = CONDA_NAMES.get(name, name)
        assert cname in conda, f"{name} is in pyproject.toml but not in environment.yml"
        assert conda[cname] == bound, f"{name}: pyproject {bound!r} vs environment.yml {conda[cname]!r}"
    extra = set(conda) - {CONDA_NAMES.get(n, n) for n in pip_deps} - {"python", "pip"}
    assert not extra, f"environment.yml has packages pyproject.toml lacks: {extra}"


def test_readme_numbers_come_from_the_code(study, baseline):
    from planner.readme import numbers_markdown

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- numbers:start -->\n(.*?)\n<!-- numbers:end -->", text, re.S)
    assert block, "README.md lacks the generated numbers block"
    assert baseline.provenance["mode"] == "drive"  # the default of `planner stats`
    assert block.group(1).strip() == numbers_markdown(study, baseline).strip(), \
        "README numbers are stale: regenerate them with `make readme`"


def test_readme_opens_with_the_two_commands():
    head = (ROOT / "README.md").read_text(encoding="utf-8")[:1500]
    assert "make run" in head and "make test" in head
