"""A criterion template opened in JupyterLab and run as an evaluator runs it: real JupyterLab, real kernel,
headless Debian Chromium (Playwright), offline.

JupyterLab starts as ``make lab`` starts it (the same options), on a free port with a token, on a copy of
``notebooks/`` (running the template must not write outputs into the repository's copy) and the demo store
(``MEL_HOME``: the sample workbook imported). Every request that would leave the machine is refused and
counted as a problem.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from mel_core.ingest import import_path
from mel_core.reference import init_store
from mel_core.store import make_engine
from tests.browser_support import LAUNCH_ARGS, Watch, needs_chromium, require_chromium

pytestmark = [pytest.mark.slow, needs_chromium]
ROOT = Path(__file__).resolve().parent.parent


def lab_options() -> list[str]:
    """The options ``make lab`` gives JupyterLab (read from the Makefile, so the test starts what it starts)."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    found = re.search(r"^LAB_OPTIONS\s*:=\s*(.+)$", makefile, re.M)
    assert found, "the Makefile defines LAB_OPTIONS"
    return found[1].split()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """JupyterLab on a copy of notebooks/templates with the demo store: (base URL, token)."""
    from mel_core.demo.sample import SAMPLE_WORKBOOK

    base = tmp_path_factory.mktemp("lab")
    home = base / "home"
    home.mkdir()
    engine = make_engine(f"sqlite:///{home / 'mel.db'}")
    init_store(engine)
    import_path(engine, SAMPLE_WORKBOOK)
    engine.dispose()
    root = base / "notebooks"
    shutil.copytree(ROOT / "notebooks" / "templates", root / "templates")
    port, token = free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "MEL_HOME": str(home),
        "JUPYTER_CONFIG_DIR": str(base / "config"),
        "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
        "IPYTHONDIR": str(base / "ipython"),
    }
    env.pop("MEL_DB_URL", None)
    command = [
        sys.executable, "-m", "jupyterlab", *lab_options(), f"--ServerApp.root_dir={root}",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", "--ServerApp.open_browser=False",
        f"--LabApp.user_settings_dir={base / 'settings'}", f"--LabApp.workspaces_dir={base / 'workspaces'}",
        *(["--ServerApp.allow_root=True"] if os.name == "posix" and os.geteuid() == 0 else []),
    ]  # fmt: skip
    log = (base / "lab.log").open("w")
    server = subprocess.Popen(command, env=env, cwd=root, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=5) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError((base / "lab.log").read_text()) from None
                time.sleep(0.5)
        yield url, token
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def test_a_template_opened_in_jupyterlab_runs_all_its_cells_offline(lab: tuple[str, str]) -> None:
    from playwright.sync_api import sync_playwright

    url, token = lab
    watch = Watch()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=require_chromium(), args=LAUNCH_ARGS)
        try:
            context = browser.new_context()

            def refuse(route: object) -> None:
                watch.problems.append(f"network request: {route.request.url}")  # type: ignore[attr-defined]
                route.abort()  # type: ignore[attr-defined]

            context.route(
                lambda u: not (u.startswith(url) or u.startswith(("data:", "blob:", "about:"))), refuse
            )
            page = watch.attach(context.new_page())
            page.goto(f"{url}/lab/tree/templates/coherence.ipynb?token={token}", timeout=120_000)
            page.locator(".jp-Notebook .jp-CodeCell").first.wait_for(timeout=120_000)
            # the kernel has started when the status bar names it and says it is idle
            page.locator("#jp-main-statusbar").get_by_text(re.compile(r"Python 3.*\| Idle")).wait_for(
                timeout=120_000
            )
            page.locator(".lm-MenuBar-item", has_text="Run").first.click()
            page.locator(".lm-Menu-item[data-command='runmenu:run-all']").click()
            code_cells = page.locator(".jp-Notebook .jp-CodeCell")
            count = code_cells.count()
            assert count >= 4
            # every code cell has run once the last one shows its number and the kernel is idle again
            page.wait_for_function(
                """n => {
                  const prompts = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')];
                  return prompts.length === n && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
                }""",
                arg=count,
                timeout=240_000,
            )
            outputs = page.locator(".jp-Notebook .jp-OutputArea-output").all_inner_texts()
            text = "\n".join(outputs)
            errors = page.locator(
                ".jp-Notebook .jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
            )
            tracebacks = [t for t in errors.all_inner_texts() if "Traceback" in t or "Error" in t]
            assert not tracebacks, tracebacks
            assert "DB-BSS-2011" in text, text[:2000]
            assert re.search(r"nhất quán", text, re.I), text[:2000]
        finally:
            browser.close()
    assert not [p for p in watch.problems if "network request" in p], watch.problems
