"""Redis test databases are claimed exclusively across concurrent test runs (tests.services.claimed_redis_db)."""

from tests.services import _held_by_bench, claimed_redis_db, redis_claim_key, redis_client


def test_two_claims_at_once_get_different_databases_and_release_them():
    locks = redis_client(0)
    with claimed_redis_db() as first, claimed_redis_db() as second:
        assert first != second and 1 <= first <= 15 and 1 <= second <= 15
        assert locks.exists(redis_claim_key(first)) and locks.exists(redis_claim_key(second))
        assert locks.ttl(redis_claim_key(first)) > 0  # a run that dies frees its db in time
    assert not locks.exists(redis_claim_key(first)) and not locks.exists(redis_claim_key(second))
    locks.close()


def test_releasing_never_drops_a_claim_that_another_run_took_over():
    locks = redis_client(0)
    with claimed_redis_db() as db:
        # Our claim expired and another run claimed the db: its lock must survive our release.
        locks.set(redis_claim_key(db), "another-run", ex=60)
    assert locks.get(redis_claim_key(db)) == b"another-run"
    locks.delete(redis_claim_key(db))
    locks.close()


def test_a_database_claimed_by_marugoto_bench_is_never_handed_to_a_test():
    from bot.bench.cluster import CLAIM_KEY

    with claimed_redis_db() as db:
        pass
    bench = redis_client(db)
    bench.set(CLAIM_KEY, "bench-run", ex=60)
    try:
        assert _held_by_bench(db)
        with claimed_redis_db() as first, claimed_redis_db() as second:
            assert db not in (first, second)
        assert bench.get(CLAIM_KEY) == b"bench-run"
    finally:
        bench.delete(CLAIM_KEY)
        bench.close()
