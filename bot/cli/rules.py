"""`marugoto rules ...`: check, dry-run, apply, export, compare and roll back routing rules."""

import getpass
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from sqlalchemy.orm import Session

from bot.cli.main import CliContext, pass_cli
from bot.services import build_services
from routing.diff import diff_rule_sets
from routing.errors import ConfigFileError, RoutingError
from routing.replay import ReplayReport
from routing.store import active_queue_keys, live_rules
from routing.versions import (
    DRY_RUN_CASES,
    check_rules,
    diff_versions,
    do_rollback_rules,
    do_save_rules,
    dry_run,
    dry_run_file,
    list_versions,
    version_source,
)

RULE_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.group()
def rules() -> None:
    """Routing rules: validate, dry-run and version them."""


@contextmanager
def _session(cli_ctx: CliContext, *, write: bool = False, needs_queues: bool = False) -> Iterator[Session]:
    """A session; known routing errors become one clear line per problem and a non-zero exit."""
    services = build_services(cli_ctx.settings)
    try:
        with (services.sessions.begin() if write else services.sessions()) as session:
            if needs_queues and not active_queue_keys(session):
                raise click.ClickException("no queues are configured; run `marugoto demo --no-serve` first")
            yield session
    except ConfigFileError as exc:
        for problem in exc.problems:
            click.echo(f"{exc.source}: {problem}", err=True)
        sys.exit(1)
    except RoutingError as exc:
        raise click.ClickException(f"{exc} [{exc.code}]") from exc
    finally:
        services.close()


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


@rules.command("check")
@click.argument("file", type=RULE_FILE)
@pass_cli
def check(cli_ctx: CliContext, file: Path) -> None:
    """Validate FILE against the configured queues and districts (exit 1 with every problem)."""
    with _session(cli_ctx, needs_queues=True) as session:
        rule_set = check_rules(session, file.read_bytes(), name=str(file))
    click.echo(f"{file}: valid, {len(rule_set.rules)} rules ({rule_set.name})")


@rules.command("apply")
@click.argument("file", type=RULE_FILE)
@click.option("--comment", default="", help="why the rules change (shown in the history)")
@click.option("--cases", "last_n", default=DRY_RUN_CASES, show_default=True, help="cases to dry-run against")
@click.option("--yes", is_flag=True, help="save without asking (required when not on a terminal)")
@pass_cli
def apply(cli_ctx: CliContext, file: Path, comment: str, last_n: int, yes: bool) -> None:
    """Validate FILE, show its effect on recent cases, then save it as the new live version."""
    data = file.read_bytes()
    with _session(cli_ctx, write=True, needs_queues=True) as session:
        draft = check_rules(session, data, name=str(file))
        click.echo(f"changes from the live rules:\n{diff_rule_sets(live_rules(session).rules, draft)}")
        click.echo(_dry_run_text(dry_run(session, data, last_n), f"the last {last_n} cases"))
        if not yes:
            if not sys.stdin.isatty():
                raise click.ClickException("not saved: confirm with --yes when not running on a terminal")
            if not click.confirm("Save these rules as the new live version?"):
                click.echo("not saved")
                return
        row = do_save_rules(session, data.decode("utf-8"), comment, actor=_actor())
        version = row.version
    click.echo(f"saved as version {version}; it routes the next case")


@rules.command("export")
@click.option("--version", type=int, help="a saved version (default: the live one)")
@pass_cli
def export(cli_ctx: CliContext, version: int | None) -> None:
    """Print the live rule file (or VERSION's)."""
    with _session(cli_ctx) as session:
        source = version_source(session, version)
    click.echo(source, nl=not source.endswith("\n"))


@rules.command("replay")
@click.argument("file", type=RULE_FILE)
@click.option("--cases", "last_n", default=DRY_RUN_CASES, show_default=True, help="recent cases to replay")
@click.option("--data", "jsonl", type=RULE_FILE, help="a labelled JSONL file (SCHEMA.md) instead of cases")
@pass_cli
def replay_command(cli_ctx: CliContext, file: Path, last_n: int, jsonl: Path | None) -> None:
    """Dry run: how many cases FILE would move from which queue to which (nothing is saved)."""
    data = file.read_bytes()
    with _session(cli_ctx, needs_queues=True) as session:
        if jsonl is not None:
            report, what = dry_run_file(session, data, jsonl), str(jsonl)
        else:
            report, what = dry_run(session, data, last_n), f"the last {last_n} cases"
        text = _dry_run_text(report, what)
    click.echo(text)


@rules.command("history")
@pass_cli
def history(cli_ctx: CliContext) -> None:
    """Saved versions, newest first."""
    with _session(cli_ctx) as session:
        versions = list_versions(session)
        problem = live_rules(session).problem
    for v in versions:
        mark = "*" if v.live else " "
        rollback = f" (rollback of {v.rolled_back_from})" if v.rolled_back_from else ""
        when = v.created_at.strftime("%Y-%m-%d %H:%M UTC")
        click.echo(f"{mark} {v.version:>4}  {when}  {v.created_by_label}{rollback}  {v.comment}")
    if problem:
        click.echo(f"warning: {problem}; cases go to the comprehensive queue", err=True)


@rules.command("diff")
@click.argument("old", type=int)
@click.argument("new", type=int)
@pass_cli
def diff(cli_ctx: CliContext, old: int, new: int) -> None:
    """What changed from version OLD to version NEW."""
    with _session(cli_ctx) as session:
        text = str(diff_versions(session, old, new))
    click.echo(text)


@rules.command("rollback")
@click.argument("version", type=int)
@pass_cli
def rollback(cli_ctx: CliContext, version: int) -> None:
    """Make VERSION live again (saved as a new version)."""
    with _session(cli_ctx, write=True) as session:
        row = do_rollback_rules(session, version, actor=_actor())
        new = row.version
    click.echo(f"version {version} is live again as version {new}")


def _dry_run_text(report: ReplayReport, what: str) -> str:
    return f"dry run against {what}:\n{report}"
