"""The kustomize install: it renders, every object is valid for Kubernetes 1.32, the Deployment is hardened
field by field, and the examples pass our CRD's schema and its CEL rules (evaluated with cel-python at
the node where each rule is declared, as the API server does).
"""

from __future__ import annotations

import copy
import functools
import subprocess
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import celpy
import jsonschema
import kubernetes_validate
import pytest
import yaml
from tests.integration.deploy.kustomize import kubectl_path

from outsystems_okta.api import names, patterns, uri_shapes
from outsystems_okta.api.app_options import SIGN_IN_POLICY_ID
from outsystems_okta.api.constants import GROUP, KIND
from outsystems_okta.cli import parser

REPO = Path(__file__).resolve().parents[3]
DEPLOY = REPO / "deploy"
CRD_FILES = sorted((REPO / "crds").glob("*.yaml"))
KUBERNETES_VERSION = "1.32"
OPERATOR_NAMESPACE = "outsystems-okta-system"
# The Kopf peering the replicas join (`--peering`), an object the overlays ship.
PEERING = "outsystems-okta-operator"
IMAGE = "ghcr.io/outsystems-okta/outsystems-okta-operator"
COMMON_LABELS = {
    "app.kubernetes.io/name": "outsystems-okta-operator",
    "app.kubernetes.io/part-of": "outsystems-okta",
    "app.kubernetes.io/component": "operator",
}
BASE = "deploy/base"
OVERLAYS = ("deploy/overlays/cluster-wide", "deploy/overlays/single-namespace")
TARGETS = (BASE, *OVERLAYS, "deploy/examples")

KUBECTL = kubectl_path()
needs_kubectl = pytest.mark.skipif(KUBECTL is None, reason="kubectl is not installed (kubectl kustomize)")


@functools.cache
def render(target: str) -> tuple[dict[str, Any], ...]:
    assert KUBECTL is not None
    result = subprocess.run(
        [KUBECTL, "kustomize", str(REPO / target)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, f"kubectl kustomize {target} failed:\n{result.stderr}"
    return tuple(doc for doc in yaml.safe_load_all(result.stdout) if doc)


def only(objects: tuple[dict[str, Any], ...], kind: str, name: str | None = None) -> dict[str, Any]:
    found = [o for o in objects if o["kind"] == kind and name in (None, o["metadata"]["name"])]
    assert len(found) == 1, f"expected one {kind} {name or ''}, found {len(found)}"
    return found[0]


def crds() -> list[dict[str, Any]]:
    """Every CRD in crds/: ours and Kopf's two peering resources."""
    documents = [d for path in CRD_FILES for d in yaml.safe_load_all(path.read_text()) if d]
    assert all(d["kind"] == "CustomResourceDefinition" for d in documents)
    return documents


def crd() -> dict[str, Any]:
    """Ours."""
    (document,) = [d for d in crds() if d["spec"]["group"] == GROUP]
    return document


def crd_schema(api_version: str, kind: str = KIND) -> dict[str, Any]:
    group, _, version = api_version.partition("/")
    (definition,) = [d for d in crds() if (d["spec"]["group"], d["spec"]["names"]["kind"]) == (group, kind)]
    (served,) = [v for v in definition["spec"]["versions"] if v["name"] == version]
    schema: dict[str, Any] = served["schema"]["openAPIV3Schema"]
    return schema


# --- validation helpers --------------------------------------------------------------------------------


def without_kubernetes_extensions(node: Any) -> Any:
    """The structural schema as plain JSON Schema: x-kubernetes-* keys dropped."""
    if isinstance(node, dict):
        return {
            k: without_kubernetes_extensions(v) for k, v in node.items() if not k.startswith("x-kubernetes-")
        }
    if isinstance(node, list):
        return [without_kubernetes_extensions(v) for v in node]
    return node


def schema_errors(obj: dict[str, Any]) -> list[str]:
    schema = without_kubernetes_extensions(crd_schema(obj["apiVersion"], obj["kind"]))
    validator = jsonschema.Draft7Validator(schema)
    return [
        f"{'.'.join(str(p) for p in error.absolute_path)}: {error.message}"
        for error in sorted(validator.iter_errors(obj), key=lambda e: list(map(str, e.absolute_path)))
    ]


@functools.cache
def _cel_program(rule: str) -> celpy.Runner:
    environment = celpy.Environment()
    return environment.program(environment.compile(rule))


def cel_rules(schema: dict[str, Any], path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every x-kubernetes-validations rule with the schema path it is declared at."""
    for rule in schema.get("x-kubernetes-validations") or []:
        yield path, rule
    for key, sub in (schema.get("properties") or {}).items():
        yield from cel_rules(sub, f"{path}.{key}" if path else key)
    if isinstance(schema.get("items"), dict):
        yield from cel_rules(schema["items"], f"{path}[*]")
    if isinstance(schema.get("additionalProperties"), dict):
        yield from cel_rules(schema["additionalProperties"], f"{path}[*]")


def cel_violations(schema: dict[str, Any], node: Any, path: str = "") -> list[tuple[str, str]]:
    """(path, message) for each rule that does not hold, `self` bound to the node it is declared on."""
    found: list[tuple[str, str]] = []
    for rule in schema.get("x-kubernetes-validations") or []:
        assert "oldSelf" not in rule["rule"], "transition rules need an old object; extend this helper"
        result = _cel_program(rule["rule"]).evaluate({"self": celpy.json_to_cel(node)})
        if not (isinstance(result, celpy.celtypes.BoolType) and bool(result)):
            found.append((path, rule.get("message") or f"failed rule: {rule['rule']}"))
    if isinstance(node, dict):
        properties = schema.get("properties") or {}
        for key, value in node.items():
            sub = properties.get(key, schema.get("additionalProperties"))
            if isinstance(sub, dict):
                found += cel_violations(sub, value, f"{path}.{key}" if path else key)
    elif isinstance(node, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(node):
            found += cel_violations(schema["items"], item, f"{path}[{index}]")
    return found


def kubernetes_errors(obj: dict[str, Any]) -> list[str]:
    try:
        kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.ValidationError as exc:
        return [f"{'.'.join(str(p) for p in exc.absolute_path)}: {exc.message}"]
    except kubernetes_validate.SchemaNotFoundError as exc:
        return [exc.message]
    return []


def validate(obj: dict[str, Any]) -> list[str]:
    """Errors the API server would report: custom resources by their CRD in crds/, the rest by 1.32."""
    if obj["apiVersion"].split("/")[0] in {d["spec"]["group"] for d in crds()}:
        schema = crd_schema(obj["apiVersion"], obj["kind"])
        # The API server skips CEL rules after a blocking schema error (a missing field, a wrong type...);
        # skipping them after any schema error keeps rules from reading fields that are not there.
        return schema_errors(obj) or [f"{p}: {m}" for p, m in cel_violations(schema, obj)]
    return kubernetes_errors(obj)


PACKAGE_EXAMPLE = REPO / "operator" / "outsystems_okta" / "examples" / "integration.yaml"


def examples() -> list[tuple[str, dict[str, Any]]]:
    paths = [*sorted((DEPLOY / "examples").glob("*.yaml")), PACKAGE_EXAMPLE]
    return [
        (str(path.relative_to(REPO)), document)
        for path in paths
        for document in yaml.safe_load_all(path.read_text())
        if document and document.get("kind") != "Kustomization"
    ]


def integration_example() -> dict[str, Any]:
    return copy.deepcopy(next(d for _, d in examples() if d["kind"] == "OutSystemsOktaIntegration"))


# --- rendering and validity ----------------------------------------------------------------------------


@needs_kubectl
@pytest.mark.parametrize("target", TARGETS)
def test_renders_and_every_object_is_valid_for_kubernetes_1_32(target: str) -> None:
    objects = render(target)
    assert objects
    problems = [f"{o['kind']}/{o['metadata']['name']}: {e}" for o in objects for e in validate(o)]
    assert problems == []


@needs_kubectl
@pytest.mark.parametrize("target", (BASE, *OVERLAYS))
def test_install_contents(target: str) -> None:
    objects = render(target)
    kinds = {o["kind"] for o in objects}
    assert {"Namespace", "CustomResourceDefinition", "ServiceAccount", "Deployment", "Service"} <= kinds
    rendered = {o["metadata"]["name"]: o["spec"] for o in objects if o["kind"] == "CustomResourceDefinition"}
    assert rendered == {d["metadata"]["name"]: d["spec"] for d in crds()}, "the CRDs come from crds/"
    assert only(objects, "Namespace")["metadata"]["name"] == OPERATOR_NAMESPACE
    for obj in objects:
        labels = obj["metadata"].get("labels") or {}
        assert COMMON_LABELS.items() <= labels.items(), f"{obj['kind']} lacks the common labels"
        if obj["kind"] in ("ServiceAccount", "Deployment", "Service"):
            assert obj["metadata"]["namespace"] == OPERATOR_NAMESPACE
    if target == BASE:
        assert not kinds & {"Role", "RoleBinding", "ClusterRoleBinding"}, "operator RBAC lives in overlays"


def test_image_tag_follows_the_project_version() -> None:
    version = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    kustomization = yaml.safe_load((DEPLOY / "base" / "kustomization.yaml").read_text())
    (image,) = [i for i in kustomization["images"] if i["name"] == IMAGE]
    assert image["newTag"] == version


# --- the Deployment, field by field --------------------------------------------------------------------


def _deployment(target: str) -> dict[str, Any]:
    return only(render(target), "Deployment", "outsystems-okta-operator")


@needs_kubectl
@pytest.mark.parametrize("target", (BASE, *OVERLAYS))
def test_deployment_is_hardened(target: str) -> None:
    deployment = _deployment(target)
    spec = deployment["spec"]
    # Two replicas in a peering, one acting; a rollout adds the new pod before it removes an old one.
    assert spec["replicas"] == 2
    assert spec["strategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1},
    }
    assert spec["selector"]["matchLabels"].items() <= spec["template"]["metadata"]["labels"].items()

    pod = spec["template"]["spec"]
    assert pod["serviceAccountName"] == "outsystems-okta-operator"
    assert pod["automountServiceAccountToken"] is True
    assert 10 <= pod["terminationGracePeriodSeconds"] <= 120
    assert "hostNetwork" not in pod and "hostPID" not in pod and "hostIPC" not in pod
    pod_security = pod["securityContext"]
    assert pod_security["runAsNonRoot"] is True
    assert pod_security["runAsUser"] == 65532
    assert pod_security["runAsGroup"] == 65532
    assert pod_security["seccompProfile"] == {"type": "RuntimeDefault"}

    (container,) = pod["containers"]
    assert container["image"].startswith(f"{IMAGE}:") and not container["image"].endswith(":latest")
    security = container["securityContext"]
    assert security["runAsNonRoot"] is True
    assert security["runAsUser"] == 65532
    assert security["runAsGroup"] == 65532
    assert security["readOnlyRootFilesystem"] is True
    assert security["allowPrivilegeEscalation"] is False
    assert security.get("privileged", False) is False
    assert security["capabilities"] == {"drop": ["ALL"]}
    assert security["seccompProfile"] == {"type": "RuntimeDefault"}

    resources = container["resources"]
    assert set(resources["requests"]) == {"cpu", "memory"}
    assert set(resources["limits"]) == {"cpu", "memory"}

    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports == {"healthz": 8080, "metrics": 9090}
    for probe in ("livenessProbe", "readinessProbe"):
        http = container[probe]["httpGet"]
        assert http["path"] == "/healthz" and ports.get(http["port"], http["port"]) == 8080, probe

    (mount,) = container["volumeMounts"]
    assert mount["mountPath"] == "/tmp"
    (volume,) = pod["volumes"]
    assert volume["name"] == mount["name"] and "emptyDir" in volume


@needs_kubectl
@pytest.mark.parametrize("target", (BASE, *OVERLAYS))
def test_deployment_args_are_what_the_cli_accepts_and_match_the_probes(target: str) -> None:
    container = _deployment(target)["spec"]["template"]["spec"]["containers"][0]
    assert "command" not in container, "the image's ENTRYPOINT (outsystems-okta run) stays"
    args = parser().parse_args(["run", *container["args"]])
    assert not args.standalone and args.peering == PEERING
    assert args.priority is None, "each replica's priority comes from its start time"
    # Kopf's name for the replica in the peering object: the pod's.
    (pod_id,) = [e for e in container["env"] if e["name"] == "POD_ID"]
    assert pod_id["valueFrom"] == {"fieldRef": {"fieldPath": "metadata.name"}}
    liveness = urlsplit(args.liveness)
    assert (liveness.hostname, liveness.port, liveness.path) == ("0.0.0.0", 8080, "/healthz")
    assert args.metrics_port == 9090
    if target == BASE:
        assert not args.all_namespaces and not args.namespace, "the overlay chooses the scope"
    elif target.endswith("cluster-wide"):
        assert args.all_namespaces and not args.namespace
    else:
        assert not args.all_namespaces and args.namespace == ["outsystems"]
        role = only(render(target), "Role", "outsystems-okta-operator")
        assert role["metadata"]["namespace"] == "outsystems", "the Role sits in the watched namespace"


@needs_kubectl
@pytest.mark.parametrize("target", (BASE, *OVERLAYS))
def test_the_peering_object_is_the_one_the_replicas_join(target: str) -> None:
    objects = render(target)
    peerings = [o for o in objects if o["apiVersion"] == "kopf.dev/v1"]
    if target == BASE:
        assert peerings == [], "the overlay chooses the scope, so the peering kind"
        return
    (peering,) = peerings
    assert peering["metadata"]["name"] == PEERING
    if target.endswith("cluster-wide"):
        # --all-namespaces: Kopf uses the cluster-scoped kind, and the RBAC grants it.
        assert peering["kind"] == "ClusterKopfPeering" and "namespace" not in peering["metadata"]
        role = only(objects, "ClusterRole", "outsystems-okta-operator")
        resource = "clusterkopfpeerings"
    else:
        # --namespace=outsystems: Kopf looks for a KopfPeering in each watched namespace.
        assert peering["kind"] == "KopfPeering" and peering["metadata"]["namespace"] == "outsystems"
        role = only(objects, "Role", "outsystems-okta-operator")
        assert role["metadata"]["namespace"] == "outsystems"
        resource = "kopfpeerings"
    (rule,) = [r for r in role["rules"] if r["apiGroups"] == ["kopf.dev"]]
    assert rule["resources"] == [resource] and sorted(rule["verbs"]) == ["list", "patch", "watch"]
    # Argo CD syncs it with its CRD: no dry run against a kind the cluster does not know yet.
    annotation = peering["metadata"]["annotations"]["argocd.argoproj.io/sync-options"]
    assert "SkipDryRunOnMissingResource=true" in annotation


@needs_kubectl
@pytest.mark.parametrize("target", (BASE, *OVERLAYS))
def test_the_disruption_budget_keeps_a_replica_through_drains(target: str) -> None:
    budget = only(render(target), "PodDisruptionBudget", "outsystems-okta-operator")
    assert budget["metadata"]["namespace"] == OPERATOR_NAMESPACE
    assert budget["spec"]["maxUnavailable"] == 1 and "minAvailable" not in budget["spec"]
    pod = _deployment(target)["spec"]["template"]
    assert budget["spec"]["selector"]["matchLabels"].items() <= pod["metadata"]["labels"].items()
    assert _deployment(target)["spec"]["replicas"] > budget["spec"]["maxUnavailable"]


@needs_kubectl
@pytest.mark.parametrize("target", (BASE, *OVERLAYS))
def test_metrics_service_selects_the_pod(target: str) -> None:
    objects = render(target)
    service = only(objects, "Service")
    pod = _deployment(target)["spec"]["template"]
    assert service["spec"]["selector"].items() <= pod["metadata"]["labels"].items()
    (port,) = service["spec"]["ports"]
    assert (port["name"], port["port"], port["targetPort"]) == ("metrics", 9090, "metrics")


# --- RBAC, statically (the e2e suite proves the verbs) -------------------------------------------------


@needs_kubectl
@pytest.mark.parametrize("target", OVERLAYS)
def test_bindings_point_at_the_operator_service_account_and_existing_roles(target: str) -> None:
    objects = render(target)
    roles = {(o["kind"], o["metadata"]["name"]) for o in objects if o["kind"] in ("Role", "ClusterRole")}
    bindings = [o for o in objects if o["kind"] in ("RoleBinding", "ClusterRoleBinding")]
    assert bindings
    for binding in bindings:
        assert (binding["roleRef"]["kind"], binding["roleRef"]["name"]) in roles
        assert binding["subjects"] == [
            {"kind": "ServiceAccount", "name": "outsystems-okta-operator", "namespace": OPERATOR_NAMESPACE}
        ]
    for obj in objects:
        for rule in obj.get("rules") or []:
            for key in ("apiGroups", "resources", "verbs"):
                assert "*" not in rule.get(key, []), f"{obj['metadata']['name']}: wildcard {key}"


@needs_kubectl
def test_single_namespace_grants_no_cluster_wide_secret_access() -> None:
    objects = render("deploy/overlays/single-namespace")
    bound = {b["roleRef"]["name"] for b in objects if b["kind"] == "ClusterRoleBinding"}
    for role in (o for o in objects if o["kind"] == "ClusterRole" and o["metadata"]["name"] in bound):
        for rule in role["rules"]:
            assert "secrets" not in rule["resources"], role["metadata"]["name"]
            assert set(rule["verbs"]) <= {"get", "list", "watch"}, "cluster-wide: reads only"


@needs_kubectl
def test_user_roles_aggregate_into_the_built_in_roles() -> None:
    objects = render(BASE)
    edit = only(objects, "ClusterRole", "outsystems-okta-integrations-edit")
    view = only(objects, "ClusterRole", "outsystems-okta-integrations-view")
    assert edit["metadata"]["labels"]["rbac.authorization.k8s.io/aggregate-to-admin"] == "true"
    assert edit["metadata"]["labels"]["rbac.authorization.k8s.io/aggregate-to-edit"] == "true"
    assert view["metadata"]["labels"]["rbac.authorization.k8s.io/aggregate-to-view"] == "true"
    for role in (edit, view):
        for rule in role["rules"]:
            assert rule["apiGroups"] == ["okta.outsystems.dev"]
            if "outsystemsoktaintegrations/status" in rule["resources"]:
                assert set(rule["verbs"]) <= {"get", "list", "watch"}, "status is the operator's to write"
    assert {v for r in view["rules"] for v in r["verbs"]} == {"get", "list", "watch"}


# --- the examples, by our CRD --------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "document"), examples(), ids=lambda v: v if isinstance(v, str) else "")
def test_examples_are_valid(path: str, document: dict[str, Any]) -> None:
    assert validate(document) == [], path


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda s: s.pop("environments"), "environments"),
        (lambda s: s["okta"].update(orgUrl="http://acme.okta.com"), "okta.orgUrl"),
        (lambda s: s["environments"][0].update(name="Dev"), "environments[0].name"),
        (lambda s: s.update(deletionPolicy="Keep"), "deletionPolicy"),
        (lambda s: s["access"].update(groups=[""]), "access.groups"),
    ],
    ids=["no-environments", "plain-http-org", "uppercase-name", "unknown-policy", "empty-group"],
)
def test_schema_rejects_bad_specs(change: Any, where: str) -> None:
    obj = integration_example()
    change(obj["spec"])
    errors = validate(obj)  # the schema, then its CEL rules (shaped strings are checked by CEL)
    assert any(e.startswith(f"spec.{where}") or (e.startswith("spec:") and where in e) for e in errors), (
        errors
    )


# --- CEL rules, where they are declared ----------------------------------------------------------------


def test_the_crd_declares_the_expected_cel_rules_and_they_compile() -> None:
    rules = {(path, rule["message"]) for path, rule in cel_rules(crd_schema(crd_apiversion()))}
    assert rules == {
        ("spec", "the LifeTime hostname must not be listed again among environments"),
        ("spec.environments", "environment hostnames must be unique"),
        # Shaped strings: a plain-words message each (tests/unit/api/test_crd.py checks the wording).
        ("spec.okta.orgUrl", patterns.ORG_URL.message),
        ("spec.okta.orgUrl", patterns.admin_console_message()),
        ("spec.okta.authorizationServerId", patterns.AUTH_SERVER_ID.message),
        ("spec.okta.credentialsSecretRef.name", patterns.SECRET_NAME.message),
        ("spec.okta.credentialsSecretRef.key", patterns.SECRET_KEY.message),
        ("spec.lifetime.hostname", patterns.HOSTNAME.message),
        ("spec.environments[*].name", patterns.ENV_NAME.message),
        ("spec.environments[*].hostname", patterns.HOSTNAME.message),
        ("spec.secretName", patterns.SECRET_NAME.message),
        ("spec.adopt", "name the app to adopt: consolesAppId, developmentToolsAppId or both"),
        ("spec.adopt", "consolesAppId and developmentToolsAppId must name two different Okta apps"),
        ("spec.adopt.consolesAppId", patterns.APP_ID.message),
        ("spec.adopt.developmentToolsAppId", patterns.APP_ID.message),
        ("spec.okta.signInPolicyId", SIGN_IN_POLICY_ID.message),
        ("spec.appLabels.consoles", patterns.APP_LABEL.message),
        ("spec.appLabels.developmentTools", patterns.APP_LABEL.message),
        ("spec.access.groups[*]", patterns.GROUP_NAME.message),
        # At the root, where metadata.name is visible (api/names.py).
        ("", names.NAME_TOO_LONG),
        ("", names.SECRET_IS_CREDENTIALS),
        *(
            rule
            for field in ("extraRedirectUris", "extraPostLogoutRedirectUris")
            for rule in (
                (f"spec.{field}.consoles[*]", uri_shapes.WEB_URI.message),
                (f"spec.{field}.developmentTools[*]", uri_shapes.NATIVE_URI.message),
                (f"spec.{field}.developmentTools[*]", uri_shapes.NATIVE_HTTP_MESSAGE),
            )
        ),
    }
    for _, rule in cel_rules(crd_schema(crd_apiversion())):
        _cel_program(rule["rule"])


def crd_apiversion() -> str:
    definition = crd()
    (storage,) = [v["name"] for v in definition["spec"]["versions"] if v["storage"]]
    return f"{definition['spec']['group']}/{storage}"


def test_cel_accepts_a_good_resource() -> None:
    obj = integration_example()
    assert cel_violations(crd_schema(obj["apiVersion"]), obj) == []


def test_cel_rejects_duplicate_environment_hostnames() -> None:
    obj = integration_example()
    obj["spec"]["environments"][1]["hostname"] = obj["spec"]["environments"][0]["hostname"]
    assert schema_errors(obj) == [], "only CEL can see this one"
    assert cel_violations(crd_schema(obj["apiVersion"]), obj) == [
        ("spec.environments", "environment hostnames must be unique")
    ]


def test_cel_rejects_the_lifetime_hostname_among_environments() -> None:
    obj = integration_example()
    obj["spec"]["environments"].append({"name": "lt", "hostname": obj["spec"]["lifetime"]["hostname"]})
    assert schema_errors(obj) == [], "only CEL can see this one"
    assert cel_violations(crd_schema(obj["apiVersion"]), obj) == [
        ("spec", "the LifeTime hostname must not be listed again among environments")
    ]


def test_cel_reports_both_rules_at_their_own_level() -> None:
    obj = integration_example()
    lifetime = obj["spec"]["lifetime"]["hostname"]
    obj["spec"]["environments"] = [{"name": "a", "hostname": lifetime}, {"name": "b", "hostname": lifetime}]
    assert sorted(cel_violations(crd_schema(obj["apiVersion"]), obj)) == [
        ("spec", "the LifeTime hostname must not be listed again among environments"),
        ("spec.environments", "environment hostnames must be unique"),
    ]
