"""The `mel` command line as a user runs it: help with examples, errors translated once, exit codes."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mel_core.cli import app, main
from mel_core.ingest.formats import TABLES
from tests.datasets import copy_tables, write_csv, write_xlsx
from tests.test_import import snapshot

MEL = str(Path(sys.executable).with_name("mel"))


def run_mel(*args: str, home: Path, timeout: float = 300, **env: str) -> subprocess.CompletedProcess[str]:
    """``mel *args`` in a subprocess with ``home`` as MEL_HOME; ``timeout`` guards against a hang, it is no limit
    on speed (speed is measured in bench/)."""
    environ = {k: v for k, v in os.environ.items() if k not in {"MEL_DB_URL", "MEL_HOME"}}
    environ.update({"MEL_HOME": str(home), "COLUMNS": "200", **env})
    return subprocess.run(
        [MEL, *args], capture_output=True, text=True, env=environ, cwd=home, timeout=timeout
    )


@pytest.mark.parametrize(
    "command",
    ["init", "import", "export", "demo", "book", "serve", "users", "audit", "attach", "attachments"],
)
def test_every_command_has_help_with_an_example(command):
    result = CliRunner().invoke(app, [command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert f"Example: mel {command}" in result.output


def _command_paths(command, path=()):
    yield path
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from _command_paths(sub, (*path, name))


def test_every_commands_help_reads_as_paragraphs_at_80_columns():
    # Typer keeps a docstring's line breaks: without unwrapping, a paragraph breaks where the source did and
    # leaves half-lines at 80 columns ("… by each indicator's own" / "sector; …")
    import typer

    paths = list(_command_paths(typer.main.get_command(app)))
    assert ("report", "narrative", "annual") in paths and ("trade", "report", "sector") in paths
    for path in paths:
        result = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "80"})
        assert result.exit_code == 0, path
        described = result.output.split("╭")[0].splitlines()[3:]  # below the usage line
        for paragraph in "\n".join(line.strip() for line in described).split("\n\n"):
            lines = [line for line in paragraph.splitlines() if line]
            if not lines or lines[0].startswith("Example"):
                continue
            # a line broken early: the next line's first word would have fitted on it (78 columns of text)
            ragged = [a for a, b in itertools.pairwise(lines) if len(a) + 1 + len(b.split()[0]) <= 78]
            assert not ragged, (path, ragged)


def test_unwrapped_joins_a_paragraphs_lines_and_keeps_an_examples():
    from mel_core.cli import unwrapped

    text = """First line
    goes on.

    Second paragraph,
    two lines.

    Example: mel x --a 1
    (another: mel x --b 2)"""
    assert unwrapped(text) == (
        "First line goes on.\n\nSecond paragraph, two lines.\n\nExample: mel x --a 1\n(another: mel x --b 2)"
    )


def test_import_of_a_broken_workbook_lists_every_problem_and_writes_nothing(tmp_path):
    assert run_mel("init", home=tmp_path).returncode == 0
    assert run_mel("import", str(write_csv(tmp_path / "good")), home=tmp_path).returncode == 0
    tables = copy_tables()
    tables["observations"][1][4] = "ba mươi"
    tables["programmes"][2][5] = "livestok"
    tables["expenditures"][2][4] = "-55"
    broken = write_xlsx(tmp_path / "broken.xlsx", tables)

    from mel_core.store import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'mel.db'}")
    before = snapshot(engine)
    result = run_mel("import", str(broken), home=tmp_path)
    assert result.returncode == 65
    lines = result.stderr.splitlines()
    assert "  broken.xlsx › programmes, row 3, column 'sector': must be one of" in lines[0]
    assert any(
        "broken.xlsx › observations, row 2, column 'value': expected a number (value: 'ba mươi')" in x
        for x in lines
    )
    assert any(
        "broken.xlsx › expenditures, row 3, column 'disbursed_million_vnd': must not be negative" in x
        for x in lines
    )
    assert "3 problems found; nothing was written" in result.stderr
    assert snapshot(engine) == before


def test_dry_run_then_import_then_export(tmp_path):
    run_mel("init", home=tmp_path)
    dry = run_mel("import", str(write_csv(tmp_path / "csv")), "--dry-run", home=tmp_path)
    assert dry.returncode == 0 and "Nothing was written (--dry-run)" in dry.stdout
    done = run_mel("import", str(tmp_path / "csv"), home=tmp_path)
    assert done.returncode == 0 and "observations" in done.stdout and "5 new" in done.stdout
    out = run_mel("export", str(tmp_path / "out.xlsx"), home=tmp_path)
    assert out.returncode == 0 and (tmp_path / "out.xlsx").is_file()


def test_a_store_that_was_never_initialised_says_to_run_init(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("MEL_HOME", str(tmp_path))
    monkeypatch.delenv("MEL_DB_URL", raising=False)
    assert main(["import", str(write_csv(tmp_path / "csv"))]) == 74
    assert "Run `mel init`" in capsys.readouterr().err


def test_a_wrong_database_url_is_a_configuration_error(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("MEL_DB_URL", "mysql://root@localhost/mel")
    assert main(["init"]) == 78
    assert "runs on SQLite or PostgreSQL" in capsys.readouterr().err


def test_usage_errors_exit_2(capsys):
    assert main(["import"]) == 2


@pytest.mark.parametrize("command", ["init", "export"])
def test_a_file_that_is_not_a_database_is_a_store_error_without_traceback(tmp_path, command):
    garbage = tmp_path / "not-a-store.db"
    garbage.write_text("Báo cáo năm 2015: this is a text file, not a database. " * 20, encoding="utf-8")
    args = [command] + ([str(tmp_path / "out.xlsx")] if command == "export" else [])
    result = run_mel(*args, home=tmp_path, MEL_DB_URL=f"sqlite:///{garbage}")
    assert result.returncode == 74
    assert "file is not a database" in result.stderr
    assert "MEL_DB_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unexpected_failure_is_one_line_and_a_hint_and_the_traceback_on_request(
    tmp_path, capsys, monkeypatch
):
    import mel_core.reference

    def broken(engine):
        raise RuntimeError("boom")

    monkeypatch.setenv("MEL_HOME", str(tmp_path))
    monkeypatch.delenv("MEL_DB_URL", raising=False)
    monkeypatch.delenv("MEL_DEBUG", raising=False)
    monkeypatch.setattr(mel_core.reference, "init_store", broken)
    assert main(["init"]) == 70
    err = capsys.readouterr().err
    assert "unexpected failure: RuntimeError: boom" in err and "MEL_DEBUG=1" in err
    monkeypatch.setenv("MEL_DEBUG", "1")
    with pytest.raises(RuntimeError, match="boom"):
        main(["init"])


@pytest.mark.parametrize(
    "url", ["mysql://root:s3cret-pw@localhost/mel", "postgresql://mel:s3cret-pw@[::1/mel"]
)
def test_a_bad_database_url_is_reported_without_its_password(tmp_path, url):
    result = run_mel("init", home=tmp_path, MEL_DB_URL=url)
    assert result.returncode == 78
    assert "s3cret-pw" not in result.stderr and "***" in result.stderr


def test_export_refuses_a_single_csv_and_reports_a_place_it_cannot_write(tmp_path):
    assert run_mel("init", home=tmp_path).returncode == 0
    single = run_mel("export", str(tmp_path / "all.csv"), home=tmp_path)
    assert (
        single.returncode == 73
        and f"{len(TABLES)} tables" in single.stderr
        and "backup.xlsx" in single.stderr
    )
    assert not (tmp_path / "all.csv").exists()
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    for target in (blocker / "out.xlsx", blocker / "out"):
        result = run_mel("export", str(target), home=tmp_path)
        assert result.returncode == 73, result.stderr
        assert "cannot write" in result.stderr and "Traceback" not in result.stderr
    good = run_mel("export", str(tmp_path / "out.xlsx"), home=tmp_path)
    assert good.returncode == 0
    assert [p.name for p in tmp_path.iterdir() if "partial" in p.name] == []


def test_an_interruption_exits_130(tmp_path, monkeypatch):
    import mel_core.reference

    def interrupted(engine):
        raise KeyboardInterrupt

    monkeypatch.setenv("MEL_HOME", str(tmp_path))
    monkeypatch.delenv("MEL_DB_URL", raising=False)
    monkeypatch.setattr(mel_core.reference, "init_store", interrupted)
    assert main(["init"]) == 130


@pytest.mark.parametrize("command", ["add", "list", "disable", "set-role", "set-password"])
def test_every_users_command_has_help_with_an_example(command):
    result = CliRunner().invoke(app, ["users", command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "Example: mel users" in result.output


def test_users_commands_add_list_disable_and_change_roles(tmp_path):
    assert run_mel("init", home=tmp_path).returncode == 0
    added = run_mel(
        "users", "add", "Canbo@Dienbien.Example.org", "--role", "contributor", "-p", "11", home=tmp_path
    )
    assert added.returncode == 0, added.stderr
    [password] = [line.rsplit(" ", 1)[1] for line in added.stdout.splitlines() if "Password" in line]
    assert len(password) >= 16
    chosen = subprocess.run(
        [MEL, "users", "add", "doc@example.org", "--role", "reader", "--password-stdin"],
        input="a chosen password\n", capture_output=True, text=True, timeout=60,
        env={**os.environ, "MEL_HOME": str(tmp_path)}, cwd=tmp_path,
    )  # fmt: skip
    assert chosen.returncode == 0 and "a chosen password" not in chosen.stdout
    listed = json.loads(run_mel("users", "list", "--json", home=tmp_path).stdout)
    assert [(u["email"], u["role"], u["provinces"]) for u in listed] == [
        ("canbo@dienbien.example.org", "contributor", ["11"]),
        ("doc@example.org", "reader", []),
    ]
    assert "password" not in json.dumps(listed).replace("password_stdin", "")
    again = run_mel("users", "add", "canbo@dienbien.example.org", "--role", "reader", home=tmp_path)
    assert again.returncode == 65 and "exists already" in again.stderr
    bad = run_mel("users", "add", "x@example.org", "--role", "king", "-p", "99", home=tmp_path)
    assert bad.returncode == 65 and "king" in bad.stderr
    short = subprocess.run(
        [MEL, "users", "add", "y@example.org", "--role", "reader", "--password-stdin"],
        input="short\n", capture_output=True, text=True, timeout=60,
        env={**os.environ, "MEL_HOME": str(tmp_path)}, cwd=tmp_path,
    )  # fmt: skip
    assert short.returncode == 65 and "at least 12" in short.stderr
    assert run_mel("users", "set-role", "doc@example.org", "reviewer", home=tmp_path).returncode == 0
    assert run_mel("users", "disable", "doc@example.org", home=tmp_path).returncode == 0
    listed = {u["email"]: u for u in json.loads(run_mel("users", "list", "--json", home=tmp_path).stdout)}
    assert listed["doc@example.org"]["role"] == "reviewer" and listed["doc@example.org"]["disabled"]
    reset = run_mel("users", "set-password", "doc@example.org", home=tmp_path)
    assert reset.returncode == 0 and "shown only this once" in reset.stdout
    new_password = reset.stdout.strip().rsplit(" ", 1)[1]
    from sqlmodel import select

    from mel_core.accounts.passwords import verify_password
    from mel_core.store import User, make_engine, session_scope

    engine = make_engine(f"sqlite:///{tmp_path / 'mel.db'}")
    with session_scope(engine) as session:
        stored = session.exec(select(User).where(User.email == "doc@example.org")).one().password_hash
    engine.dispose()
    assert verify_password(stored, new_password) and not verify_password(stored, "a chosen password")
    missing = run_mel("users", "disable", "nobody@example.org", home=tmp_path)
    assert missing.returncode == 65 and "mel users list" in missing.stderr
