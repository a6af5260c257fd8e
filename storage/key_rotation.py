"""Key rotation: re-encrypt every registered column from old key ids to the active key.

Work goes in batches, each its own transaction. A batch selects rows whose
ciphertext does not carry the active key id, so an interrupted run simply
continues where it stopped, and a finished one finds nothing left to do.
"""

from collections import Counter
from collections.abc import Callable

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from storage.crypto import Cipher
from storage.encrypted_columns import EncryptedColumn
from storage.errors import DecryptionError, StorageError

MALFORMED = "(malformed)"
# Longer than any "v1.<kid>." prefix: enough to read the key id without loading the ciphertext.
_PREFIX_CHARS = 80


class KeyRotationError(StorageError):
    code = "key_rotation_failed"


def _not_on_active_key(entry: EncryptedColumn, cipher: Cipher) -> ColumnElement[bool]:
    column = entry.column
    return column.is_not(None) & ~column.startswith(f"v1.{cipher.active_kid}.", autoescape=True)


def count_key_ids(session: Session, entry: EncryptedColumn) -> dict[str, int]:
    """How many rows of this column carry each key id (NULLs are not counted)."""
    prefixes = session.scalars(
        select(func.substr(entry.column, 1, _PREFIX_CHARS))
        .where(entry.column.is_not(None))
        .execution_options(yield_per=1000)
    )
    counts: Counter[str] = Counter()
    for prefix in prefixes:
        parts = prefix.split(".", 2)
        counts[parts[1] if len(parts) == 3 and parts[0] == "v1" else MALFORMED] += 1
    return dict(counts)


def rotate_batch(session: Session, cipher: Cipher, entry: EncryptedColumn, *, batch_size: int) -> int:
    """Re-encrypt up to `batch_size` rows not yet on the active key; returns how many were selected."""
    primary_key = entry.model.id
    rows = session.execute(
        select(primary_key, entry.column)
        .where(_not_on_active_key(entry, cipher))
        .order_by(primary_key)
        .limit(batch_size)
    ).all()
    for row_id, token in rows:
        try:
            plaintext = entry.decrypt(cipher, token)
        except DecryptionError as exc:
            raise KeyRotationError(f"{entry.label} row {row_id}: {exc}") from None
        # Matching the old token too: a row the application rewrote meanwhile is already current.
        session.execute(
            update(entry.model)
            .where(primary_key == row_id, entry.column == token)
            .values({entry.attribute: entry.encrypt(cipher, plaintext)})
            .execution_options(synchronize_session=False)
        )
    return len(rows)


def rotate_column(
    sessions: sessionmaker[Session],
    cipher: Cipher,
    entry: EncryptedColumn,
    *,
    batch_size: int,
    on_batch: Callable[[int], None] = lambda _total: None,
) -> int:
    """Rotate the whole column, one committed transaction per batch; returns rows re-encrypted."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    total = 0
    while True:
        with sessions.begin() as session:
            done = rotate_batch(session, cipher, entry, batch_size=batch_size)
        total += done
        if done:
            on_batch(total)
        if done < batch_size:
            return total
