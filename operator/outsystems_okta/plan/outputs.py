"""What the operator writes to Kubernetes: the LifeTime Secret's content."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from outsystems_okta import OPERATOR_NAME
from outsystems_okta.api.constants import API_VERSION, GROUP, KIND

# What LifeTime's "Add OpenID Connect Provider" form asks for, one key per field.
PROVIDER_NAME = "Okta"
USERNAME_CLAIM = "preferred_username"
SCOPES = "openid email profile offline_access"
SECRET_KEYS = (
    "name",
    "metadataUri",
    "webClientId",
    "webClientSecret",
    "desktopClientId",
    "usernameClaim",
    "scopes",
)

# Only while a client secret rotation awaits confirmation: the secret LifeTime's current provider has.
PREVIOUS_WEB_CLIENT_SECRET = "previousWebClientSecret"

MANAGED_BY_LABEL = "app.kubernetes.io/managed-by"
INTEGRATION_LABEL = f"{GROUP}/integration"


@dataclass(frozen=True)
class LifeTimeValues:
    metadata_uri: str
    web_client_id: str
    web_client_secret: str
    desktop_client_id: str
    # The old Consoles secret while a rotation awaits confirmation (both work in Okta until then).
    previous_web_client_secret: str | None = None

    def as_data(self) -> dict[str, str]:
        data = {
            "name": PROVIDER_NAME,
            "metadataUri": self.metadata_uri,
            "webClientId": self.web_client_id,
            "webClientSecret": self.web_client_secret,
            "desktopClientId": self.desktop_client_id,
            "usernameClaim": USERNAME_CLAIM,
            "scopes": SCOPES,
        }
        if self.previous_web_client_secret:
            data[PREVIOUS_WEB_CLIENT_SECRET] = self.previous_web_client_secret
        return data

    def __repr__(self) -> str:  # the secret must never reach a log through a repr
        return (
            f"LifeTimeValues(metadata_uri={self.metadata_uri!r}, web_client_id={self.web_client_id!r}, ...)"
        )


def metadata_uri(issuer: str) -> str:
    """LifeTime's "OpenID Connect metadata document" for an authorization server's issuer."""
    return issuer.rstrip("/") + "/.well-known/openid-configuration"


def _encode(values: Mapping[str, str]) -> dict[str, str]:
    return {key: base64.b64encode(value.encode()).decode() for key, value in values.items()}


def decode_data(secret: Mapping[str, Any] | None) -> dict[str, str]:
    # Lenient: a value someone stored by hand that is not UTF-8 text must not stop the repair.
    data = (secret or {}).get("data") or {}
    return {key: base64.b64decode(value).decode(errors="replace") for key, value in data.items()}


def secret_labels(integration: str) -> dict[str, str]:
    # Our own labels only: copying the CR's labels would copy Argo CD's tracking marker too.
    return {MANAGED_BY_LABEL: OPERATOR_NAME, INTEGRATION_LABEL: integration}


def secret_body(
    *,
    name: str,
    namespace: str,
    owner_name: str,
    owner_uid: str,
    values: LifeTimeValues,
) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "type": "Opaque",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "labels": secret_labels(owner_name),
            "ownerReferences": [
                {
                    "apiVersion": API_VERSION,
                    "kind": KIND,
                    "name": owner_name,
                    "uid": owner_uid,
                    "controller": True,
                    "blockOwnerDeletion": True,
                }
            ],
        },
        "data": _encode(values.as_data()),
    }


def secret_is_current(existing: Mapping[str, Any] | None, desired: Mapping[str, Any]) -> bool:
    """Whether the Secret in the cluster already holds what we would write (data, labels, owner)."""
    if existing is None:
        return False
    meta = existing.get("metadata") or {}
    want_meta = desired["metadata"]
    labels = meta.get("labels") or {}
    if any(labels.get(k) != v for k, v in want_meta["labels"].items()):
        return False
    owners = meta.get("ownerReferences") or []
    if not any(o.get("uid") == want_meta["ownerReferences"][0]["uid"] for o in owners):
        return False
    return bool(
        (existing.get("data") or {}) == desired["data"] and existing.get("type", "Opaque") == "Opaque"
    )
