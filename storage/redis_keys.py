"""Every Redis key is built here, under one prefix, so the keyspace is easy to audit."""

PREFIX = "marugoto"


def session_key(name: str) -> str:
    return f"{PREFIX}:session:{name}"


def lock_key(name: str) -> str:
    return f"{PREFIX}:lock:{name}"


def job_queue_name(name: str) -> str:
    return f"{PREFIX}-{name}"


def rules_version_key() -> str:
    return f"{PREFIX}:rules:version"


def channel_name(name: str) -> str:
    return f"{PREFIX}:events:{name}"
