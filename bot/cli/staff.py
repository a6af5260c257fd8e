"""`marugoto staff ...`: staff accounts from the command line."""

import click

from bot.cli.main import CliContext, pass_cli
from bot.services import build_services
from console.passwords import MIN_PASSWORD_LENGTH, hash_password, one_time_password
from console.staff_admin import LOGIN_PATTERN, display_name_problem
from storage.repositories.audit import record_audit
from storage.repositories.queues import get_queue_by_key
from storage.repositories.staff import STAFF_ROLES, add_staff, get_staff_by_login


@click.group()
def staff() -> None:
    """Staff accounts."""


@staff.command("create")
@click.argument("login")
@click.option("--name", "display_name", help="display name (defaults to LOGIN)")
@click.option("--role", type=click.Choice(STAFF_ROLES), default="staff", show_default=True)
@click.option("--queue", "queue_keys", multiple=True, help="queue key the user works in (repeatable)")
@click.option("--password-stdin", is_flag=True, help="read the password from standard input")
@pass_cli
def create(
    cli_ctx: CliContext, login: str, display_name: str | None, role: str, queue_keys: tuple[str, ...], password_stdin: bool
) -> None:
    """Create a staff account; without --password-stdin a one-time password is printed."""
    # The same rules as the console's staff form, so every account can sign in and be edited there.
    if not LOGIN_PATTERN.fullmatch(login):
        raise click.UsageError("LOGIN must be 3-64 characters of A-Z, a-z, 0-9, '.', '_' and '-'")
    if display_name_problem(display_name or login) is not None:
        raise click.UsageError("--name must be 1-64 characters without control characters")
    if password_stdin:
        password = click.get_text_stream("stdin").readline().rstrip("\n")
        if len(password) < MIN_PASSWORD_LENGTH:
            raise click.UsageError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    else:
        password = one_time_password()
    services = build_services(cli_ctx.settings)
    try:
        with services.sessions.begin() as session:
            if get_staff_by_login(session, login) is not None:
                raise click.UsageError(f"a staff user {login!r} already exists")
            queues = []
            for key in queue_keys:
                queue = get_queue_by_key(session, key)
                if queue is None:
                    raise click.UsageError(f"no queue with key {key!r}")
                queues.append(queue)
            user = add_staff(
                session,
                login=login,
                display_name=display_name or login,
                password_hash=hash_password(password),
                role=role,
                queues=queues,
                must_change_password=not password_stdin,
            )
            session.flush()
            record_audit(
                session, actor_type="system", actor_id="cli", action="staff.create",
                target_type="staff", target_id=user.id, detail={"role": role, "queues": list(queue_keys)},
            )
    finally:
        services.close()
    click.echo(f"created {role} {login}")
    if not password_stdin:
        click.echo(f"one-time password (change it at first login): {password}")
