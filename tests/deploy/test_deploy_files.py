"""Compose, Kubernetes and .env.example: valid, complete and in sync with Settings."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from bot.settings import ENV_VARIABLES

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
APP_SERVICES = ("migrate", "web", "worker", "scheduler")


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def test_settings_list_every_variable_it_reads():
    source = (ROOT / "bot" / "settings.py").read_text()
    read = set(re.findall(r'(?:_get\(environ, |secret\()"([A-Z_]+)"', source))
    assert read == set(ENV_VARIABLES)


def test_env_example_and_readme_document_exactly_the_settings_variables():
    example = (DEPLOY / ".env.example").read_text()
    documented = set(re.findall(r"^#? ?((?:MARUGOTO|PROMETHEUS)_[A-Z_]+)=", example, re.MULTILINE))
    assert documented == set(ENV_VARIABLES)
    readme = (ROOT / "README.md").read_text()
    in_table = set(re.findall(r"^\| `([A-Z_]+)` \|", readme, re.MULTILINE))
    assert in_table == set(ENV_VARIABLES)


def test_compose_services_are_complete_and_wired():
    services = compose()["services"]
    assert set(services) == {*APP_SERVICES, "postgres", "redis"}
    for name, service in services.items():
        assert "image" in service or "build" in service, name
        for target in service.get("depends_on", {}):
            assert target in services, (name, target)
        if name != "migrate":
            assert service["healthcheck"]["test"], name
    for name in APP_SERVICES:
        assert services[name]["env_file"] == ".env"
        assert services[name]["command"] == [name]
    for name in ("web", "worker", "scheduler"):
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert services["worker"]["deploy"]["replicas"] >= 1
    assert re.match(r"postgres:1[56]", services["postgres"]["image"])
    assert services["redis"]["image"].startswith("redis:7")
    assert services["postgres"]["volumes"] and services["redis"]["volumes"]


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="docker-compose is not installed")
def test_docker_compose_accepts_the_file(tmp_path):
    # A copy beside a .env made from the example, so the repository stays untouched.
    shutil.copy(DEPLOY / "compose.yaml", tmp_path / "compose.yaml")
    shutil.copy(DEPLOY / ".env.example", tmp_path / ".env")
    done = subprocess.run(
        ["docker-compose", "-f", str(tmp_path / "compose.yaml"), "config", "--quiet"],
        capture_output=True, text=True, timeout=60, cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr


def k8s_documents() -> list[dict]:
    if shutil.which("kubectl"):
        rendered = subprocess.run(
            ["kubectl", "kustomize", str(DEPLOY / "k8s")], capture_output=True, text=True, timeout=60, check=True
        ).stdout
    else:
        rendered = "\n---\n".join(p.read_text() for p in sorted((DEPLOY / "k8s").glob("*.yaml")))
    return [doc for doc in yaml.safe_load_all(rendered) if doc and "kind" in doc]


def test_kubernetes_manifests_have_probes_resources_and_no_secret_values():
    docs = k8s_documents()
    by_kind: dict[str, dict[str, dict]] = {}
    for doc in docs:
        by_kind.setdefault(doc["kind"], {})[doc["metadata"]["name"]] = doc
    assert "Secret" not in by_kind  # referenced, never committed
    web = by_kind["Deployment"]["marugoto-web"]["spec"]["template"]["spec"]["containers"][0]
    assert web["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert web["readinessProbe"]["httpGet"]["path"] == "/readyz"
    worker = by_kind["Deployment"]["marugoto-worker"]["spec"]["template"]["spec"]["containers"][0]
    assert worker["livenessProbe"]["exec"]["command"][-1] == "alive"
    for deployment in by_kind["Deployment"].values():
        for container in deployment["spec"]["template"]["spec"]["containers"]:
            assert container["resources"]["requests"] and container["resources"]["limits"]
            assert {"secretRef": {"name": "marugoto-secrets"}} in container["envFrom"]
    # A worker holds the model (400-800 MB resident): request at least that much.
    assert int(worker["resources"]["requests"]["memory"].removesuffix("Mi")) >= 800
    job = by_kind["Job"]["marugoto-migrate"]["spec"]["template"]["spec"]["containers"][0]
    assert job["args"] == ["migrate"]
    hpa = by_kind["HorizontalPodAutoscaler"]
    assert hpa["marugoto-web"]["spec"]["metrics"][0]["resource"]["name"] == "cpu"
    assert hpa["marugoto-worker"]["spec"]["metrics"][0]["type"] == "External"
    assert set(by_kind["PodDisruptionBudget"]) == {"marugoto-web", "marugoto-worker"}
    assert "marugoto-web" in by_kind["Service"] and "marugoto" in by_kind["Ingress"]
    assert all(doc["metadata"].get("namespace") == "marugoto" for doc in docs if doc["kind"] != "Namespace")


def test_proxy_forwards_the_webhook_and_console_with_a_body_limit():
    caddyfile = (DEPLOY / "proxy" / "Caddyfile").read_text()
    assert "/callback" in caddyfile and "/console" in caddyfile
    assert "max_size 1MB" in caddyfile and "respond /metrics 404" in caddyfile
