"""Root command: loads Settings once and turns known failures into one clear line."""

import sys

import click

from bot.settings import Settings, SettingsError
from storage.errors import DatabaseUnavailable


class MarugotoGroup(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except SettingsError as exc:
            click.echo(f"marugoto: configuration error: {exc}", err=True)
            sys.exit(2)
        except DatabaseUnavailable as exc:
            click.echo(f"marugoto: database unavailable: {exc}", err=True)
            sys.exit(1)


class CliContext:
    """Settings are read lazily so `--help` works without any configuration."""

    def __init__(self):
        self._settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = Settings.from_env()
        return self._settings


pass_cli = click.make_pass_decorator(CliContext, ensure=True)


@click.group(cls=MarugotoGroup)
@click.pass_context
def cli(ctx: click.Context) -> None:
    """marugoto: LINE consultation intake for 重層的支援体制整備事業."""
    ctx.ensure_object(CliContext)


def _register() -> None:
    from bot.cli import bench, cases, db, demo, keys, rules, serve, staff
    from nlp.cli import classify_command, nlp_group

    cli.add_command(serve.serve)
    cli.add_command(serve.worker)
    cli.add_command(serve.scheduler)
    cli.add_command(db.db)
    cli.add_command(staff.staff)
    cli.add_command(demo.demo)
    cli.add_command(classify_command)
    cli.add_command(nlp_group)
    cli.add_command(cases.cases)
    cli.add_command(keys.keys)
    cli.add_command(rules.rules)
    cli.add_command(bench.bench)


_register()


def main() -> None:
    cli(prog_name="marugoto")
