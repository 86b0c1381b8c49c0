"""The CustomResourceDefinition, generated from the pydantic models (pure: no I/O).

`outsystems-okta crd` prints it; `crds/` holds the checked-in copy and a test fails when they drift.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from outsystems_okta.api import names
from outsystems_okta.api.constants import GROUP, KIND, PLURAL, SHORT_NAME, SINGULAR, VERSION
from outsystems_okta.api.spec import IntegrationSpec
from outsystems_okta.api.status import IntegrationStatus

# Keys of pydantic's JSON schema that a Kubernetes structural schema accepts as they are. Not `pattern`:
# the API server's message for it is the regular expression itself; shapes are CEL rules (patterns.py).
_KEPT = {
    "description",
    "type",
    "enum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "minimum",
    "maximum",
    "default",
    "required",
    "format",
}


def _structural(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    """Turn one node of pydantic's JSON schema into an OpenAPI v3 structural schema node."""
    node = dict(schema)
    if "pattern" in node:
        raise ValueError(
            f"a `pattern` ({node['pattern']!r}) would show users a regular expression: "
            "declare the field with a patterns.Shape (a CEL rule with a message) instead"
        )
    if "$ref" in node:
        target = defs[node.pop("$ref").rsplit("/", 1)[-1]]
        node = {**target, **node}
    if "allOf" in node and len(node["allOf"]) == 1:
        node = {**node.pop("allOf")[0], **node}
        return _structural(node, defs)
    if "anyOf" in node:
        # Optional[X] is `anyOf: [X, null]`: Kubernetes expresses optionality by omission instead.
        options = [o for o in node.pop("anyOf") if o.get("type") != "null"]
        if len(options) != 1:
            raise ValueError(f"cannot express a union in a structural schema: {options}")
        node = {**_structural(options[0], defs), **node}
        if node.get("default", ...) is None:
            node.pop("default")
    out: dict[str, Any] = {k: v for k, v in node.items() if k in _KEPT or k.startswith("x-kubernetes-")}
    if "const" in node:
        out["enum"] = [node["const"]]
    if "properties" in node:
        out["type"] = "object"
        out["properties"] = {name: _structural(sub, defs) for name, sub in node["properties"].items()}
    if "items" in node:
        items = _structural(node["items"], defs)
        out["items"] = {**items, **out.get("items", {})}
    if out.get("type") == "array" and out.get("default") == []:
        out.pop("default")  # an absent list and an empty list mean the same; keep applied YAML small
    if out.get("type") == "object" and out.get("default") == {}:
        out.pop("default")
    return out


def _schema_of(model: type[BaseModel]) -> dict[str, Any]:
    raw = model.model_json_schema(by_alias=True, mode="validation")
    defs = raw.pop("$defs", {})
    node = _structural(raw, defs)
    node.pop("title", None)
    return node


def _condition_column(name: str, field: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "type": "string",
        "jsonPath": f'.status.conditions[?(@.type=="Ready")].{field}',
        "description": description,
    }


def custom_resource_definition() -> dict[str, Any]:
    """The full CRD for OutSystemsOktaIntegration."""
    spec_schema = _schema_of(IntegrationSpec)
    status_schema = _schema_of(IntegrationStatus)
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {
            "name": f"{PLURAL}.{GROUP}",
            "labels": {"app.kubernetes.io/name": "outsystems-okta-operator"},
        },
        "spec": {
            "group": GROUP,
            "scope": "Namespaced",
            "names": {
                "kind": KIND,
                "listKind": f"{KIND}List",
                "plural": PLURAL,
                "singular": SINGULAR,
                "shortNames": [SHORT_NAME],
                "categories": ["outsystems", "okta"],
            },
            "versions": [
                {
                    "name": VERSION,
                    "served": True,
                    "storage": True,
                    "subresources": {"status": {}},
                    "additionalPrinterColumns": [
                        _condition_column("Ready", "status", "Whether Okta and the Secret match the spec."),
                        _condition_column("Reason", "reason", "Reason of the Ready condition."),
                        {
                            "name": "Environments",
                            "type": "integer",
                            "jsonPath": ".status.environments",
                            "description": "Environments configured in Okta, LifeTime excluded.",
                        },
                        {
                            "name": "Web Client ID",
                            "type": "string",
                            "jsonPath": ".status.consoles.clientId",
                            "description": "Client id of the OutSystems Consoles app.",
                        },
                        {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"},
                    ],
                    "schema": {
                        "openAPIV3Schema": {
                            "type": "object",
                            "description": (
                                "OutSystemsOktaIntegration wires an OutSystems 11 factory to Okta: the "
                                "operator keeps the two Okta OIDC apps the OutSystems documentation "
                                "prescribes and writes the values LifeTime's OpenID Connect provider form "
                                "needs into a Secret."
                            ),
                            "required": ["spec"],
                            # Rules that need metadata.name (see names.py).
                            "x-kubernetes-validations": names.cel_rules(),
                            "properties": {
                                "apiVersion": {"type": "string"},
                                "kind": {"type": "string"},
                                "metadata": {"type": "object"},
                                "spec": spec_schema,
                                "status": status_schema,
                            },
                        }
                    },
                }
            ],
        },
    }
