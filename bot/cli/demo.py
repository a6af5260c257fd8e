"""`marugoto demo`: migrate, seed the demo city and an administrator, then serve."""

import click

from bot.cli.db import upgrade_database
from bot.cli.main import CliContext, pass_cli
from bot.cli.serve import serve
from bot.demo import ensure_admin, seed_default_rules, seed_municipality
from bot.services import build_services
from routing.municipality_file import demo_municipality_source


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="seed only")
@click.pass_context
@pass_cli
def demo(cli_ctx: CliContext, ctx: click.Context, host: str, port: int, no_serve: bool) -> None:
    """Try marugoto with the fictional city すずかぜ市 on the embedded default."""
    settings = cli_ctx.settings
    upgrade_database(settings.database_url)
    services = build_services(settings)
    try:
        with services.sessions.begin() as session:
            municipality = seed_municipality(session, demo_municipality_source())
            seed_default_rules(session)
            password = ensure_admin(session)
    finally:
        services.close()
    url = f"http://{host}:{port}"
    click.echo(f"{municipality.name} is ready.")
    click.echo(f"  staff console: {url}/console  login: admin  one-time password: {password}")
    click.echo(f"  resident simulator: {url}/simulator")
    if not no_serve:
        ctx.invoke(serve, host=host, port=port)
