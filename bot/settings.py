"""Typed settings, read once from MARUGOTO_* variables.

This module is the only reader of the environment. Parsing is strict: a wrong
value stops start-up with one line naming the variable.
"""

import base64
import ipaddress
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_LINE_API_URL = "https://api.line.me"
DEFAULT_LINE_DATA_API_URL = "https://api-data.line.me"
ENVIRONMENTS = ("development", "production", "test")
LOOPBACK_NETWORKS = "127.0.0.1/32,::1/128"

# Every variable this module reads; deploy/.env.example and the README table list
# exactly these (tests/deploy/test_env_example.py keeps them in sync).
ENV_VARIABLES = (
    "MARUGOTO_ENV",
    "MARUGOTO_VAR_DIR",
    "MARUGOTO_DATABASE_URL",
    "MARUGOTO_REDIS_URL",
    "MARUGOTO_SECRET_KEY",
    "MARUGOTO_ENCRYPTION_KEYS",
    "MARUGOTO_HASH_KEY",
    "MARUGOTO_PREVIOUS_HASH_KEY",
    "MARUGOTO_LINE_CHANNEL_SECRET",
    "MARUGOTO_LINE_CHANNEL_ACCESS_TOKEN",
    "MARUGOTO_LINE_API_URL",
    "MARUGOTO_LINE_DATA_API_URL",
    "MARUGOTO_SIMULATOR",
    "MARUGOTO_EMBEDDED_WORKER",
    "MARUGOTO_LOG_LEVEL",
    "MARUGOTO_WEB_CONCURRENCY",
    "MARUGOTO_FORWARDED_ALLOW_IPS",
    "MARUGOTO_METRICS_TOKEN",
    "MARUGOTO_METRICS_ALLOWED_NETWORKS",
    "MARUGOTO_WORKER_METRICS_PORT",
    "MARUGOTO_HEARTBEAT_FILE",
    "MARUGOTO_RETENTION_ABANDONED_INTAKE_DAYS",
    "MARUGOTO_RETENTION_INBOUND_EVENT_DAYS",
    "MARUGOTO_RETENTION_CLOSED_CASE_DAYS",
    # prometheus_client reads this one itself when it is imported, so it keeps the
    # library's name; Settings reads it too, to clean it up and aggregate from it.
    "PROMETHEUS_MULTIPROC_DIR",
)

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class SettingsError(Exception):
    """A MARUGOTO_* variable is missing or malformed; the message names it."""


@dataclass(frozen=True)
class Settings:
    env: str = "development"
    var_dir: Path = Path("var")
    database_url: str = "sqlite:///var/marugoto.db"
    redis_url: str | None = None
    secret_key: str = ""
    # kid -> 32-byte key; the first entry encrypts, every entry decrypts.
    encryption_keys: tuple[tuple[str, bytes], ...] = ()
    hash_key: bytes = b""
    # Set only while `marugoto keys rotate --rehash` moves lookup hashes to a new hash key.
    previous_hash_key: bytes | None = None
    line_channel_secret: str = ""
    line_channel_access_token: str = ""
    line_api_url: str = DEFAULT_LINE_API_URL
    line_data_api_url: str = DEFAULT_LINE_DATA_API_URL
    simulator_enabled: bool = True
    embedded_worker: bool = True
    log_level: str = "INFO"
    # Retention periods in days. Abandoned intake: a conversation nobody finished is
    # of no use after a month. Raw webhook events: only needed until processed and
    # for a short redelivery/debugging window. Resolved cases: municipal records of
    # consultation support are commonly kept five years (文書管理規程), so 5 × 365.
    retention_abandoned_intake_days: int = 30
    retention_inbound_event_days: int = 14
    retention_closed_case_days: int = 1825
    # gunicorn worker processes; None: derived from the CPU count (bot/gunicorn_config.py).
    web_concurrency: int | None = None
    # Proxies whose X-Forwarded-Proto gunicorn trusts (https detection for cookies).
    forwarded_allow_ips: str = "127.0.0.1,::1"
    # /metrics answers a bearer token, or a direct (unproxied) request from these networks.
    metrics_token: str | None = None
    metrics_allowed_networks: tuple[IpNetwork, ...] = tuple(
        ipaddress.ip_network(net) for net in LOOPBACK_NETWORKS.split(",")
    )
    metrics_multiproc_dir: Path | None = None
    worker_metrics_port: int | None = None
    heartbeat_file: Path | None = None

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "Settings":
        env_vars = os.environ if environ is None else environ
        return _parse(env_vars)


def _get(environ: Mapping[str, str], name: str) -> str | None:
    value = environ.get(name)
    if value is None:
        return None
    value = value.strip()
    return value or None


def _parse_choice(name: str, value: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise SettingsError(f"{name}={value!r} is not one of: {', '.join(choices)}")
    return value


def _parse_bool(name: str, value: str) -> bool:
    lowered = value.lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name}={value!r} is not a boolean (use true or false)")


def _parse_database_url(name: str, value: str) -> str:
    scheme = value.split("://", 1)[0] if "://" in value else ""
    if not scheme.startswith(("sqlite", "postgresql")):
        raise SettingsError(
            f"{name} must look like sqlite:///path/to.db or postgresql+psycopg://user@host/db"
        )
    if scheme.startswith("postgresql") and not urlsplit(value).hostname and "host=" not in value:
        raise SettingsError(f"{name} names no PostgreSQL host")
    return value.replace("postgresql://", "postgresql+psycopg://", 1)


def _parse_redis_url(name: str, value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("redis", "rediss", "unix") or not (parts.hostname or parts.path):
        raise SettingsError(f"{name} must look like redis://host:6379/0")
    try:
        parts.port
    except ValueError as exc:
        raise SettingsError(f"{name} has a bad port: {exc}") from None
    return value


def _parse_http_url(name: str, value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingsError(f"{name} must be an http(s) URL")
    return value.rstrip("/")


def _parse_keys(name: str, value: str) -> tuple[tuple[str, bytes], ...]:
    keys: list[tuple[str, bytes]] = []
    for item in value.split(","):
        kid, sep, encoded = item.strip().partition(":")
        if not sep or not kid.isalnum():
            raise SettingsError(f"{name} must be a comma list of kid:base64key")
        try:
            key = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        except ValueError:
            raise SettingsError(f"{name}: key {kid!r} is not base64") from None
        if len(key) != 32:
            raise SettingsError(f"{name}: key {kid!r} must be 32 bytes")
        if any(k == kid for k, _ in keys):
            raise SettingsError(f"{name}: key id {kid!r} appears twice")
        keys.append((kid, key))
    return tuple(keys)


def _parse_hash_key(name: str, value: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except ValueError:
        raise SettingsError(f"{name} is not base64") from None
    if len(key) < 32:
        raise SettingsError(f"{name} must decode to at least 32 bytes")
    return key


def _parse_positive_int(name: str, value: str, *, maximum: int) -> int:
    # ASCII digits only: int() would also take "1_000", " 7" and other scripts' digits.
    if not (value.isascii() and value.isdigit()):
        raise SettingsError(f"{name}={value!r} is not a whole number")
    number = int(value)
    if not 1 <= number <= maximum:
        raise SettingsError(f"{name}={value!r} must be between 1 and {maximum}")
    return number


def _parse_networks(name: str, value: str) -> tuple[IpNetwork, ...]:
    try:
        return tuple(ipaddress.ip_network(item.strip()) for item in value.split(",") if item.strip())
    except ValueError as exc:
        raise SettingsError(f"{name}: {exc}") from None


def _local_secret(var_dir: Path, filename: str) -> str:
    """A secret generated once and kept under var/ (embedded default only)."""
    path = var_dir / filename
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    value = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(value + "\n")
    return value


def _parse(environ: Mapping[str, str]) -> Settings:
    env = _parse_choice("MARUGOTO_ENV", _get(environ, "MARUGOTO_ENV") or "development", ENVIRONMENTS)
    production = env == "production"
    var_dir = Path(_get(environ, "MARUGOTO_VAR_DIR") or "var")

    database_url = _get(environ, "MARUGOTO_DATABASE_URL")
    if database_url is None:
        if production:
            raise SettingsError("MARUGOTO_DATABASE_URL is required when MARUGOTO_ENV=production")
        database_url = f"sqlite:///{var_dir / 'marugoto.db'}"
    database_url = _parse_database_url("MARUGOTO_DATABASE_URL", database_url)

    redis_url = _get(environ, "MARUGOTO_REDIS_URL")
    if redis_url is not None:
        redis_url = _parse_redis_url("MARUGOTO_REDIS_URL", redis_url)

    def secret(name: str, filename: str) -> str:
        value = _get(environ, name)
        if value is None:
            if production:
                raise SettingsError(f"{name} is required when MARUGOTO_ENV=production")
            value = _local_secret(var_dir, filename)
        return value

    secret_key = secret("MARUGOTO_SECRET_KEY", "secret_key")
    if len(secret_key) < 16:
        raise SettingsError("MARUGOTO_SECRET_KEY must be at least 16 characters")
    keys_value = _get(environ, "MARUGOTO_ENCRYPTION_KEYS")
    if keys_value is None:
        keys_value = "local:" + secret("MARUGOTO_ENCRYPTION_KEYS", "encryption_key")
    encryption_keys = _parse_keys("MARUGOTO_ENCRYPTION_KEYS", keys_value)
    hash_key = _parse_hash_key("MARUGOTO_HASH_KEY", secret("MARUGOTO_HASH_KEY", "hash_key"))
    previous_hash_key = _get(environ, "MARUGOTO_PREVIOUS_HASH_KEY")

    line_secret = _get(environ, "MARUGOTO_LINE_CHANNEL_SECRET")
    line_token = _get(environ, "MARUGOTO_LINE_CHANNEL_ACCESS_TOKEN")
    if production and not (line_secret and line_token):
        raise SettingsError(
            "MARUGOTO_LINE_CHANNEL_SECRET and MARUGOTO_LINE_CHANNEL_ACCESS_TOKEN "
            "are required when MARUGOTO_ENV=production"
        )
    if line_secret is None:
        # The simulator signs its events with this local secret.
        line_secret = _local_secret(var_dir, "line_channel_secret")

    simulator = _get(environ, "MARUGOTO_SIMULATOR")
    embedded_worker = _get(environ, "MARUGOTO_EMBEDDED_WORKER")
    log_level = (_get(environ, "MARUGOTO_LOG_LEVEL") or "INFO").upper()

    def days(name: str, value: str | None, default: int) -> int:
        return default if value is None else _parse_positive_int(name, value, maximum=36_500)

    web_concurrency = _get(environ, "MARUGOTO_WEB_CONCURRENCY")
    metrics_token = _get(environ, "MARUGOTO_METRICS_TOKEN")
    if metrics_token is not None and len(metrics_token) < 24:
        raise SettingsError("MARUGOTO_METRICS_TOKEN must be at least 24 characters")
    worker_metrics_port = _get(environ, "MARUGOTO_WORKER_METRICS_PORT")
    multiproc_dir = _get(environ, "PROMETHEUS_MULTIPROC_DIR")
    heartbeat_file = _get(environ, "MARUGOTO_HEARTBEAT_FILE")
    return Settings(
        env=env,
        var_dir=var_dir,
        database_url=database_url,
        redis_url=redis_url,
        secret_key=secret_key,
        encryption_keys=encryption_keys,
        hash_key=hash_key,
        previous_hash_key=(
            _parse_hash_key("MARUGOTO_PREVIOUS_HASH_KEY", previous_hash_key) if previous_hash_key else None
        ),
        line_channel_secret=line_secret,
        line_channel_access_token=line_token or "",
        line_api_url=_parse_http_url(
            "MARUGOTO_LINE_API_URL", _get(environ, "MARUGOTO_LINE_API_URL") or DEFAULT_LINE_API_URL
        ),
        line_data_api_url=_parse_http_url(
            "MARUGOTO_LINE_DATA_API_URL",
            _get(environ, "MARUGOTO_LINE_DATA_API_URL")
            or _get(environ, "MARUGOTO_LINE_API_URL")
            or DEFAULT_LINE_DATA_API_URL,
        ),
        simulator_enabled=(
            _parse_bool("MARUGOTO_SIMULATOR", simulator) if simulator else not production
        ),
        embedded_worker=(
            _parse_bool("MARUGOTO_EMBEDDED_WORKER", embedded_worker)
            if embedded_worker
            else redis_url is None
        ),
        log_level=_parse_choice(
            "MARUGOTO_LOG_LEVEL", log_level, ("DEBUG", "INFO", "WARNING", "ERROR")
        ),
        retention_abandoned_intake_days=days(
            "MARUGOTO_RETENTION_ABANDONED_INTAKE_DAYS", _get(environ, "MARUGOTO_RETENTION_ABANDONED_INTAKE_DAYS"), Settings.retention_abandoned_intake_days
        ),
        retention_inbound_event_days=days(
            "MARUGOTO_RETENTION_INBOUND_EVENT_DAYS", _get(environ, "MARUGOTO_RETENTION_INBOUND_EVENT_DAYS"), Settings.retention_inbound_event_days
        ),
        retention_closed_case_days=days(
            "MARUGOTO_RETENTION_CLOSED_CASE_DAYS", _get(environ, "MARUGOTO_RETENTION_CLOSED_CASE_DAYS"), Settings.retention_closed_case_days
        ),
        web_concurrency=(
            _parse_positive_int("MARUGOTO_WEB_CONCURRENCY", web_concurrency, maximum=256)
            if web_concurrency
            else None
        ),
        forwarded_allow_ips=_get(environ, "MARUGOTO_FORWARDED_ALLOW_IPS") or "127.0.0.1,::1",
        metrics_token=metrics_token,
        metrics_allowed_networks=_parse_networks(
            "MARUGOTO_METRICS_ALLOWED_NETWORKS",
            _get(environ, "MARUGOTO_METRICS_ALLOWED_NETWORKS") or LOOPBACK_NETWORKS,
        ),
        metrics_multiproc_dir=Path(multiproc_dir) if multiproc_dir else None,
        worker_metrics_port=(
            _parse_positive_int("MARUGOTO_WORKER_METRICS_PORT", worker_metrics_port, maximum=65535)
            if worker_metrics_port
            else None
        ),
        heartbeat_file=Path(heartbeat_file) if heartbeat_file else None,
    )
