"""`marugoto db ...`: migrations as a separate step."""

import click

from bot.cli.main import CliContext, pass_cli
from storage import migrate
from storage.db import check_database, describe_url, make_engine


def upgrade_database(url: str) -> None:
    engine = make_engine(url)
    try:
        check_database(engine)
    finally:
        engine.dispose()
    migrate.upgrade(url)


@click.group()
def db() -> None:
    """Database migrations."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
@pass_cli
def upgrade(cli_ctx: CliContext, revision: str) -> None:
    """Apply migrations up to REVISION."""
    url = cli_ctx.settings.database_url
    if revision == "head":
        upgrade_database(url)
    else:
        migrate.upgrade(url, revision)
    click.echo(f"database at {describe_url(url)} is at {revision}")


@db.command("downgrade")
@click.argument("revision")
@pass_cli
def downgrade(cli_ctx: CliContext, revision: str) -> None:
    """Revert migrations down to REVISION (`base` empties the schema)."""
    migrate.downgrade(cli_ctx.settings.database_url, revision)
    click.echo(f"database downgraded to {revision}")
