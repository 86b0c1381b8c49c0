"""The LifeTime Secret: its seven keys, labels, owner, and when it needs rewriting."""

from __future__ import annotations

import base64
import copy
from typing import Any

import pytest

from outsystems_okta.plan.outputs import (
    INTEGRATION_LABEL,
    MANAGED_BY_LABEL,
    SECRET_KEYS,
    LifeTimeValues,
    decode_data,
    metadata_uri,
    secret_body,
    secret_is_current,
    secret_labels,
)

SECRET_VALUE = "Zx9-kQ_secretVALUE_never_logged_0123456789"
VALUES = LifeTimeValues(
    metadata_uri="https://acme.okta.com/oauth2/default/.well-known/openid-configuration",
    web_client_id="0oaWEBclient123",
    web_client_secret=SECRET_VALUE,
    desktop_client_id="0oaDESKTOPclient456",
)
UID = "3f1c0e7a-0000-4000-8000-000000000001"


def body(values: LifeTimeValues = VALUES, **kwargs: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "name": "factory-lifetime",
        "namespace": "outsystems",
        "owner_name": "factory",
        "owner_uid": UID,
        "values": values,
    }
    args.update(kwargs)
    return secret_body(**args)


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def test_as_data_has_the_seven_keys_with_fixed_values() -> None:
    assert VALUES.as_data() == {
        "name": "Okta",
        "metadataUri": "https://acme.okta.com/oauth2/default/.well-known/openid-configuration",
        "webClientId": "0oaWEBclient123",
        "webClientSecret": SECRET_VALUE,
        "desktopClientId": "0oaDESKTOPclient456",
        "usernameClaim": "preferred_username",
        "scopes": "openid email profile offline_access",
    }
    assert tuple(VALUES.as_data()) == SECRET_KEYS
    assert len(SECRET_KEYS) == 7


def test_secret_body() -> None:
    assert body() == {
        "apiVersion": "v1",
        "kind": "Secret",
        "type": "Opaque",
        "metadata": {
            "name": "factory-lifetime",
            "namespace": "outsystems",
            "labels": {
                "app.kubernetes.io/managed-by": "outsystems-okta-operator",
                "okta.outsystems.dev/integration": "factory",
            },
            "ownerReferences": [
                {
                    "apiVersion": "okta.outsystems.dev/v1alpha1",
                    "kind": "OutSystemsOktaIntegration",
                    "name": "factory",
                    "uid": UID,
                    "controller": True,
                    "blockOwnerDeletion": True,
                }
            ],
        },
        "data": {
            "name": b64("Okta"),
            "metadataUri": b64("https://acme.okta.com/oauth2/default/.well-known/openid-configuration"),
            "webClientId": b64("0oaWEBclient123"),
            "webClientSecret": b64(SECRET_VALUE),
            "desktopClientId": b64("0oaDESKTOPclient456"),
            "usernameClaim": b64("preferred_username"),
            "scopes": b64("openid email profile offline_access"),
        },
    }


def test_data_is_standard_base64_that_round_trips() -> None:
    secret = body()
    for value in secret["data"].values():
        assert base64.b64encode(base64.b64decode(value, validate=True)).decode() == value
    assert decode_data(secret) == VALUES.as_data()


def test_no_string_data_and_no_plain_secret_anywhere() -> None:
    secret = body()
    assert "stringData" not in secret
    assert SECRET_VALUE not in repr(secret)


def test_non_ascii_values_are_utf8() -> None:
    values = LifeTimeValues("https://ö.example/.well-known/openid-configuration", "id", "sëcret", "d")
    assert decode_data(body(values))["webClientSecret"] == "sëcret"
    assert body(values)["data"]["webClientSecret"] == base64.b64encode("sëcret".encode()).decode()


def test_labels_are_only_ours() -> None:
    assert secret_labels("factory") == {
        MANAGED_BY_LABEL: "outsystems-okta-operator",
        INTEGRATION_LABEL: "factory",
    }
    assert MANAGED_BY_LABEL == "app.kubernetes.io/managed-by"
    assert INTEGRATION_LABEL == "okta.outsystems.dev/integration"
    # Argo CD's tracking label must never be copied from the resource.
    assert "app.kubernetes.io/instance" not in body()["metadata"]["labels"]
    assert "annotations" not in body()["metadata"]


def test_owner_reference_makes_the_resource_the_controller() -> None:
    (owner,) = body()["metadata"]["ownerReferences"]
    assert owner["controller"] is True
    assert owner["blockOwnerDeletion"] is True
    assert owner["uid"] == UID
    assert owner["kind"] == "OutSystemsOktaIntegration"
    assert owner["apiVersion"] == "okta.outsystems.dev/v1alpha1"


def test_secret_name_and_owner_name_are_independent() -> None:
    secret = body(name="custom", owner_name="factory-b")
    assert secret["metadata"]["name"] == "custom"
    assert secret["metadata"]["labels"][INTEGRATION_LABEL] == "factory-b"
    assert secret["metadata"]["ownerReferences"][0]["name"] == "factory-b"


def test_repr_hides_the_secret() -> None:
    text = repr(VALUES)
    assert SECRET_VALUE not in text
    assert SECRET_VALUE not in str(VALUES)
    assert SECRET_VALUE not in f"{VALUES}"
    assert SECRET_VALUE not in repr([VALUES])
    assert "0oaWEBclient123" in text
    assert VALUES.metadata_uri in text


def test_values_are_frozen_and_compare_by_value() -> None:
    with pytest.raises(AttributeError):
        VALUES.web_client_secret = "x"  # type: ignore[misc]
    assert copy.copy(VALUES) == VALUES


@pytest.mark.parametrize(
    ("issuer", "uri"),
    [
        (
            "https://acme.okta.com/oauth2/default",
            "https://acme.okta.com/oauth2/default/.well-known/openid-configuration",
        ),
        (
            "https://acme.okta.com/oauth2/default/",
            "https://acme.okta.com/oauth2/default/.well-known/openid-configuration",
        ),
        (
            "https://acme.okta.com/oauth2/aus1abc",
            "https://acme.okta.com/oauth2/aus1abc/.well-known/openid-configuration",
        ),
        ("https://login.acme.com", "https://login.acme.com/.well-known/openid-configuration"),
        (
            "http://127.0.0.1:8443/oauth2/default",
            "http://127.0.0.1:8443/oauth2/default/.well-known/openid-configuration",
        ),
    ],
    ids=["plain", "trailing-slash", "custom-server", "custom-domain-org-issuer", "loopback"],
)
def test_metadata_uri(issuer: str, uri: str) -> None:
    assert metadata_uri(issuer) == uri


# --------------------------------------------------------------------------------------------------------
# secret_is_current
# --------------------------------------------------------------------------------------------------------


def as_read_back(secret: dict[str, Any]) -> dict[str, Any]:
    """What the API server returns for a Secret we wrote: our fields plus server-side metadata."""
    existing = copy.deepcopy(secret)
    existing["metadata"].update(
        {
            "uid": "8d9e0000-0000-4000-8000-00000000abcd",
            "resourceVersion": "12345",
            "creationTimestamp": "2024-03-01T10:00:00Z",
            "managedFields": [{"manager": "kopf", "operation": "Update"}],
        }
    )
    return existing


def test_missing_secret_is_not_current() -> None:
    assert secret_is_current(None, body()) is False


def test_secret_as_written_is_current() -> None:
    assert secret_is_current(as_read_back(body()), body()) is True


def test_extra_labels_annotations_and_owners_are_tolerated() -> None:
    existing = as_read_back(body())
    existing["metadata"]["labels"]["team"] = "platform"
    existing["metadata"]["annotations"] = {"argocd.argoproj.io/tracking-id": "x"}
    existing["metadata"]["ownerReferences"].insert(
        0, {"apiVersion": "v1", "kind": "ConfigMap", "name": "other", "uid": "other-uid"}
    )
    assert secret_is_current(existing, body()) is True


def test_type_defaults_to_opaque_when_absent() -> None:
    existing = as_read_back(body())
    del existing["type"]
    assert secret_is_current(existing, body()) is True


def _mutate(existing: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node = existing
    for part in path[:-1]:
        node = node[part]
    if value is ...:
        del node[path[-1]]
    else:
        node[path[-1]] = value


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("data", "webClientSecret"), b64("an old secret")),
        (("data", "webClientId"), b64("0oaOTHER")),
        (("data", "desktopClientId"), b64("0oaOTHER")),
        (("data", "metadataUri"), b64("https://acme.okta.com/oauth2/aus9/.well-known/openid-configuration")),
        (("data", "scopes"), b64("openid")),
        (("data", "usernameClaim"), b64("email")),
        (("data", "name"), b64("Azure")),
        (("data", "scopes"), ...),
        (("data", "extraKey"), b64("added by hand")),
        (("data",), ...),
        (("data",), {}),
        (("metadata", "labels"), ...),
        (("metadata", "labels", MANAGED_BY_LABEL), "helm"),
        (("metadata", "labels", INTEGRATION_LABEL), "other-factory"),
        (("metadata", "labels", INTEGRATION_LABEL), ...),
        (("metadata", "ownerReferences"), ...),
        (("metadata", "ownerReferences"), []),
        (("metadata", "ownerReferences", 0, "uid"), "previous-incarnation-uid"),
        (("type",), "kubernetes.io/basic-auth"),
    ],
    ids=[
        "secret",
        "web-client-id",
        "desktop-client-id",
        "metadata-uri",
        "scopes",
        "username-claim",
        "name",
        "key-missing",
        "extra-key",
        "no-data",
        "empty-data",
        "no-labels",
        "managed-by-other",
        "other-integration",
        "integration-label-missing",
        "no-owner-references",
        "empty-owner-references",
        "other-owner-uid",
        "other-type",
    ],
)
def test_not_current(path: tuple[Any, ...], value: Any) -> None:
    existing = as_read_back(body())
    _mutate(existing, path, value)
    assert secret_is_current(existing, body()) is False


def test_same_values_different_secret_are_not_current() -> None:
    rotated = LifeTimeValues(
        VALUES.metadata_uri, VALUES.web_client_id, "a-new-secret", VALUES.desktop_client_id
    )
    assert secret_is_current(as_read_back(body()), body(rotated)) is False


def test_decode_data() -> None:
    assert decode_data(None) == {}
    assert decode_data({}) == {}
    assert decode_data({"data": None}) == {}
    assert decode_data({"data": {"a": b64("x y"), "b": b64("")}}) == {"a": "x y", "b": ""}
