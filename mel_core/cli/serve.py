"""``mel serve``: the portal in a browser (thin: mel_core.web does the work, uvicorn serves it)."""

from __future__ import annotations

import os

import typer

from mel_core.i18n import message, render


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (0.0.0.0: every interface)."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to listen on."),
    workers: int = typer.Option(1, "--workers", "-w", min=1, max=64, help="Server processes."),
    no_index: bool = typer.Option(
        False, "--no-index", help="Do not bring the search indexes in step with the store before serving."
    ),
) -> None:
    """Serve the knowledge base in a browser: search, lessons, programmes, evaluations, accounts.

    The store is MEL_DB_URL (else MEL_HOME/mel.db); the search indexes are brought in step with it first
    (the public one, and the internal one that signed-in readers search). Everything the portal remembers
    (users, sessions, failed sign-ins) is in the store, so processes and machines can share one store.
    MEL_PUBLIC=0 requires a sign-in for every page. Behind an HTTPS proxy set MEL_COOKIE_SECURE=1.

    Example: mel serve --port 8000 --workers 2   (then open http://127.0.0.1:8000)
    """
    import uvicorn

    from mel_core.cli.store import current_store
    from mel_core.config import load_settings
    from mel_core.kb.index import update_index

    engine = current_store()
    settings = load_settings()
    if not no_index:
        for audience in ("public", "internal"):
            report = update_index(engine, settings.index_dir_for(audience), audience=audience)
            typer.echo(render(report.summary()), err=True)
    engine.dispose()
    # worker processes build their own app from the environment: make the resolved settings theirs
    os.environ["MEL_HOME"] = str(settings.home)
    os.environ["MEL_DB_URL"] = settings.db_url
    typer.echo(
        render(message("cli.serve.serving", host=host, port=port, workers=workers)),
        err=True,
    )
    uvicorn.run(
        "mel_core.web.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        proxy_headers=True,
        server_header=False,
    )
