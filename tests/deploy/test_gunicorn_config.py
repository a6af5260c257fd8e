"""The gunicorn options `marugoto serve` and the image share, and a real multi-worker run."""

import os
import subprocess
import sys
import time
import urllib.request

from gunicorn.config import Config
from prometheus_client.parser import text_string_to_metric_families

from bot.bench.cluster import free_port
from bot.gunicorn_config import ACCESS_LOG_FORMAT, default_worker_count, gunicorn_options
from tests.conftest import make_settings


def test_every_option_is_one_gunicorn_accepts(tmp_path, sqlite_url):
    settings = make_settings(tmp_path, sqlite_url, redis_url="redis://127.0.0.1:6379/0", web_concurrency=3)
    config = Config()
    for key, value in gunicorn_options(settings, host="0.0.0.0", port=8000).items():
        config.set(key, value)  # raises on an unknown setting or a bad value
    assert config.workers == 3 and config.threads >= 2
    assert config.worker_class_str == "gthread" and not config.preload_app
    assert config.graceful_timeout < 30 <= config.timeout + 1
    assert config.address == [("0.0.0.0", 8000)]


def test_worker_count_defaults(tmp_path, sqlite_url):
    embedded = make_settings(tmp_path, sqlite_url)
    assert gunicorn_options(embedded, host="127.0.0.1", port=1)["workers"] == 1
    with_redis = make_settings(tmp_path, sqlite_url, redis_url="redis://x:6379/0")
    assert 2 <= default_worker_count(with_redis) <= 8
    assert gunicorn_options(with_redis, host="127.0.0.1", port=1, workers=5)["workers"] == 5


def test_access_log_never_has_query_string_or_body():
    for field in ("%(r)s", "%(q)s", "%(f)s", "%({cookie}i)s", "%(a)s"):
        assert field not in ACCESS_LOG_FORMAT
    assert "%(U)s" in ACCESS_LOG_FORMAT


def test_serve_runs_gunicorn_workers_with_a_clean_metrics_dir(tmp_path, sqlite_url):
    # Event metrics appear in multiprocess mode after their first observation (the
    # webhook's); here: the state gauges, the wiped stale file, the access log.
    port = free_port()
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    (metrics_dir / "counter_1.db").write_bytes(b"stale")  # must be wiped at start
    env = {
        **os.environ,
        "MARUGOTO_DATABASE_URL": sqlite_url,
        "MARUGOTO_VAR_DIR": str(tmp_path / "var"),
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
    }
    process = subprocess.Popen(
        [sys.executable, "-c", "from bot.cli import main; main()", "serve", "--port", str(port), "--workers", "2"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(150):
            try:
                with urllib.request.urlopen(f"{base}/healthz?secret=abc", timeout=2):
                    break
            except OSError:
                time.sleep(0.1)
        with urllib.request.urlopen(f"{base}/metrics", timeout=5) as response:
            text = response.read().decode()
        names = {family.name for family in text_string_to_metric_families(text)}
        assert {"marugoto_cases", "marugoto_inbound_events"} <= names
        # Multiprocess mode: per-process metrics are not mixed into the sum.
        assert "process_resident_memory_bytes" not in names
        assert not (metrics_dir / "counter_1.db").exists()
    finally:
        process.terminate()
        stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    # The access log (stdout) has the path but never the query string.
    assert '"GET /healthz"' in stdout and "secret=abc" not in stdout + stderr
