"""What pollwatch asks of the rendered manifests, for both overlays, beyond schema validity."""

from __future__ import annotations

import re
from typing import Any

import pytest

from services.aggregator.domain.rule_config import profiles as rule_profiles
from services.aggregator.settings import AggregatorSettings
from services.common.contracts import topics
from services.common.infra.settings import SharedSettings
from services.messenger.settings import MessengerSettings
from tests.integration.deploy.conftest import OVERLAYS, ROOT, Manifest, find, one

pytestmark = pytest.mark.timeout(1200)

PORTS = {"ingest": 8081, "aggregator": 8082, "api": 8080, "messenger": 8083}
SECRET_NAME = re.compile(r"SECRET|PASSWORD|TOKEN|DATABASE_URL|_KEY$")
Rendered = dict[str, list[Manifest]]


def _workloads(docs: list[Manifest]) -> dict[str, Manifest]:
    out = {}
    for d in docs:
        if d["kind"] in ("Deployment", "StatefulSet") and d["metadata"]["name"].startswith("pollwatch-"):
            out[d["metadata"]["name"].removeprefix("pollwatch-")] = d
    return out


def _env(container: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["name"]: e for e in container.get("env", [])}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_ingest_and_api_are_autoscaled_deployments_and_the_aggregator_a_statefulset(
    rendered: Rendered, overlay: str
) -> None:
    docs = rendered[overlay]
    w = _workloads(docs)
    assert {k: v["kind"] for k, v in w.items()} == {
        "ingest": "Deployment",
        "api": "Deployment",
        "aggregator": "StatefulSet",
        "messenger": "Deployment",
    }
    for service in ("ingest", "api"):
        hpa = one(docs, "HorizontalPodAutoscaler", f"pollwatch-{service}")
        assert hpa["spec"]["scaleTargetRef"] == {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "name": f"pollwatch-{service}",
        }
        assert 1 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
    for service in PORTS:
        pdb = one(docs, "PodDisruptionBudget", f"pollwatch-{service}")
        assert pdb["spec"]["selector"]["matchLabels"] == {"app.kubernetes.io/name": f"pollwatch-{service}"}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_aggregator_workers_never_outnumber_report_partitions(rendered: Rendered, overlay: str) -> None:
    sts = _workloads(rendered[overlay])["aggregator"]
    assert 1 <= sts["spec"]["replicas"] <= topics.REPORTS.partitions
    assert not find(rendered[overlay], "HorizontalPodAutoscaler", "pollwatch-aggregator")
    # Its state lives on a per-pod volume at AGGREGATOR_DATA_DIR.
    (claim,) = sts["spec"]["volumeClaimTemplates"]
    container = sts["spec"]["template"]["spec"]["containers"][0]
    data_dir = _env(container)["AGGREGATOR_DATA_DIR"]["value"]
    assert {"name": claim["metadata"]["name"], "mountPath": data_dir} in container["volumeMounts"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_containers_are_probed_sized_and_locked_down(rendered: Rendered, overlay: str) -> None:
    workloads = _workloads(rendered[overlay])
    assert set(workloads) == set(PORTS)
    for service, workload in workloads.items():
        pod = workload["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["runAsUser"] != 0
        assert pod["automountServiceAccountToken"] is False
        tmp = next(v for v in pod["volumes"] if v["name"] == "tmp")
        assert "emptyDir" in tmp
        for c in pod["containers"] + pod.get("initContainers", []):
            sc = c["securityContext"]
            assert sc["readOnlyRootFilesystem"] is True, (service, c["name"])
            assert sc["allowPrivilegeEscalation"] is False
            assert sc["capabilities"]["drop"] == ["ALL"]
            assert {"name": "tmp", "mountPath": "/tmp"} in c["volumeMounts"]
            assert set(c["resources"]["requests"]) == set(c["resources"]["limits"]) == {"cpu", "memory"}
        (main,) = pod["containers"]
        assert main["args"] == [service]
        assert main["ports"] == [{"name": "http", "containerPort": PORTS[service]}]
        assert main["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
        assert main["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
        env = _env(main)
        prefix = service.upper()
        assert env[f"{prefix}_HOST"]["value"] == "0.0.0.0"
        assert env[f"{prefix}_PORT"]["value"] == str(PORTS[service])
        assert [c["args"] for c in pod["initContainers"]] == [["migrate"]]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_secrets_are_referenced_never_inlined(rendered: Rendered, overlay: str) -> None:
    docs = rendered[overlay]
    assert not find(docs, "Secret")
    config = one(docs, "ConfigMap", _config_name(docs))
    assert not any(SECRET_NAME.search(k) for k in config["data"])
    for workload in _workloads(docs).values():
        pod = workload["spec"]["template"]["spec"]
        for c in pod["containers"] + pod.get("initContainers", []):
            for name, entry in _env(c).items():
                if SECRET_NAME.search(name):
                    assert "value" not in entry, name
                    assert "secretKeyRef" in entry["valueFrom"], name
            db = _env(c)["POLLWATCH_DATABASE_URL"]["valueFrom"]["secretKeyRef"]
            assert db == {"name": "pollwatch-db-app", "key": "uri"}  # the CNPG app secret


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_only_ingest_and_api_are_reachable_from_outside(rendered: Rendered, overlay: str) -> None:
    policies = find(rendered[overlay], "NetworkPolicy")
    open_to_all = set()
    for p in policies:
        for rule in p["spec"].get("ingress", []):
            if "from" not in rule:
                open_to_all.add(p["spec"]["podSelector"]["matchLabels"].get("app.kubernetes.io/name"))
    assert open_to_all == {"pollwatch-ingest", "pollwatch-api"}
    deny = one(rendered[overlay], "NetworkPolicy", "default-deny-ingress")
    assert deny["spec"]["policyTypes"] == ["Ingress"]
    assert "ingress" not in deny["spec"]
    db = one(rendered[overlay], "NetworkPolicy", "pollwatch-db")
    assert db["spec"]["podSelector"]["matchLabels"] == {"cnpg.io/cluster": "pollwatch-db"}
    clients = db["spec"]["ingress"][0]["from"][0]["podSelector"]["matchLabels"]
    assert clients == {"app.kubernetes.io/part-of": "pollwatch", "pollwatch.io/db-client": "true"}
    for rule in db["spec"]["ingress"]:
        assert rule.get("from"), "PostgreSQL must never be open to every source"
    # Every pod that talks to PostgreSQL carries the client label the policy admits.
    for workload in _workloads(rendered[overlay]).values():
        labels = workload["spec"]["template"]["metadata"]["labels"]
        assert all(labels.get(k) == v for k, v in clients.items())


@pytest.mark.parametrize(("overlay", "nodes", "replication"), [("dev", 1, 1), ("prod", 3, 3)])
def test_kafka_is_kraft_with_node_pools_and_topics_from_the_registry(
    rendered: Rendered, overlay: str, nodes: int, replication: int
) -> None:
    docs = rendered[overlay]
    kafka = one(docs, "Kafka", "pollwatch")
    assert kafka["apiVersion"] == "kafka.strimzi.io/v1beta2"
    assert kafka["metadata"]["annotations"] == {
        "strimzi.io/node-pools": "enabled",
        "strimzi.io/kraft": "enabled",
    }
    assert "zookeeper" not in kafka["spec"]
    assert kafka["spec"]["kafka"]["version"].startswith("4.1")
    assert kafka["spec"]["kafka"]["config"]["auto.create.topics.enable"] is False
    assert kafka["spec"]["kafka"]["config"]["default.replication.factor"] == replication
    pools = {p["metadata"]["name"]: p for p in find(docs, "KafkaNodePool")}
    assert {n: p["spec"]["roles"] for n, p in pools.items()} == {
        "controllers": ["controller"],
        "brokers": ["broker"],
    }
    assert all(p["spec"]["replicas"] == nodes for p in pools.values())
    assert all(p["metadata"]["labels"]["strimzi.io/cluster"] == "pollwatch" for p in pools.values())
    if overlay == "prod":
        assert kafka["spec"]["kafka"]["rack"] == {"topologyKey": "topology.kubernetes.io/zone"}
        assert kafka["spec"]["kafka"]["config"]["min.insync.replicas"] == 2
    kafka_topics = {t["spec"]["topicName"]: t["spec"] for t in find(docs, "KafkaTopic")}
    assert sorted(kafka_topics) == sorted(t.name for t in topics.ALL)
    for topic in topics.ALL:
        spec = kafka_topics[topic.name]
        assert (spec["partitions"], spec["replicas"], spec["config"]) == (
            topic.partitions,
            replication,
            topic.configs(),
        )
    bootstrap = one(docs, "ConfigMap", _config_name(docs))["data"]["POLLWATCH_KAFKA_BOOTSTRAP"]
    assert bootstrap == "pollwatch-kafka-bootstrap:9092"  # Strimzi's bootstrap Service for "pollwatch"


@pytest.mark.parametrize(("overlay", "replication"), [("dev", 1), ("prod", 3)])
def test_the_aggregators_own_topics_are_replicated_like_the_clusters(
    rendered: Rendered, overlay: str, replication: int
) -> None:
    """Faust creates its changelog topics itself: their replication comes from the aggregator's env."""
    docs = rendered[overlay]
    pod = _workloads(docs)["aggregator"]["spec"]["template"]["spec"]
    container = next(c for c in pod["containers"] if c["name"] == "aggregator")
    configured = _env(container).get("AGGREGATOR_TOPIC_REPLICATION_FACTOR", {}).get("value")
    default = AggregatorSettings.model_fields["topic_replication_factor"].default
    factor = int(configured) if configured is not None else default
    assert factor == replication
    kafka = one(docs, "Kafka", "pollwatch")["spec"]["kafka"]["config"]
    assert factor == kafka["default.replication.factor"]
    brokers = one(docs, "KafkaNodePool", "brokers")["spec"]["replicas"]
    assert factor <= brokers


def _config_name(docs: list[Manifest]) -> str:
    return next(
        str(d["metadata"]["name"])
        for d in docs
        if d["kind"] == "ConfigMap" and d["metadata"]["name"].startswith("pollwatch-config")
    )


@pytest.mark.parametrize(("overlay", "instances"), [("dev", 1), ("prod", 3)])
def test_postgresql_is_a_cloudnativepg_cluster(rendered: Rendered, overlay: str, instances: int) -> None:
    docs = rendered[overlay]
    cluster = one(docs, "Cluster", "pollwatch-db")
    assert cluster["spec"]["instances"] == instances
    assert cluster["spec"]["bootstrap"]["initdb"] == {"database": "pollwatch", "owner": "pollwatch"}
    if overlay == "prod":
        store = cluster["spec"]["backup"]["barmanObjectStore"]
        creds = store["s3Credentials"]
        assert {c["name"] for c in creds.values()} == {"pollwatch-backup-s3"}
        backup = one(docs, "ScheduledBackup", "pollwatch-db-daily")
        assert backup["spec"]["cluster"] == {"name": "pollwatch-db"}
    else:
        assert "backup" not in cluster["spec"]
        assert not find(docs, "ScheduledBackup")


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_monitoring_and_the_rules_configmap(rendered: Rendered, overlay: str) -> None:
    docs = rendered[overlay]
    (monitor,) = find(docs, "ServiceMonitor")
    selector = monitor["spec"]["selector"]["matchLabels"]
    scraped = {
        d["metadata"]["name"]
        for d in find(docs, "Service")
        if all(d["metadata"].get("labels", {}).get(k) == v for k, v in selector.items())
    }
    assert scraped == {"pollwatch-ingest", "pollwatch-api", "pollwatch-aggregator", "pollwatch-messenger"}
    assert monitor["spec"]["endpoints"][0]["path"] == "/metrics"
    assert find(docs, "PrometheusRule")
    rules_cm = next(
        d for d in find(docs, "ConfigMap") if d["metadata"]["name"].startswith("pollwatch-aggregator-rules")
    )
    rules_dir = ROOT / "services/aggregator/rules"
    # Every rules profile; checklists.yaml is not one (it ships with the code, every profile uses it).
    assert rules_cm["data"] == {
        f"{n}.yaml": (rules_dir / f"{n}.yaml").read_text() for n in rule_profiles(rules_dir)
    }
    sts = _workloads(docs)["aggregator"]["spec"]["template"]["spec"]
    volume = next(v for v in sts["volumes"] if v["name"] == "rules")
    assert volume["configMap"]["name"] == rules_cm["metadata"]["name"]  # hashed name follows content
    (container,) = sts["containers"]
    env = _env(container)
    mount = next(m for m in container["volumeMounts"] if m["name"] == "rules")
    assert env["AGGREGATOR_RULES_DIR"]["value"] == mount["mountPath"]
    assert f"{env['AGGREGATOR_RULES_PROFILE']['value']}.yaml" in rules_cm["data"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_messenger_starts_with_its_settings_and_takes_callbacks_through_the_ingress(
    rendered: Rendered, overlay: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = rendered[overlay]
    deployment = _workloads(docs)["messenger"]
    assert not find(docs, "HorizontalPodAutoscaler", "pollwatch-messenger")  # the gateway's rate bounds it
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    # The environment the pod gets, secrets standing in, is one MessengerSettings accepts (in
    # production too: the overlay's POLLWATCH_ENVIRONMENT).
    env: dict[str, str] = {}
    for source in container["envFrom"]:
        env |= one(docs, "ConfigMap", source["configMapRef"]["name"])["data"]
    for name, entry in _env(container).items():
        env[name] = entry.get("value", "placeholder-secret")
    assert env["POLLWATCH_ENVIRONMENT"] == ("production" if overlay == "prod" else "development")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = MessengerSettings(shared=SharedSettings())
    assert settings.port == PORTS["messenger"]
    assert settings.gateway.value == env["MESSENGER_GATEWAY"]
    # The gateways' callbacks reach it through the ingress host of MESSENGER_PUBLIC_URL, and
    # only the ingress controller and Prometheus reach its pods.
    (ingress,) = find(docs, "Ingress")
    host = str(settings.public_url.host)
    rule = next(r for r in ingress["spec"]["rules"] if r["host"] == host)
    status = next(p for p in rule["http"]["paths"] if p["path"] == "/v1/status/")
    assert status["backend"]["service"]["name"] == "pollwatch-messenger"
    policy = one(docs, "NetworkPolicy", "pollwatch-messenger-callbacks")
    (allowed,) = policy["spec"]["ingress"]
    namespaces = {
        p["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"] for p in allowed["from"]
    }
    assert namespaces == {"ingress-nginx", "monitoring"}
    assert allowed["ports"] == [{"protocol": "TCP", "port": PORTS["messenger"]}]
