"""Authenticated encryption for identifiers and concerns at rest, and keyed hashes.

Ciphertexts read `v1.<kid>.<base64(nonce + AES-GCM ciphertext)>`, so a key can be
rotated while old rows stay readable until they are re-encrypted.
"""

import base64
import hashlib
import hmac
import os
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from storage.errors import DecryptionError

_PREFIX = "v1"
_NONCE_BYTES = 12


class Cipher:
    def __init__(self, keys: Sequence[tuple[str, bytes]], hash_key: bytes):
        if not keys:
            raise ValueError("at least one encryption key is required")
        self._keys = {kid: AESGCM(key) for kid, key in keys}
        self.active_kid = keys[0][0]
        self._hash_key = hash_key

    def encrypt(self, plaintext: str, *, context: str = "") -> str:
        """Encrypt; `context` (e.g. the column) is bound as associated data."""
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._keys[self.active_kid].encrypt(
            nonce, plaintext.encode("utf-8"), context.encode("utf-8")
        )
        encoded = base64.urlsafe_b64encode(nonce + sealed).decode("ascii")
        return f"{_PREFIX}.{self.active_kid}.{encoded}"

    def decrypt(self, token: str, *, context: str = "") -> str:
        try:
            prefix, kid, encoded = token.split(".", 2)
        except ValueError:
            raise DecryptionError("malformed ciphertext") from None
        if prefix != _PREFIX or kid not in self._keys:
            raise DecryptionError(f"no key for ciphertext key id {kid!r}")
        raw = base64.urlsafe_b64decode(encoded)
        try:
            plain = self._keys[kid].decrypt(
                raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], context.encode("utf-8")
            )
        except InvalidTag:
            raise DecryptionError("ciphertext failed authentication") from None
        return plain.decode("utf-8")

    @staticmethod
    def key_id_of(token: str) -> str:
        return token.split(".", 2)[1]

    def keyed_hash(self, value: str, *, purpose: str) -> str:
        """A stable lookup hash; without the key it reveals nothing."""
        message = f"{purpose}\x00{value}".encode("utf-8")
        return hmac.new(self._hash_key, message, hashlib.sha256).hexdigest()
