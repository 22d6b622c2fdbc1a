"""Papermill's nbclient engine, closing the kernel client it opens: the one module that copies papermill's and
nbclient's inner workings.

nbclient stops its kernel client's channels only when it owns the kernel manager. The runner hands it one (the
worker's warm kernel: :class:`mel_core.evaluations.execute.WarmKernel`), so each notebook would leave a client
behind: a heartbeat thread pinging the kernel, a ZeroMQ context and an event loop, ten descriptors a notebook,
and a long session would run out of descriptors. :func:`closing_engine` registers a copy of papermill 2.7's
``NBClientEngine.execute_managed_notebook`` (its ``PapermillNotebookClient`` and its ``remove_args`` and
``merge_kwargs`` helpers) that closes the client when the notebook is done.

The public path (``MEL_PUBLIC_API=1``, or papermill or nbclient outside :data:`PAPERMILL`'s or
:data:`NBCLIENT`'s range): papermill's own engine, and no kernel handed over: nbclient starts the notebook's
kernel itself (through the ``kernel_manager_class`` it is given), owns it, and closes client and kernel when
the notebook is done. Every notebook then starts a kernel of its own: the same outputs, more slowly.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from mel_core.adapters import Internals, use_internals

PAPERMILL = Internals(
    "papermill",
    ">=2.7,<2.8",
    "a copy of NBClientEngine with PapermillNotebookClient, merge_kwargs, remove_args",
)
NBCLIENT = Internals(
    "nbclient", ">=0.11,<0.12", "NotebookClient's kc and owns_km, closed after each notebook"
)
#: The name the closing engine is registered under with papermill.
ENGINE = "mel-nbclient"


def closing_engine() -> str | None:
    """The name of the engine that closes its kernel client (registered on first use), or None on the public
    path: then a notebook must be run with papermill's own engine and a kernel of its own
    (:func:`public_kwargs`)."""
    if use_internals(PAPERMILL) and use_internals(NBCLIENT):
        return _register()
    return None


def public_kwargs(kernel_manager_class: type) -> dict[str, Any]:
    """Arguments of ``papermill.execute_notebook`` on the public path: nbclient creates the kernel manager from
    ``kernel_manager_class`` (traitlets' documented option of ``NotebookClient``), owns it, and shuts client
    and kernel down after the notebook, at once (``shutdown_kernel="immediate"``)."""
    return {"kernel_manager_class": kernel_manager_class, "shutdown_kernel": "immediate"}


@cache
def _register() -> str:
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.log import logger
    from papermill.utils import merge_kwargs, remove_args

    class ClosingEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(  # as NBClientEngine's, and the client closed
            cls,
            nb_man: Any,
            kernel_name: str,
            log_output: bool = False,
            stdout_file: Any = None,
            stderr_file: Any = None,
            start_timeout: int = 60,
            execution_timeout: float | None = None,
            **kwargs: Any,
        ) -> Any:
            kwargs = remove_args(["input_path"], **kwargs)
            safe_kwargs = remove_args(["timeout", "startup_timeout"], **kwargs)
            final_kwargs = merge_kwargs(
                safe_kwargs,
                timeout=execution_timeout if execution_timeout else kwargs.get("timeout"),
                startup_timeout=start_timeout,
                kernel_name=kernel_name,
                log=logger,
                log_output=log_output,
                stdout_file=stdout_file,
                stderr_file=stderr_file,
            )
            client = PapermillNotebookClient(nb_man, **final_kwargs)
            try:
                return client.execute()
            finally:
                if client.kc is not None and not client.owns_km:
                    client.kc.stop_channels()
                    client.kc = None

    papermill_engines.register(ENGINE, ClosingEngine)
    return ENGINE


def prepare() -> None:
    """Import what the fast path runs with (papermill's engines and nbclient), ahead of the first notebook."""
    import papermill.clientwrap  # nbclient
    import papermill.engines  # noqa: F401
