"""Search stores for known phrases and ids, in every form they could be written in.

A phrase is searched as UTF-8, UTF-16, Shift_JIS (cp932), EUC-JP, JSON `\\uXXXX`
escapes (either case), Python escapes, percent-encoding, hex, and base64 of its
UTF-8 at every alignment (so it is found inside a longer base64 blob too). Each
scanner returns `Hit`s saying which phrase, in which form, and where.
"""

import base64
import binascii
import gzip
import json
import subprocess
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import redis


@dataclass(frozen=True)
class Hit:
    phrase: str
    form: str
    where: str


def _base64_cores(data: bytes, alphabet: bytes | None) -> Iterator[bytes]:
    """The part of base64(data) that is the same wherever `data` sits in a longer input."""
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + data, altchars=alphabet)
        # Characters touched by the padding bytes before, or by unknown bytes after, vary.
        start = (shift * 4 + 2) // 3
        end = ((shift + len(data)) // 3) * 4
        core = encoded[start:end]
        if len(core) >= 8:  # shorter cores match random base64 by chance
            yield core


def phrase_forms(phrase: str) -> dict[str, bytes]:
    utf8 = phrase.encode("utf-8")
    forms: dict[str, bytes] = {"utf-8": utf8}
    for codec in ("utf-16-le", "utf-16-be", "cp932", "euc-jp"):
        try:
            forms[codec] = phrase.encode(codec)
        except UnicodeEncodeError:
            pass
    escaped = json.dumps(phrase)[1:-1].encode("ascii")
    forms["json-escape"] = escaped
    forms["json-escape-upper"] = _upper_hex_escapes(escaped)
    forms["python-escape"] = phrase.encode("unicode_escape")
    forms["python-bytes-escape"] = repr(utf8)[2:-1].encode("ascii")
    forms["percent"] = quote(phrase, safe="").encode("ascii")
    forms["hex"] = binascii.hexlify(utf8)
    for name, alphabet in (("base64", None), ("base64url", b"-_")):
        for index, core in enumerate(_base64_cores(utf8, alphabet)):
            forms[f"{name}@{index}"] = core
    # Keep one name per distinct byte string (ASCII ids are the same in most codecs).
    unique: dict[bytes, str] = {}
    for name, data in forms.items():
        unique.setdefault(data, name)
    return {name: data for data, name in unique.items() if data}


def _upper_hex_escapes(escaped: bytes) -> bytes:
    parts = escaped.split(b"\\u")
    return parts[0] + b"".join(b"\\u" + p[:4].upper() + p[4:] for p in parts[1:])


class Scanner:
    def __init__(self, phrases: Iterable[str]):
        self.phrases = list(phrases)
        if not self.phrases:
            raise ValueError("nothing to search for")
        self._forms = [(phrase, name, data) for phrase in self.phrases for name, data in phrase_forms(phrase).items()]

    def scan_bytes(self, data: bytes, where: str) -> list[Hit]:
        hits = []
        for phrase, name, needle in self._forms:
            offset = data.find(needle)
            if offset >= 0:
                hits.append(Hit(phrase, name, f"{where} @ byte {offset}"))
        return hits

    def scan_text(self, text: str, where: str) -> list[Hit]:
        return self.scan_bytes(text.encode("utf-8", "surrogatepass"), where)

    def scan_blob(self, data: bytes, where: str) -> list[Hit]:
        """Raw bytes, and what zlib or gzip decompression of them yields (RQ compresses job data)."""
        hits = self.scan_bytes(data, where)
        for name, magic, inflate in (("zlib", b"\x78", zlib.decompress), ("gzip", b"\x1f\x8b", gzip.decompress)):
            if not data.startswith(magic):
                continue
            try:
                inflated = inflate(data)
            except (zlib.error, OSError, EOFError):
                continue
            hits += self.scan_blob(inflated, f"{where} ({name}-decompressed)")
        return hits

    def scan_files(self, paths: Iterable[Path]) -> list[Hit]:
        hits = []
        for path in paths:
            if path.exists():
                hits += self.scan_blob(path.read_bytes(), f"file {path}")
        return hits

    def scan_sqlite(self, database: Path) -> list[Hit]:
        """The database file with its write-ahead log, shared memory and rollback journal."""
        suffixes = ("", "-wal", "-shm", "-journal")
        return self.scan_files(database.with_name(database.name + suffix) for suffix in suffixes)

    def scan_pg_dump(self, libpq_url: str) -> list[Hit]:
        dump = subprocess.run(
            ["pg_dump", "--no-owner", "--no-privileges", libpq_url],
            check=True, capture_output=True, timeout=120,
        ).stdout
        return self.scan_blob(dump, "pg_dump")

    def scan_redis(self, client: redis.Redis) -> list[Hit]:
        hits = []
        for key in client.scan_iter(count=500):
            name = key.decode("utf-8", "replace")
            hits += self.scan_bytes(key, f"redis key name {name!r}")
            for label, blob in _redis_values(client, key):
                hits += self.scan_blob(blob, f"redis {name!r} {label}")
        return hits


def _as_bytes(value) -> bytes:
    return value if isinstance(value, bytes) else str(value).encode("utf-8")


def _redis_values(client: redis.Redis, key: bytes) -> Iterator[tuple[str, bytes]]:
    kind = client.type(key).decode()
    if kind == "string":
        yield "value", client.get(key) or b""
    elif kind == "hash":
        for field, value in client.hgetall(key).items():
            yield "field", field
            yield f"field {field.decode('utf-8', 'replace')!r}", value
    elif kind == "list":
        for index, value in enumerate(client.lrange(key, 0, -1)):
            yield f"item {index}", value
    elif kind == "set":
        for value in client.smembers(key):
            yield "member", value
    elif kind == "zset":
        for member, score in client.zrange(key, 0, -1, withscores=True):
            yield "member", member
            yield "score", _as_bytes(score)
    elif kind == "stream":
        for entry_id, fields in client.xrange(key, "-", "+"):
            for field, value in fields.items():
                yield f"entry {entry_id.decode()} field", field
                yield f"entry {entry_id.decode()} value", value
    elif kind != "none":  # expired between SCAN and TYPE is fine; an unknown type is not
        raise ValueError(f"cannot scan redis type {kind!r} of key {key!r}")
