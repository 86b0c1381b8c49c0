"""CRD validation rules (`x-kubernetes-validations`) in the emulator: evaluated where declared, on create
and update, answered as kube-apiserver answers them (`<path>: Invalid value: "<schema type>": <message>`),
and our own CRD's rules as `kubectl apply` shows them to a user."""

from __future__ import annotations

import copy
import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

REPO = Path(__file__).resolve().parents[3]
CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
MERGE = {"Content-Type": "application/merge-patch+json"}
GROUP = "cel.example.com"
GADGETS = f"/apis/{GROUP}/v1/namespaces/default/gadgets"
NOT_CHECKED = (
    '<nil>: Invalid value: "null": some validation rules were not checked because the object was '
    "invalid; correct the existing errors to complete validation"
)


def rules(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"rule": rule, "message": message} for rule, message in pairs]


GADGET_SCHEMA: dict[str, Any] = {
    "type": "object",
    "x-kubernetes-validations": rules(("self.metadata.name.startsWith('g')", "names start with g")),
    "properties": {
        "spec": {
            "type": "object",
            "x-kubernetes-validations": [
                *rules(
                    ("!has(self.min) || !has(self.max) || self.min <= self.max", "min must not exceed max")
                ),
                {"rule": "!has(self.max) || self.max != 101", "message": "", "fieldPath": ".max"},
            ],
            "properties": {
                "host": {
                    "type": "string",
                    "maxLength": 20,
                    "x-kubernetes-validations": rules(
                        ("self.matches('^[a-z.]+$')", "  must be a plain host  ")
                    ),
                },
                "min": {"type": "integer"},
                "max": {"type": "integer", "x-kubernetes-validations": [{"rule": "self != 13"}]},
                "mode": {
                    "type": "string",
                    "enum": ["a", "b"],
                    "x-kubernetes-validations": rules(("self == oldSelf", "mode is immutable")),
                },
                "ports": {
                    "type": "array",
                    "maxItems": 5,
                    "items": {
                        "type": "integer",
                        "x-kubernetes-validations": rules(("self > 0", "ports are positive")),
                    },
                    "x-kubernetes-validations": rules(
                        ("self.all(p, self.filter(q, q == p).size() == 1)", "ports must be unique"),
                        ("size(self) > 0", "at least one port"),
                    ),
                },
                "members": {
                    "type": "array",
                    "maxItems": 5,
                    "x-kubernetes-list-type": "map",
                    "x-kubernetes-list-map-keys": ["name"],
                    "items": {
                        "type": "object",
                        "required": ["name"],
                        "properties": {
                            "name": {"type": "string", "maxLength": 10},
                            "role": {
                                "type": "string",
                                "maxLength": 10,
                                "x-kubernetes-validations": rules(
                                    ("self == oldSelf", "a member keeps its role")
                                ),
                            },
                        },
                    },
                },
                "labels": {
                    "type": "object",
                    "maxProperties": 5,
                    "additionalProperties": {
                        "type": "string",
                        "maxLength": 10,
                        "x-kubernetes-validations": [
                            {"rule": "self != ''", "message": "empty label", "reason": "FieldValueRequired"},
                            {"rule": "self != 'x'", "message": "no x", "reason": "FieldValueForbidden"},
                            {"rule": "self != 'dup'", "message": "dup", "reason": "FieldValueDuplicate"},
                        ],
                    },
                },
                "named": {
                    "type": "string",
                    "maxLength": 10,
                    "x-kubernetes-validations": [
                        {
                            "rule": "self.size() < 5",
                            "message": "too long",
                            "messageExpression": "'is ' + string(self.size()) + ' characters, at most 4'",
                        }
                    ],
                },
                "nested": {
                    "type": "object",
                    "x-kubernetes-validations": rules(("self.a == 1", "a must be 1")),
                    "properties": {"a": {"type": "integer"}},
                },
            },
        },
        "status": {
            "type": "object",
            "properties": {
                "phase": {
                    "type": "string",
                    "maxLength": 10,
                    "x-kubernetes-validations": rules(("self != 'Bad'", "phase Bad is not a phase")),
                }
            },
        },
    },
}

GADGET_CRD: dict[str, Any] = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": f"gadgets.{GROUP}"},
    "spec": {
        "group": GROUP,
        "scope": "Namespaced",
        "names": {"plural": "gadgets", "singular": "gadget", "kind": "Gadget"},
        "versions": [
            {
                "name": "v1",
                "served": True,
                "storage": True,
                "subresources": {"status": {}},
                "schema": {"openAPIV3Schema": GADGET_SCHEMA},
            }
        ],
    },
}


def gadget(name: str = "g1", **spec: Any) -> dict[str, Any]:
    return {"apiVersion": f"{GROUP}/v1", "kind": "Gadget", "metadata": {"name": name}, "spec": spec}


@pytest.fixture
def gadgets(http: httpx.Client) -> httpx.Client:
    response = http.post(CRDS, json=copy.deepcopy(GADGET_CRD))
    assert response.status_code == 201, response.text
    return http


def refusal(response: httpx.Response, name: str = "g1") -> list[str]:
    """The field errors of a 422, checked to be the Status shape kube-apiserver answers."""
    assert response.status_code == 422, response.text
    status = response.json()
    assert (status["kind"], status["reason"], status["code"]) == ("Status", "Invalid", 422)
    causes = status["details"]["causes"]
    messages = [f"{cause['field']}: {cause['message']}" for cause in causes]
    aggregate = messages[0] if len(messages) == 1 else f"[{', '.join(messages)}]"
    assert status["message"] == f'Gadget.{GROUP} "{name}" is invalid: {aggregate}'
    return messages


# --- where rules run and what a failure says --------------------------------------------------------


def test_a_valid_gadget_passes_every_rule(gadgets: httpx.Client) -> None:
    body = gadget(host="a.b", min=1, max=2, mode="a", ports=[1, 2], members=[{"name": "m", "role": "r"}])
    body["spec"].update(labels={"k": "v"}, named="abc", nested={"a": 1})
    assert gadgets.post(GADGETS, json=body).status_code == 201


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"host": "A_B"}, ['spec.host: Invalid value: "string": must be a plain host']),
        ({"min": 3, "max": 2}, ['spec: Invalid value: "object": min must not exceed max']),
        ({"max": 13}, ['spec.max: Invalid value: "integer": failed rule: self != 13']),
        ({"max": 101}, ['spec.max: Invalid value: "object": failed rule: !has(self.max) || self.max != 101']),
        ({"ports": [1, 0]}, ['spec.ports[1]: Invalid value: "integer": ports are positive']),
        ({"ports": [3, 3]}, ['spec.ports: Invalid value: "array": ports must be unique']),
        ({"ports": []}, ['spec.ports: Invalid value: "array": at least one port']),
        ({"labels": {"k": ""}}, ["spec.labels[k]: Required value: empty label"]),
        ({"labels": {"k": "x"}}, ["spec.labels[k]: Forbidden: no x"]),
        ({"labels": {"k": "dup"}}, ['spec.labels[k]: Duplicate value: "string"']),
        ({"named": "abcdef"}, ['spec.named: Invalid value: "string": is 6 characters, at most 4']),
        (
            {"nested": {}},
            ['spec.nested: Invalid value: "object": no such key: a evaluating rule: a must be 1'],
        ),
    ],
    ids=[
        "string-matches",
        "object-cross-field",
        "default-message",
        "field-path",
        "list-items",
        "list-all",
        "list-size",
        "reason-required",
        "reason-forbidden",
        "reason-duplicate",
        "message-expression",
        "evaluation-error",
    ],
)
def test_a_broken_rule_is_reported_at_its_node(
    gadgets: httpx.Client, spec: dict[str, Any], expected: list[str]
) -> None:
    assert refusal(gadgets.post(GADGETS, json=gadget(**spec))) == expected


def test_rules_at_the_root_see_the_name(gadgets: httpx.Client) -> None:
    assert refusal(gadgets.post(GADGETS, json=gadget("h1")), "h1") == [
        '<nil>: Invalid value: "object": names start with g'
    ]


def test_every_broken_rule_is_listed(gadgets: httpx.Client) -> None:
    messages = refusal(gadgets.post(GADGETS, json=gadget(host="A", min=2, max=1, ports=[0])))
    assert sorted(messages) == [
        'spec.host: Invalid value: "string": must be a plain host',
        'spec.ports[0]: Invalid value: "integer": ports are positive',
        'spec: Invalid value: "object": min must not exceed max',
    ]


def test_schema_errors_that_block_cel_replace_it_with_one_notice(gadgets: httpx.Client) -> None:
    # Too long is "blocking": the API server does not evaluate any rule then (hasBlockingErr).
    messages = refusal(gadgets.post(GADGETS, json=gadget(host="a" * 21, min=2, max=1)))
    assert messages == ["spec.host: Too long: may not be more than 20 bytes", NOT_CHECKED]
    causes = gadgets.post(GADGETS, json=gadget(host="a" * 21)).json()["details"]["causes"]
    assert causes[-1]["field"] == "<nil>" and causes[-1]["reason"] == "FieldValueInvalid"


def test_updates_and_patches_are_checked_and_nothing_is_stored(gadgets: httpx.Client) -> None:
    assert gadgets.post(GADGETS, json=gadget(host="a.b")).status_code == 201
    patched = gadgets.patch(f"{GADGETS}/g1", json={"spec": {"host": "A"}}, headers=MERGE)
    assert refusal(patched) == ['spec.host: Invalid value: "string": must be a plain host']
    current = gadgets.get(f"{GADGETS}/g1").json()
    current["spec"]["min"], current["spec"]["max"] = 5, 4
    assert refusal(gadgets.put(f"{GADGETS}/g1", json=current)) == [
        'spec: Invalid value: "object": min must not exceed max'
    ]
    assert gadgets.get(f"{GADGETS}/g1").json()["spec"] == {"host": "a.b"}


# --- transition rules (oldSelf) ---------------------------------------------------------------------


def test_transition_rules_run_on_update_only(gadgets: httpx.Client) -> None:
    assert gadgets.post(GADGETS, json=gadget(mode="a")).status_code == 201, "no old value on create"
    patched = gadgets.patch(f"{GADGETS}/g1", json={"spec": {"mode": "b"}}, headers=MERGE)
    assert refusal(patched) == ['spec.mode: Invalid value: "string": mode is immutable']
    assert gadgets.patch(f"{GADGETS}/g1", json={"spec": {"host": "a"}}, headers=MERGE).status_code == 200


def test_transition_rules_correlate_map_list_items_by_key(gadgets: httpx.Client) -> None:
    members = [{"name": "ann", "role": "dev"}, {"name": "bob", "role": "ops"}]
    assert gadgets.post(GADGETS, json=gadget(members=members)).status_code == 201
    # Reordered and a new member: each item is compared with the old item of the same name only.
    reordered = [{"name": "cid", "role": "qa"}, members[1], members[0]]
    patched = gadgets.patch(f"{GADGETS}/g1", json={"spec": {"members": reordered}}, headers=MERGE)
    assert patched.status_code == 200, patched.text
    changed = [{"name": "cid", "role": "qa"}, {"name": "bob", "role": "dev"}, members[0]]
    patched = gadgets.patch(f"{GADGETS}/g1", json={"spec": {"members": changed}}, headers=MERGE)
    assert refusal(patched) == ['spec.members[1].role: Invalid value: "string": a member keeps its role']


# --- the status subresource -------------------------------------------------------------------------


def test_status_writes_check_the_status_rules(gadgets: httpx.Client) -> None:
    assert gadgets.post(GADGETS, json=gadget()).status_code == 201
    ok = gadgets.patch(f"{GADGETS}/g1/status", json={"status": {"phase": "Ready"}}, headers=MERGE)
    assert ok.status_code == 200
    bad = gadgets.patch(f"{GADGETS}/g1/status", json={"status": {"phase": "Bad"}}, headers=MERGE)
    assert refusal(bad) == ['status.phase: Invalid value: "string": phase Bad is not a phase']


# --- the CRD itself ---------------------------------------------------------------------------------


def test_a_crd_whose_rule_does_not_compile_is_refused(http: httpx.Client) -> None:
    crd = copy.deepcopy(GADGET_CRD)
    spec = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]
    spec["properties"]["host"]["x-kubernetes-validations"] = rules(("self.matches(", "broken"))
    response = http.post(CRDS, json=crd)
    assert response.status_code == 422, response.text
    (cause,) = response.json()["details"]["causes"]
    assert cause["field"] == (
        "spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[host]"
        ".x-kubernetes-validations[0].rule"
    )
    assert "compilation failed" in cause["message"]


def test_a_rule_using_a_function_the_sandbox_lacks_fails_loudly(http: httpx.Client) -> None:
    crd = copy.deepcopy(GADGET_CRD)
    spec = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]
    spec["properties"]["host"]["x-kubernetes-validations"] = rules(("self.lowerAscii() == self", "lower"))
    assert http.post(CRDS, json=crd).status_code == 201
    response = http.post(GADGETS, json=gadget(host="a"))
    assert response.status_code == 500
    assert "lowerAscii" in response.json()["message"]


# --- our CRD: what a user who makes a typical mistake is told ---------------------------------------

INTEGRATIONS = "/apis/okta.outsystems.dev/v1alpha1/namespaces/default/outsystemsoktaintegrations"


def integration(**changes: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "okta": {"orgUrl": "https://acme.okta.com", "credentialsSecretRef": {"name": "okta-api"}},
        "lifetime": {"hostname": "lifetime.acme.com"},
        "environments": [
            {"name": "dev", "hostname": "dev.acme.com"},
            {"name": "prod", "hostname": "prod.acme.com"},
        ],
    }
    for path, value in changes.items():
        node = spec
        keys = [int(k) if k.isdigit() else k for k in path.split("__")]
        for key in keys[:-1]:
            node = node[key]
        node[keys[-1]] = value
    return {
        "apiVersion": "okta.outsystems.dev/v1alpha1",
        "kind": "OutSystemsOktaIntegration",
        "metadata": {"name": "factory"},
        "spec": spec,
    }


@pytest.fixture
def ours(http: httpx.Client) -> httpx.Client:
    crd = yaml.safe_load((REPO / "crds" / "outsystemsoktaintegrations.okta.outsystems.dev.yaml").read_text())
    response = http.post(CRDS, json=crd)
    assert response.status_code == 201, response.text
    return http


HOSTNAME = "must be a lower-case host name like dev.acme.com: no scheme, path, port or spaces"
ORG_URL = (
    "must be the https URL of your Okta org like https://acme.okta.com: no path, query or spaces "
    "(plain http only for a sandbox on 127.0.0.1, localhost or ::1)"
)
ADMIN = (
    "must be your Okta org URL, not the admin console: use https://acme.okta.com instead of "
    "https://acme-admin.okta.com"
)
ENV_NAME = (
    "must be a short lower-case name like dev or prod-eu: letters, digits and hyphens, starting and "
    "ending with a letter or digit, at most 63 characters"
)
AUTH_SERVER = (
    "must be an Okta authorization server id like default or aus1a2b3c4d5e6f7g8h9: letters and digits "
    "only (Security > API > Authorization Servers in the Okta admin console)"
)
SECRET_NAME = (
    "must be a Kubernetes Secret name like okta-api: lower-case letters, digits, hyphens and dots, "
    "starting and ending with a letter or digit"
)

MISTAKES = {
    "hostname-scheme": (
        {"environments__0__hostname": "https://dev.acme.com"},
        "spec.environments[0].hostname",
        HOSTNAME,
    ),
    "hostname-port": ({"lifetime__hostname": "lifetime.acme.com:443"}, "spec.lifetime.hostname", HOSTNAME),
    "hostname-path": (
        {"environments__1__hostname": "prod.acme.com/"},
        "spec.environments[1].hostname",
        HOSTNAME,
    ),
    "hostname-upper": (
        {"environments__1__hostname": "Prod.acme.com"},
        "spec.environments[1].hostname",
        HOSTNAME,
    ),
    "hostname-newline": ({"lifetime__hostname": "lifetime.acme.com\n"}, "spec.lifetime.hostname", HOSTNAME),
    "hostname-empty": ({"lifetime__hostname": ""}, "spec.lifetime.hostname", HOSTNAME),
    "name-space": ({"environments__1__name": "prod eu"}, "spec.environments[1].name", ENV_NAME),
    "name-upper": ({"environments__0__name": "Dev"}, "spec.environments[0].name", ENV_NAME),
    "org-http": ({"okta__orgUrl": "http://acme.okta.com"}, "spec.okta.orgUrl", ORG_URL),
    "org-path": ({"okta__orgUrl": "https://acme.okta.com/oauth2/default"}, "spec.okta.orgUrl", ORG_URL),
    "org-admin": ({"okta__orgUrl": "https://acme-admin.okta.com"}, "spec.okta.orgUrl", ADMIN),
    "org-admin-preview": ({"okta__orgUrl": "https://x-admin.oktapreview.com/"}, "spec.okta.orgUrl", ADMIN),
    "org-admin-emea": ({"okta__orgUrl": "https://x-admin.okta-emea.com"}, "spec.okta.orgUrl", ADMIN),
    "auth-server": ({"okta__authorizationServerId": "aus-1"}, "spec.okta.authorizationServerId", AUTH_SERVER),
    "secret-name": ({"secretName": "factory_lifetime"}, "spec.secretName", SECRET_NAME),
    "credentials-name": (
        {"okta__credentialsSecretRef__name": "Okta API"},
        "spec.okta.credentialsSecretRef.name",
        SECRET_NAME,
    ),
}


@pytest.mark.parametrize(("changes", "field", "message"), MISTAKES.values(), ids=list(MISTAKES))
def test_our_crd_refuses_a_mistake_in_plain_words(
    ours: httpx.Client, changes: dict[str, Any], field: str, message: str
) -> None:
    response = ours.post(INTEGRATIONS, json=integration(**changes))
    assert response.status_code == 422, response.text
    (cause,) = response.json()["details"]["causes"]
    assert cause == {
        "reason": "FieldValueInvalid",
        "field": field,
        "message": f'Invalid value: "string": {message}',
    }


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"okta__orgUrl": "https://acme.oktapreview.com/"},
        {"okta__orgUrl": "https://login-admin.acme.com"},
        {"okta__orgUrl": "http://127.0.0.1:8443"},
        {"okta__authorizationServerId": "aus1a2B3c4D5e6F7g8h9"},
        {"secretName": "factory.lifetime"},
        {"environments__0__hostname": "a" * 63 + ".acme.com", "environments__0__name": "a" * 63},
    ],
    ids=[
        "example",
        "preview-org",
        "admin-in-a-custom-domain",
        "loopback",
        "auth-server",
        "dotted-secret",
        "long",
    ],
)
def test_our_crd_accepts_what_is_right(ours: httpx.Client, changes: dict[str, Any]) -> None:
    response = ours.post(INTEGRATIONS, json=integration(**changes))
    assert response.status_code == 201, response.text


def test_our_crd_refuses_duplicates_and_lifetime_repeated(ours: httpx.Client) -> None:
    twice = integration(environments__1__hostname="dev.acme.com")
    (cause,) = ours.post(INTEGRATIONS, json=twice).json()["details"]["causes"]
    assert (cause["field"], cause["message"]) == (
        "spec.environments",
        'Invalid value: "array": environment hostnames must be unique',
    )
    lifetime = integration(environments__1__hostname="lifetime.acme.com")
    (cause,) = ours.post(INTEGRATIONS, json=lifetime).json()["details"]["causes"]
    assert (cause["field"], cause["message"]) == (
        "spec",
        'Invalid value: "object": the LifeTime hostname must not be listed again among environments',
    )


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kubectl_apply_shows_the_plain_words(ours: httpx.Client, kubeconfig: Path, tmp_path: Path) -> None:
    bad = integration(
        environments__0__hostname="https://dev.acme.com", okta__orgUrl="https://acme-admin.okta.com"
    )
    result = subprocess.run(
        [
            "kubectl",
            "--kubeconfig",
            str(kubeconfig),
            "--cache-dir",
            str(tmp_path / "cache"),
            "apply",
            "-f",
            "-",
        ],
        input=yaml.safe_dump(bad),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    header, *causes = result.stderr.splitlines()
    assert header == 'The OutSystemsOktaIntegration "factory" is invalid: '
    # In no particular order: the API server walks the object's maps in Go's random map order.
    assert sorted(causes) == [
        f'* spec.environments[0].hostname: Invalid value: "string": {HOSTNAME}',
        f'* spec.okta.orgUrl: Invalid value: "string": {ADMIN}',
    ]
    assert "should match" not in result.stderr and "[a-z" not in result.stderr
