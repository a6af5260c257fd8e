"""`marugoto cases ...`: read cases for scripts and tests."""

import json

import click

from bot.cli.main import CliContext, pass_cli
from bot.services import build_services
from nlp.labels import is_complex
from storage.models import CASE_STATUSES
from storage.repositories.cases import CaseFilter, count_messages, list_cases


@click.group()
def cases() -> None:
    """Cases."""


@cases.command("list")
@click.option("--json", "as_json", is_flag=True, help="a JSON array (the stable format for scripts)")
@click.option("--status", "statuses", multiple=True, type=click.Choice(CASE_STATUSES))
@click.option("--queue", "queue_keys", multiple=True)
@pass_cli
def list_command(cli_ctx: CliContext, as_json: bool, statuses: tuple[str, ...], queue_keys: tuple[str, ...]) -> None:
    """List cases (no message text)."""
    services = build_services(cli_ctx.settings)
    try:
        with services.sessions() as session:
            found = list_cases(session, CaseFilter(statuses=statuses, queue_keys=queue_keys))
            counts = count_messages(session, [c.id for c in found])
            rows = [
                {
                    "id": case.id,
                    "reference": case.reference,
                    "status": case.status,
                    "queue": case.queue.key if case.queue else None,
                    "domains": list(case.domains),
                    "patterns": list(case.patterns),
                    "urgency": case.urgency,
                    "complex": is_complex(case.domains),
                    "consent": case.consent,
                    "created_at": case.created_at.isoformat(),
                    "message_count": counts.get(case.id, 0),
                }
                for case in found
            ]
    finally:
        services.close()
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        click.echo(
            f"{row['id']:>6} {row['reference']} {row['status']:<9} {row['queue'] or '-':<16} "
            f"{row['urgency']:<9} {','.join(row['domains']) or '-'}"
        )
