"""The kernel server: every kernel of a run is a fork of one process that imported the templates' libraries once.

Real server, real kernels: what a forked kernel must look like from inside (its folder, environment, cores, a
random state and a session of its own, figures shown inline), and that no kernel outlives its client or the run.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path

import pytest

from mel_core.evaluations import execute, kernel_server
from mel_core.evaluations.kernel_server import ForkedProvisioner, Server

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not kernel_server.supported() or not Path("/proc").is_dir(), reason="needs fork and /proc"
    ),
]

#: Not imported by a kernel of its own accord, so finding it loaded proves the kernel came from the server.
PRELOADED = "mel_core.evaluations.notebook"

PROBE = (
    "import json, os, sys\n"
    "print(json.dumps({'pid': os.getpid(), 'ppid': os.getppid(), 'cwd': os.getcwd(),\n"
    "    'probe': os.environ.get('MEL_PROBE'), 'preloaded': " + repr(PRELOADED) + " in sys.modules,\n"
    "    'cores': sorted(os.sched_getaffinity(0)), 'leads_session': os.getsid(0) == os.getpid()}))\n"
    "import numpy; print(json.dumps({'random': numpy.random.rand()}))\n"
    "import matplotlib.pyplot as plt; plt.plot([1, 2])\n"
)


@pytest.fixture
def server(monkeypatch):
    monkeypatch.delenv("MEL_KERNEL_SERVER", raising=False)
    with kernel_server.running(execute.KERNEL, [PRELOADED]) as running:
        assert running is not None
        kernel_server.use(running)
        try:
            yield running
        finally:
            kernel_server.use(None)


def _run(km, code: str) -> tuple[list[dict], list[str]]:
    """Execute ``code`` in ``km``'s kernel: the JSON lines it printed, and the MIME types of what it displayed."""
    client = km.client()
    client.start_channels()
    printed: list[str] = []
    shown: list[str] = []

    def hook(msg: dict) -> None:
        if msg["msg_type"] == "stream":
            printed.append(msg["content"]["text"])
        elif msg["msg_type"] == "display_data":
            shown.extend(msg["content"]["data"])

    try:
        client.wait_for_ready(timeout=120)
        reply = client.execute_interactive(code, output_hook=hook, timeout=120)
    finally:
        client.stop_channels()
    assert reply["content"]["status"] == "ok", reply["content"]
    return [json.loads(line) for line in "".join(printed).splitlines() if line.strip()], shown


def _command_line(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()


def _gone(pid: int, within: float = 15.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def test_a_kernel_is_a_fork_of_the_server_and_behaves_as_a_fresh_kernel(server, tmp_path):
    folders = [tmp_path / "một", tmp_path / "hai"]
    seen = []
    for folder in folders:
        folder.mkdir()
        km = execute.new_kernel_manager()
        assert isinstance(km.provisioner, ForkedProvisioner)
        km.start_kernel(cwd=str(folder), env={**os.environ, "MEL_PROBE": "Hà Nội"})
        try:
            (facts, random), shown = _run(km, PROBE)
        finally:
            km.shutdown_kernel(now=True)
        assert not km.is_alive()
        assert _gone(facts["pid"])
        seen.append((facts, random["random"], shown))
    for folder, (facts, _random, shown) in zip(folders, seen, strict=True):
        assert facts["preloaded"]  # the server's imports came with the fork
        assert facts["ppid"] != os.getpid() and "kernel_server" in _command_line(facts["ppid"])
        assert facts["cwd"] == str(folder)
        assert facts["probe"] == "Hà Nội"
        assert facts["cores"] == sorted(os.sched_getaffinity(0))
        assert facts["leads_session"]  # so a signal to the kernel's group reaches what it started, not us
        assert "image/png" in shown  # ipykernel's inline backend, as in a kernel started the usual way
    assert seen[0][1] != seen[1][1]  # each fork draws its own random numbers


def test_a_kernel_takes_the_cores_of_the_process_that_asked_for_it(server, tmp_path):
    if not hasattr(os, "sched_setaffinity") or len(os.sched_getaffinity(0)) < 2:
        pytest.skip("needs 2 cores")
    before = os.sched_getaffinity(0)
    core = min(before)
    os.sched_setaffinity(0, {core})
    try:
        km = execute.new_kernel_manager()
        km.start_kernel(cwd=str(tmp_path))
    finally:
        os.sched_setaffinity(0, before)
    try:
        (facts, _random), _shown = _run(km, PROBE)
    finally:
        km.shutdown_kernel(now=True)
    assert facts["cores"] == [core]


def _launch(server: Server, folder: Path):
    """A kernel straight from the server (no kernel manager): the forked process and its connection file."""
    connection = folder / "kernel.json"
    command = [*server.prefix, "-m", "ipykernel_launcher", "-f", str(connection)]
    return server.fork(command, dict(os.environ), str(folder)), connection


def test_a_kernel_whose_client_goes_away_is_stopped(server, tmp_path):
    kernel, _connection = _launch(server, tmp_path)
    assert kernel.poll() is None
    os.kill(kernel.pid, 0)  # running
    kernel.conn.close()  # the worker that asked for it died
    assert _gone(kernel.pid)


def test_a_kernel_reports_how_it_ended(server, tmp_path):
    kernel, _connection = _launch(server, tmp_path)
    kernel.send_signal(signal.SIGTERM)
    assert kernel.wait(timeout=30) == -signal.SIGTERM
    kernel.kill()  # ended: no signal goes to a pid that may have been reused


def test_the_end_of_the_run_stops_its_kernels_and_the_server(monkeypatch, tmp_path):
    monkeypatch.delenv("MEL_KERNEL_SERVER", raising=False)
    with kernel_server.running(execute.KERNEL, []) as server:
        assert server is not None
        kernel, _connection = _launch(server, tmp_path)
        address = Path(server.address)
        assert address.exists() and (address.stat().st_mode & 0o777) == 0o600
    assert _gone(kernel.pid)
    assert kernel.wait(timeout=10) is not None
    assert not address.exists()


def test_without_a_working_server_kernels_start_the_usual_way(monkeypatch, tmp_path, caplog):
    prefix = kernel_server.interpreter_prefix(execute.KERNEL)
    assert prefix is not None
    kernel_server.use(Server(str(tmp_path / "no-server"), prefix))
    try:
        km = execute.new_kernel_manager()
        km.start_kernel(cwd=str(tmp_path))
    finally:
        kernel_server.use(None)
    try:
        (facts, _random), _shown = _run(km, PROBE)
    finally:
        km.shutdown_kernel(now=True)
    assert facts["ppid"] == os.getpid() and not facts["preloaded"]
    assert "starting it the usual way" in caplog.text
    assert execute.new_kernel_manager().provisioner is None  # no server in use: jupyter_client's own


def test_the_server_can_be_switched_off(monkeypatch):
    monkeypatch.setenv("MEL_KERNEL_SERVER", "0")
    assert not kernel_server.supported()
    with kernel_server.running(execute.KERNEL, []) as server:
        assert server is None


def test_the_server_stands_in_only_for_its_own_interpreter_running_ipykernel():
    server = Server("/nowhere", (sys.executable, "-Xfrozen_modules=off"))
    assert server.serves([sys.executable, "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "k.json"])
    assert not server.serves([sys.executable, "-m", "ipykernel_launcher", "-f", "k.json"])  # other flags
    assert not server.serves(
        ["/other/python", "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "k.json"]
    )
    assert not server.serves([sys.executable, "-Xfrozen_modules=off", "-m", "other_kernel", "-f", "k.json"])


def test_a_malformed_request_gets_a_clear_refusal_and_the_server_goes_on(server, tmp_path):
    import socket

    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(60)
        conn.connect(server.address)
        conn.sendall(b"{not json\n")
        answer = json.loads(conn.makefile().readline())
    assert "error" in answer and "JSONDecodeError" in answer["error"]
    kernel, _connection = _launch(server, tmp_path)  # the next request is served as usual
    try:
        assert kernel.poll() is None
    finally:
        kernel.kill()
        assert kernel.wait(timeout=30) == -signal.SIGKILL
