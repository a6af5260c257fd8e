"""The leak scanner itself: a planted phrase is found in every medium and form; a clean store gives nothing."""

import base64
import json
import logging
import re
import sqlite3
import zlib

import psycopg
import pytest
import rq

from tests.privacy.leakscan import Scanner, phrase_forms
from tests.services import POSTGRES_ADMIN_URL, create_database, drop_database, with_database

PHRASE = "息子が部屋から出てこない"
USER_ID = "U4af4980629a1b2c3d4e5f60718293a4b"


def planted_function(*_args):
    """A job target for RQ; never run."""


def test_forms_cover_the_usual_encodings():
    forms = phrase_forms(PHRASE)
    assert forms["utf-8"] == PHRASE.encode()
    assert forms["cp932"] == PHRASE.encode("cp932")
    assert forms["json-escape"] == json.dumps(PHRASE)[1:-1].encode()
    ascii_forms = phrase_forms(USER_ID)
    assert "cp932" not in ascii_forms  # the same bytes as UTF-8, kept once


@pytest.mark.parametrize("prefix", [b"", b"x", b"xy", b"xyz"], ids=["align0", "align1", "align2", "align3"])
def test_base64_inside_a_longer_blob_is_found_at_any_alignment(prefix):
    blob = base64.b64encode(prefix + PHRASE.encode() + b"tail")
    hits = Scanner([PHRASE]).scan_bytes(b"junk " + blob + b" junk", "blob")
    assert any(hit.form.startswith("base64@") for hit in hits)


@pytest.mark.parametrize(
    ("encoded", "form"),
    [
        (PHRASE.encode("cp932"), "cp932"),
        (PHRASE.encode("euc-jp"), "euc-jp"),
        (PHRASE.encode("utf-16-le"), "utf-16-le"),
        (json.dumps({"t": PHRASE}).encode(), "json-escape"),
        (re.sub(r"\\u([0-9a-f]{4})", lambda m: "\\u" + m[1].upper(), json.dumps(PHRASE)).encode(), "json-escape-upper"),
        (repr(PHRASE.encode()).encode(), "python-bytes-escape"),
        (base64.urlsafe_b64encode(PHRASE.encode()), "base64@0"),  # no + or / in it: the same bytes
    ],
)
def test_each_encoding_is_found(encoded, form):
    assert form in {hit.form for hit in Scanner([PHRASE]).scan_bytes(b"<" + encoded + b">", "blob")}


def test_sqlite_file_and_wal_are_searched(tmp_path):
    path = tmp_path / "plant.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE t (v TEXT)")
    conn.execute("INSERT INTO t VALUES (?)", (PHRASE,))
    conn.commit()  # the row sits in the -wal file until a checkpoint
    scanner = Scanner([PHRASE, USER_ID])
    hits = scanner.scan_sqlite(path)
    assert {hit.phrase for hit in hits} == {PHRASE}
    assert any("plant.db-wal" in hit.where for hit in hits)
    conn.close()  # checkpoints into the main file
    assert any(hit.where.startswith(f"file {path} ") for hit in scanner.scan_sqlite(path))


def test_a_clean_sqlite_file_has_no_hits(tmp_path):
    path = tmp_path / "clean.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (v TEXT)")
    conn.execute("INSERT INTO t VALUES ('nothing to see')")
    conn.commit()
    conn.close()
    assert Scanner([PHRASE, USER_ID]).scan_sqlite(path) == []


@pytest.fixture
def postgres_url():
    name = create_database()
    yield with_database(POSTGRES_ADMIN_URL, name).replace("postgresql+psycopg://", "postgresql://", 1)
    drop_database(name)


def test_pg_dump_is_searched_including_json_and_bytea(postgres_url):
    scanner = Scanner([PHRASE, USER_ID])
    assert scanner.scan_pg_dump(postgres_url) == []
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE t (doc jsonb, raw bytea)")
        conn.execute("INSERT INTO t VALUES (%s, %s)", (json.dumps({"id": USER_ID}), PHRASE.encode()))
    hits = scanner.scan_pg_dump(postgres_url)
    assert {(hit.phrase, hit.form) for hit in hits} >= {(USER_ID, "utf-8"), (PHRASE, "hex")}


def test_every_redis_type_and_rq_job_payloads_are_searched(redis_db):
    scanner = Scanner([PHRASE])
    redis_db.set("clean", "nothing")
    assert scanner.scan_redis(redis_db) == []

    planted = {
        "string": lambda k: redis_db.set(k, PHRASE),
        "hash": lambda k: redis_db.hset(k, "f", PHRASE),
        "list": lambda k: redis_db.rpush(k, "a", PHRASE),
        "set": lambda k: redis_db.sadd(k, PHRASE),
        "zset": lambda k: redis_db.zadd(k, {PHRASE: 1}),
        "stream": lambda k: redis_db.xadd(k, {"f": PHRASE}),
        "compressed": lambda k: redis_db.set(k, zlib.compress(PHRASE.encode())),
    }
    for kind, plant in planted.items():
        plant(f"plant:{kind}")
    redis_db.set(f"plant:{PHRASE}", "key names count too")
    rq.Queue("plant", connection=redis_db).enqueue(planted_function, PHRASE)

    places = " | ".join(hit.where for hit in scanner.scan_redis(redis_db))
    for kind in planted:
        assert f"'plant:{kind}'" in places
    assert f"redis key name 'plant:{PHRASE}'" in places
    assert "zlib-decompressed" in places and "rq:job:" in places


def test_captured_logs_are_searched(caplog):
    scanner = Scanner([PHRASE, USER_ID])
    logger = logging.getLogger("tests.privacy.plant")
    with caplog.at_level(logging.INFO):
        logger.info("processed event %s", "ev-1")
    assert scanner.scan_text(caplog.text, "log") == []
    with caplog.at_level(logging.INFO):
        logger.info("payload %r", {"text": PHRASE, "userId": USER_ID})
    assert {hit.phrase for hit in scanner.scan_text(caplog.text, "log")} == {PHRASE, USER_ID}
