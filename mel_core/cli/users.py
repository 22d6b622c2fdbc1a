"""``mel users``: the portal's accounts (thin: mel_core.accounts does the work)."""

from __future__ import annotations

import json
import sys

import typer

from mel_core.i18n import message, render, t

app = typer.Typer(
    help="Accounts of the portal (Tài khoản cổng thông tin): add, list, disable, change role.\n\n"
    "Example: mel users add reader@molisa.gov.vn --role reader",
    no_args_is_help=True,
)


def _password(from_stdin: bool) -> tuple[str, bool]:
    """The password to set: one line of standard input, or a random one (True: show it once)."""
    from mel_core.accounts.passwords import random_password

    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n"), False
    return random_password(), True


@app.command("add")
def add(
    email: str = typer.Argument(..., help="The user's e-mail: their sign-in name."),
    role: str = typer.Option(
        ..., "--role", "-r", help="reader, contributor, evaluator, reviewer or admin (DESIGN.md, The portal)."
    ),
    province: list[str] = typer.Option(
        [], "--province", "-p", help="A province (GSO code) of a contributor's scope; repeat for more."
    ),
    org: str = typer.Option("", "--org", help="The organisation of a contributor's scope."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password (12 characters or more) from standard input."
    ),
) -> None:
    """Add a user. Without --password-stdin a random password is made and printed once.

    Example: mel users add canbo@snnptnt.dienbien.gov.vn --role contributor --province 11
    (with a chosen password: printf '%s\\n' "$PW" | mel users add a@b.vn --role reader --password-stdin)
    """
    from mel_core.accounts.users import add_user
    from mel_core.cli.store import current_store
    from mel_core.store import session_scope

    password, show = _password(password_stdin)
    engine = current_store()
    with session_scope(engine) as session:
        user = add_user(session, email, role, password, province, org)
        address, given = user.email, user.role
    typer.echo(render(message("cli.users.added", address=address, given=given)))
    if show:
        typer.echo(t("cli.users.password_once") + password)


@app.command("list")
def list_(as_json: bool = typer.Option(False, "--json", help="Print the users as JSON.")) -> None:
    """List every user: e-mail, role, scope, state and last sign-in (never a password).

    Example: mel users list --json
    """
    from mel_core.accounts.users import list_users
    from mel_core.cli.store import current_store
    from mel_core.store import session_scope

    engine = current_store()
    with session_scope(engine) as session:
        users = list_users(session)
    if as_json:
        rows = [
            {
                "email": u.email,
                "role": u.role,
                "provinces": list(u.provinces),
                "organisation": u.organisation,
                "disabled": u.disabled,
                "created_at": u.created_at.isoformat(timespec="seconds"),
                "last_login_at": u.last_login_at.isoformat(timespec="seconds") if u.last_login_at else None,
            }
            for u in users
        ]
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not users:
        typer.echo(t("cli.users.none"))
    for u in users:
        scope = ", ".join([*u.provinces, u.organisation] if u.organisation else u.provinces)
        state = t("cli.users.disabled") if u.disabled else ""
        typer.echo("  ".join(x for x in (f"{u.email:<32}", f"{u.role:<12}", scope, state) if x).rstrip())


@app.command("disable")
def disable(
    email: str = typer.Argument(..., help="The user's e-mail."),
    enable: bool = typer.Option(False, "--enable", help="Enable the account again instead."),
) -> None:
    """Disable a user (signed out everywhere at once), or enable them again with --enable.

    Example: mel users disable canbo@snnptnt.dienbien.gov.vn
    """
    from mel_core.accounts.users import set_disabled
    from mel_core.cli.store import current_store
    from mel_core.store import session_scope

    engine = current_store()
    with session_scope(engine) as session:
        address = set_disabled(session, email, disabled=not enable).email
    if enable:
        typer.echo(render(message("cli.users.enabled_user", address=address)))
    else:
        typer.echo(render(message("cli.users.disabled_user", address=address)))


@app.command("set-role")
def set_role(
    email: str = typer.Argument(..., help="The user's e-mail."),
    role: str = typer.Argument(..., help="reader, contributor, evaluator, reviewer or admin."),
    province: list[str] = typer.Option(
        None, "--province", "-p", help="Replace the contributor's provinces (repeat for more)."
    ),
    org: str = typer.Option(None, "--org", help="Replace the contributor's organisation."),
) -> None:
    """Change a user's role (and scope); their open sessions end.

    Example: mel users set-role canbo@snnptnt.dienbien.gov.vn reviewer
    """
    from mel_core.accounts.users import set_role as change_role
    from mel_core.cli.store import current_store
    from mel_core.store import session_scope

    engine = current_store()
    with session_scope(engine) as session:
        user = change_role(session, email, role, province or None, org)
        address, given = user.email, user.role
    typer.echo(render(message("cli.users.role_set", address=address, given=given)))


@app.command("set-password")
def set_password(
    email: str = typer.Argument(..., help="The user's e-mail."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the new password from standard input."
    ),
) -> None:
    """Reset a user's password (a random one printed once, or read from standard input); sessions end.

    Example: mel users set-password canbo@snnptnt.dienbien.gov.vn
    """
    from mel_core.accounts.users import set_password as change_password
    from mel_core.cli.store import current_store
    from mel_core.store import session_scope

    password, show = _password(password_stdin)
    engine = current_store()
    with session_scope(engine) as session:
        address = change_password(session, email, password).email
    typer.echo(render(message("cli.users.password_changed", address=address)))
    if show:
        typer.echo(t("cli.users.password_once") + password)
