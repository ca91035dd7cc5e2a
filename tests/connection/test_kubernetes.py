"""The Kubernetes manifests (deploy/kubernetes/) are valid against Kubernetes' own
schemas, probe URLs Hearth serves (the cheap liveness, the deep readiness), run
workers over every Celery queue between them, and run one beat."""

from pathlib import Path

import kubernetes_validate
import pytest
import yaml
from django.conf import settings
from django.urls import resolve

FOLDER = Path(__file__).resolve().parents[2] / "deploy" / "kubernetes"
KUBERNETES = "1.33"


def _documents() -> list[dict]:
    return [
        doc
        for path in sorted(FOLDER.glob("*.yaml"))
        for doc in yaml.safe_load_all(path.read_text())
        if doc
    ]


def _containers(kind: str | None = None) -> list[dict]:
    return [
        container
        for doc in _documents()
        if doc["kind"] in ("Deployment", "Job") and (kind is None or doc["kind"] == kind)
        for container in doc["spec"]["template"]["spec"]["containers"]
    ]


@pytest.mark.parametrize("doc", _documents(), ids=lambda d: f"{d['kind']}/{d['metadata']['name']}")
def test_every_manifest_is_valid_kubernetes(doc):
    kubernetes_validate.validate(doc, KUBERNETES, strict=True)


def test_the_manifests_are_read():
    kinds = sorted(doc["kind"] for doc in _documents())
    assert kinds == ["Deployment"] * 4 + ["Job", "Secret", "Service"]


def test_web_probes_the_cheap_liveness_and_the_deep_readiness():
    [web] = [c for c in _containers() if c["name"] == "web"]
    assert resolve(web["livenessProbe"]["httpGet"]["path"]).url_name == "healthz"
    assert resolve(web["readinessProbe"]["httpGet"]["path"]).url_name == "readyz"


def test_the_workers_consume_every_queue_and_one_beat_runs():
    queues = []
    for container in _containers("Deployment"):
        command = container["command"]
        if "worker" in command:
            queues += command[command.index("-Q") + 1].split(",")
    assert sorted(queues) == sorted(settings.HEARTH_CELERY_QUEUES)
    beats = [doc for doc in _documents() if doc["metadata"]["name"] == "hearth-beat"]
    assert [(d["spec"]["replicas"], d["spec"]["strategy"]["type"]) for d in beats] == [
        (1, "Recreate")
    ]
