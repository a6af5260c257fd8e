"""Redis dbs are claimed exclusively across concurrent test runs and `marugoto bench` (bot.bench.redis_claim)."""

import pytest

from bot.bench.redis_claim import NoFreeRedisDb, claim_key, claimed_redis_db as claim_db
from tests.services import claimed_redis_db, redis_client


def test_two_claims_at_once_get_different_databases_and_release_them():
    locks = redis_client(0)
    with claimed_redis_db() as first, claimed_redis_db() as second:
        assert first != second and 1 <= first <= 15 and 1 <= second <= 15
        assert locks.exists(claim_key(first)) and locks.exists(claim_key(second))
        assert locks.ttl(claim_key(first)) > 0  # a run that dies frees its db in time
    assert not locks.exists(claim_key(first)) and not locks.exists(claim_key(second))
    locks.close()


def test_releasing_never_drops_a_claim_that_another_run_took_over():
    locks = redis_client(0)
    with claimed_redis_db() as db:
        # Our claim expired and another run claimed the db: its lock must survive our release.
        locks.set(claim_key(db), "another-run", ex=60)
    assert locks.get(claim_key(db)) == b"another-run"
    locks.delete(claim_key(db))
    locks.close()


def test_a_held_database_is_never_handed_out_and_the_wait_ends_with_a_clear_error():
    locks = redis_client(0)
    try:
        with claimed_redis_db() as held:
            with pytest.raises(NoFreeRedisDb, match=f"among \\[{held}\\]"):
                with claim_db(locks, only=held, wait_seconds=0.5):
                    pass
            assert locks.exists(claim_key(held))  # the failed claim left the holder's lock alone
    finally:
        locks.close()
