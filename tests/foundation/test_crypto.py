"""Encryption at rest: authenticated, bound to its column, readable after key rotation."""

import pytest

from storage.crypto import Cipher
from storage.errors import DecryptionError

OLD = ("k1", b"1" * 32)
NEW = ("k2", b"2" * 32)


def test_round_trip_hides_the_plaintext():
    cipher = Cipher([OLD], b"h" * 32)
    token = cipher.encrypt("母が認知症で", context="messages.body")
    assert "母" not in token and token.startswith("v1.k1.")
    assert cipher.decrypt(token, context="messages.body") == "母が認知症で"


def test_tampering_and_wrong_context_are_refused():
    cipher = Cipher([OLD], b"h" * 32)
    token = cipher.encrypt("secret", context="a")
    with pytest.raises(DecryptionError):
        cipher.decrypt(token, context="b")
    tampered = token[:-4] + ("AAAA" if token[-4:] != "AAAA" else "BBBB")
    with pytest.raises(DecryptionError):
        cipher.decrypt(tampered, context="a")


def test_old_ciphertexts_stay_readable_after_a_new_key_is_added():
    old_token = Cipher([OLD], b"h" * 32).encrypt("x")
    rotated = Cipher([NEW, OLD], b"h" * 32)
    assert rotated.decrypt(old_token) == "x"
    assert Cipher.key_id_of(rotated.encrypt("y")) == "k2"
    with pytest.raises(DecryptionError):
        Cipher([NEW], b"h" * 32).decrypt(old_token)


def test_keyed_hash_is_stable_and_keyed():
    a = Cipher([OLD], b"h" * 32)
    assert a.keyed_hash("U123", purpose="line-user") == a.keyed_hash("U123", purpose="line-user")
    assert a.keyed_hash("U123", purpose="line-user") != a.keyed_hash("U123", purpose="other")
    assert a.keyed_hash("U123", purpose="line-user") != Cipher([OLD], b"x" * 32).keyed_hash("U123", purpose="line-user")
