"""Coded storage errors."""


class StorageError(Exception):
    code = "storage_error"


class DatabaseUnavailable(StorageError):
    code = "database_unavailable"


class DecryptionError(StorageError):
    code = "decryption_failed"


class NotFound(StorageError):
    code = "not_found"
