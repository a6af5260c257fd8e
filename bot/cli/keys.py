"""`marugoto keys ...`: generate an encryption key, re-encrypt everything under the active one.

Rotation: put the new key first in MARUGOTO_ENCRYPTION_KEYS and keep the old ones
after it (every listed key decrypts), restart, run `marugoto keys rotate`, check
with `marugoto keys rotate --check`, then drop the old keys.

The keyed lookup hash (MARUGOTO_HASH_KEY: residents.user_hash and
inbound_events.resident_hash) is not moved by a plain rotation: a hash cannot be
re-keyed, only recomputed from the decrypted user id. To change that key, stop
the webhook (a resident looked up under the new key before their row is
re-hashed would get a second resident row), set MARUGOTO_HASH_KEY to the new key
and MARUGOTO_PREVIOUS_HASH_KEY to the old one, run `marugoto keys rotate --rehash`,
then unset MARUGOTO_PREVIOUS_HASH_KEY and start the webhook again.
"""

import base64
import secrets
import sys
from datetime import UTC, datetime

import click

from bot.cli.main import CliContext, pass_cli
from storage import events
from storage.crypto import Cipher
from storage.db import check_database, make_engine, make_session_factory
from storage.encrypted_columns import ENCRYPTED_COLUMNS
from storage.key_rotation import KeyRotationError, count_key_ids, rotate_column
from storage.rehash import rehash_residents
from storage.repositories.audit import record_audit


@click.group()
def keys() -> None:
    """Encryption keys."""


@keys.command("generate")
@click.option("--kid", help="key id (letters and digits); default k<YYYYMMDD>")
def generate(kid: str | None) -> None:
    """Print a fresh `kid:key` entry to put first in MARUGOTO_ENCRYPTION_KEYS."""
    kid = kid or datetime.now(UTC).strftime("k%Y%m%d")
    if not kid.isalnum():
        raise click.BadParameter("use letters and digits only", param_hint="--kid")
    key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")
    click.echo(f"{kid}:{key}")
    click.echo("put it first in MARUGOTO_ENCRYPTION_KEYS, keep the old keys after it, "
               "restart, then run `marugoto keys rotate`", err=True)


@keys.command("rotate")
@click.option("--batch-size", default=500, show_default=True, type=click.IntRange(min=1))
@click.option("--check", is_flag=True, help="only report rows per key id; exit 1 if any is not on the active key")
@click.option("--rehash", is_flag=True, help="also move lookup hashes from MARUGOTO_PREVIOUS_HASH_KEY (webhook stopped)")
@pass_cli
def rotate(cli_ctx: CliContext, batch_size: int, check: bool, rehash: bool) -> None:
    """Re-encrypt every encrypted column under the active (first) key; safe to re-run."""
    settings = cli_ctx.settings
    cipher = Cipher(settings.encryption_keys, settings.hash_key)
    if rehash and settings.previous_hash_key is None:
        raise click.UsageError("--rehash needs MARUGOTO_PREVIOUS_HASH_KEY (the hash key being replaced)")
    engine = make_engine(settings.database_url)
    try:
        check_database(engine)
        sessions = make_session_factory(engine)
        if check:
            _report(sessions, cipher.active_kid)
            return
        counts: dict[str, int] = {}
        for entry in ENCRYPTED_COLUMNS:
            counts[entry.label] = rotate_column(
                sessions, cipher, entry, batch_size=batch_size,
                on_batch=lambda total, label=entry.label: click.echo(f"{label}: {total} re-encrypted so far"),
            )
        detail: dict = {"active_kid": cipher.active_kid, "rows": counts}
        if rehash:
            detail["rehashed_residents"] = rehash_residents(
                sessions, cipher, Cipher(settings.encryption_keys, settings.previous_hash_key),
                batch_size=batch_size, on_batch=lambda total: click.echo(f"residents: {total} re-hashed so far"),
            )
        with sessions.begin() as session:
            record_audit(session, actor_type="system", actor_id="cli", action=events.KEYS_ROTATE, detail=detail)
    except KeyRotationError as exc:
        click.echo(f"marugoto: {exc.code}: {exc}", err=True)
        sys.exit(1)
    finally:
        engine.dispose()
    for label, total in counts.items():
        click.echo(f"{label}: {total} rows re-encrypted to key {cipher.active_kid}")
    if rehash:
        click.echo(f"residents: {detail['rehashed_residents']} lookup hashes moved to the new hash key")


def _report(sessions, active_kid: str) -> None:
    stale = 0
    with sessions() as session:
        for entry in ENCRYPTED_COLUMNS:
            per_kid = count_key_ids(session, entry)
            stale += sum(n for kid, n in per_kid.items() if kid != active_kid)
            shown = ", ".join(f"{kid}={n}" for kid, n in sorted(per_kid.items())) or "no rows"
            click.echo(f"{entry.label}: {shown}")
    click.echo(f"{stale} rows not on the active key {active_kid}")
    if stale:
        sys.exit(1)
