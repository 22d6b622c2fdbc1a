"""A fork server for evaluation kernels: the libraries are imported once, and every kernel is a fork of it.

Each kernel of an evaluation imports the same libraries (pandas, statsmodels, matplotlib, the criteria): about
three seconds of a core, every time. With two workers, two kernels importing at once keep both cores busy for
that long, so the start of a run does not get faster with more workers, and a kernel replaced after a failed
notebook costs the same again. The kernel server imports the libraries once, in a process of its own started with
the run (:func:`running`), and answers each request with a fork of itself that becomes the kernel: the fork takes
the request's environment, working folder and cores, starts a session of its own, and runs ipykernel's
application with the request's arguments, exactly as ``python -m ipykernel_launcher`` would, minus the imports.

The protocol, over a Unix socket that only the run's user can open: the client sends one JSON line (arguments,
environment, working folder, cores); the server answers with a JSON line holding the kernel's pid (or an error),
and a second one holding its exit status when it ends. A client that disconnects takes its kernel with it. When
the run ends, the pipe the server watches closes, and the server stops the kernels still running and exits.

Jupyter's side is :class:`ForkedProvisioner`: it launches through the server when one is in use in this process
(:func:`use`) and the kernel command is the server's own interpreter running ``ipykernel_launcher``; anything else
(another kernel, no server, a server that died) starts the usual way. ``MEL_KERNEL_SERVER=0`` turns it off.
Unix only: it needs ``fork``.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import importlib.util
import json
import logging
import os
import select
import selectors
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jupyter_client.provisioning import LocalProvisioner

log = logging.getLogger(__name__)

#: ipykernel's default matplotlib backend, set before matplotlib is imported here (it reads it once, at import).
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
#: How long a client waits for the server's answer (the first request waits for the server's imports).
ANSWER_TIMEOUT = 120.0
#: The kernel's entry point the server stands in for.
LAUNCHER = ["-m", "ipykernel_launcher"]


@dataclass(frozen=True)
class Server:
    """Where a running kernel server listens, and the interpreter command it stands for."""

    address: str
    prefix: tuple[str, ...]  # the interpreter and its flags, as in the kernel spec's command

    def serves(self, cmd: Sequence[str]) -> bool:
        """Whether ``cmd`` is a kernel this server can fork: its interpreter running ``ipykernel_launcher``."""
        n = len(self.prefix)
        return tuple(cmd[:n]) == self.prefix and list(cmd[n : n + 2]) == LAUNCHER

    def fork(self, cmd: Sequence[str], env: dict[str, str], cwd: str) -> ForkedKernel:
        """Ask the server for a kernel running ``cmd``'s arguments in ``cwd`` with ``env``, on this process's cores.

        Raises:
            OSError: the server is gone, or did not answer within :data:`ANSWER_TIMEOUT` seconds.
        """
        cores = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
        request = {
            "argv": list(cmd[len(self.prefix) + 2 :]),
            "env": dict(env),
            "cwd": str(cwd),
            "cores": cores,
        }
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            conn.settimeout(ANSWER_TIMEOUT)
            conn.connect(self.address)
            conn.sendall(json.dumps(request).encode("utf-8") + b"\n")
            answer = _read_line(conn)
            if answer is None:
                raise ConnectionError("the kernel server closed the connection before it answered")
            if "pid" not in answer:
                raise ConnectionError(f"the kernel server could not start the kernel: {answer.get('error')}")
            conn.settimeout(None)
            return ForkedKernel(conn, int(answer["pid"]))
        except BaseException:
            conn.close()
            raise


def _read_line(conn: socket.socket) -> dict[str, Any] | None:
    """One JSON line from ``conn``, or None at the end of the stream."""
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    return dict(json.loads(data))


class ForkedKernel:
    """A kernel forked by the server, with the part of :class:`subprocess.Popen` that jupyter_client uses.

    The kernel is the server's child, not ours: its exit status comes over the connection, and signals go by pid
    only while it is known to be running (a reaped pid may be reused).
    """

    stdin = stdout = stderr = None

    def __init__(self, conn: socket.socket, pid: int) -> None:
        self.conn = conn
        self.pid = pid
        self.returncode: int | None = None

    def _settle(self, timeout: float | None) -> None:
        if self.returncode is not None:
            return
        poller = select.poll()  # not select(): a long run's process may hold descriptors past 1024
        poller.register(self.conn, select.POLLIN)
        if not poller.poll(None if timeout is None else int(timeout * 1000)):
            return
        try:
            status = _read_line(self.conn)
        except OSError:
            status = None
        # no status at all: the server is gone, and it stops its kernels when it goes
        self.returncode = int(status["exit"]) if status else -signal.SIGKILL
        self.conn.close()

    def poll(self) -> int | None:
        self._settle(0)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        self._settle(timeout)
        if self.returncode is None:
            raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout or 0)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


#: The server this process's kernels are forked from (see :func:`use`).
_current: Server | None = None


def use(server: Server | None) -> None:
    """Fork this process's kernels from ``server`` from now on (None: start them the usual way)."""
    global _current
    _current = server


def current() -> Server | None:
    return _current


class ForkedProvisioner(LocalProvisioner):
    """jupyter_client's local provisioner, launching through this process's kernel server when it can."""

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> Any:
        server = _current
        if server is None or not server.serves(cmd):
            return await super().launch_kernel(cmd, **kwargs)
        cwd = kwargs.get("cwd") or os.getcwd()
        try:
            kernel = server.fork(cmd, kwargs.get("env") or dict(os.environ), str(cwd))
        except OSError as exc:
            log.warning("the kernel server did not start the kernel (%s); starting it the usual way", exc)
            return await super().launch_kernel(cmd, **kwargs)
        self.process = kernel  # type: ignore[assignment]  # what jupyter_client uses of a Popen
        self.pid = self.pgid = kernel.pid  # the kernel leads a session of its own
        self.cwd = cwd
        return self.connection_info

    async def cleanup(self, restart: bool = False) -> None:
        await super().cleanup(restart=restart)
        if isinstance(self.process, ForkedKernel) and self.process.returncode is not None:
            self.process.conn.close()


def interpreter_prefix(kernel_name: str) -> tuple[str, ...] | None:
    """The interpreter and flags of ``kernel_name``'s command when it runs ``ipykernel_launcher``, else None."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        argv = KernelSpecManager().get_kernel_spec(kernel_name).argv
    except NoSuchKernel:
        return None
    for i in range(1, len(argv) - 1):
        if argv[i : i + 2] == LAUNCHER:
            return tuple(argv[:i])
    return None


def supported() -> bool:
    """Whether kernels can be forked here: Unix, and not turned off with ``MEL_KERNEL_SERVER=0``."""
    return (
        hasattr(os, "fork") and sys.platform != "darwin" and os.environ.get("MEL_KERNEL_SERVER", "1") != "0"
    )


@contextlib.contextmanager
def running(kernel_name: str = "python3", preload: Sequence[str] = ()) -> Iterator[Server | None]:
    """A kernel server for the duration of the block, importing ``preload``; None when kernels cannot be forked.

    The server starts importing at once, while the caller goes on; the first kernel request waits for it. At the
    end of the block the server stops the kernels still running and exits.
    """
    prefix = interpreter_prefix(kernel_name) if supported() else None
    if prefix is None:
        yield None
        return
    address = str(Path(tempfile.gettempdir()) / f"mel-ks-{uuid.uuid4().hex[:12]}")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    alive_r, alive_w = os.pipe()
    process = None
    try:
        listener.bind(address)
        os.chmod(address, 0o600)
        listener.listen(64)
        command = [*prefix, "-m", __name__, str(listener.fileno()), str(alive_r), *preload]
        process = subprocess.Popen(command, pass_fds=(listener.fileno(), alive_r), stdin=subprocess.DEVNULL)
        os.close(alive_r)
        alive_r = -1
        listener.close()  # the server has its own copy; requests queue until it accepts them
        yield Server(address, prefix)
    finally:
        if alive_r >= 0:
            os.close(alive_r)
        os.close(alive_w)  # the server sees the end of the pipe: it stops its kernels and exits
        listener.close()
        if process is not None:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(address)


# --- the server process -------------------------------------------------------------------------------------------


def serve(listener_fd: int, alive_fd: int, preload: Sequence[str]) -> None:
    """The server's loop: import ``preload``, then fork a kernel for each request until ``alive_fd`` closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # ^C reaches the run, which then closes the pipe
    os.environ.setdefault("MPLBACKEND", INLINE_BACKEND)
    gc.disable()  # importing allocates a lot and frees little: collections would only cost time
    importlib.import_module("ipykernel.kernelapp")
    importlib.import_module("ipykernel.ipkernel")
    for name in preload:
        importlib.import_module(name)
    gc.freeze()  # what was imported stays put, so forks share its memory instead of copying it
    gc.enable()
    sig_r, sig_w = os.pipe()
    os.set_blocking(sig_r, False)
    os.set_blocking(sig_w, False)
    signal.set_wakeup_fd(sig_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    listener = socket.socket(fileno=listener_fd)
    clients: dict[int, socket.socket] = {}  # kernel pid → the connection of the client that asked for it
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ, "request")
    selector.register(alive_fd, selectors.EVENT_READ, "alive")
    selector.register(sig_r, selectors.EVENT_READ, "child")
    try:
        while True:
            for key, _ in selector.select():
                if key.data == "alive":
                    return
                if key.data == "child":
                    with contextlib.suppress(BlockingIOError):
                        os.read(sig_r, 4096)
                    _reap(clients, selector)
                elif key.data == "request":
                    conn, _ = listener.accept()
                    _answer(conn, clients, selector, (listener.fileno(), alive_fd, sig_r, sig_w))
                else:  # a client closed its connection (or wrote out of turn): its kernel goes
                    _signal(key.data, signal.SIGKILL)
                    selector.unregister(key.fileobj)
    finally:
        _stop(clients)


def _answer(
    conn: socket.socket, clients: dict[int, socket.socket], selector: Any, fds: Sequence[int]
) -> None:
    """Read one request from ``conn`` and fork its kernel (or say why not)."""
    try:
        conn.settimeout(10)
        request = _read_line(conn)
        if request is None:
            conn.close()
            return
        pid = os.fork()
    except Exception as exc:
        with contextlib.suppress(OSError):
            conn.sendall(json.dumps({"error": f"{type(exc).__name__}: {exc}"}).encode() + b"\n")
        conn.close()
        return
    if pid == 0:
        code = 1
        try:
            signal.set_wakeup_fd(-1)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.default_int_handler)
            selector.close()
            for fd in fds:
                os.close(fd)
            for other in clients.values():
                other.close()
            conn.close()
            code = _kernel(request)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except BaseException:
            traceback.print_exc()
        finally:
            with contextlib.suppress(Exception):
                sys.stdout.flush()
                sys.stderr.flush()
            os._exit(code)
    with contextlib.suppress(OSError):
        conn.sendall(json.dumps({"pid": pid}).encode() + b"\n")
    conn.settimeout(None)
    clients[pid] = conn
    selector.register(conn, selectors.EVENT_READ, pid)


def _kernel(request: dict[str, Any]) -> int:
    """In the fork: become the kernel the request describes, and return its exit code."""
    import atexit

    os.setsid()
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.environ.clear()
    os.environ.update(request["env"])
    os.chdir(request["cwd"])
    if request.get("cores") and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, request["cores"])
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed()  # each kernel its own random state, as a fresh process would have
    # as ipykernel_launcher does: the working folder goes off the path while ipykernel loads, IPython adds it back
    if sys.path and sys.path[0] in ("", os.getcwd(), _SERVER_PATH0):
        del sys.path[0]
    os.environ["JPY_PARENT_PID"] = str(os.getppid())  # the kernel ends by itself if the server goes
    launcher = importlib.util.find_spec(LAUNCHER[1])
    sys.argv = [launcher.origin if launcher and launcher.origin else LAUNCHER[1], *request["argv"]]
    from ipykernel import kernelapp

    try:
        kernelapp.launch_new_instance(argv=request["argv"])
    finally:
        atexit._run_exitfuncs()
    return 0


def _reap(clients: dict[int, socket.socket], selector: Any) -> None:
    """Collect the kernels that ended and tell their clients how."""
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        conn = clients.pop(pid, None)
        if conn is None:
            continue
        with contextlib.suppress(KeyError, ValueError):
            selector.unregister(conn)
        with contextlib.suppress(OSError):
            conn.sendall(json.dumps({"exit": os.waitstatus_to_exitcode(status)}).encode() + b"\n")
        conn.close()


def _signal(pid: int, signum: int) -> None:
    """Signal a kernel's session (its own subprocesses too), or the kernel alone if it has none yet."""
    try:
        os.killpg(pid, signum)
    except ProcessLookupError:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)


def _stop(clients: dict[int, socket.socket], grace: float = 2.0) -> None:
    """Stop the kernels still running: politely, then not."""
    for pid in clients:
        _signal(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while clients and time.monotonic() < deadline:
        for pid in list(clients):
            try:
                ended = os.waitpid(pid, os.WNOHANG)[0] != 0
            except ChildProcessError:
                ended = True
            if ended:
                clients.pop(pid).close()
        time.sleep(0.05)
    for pid, conn in clients.items():
        _signal(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
        conn.close()


_SERVER_PATH0 = sys.path[0] if sys.path else ""

if __name__ == "__main__":
    serve(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:])
