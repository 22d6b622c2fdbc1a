"""The project's set-up files agree with each other and with DESIGN.md's layout."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _name(requirement: str) -> str:
    return re.split(r"[<>=!\[ ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_gives_conda_users_the_same_packages():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = {_name(r) for r in project["dependencies"] + project["optional-dependencies"]["dev"]}
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    have = {_name(d) for d in conda + pip if not d.startswith("-e")}
    assert wanted <= have, f"missing from environment.yml: {sorted(wanted - have)}"


def test_the_required_top_level_exists():
    for name in [
        "notebooks/templates",
        "notebooks/evaluations",
        "kb",
        "lessons",
        "mel_core",
        "book",
        "tests",
        "environment.yml",
        "README.md",
    ]:
        assert (ROOT / name).exists(), name


def test_readme_opens_with_the_two_commands():
    head = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()[:10]
    assert any(line.startswith("make demo") for line in head)
    assert any(line.startswith("make test") for line in head)


def test_the_import_format_reference_is_in_step_with_the_importer():
    from mel_core.ingest.docs import DOC, formats_markdown

    assert (ROOT / DOC).read_text(encoding="utf-8") == formats_markdown(), (
        "run `python -m mel_core.ingest.docs` and commit docs/import-formats.md"
    )


def test_the_format_reference_command_writes_the_file(tmp_path):
    from mel_core.ingest.docs import formats_markdown, main

    assert main(["--out", str(tmp_path / "formats.md")]) == 0
    assert (tmp_path / "formats.md").read_text(encoding="utf-8") == formats_markdown()
