"""Re-key the lookup hashes of LINE user ids (residents.user_hash, inbound_events.resident_hash).

A keyed hash cannot be converted; it is recomputed from the decrypted user id.
Rows are walked in id order, one transaction per batch; a row whose hash is not
under the previous key is left alone, so an interrupted run can simply be re-run.
Run it with the webhook stopped: until a resident is re-hashed, a lookup under
the new key would not find them and would create a second resident.
"""

from collections.abc import Callable

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from storage.crypto import Cipher
from storage.models import InboundEvent, Resident
from storage.repositories.residents import resident_hash, resident_user_id


def rehash_residents(
    sessions: sessionmaker[Session],
    cipher: Cipher,
    previous: Cipher,
    *,
    batch_size: int,
    on_batch: Callable[[int], None] = lambda _total: None,
) -> int:
    """Move hashes made with `previous`'s hash key to `cipher`'s; returns residents re-hashed."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    last_id, total = 0, 0
    while True:
        with sessions.begin() as session:
            residents = list(
                session.scalars(select(Resident).where(Resident.id > last_id).order_by(Resident.id).limit(batch_size))
            )
            for resident in residents:
                user_id = resident_user_id(cipher, resident)
                old_hash = resident_hash(previous, user_id)
                if resident.user_hash != old_hash:
                    continue  # already under the new key
                new_hash = resident_hash(cipher, user_id)
                resident.user_hash = new_hash
                session.execute(
                    update(InboundEvent)
                    .where(InboundEvent.resident_hash == old_hash)
                    .values(resident_hash=new_hash)
                    .execution_options(synchronize_session=False)
                )
                total += 1
        if residents:
            last_id = residents[-1].id
            on_batch(total)
        if len(residents) < batch_size:
            return total
