"""One Redis db index held exclusively by one run on a shared Redis server.

Test runs and `marugoto bench` on the same server each flush the db they use.
They claim it first with a lock key in db 0, set only if absent and expiring in
case a run dies, and release it only if the lock is still theirs.
"""

import os
import random
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import redis

CLAIMABLE_DBS = range(1, 16)
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


class NoFreeRedisDb(RuntimeError):
    pass


def claim_key(db: int) -> str:
    return f"marugoto:test:redis-db-claim:{db}"


@contextmanager
def claimed_redis_db(
    locks: redis.Redis, *, only: int | None = None, hold_seconds: int = 1800, wait_seconds: float = 300
) -> Iterator[int]:
    """A db index no other run holds until this block ends; `locks` is a client of db 0."""
    token = f"{os.getpid()}-{uuid.uuid4()}"
    candidates = [only] if only is not None else random.sample(list(CLAIMABLE_DBS), len(CLAIMABLE_DBS))
    deadline = time.monotonic() + wait_seconds
    while True:
        db = next((d for d in candidates if locks.set(claim_key(d), token, nx=True, ex=hold_seconds)), None)
        if db is not None:
            break
        if time.monotonic() > deadline:
            raise NoFreeRedisDb(f"no free Redis db among {sorted(candidates)} (all claimed by other runs)")
        time.sleep(0.2)  # every db is held by another run: wait for one to be released
    try:
        yield db
    finally:
        locks.eval(_RELEASE, 1, claim_key(db), token)
