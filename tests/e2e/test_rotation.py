"""End to end: rotating the Consoles client secret without downtime, with the real operator process.

LifeTime's view at each phase is the output Secret's keys; whether a secret works is a real token
request at the Okta sandbox's token endpoint (the Consoles sign-in LifeTime makes). A SIGKILL after each
Okta write of a rotation (create, deactivate, delete), with the write's answer lost on the way, must
leave nothing half-done after a restart; the Okta request log shows one create per rotation, never a
third secret attempted.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest

from outsystems_okta.api.constants import (
    ANNOTATION_CONFIRM_ROTATION,
    ANNOTATION_ROTATE_CLIENT_SECRET,
    GROUP,
    PLURAL,
    VERSION,
)
from outsystems_okta.blueprint import consoles_redirect_uris
from outsystems_okta_sandbox.okta.signin import sign_in
from outsystems_okta_sandbox.stack import Stack
from tests.e2e.conftest import NAME, NAMESPACE, Okta, _collect_events, resource, secret_values

pytestmark = pytest.mark.e2e

SECRET = f"{NAME}-lifetime"
MEMBER = "it.admin@acme.com"
SECRETS = "/credentials/secrets"


def annotate(stack: Stack, **annotations: str) -> None:
    stack.custom.patch_namespaced_custom_object(
        GROUP, VERSION, NAMESPACE, PLURAL, NAME, {"metadata": {"annotations": annotations}}
    )


def rotate(stack: Stack, value: str) -> None:
    annotate(stack, **{ANNOTATION_ROTATE_CLIENT_SECRET: value})


def confirm(stack: Stack, value: str) -> None:
    annotate(stack, **{ANNOTATION_CONFIRM_ROTATION: value})


def rotation(obj: dict[str, Any] | None) -> dict[str, Any]:
    return dict(((obj or {}).get("status") or {}).get("clientSecretRotation") or {})


def wait_phase(stack: Stack, phase: str, requested: str, timeout: float = 30.0) -> dict[str, Any]:
    obj = stack.wait_for(
        NAMESPACE,
        NAME,
        lambda o: rotation(o).get("phase") == phase and rotation(o).get("requested") == requested,
        timeout,
    )
    return rotation(obj)


def lifetime(stack: Stack) -> dict[str, str]:
    return secret_values(stack.read_secret(NAMESPACE, SECRET))


def token_request_works(stack: Stack, client_id: str, client_secret: str) -> bool:
    """LifeTime's sign-in: the authorization code flow, the code exchanged with the client secret."""
    callback = consoles_redirect_uris("lifetime.acme.com", ["env0.acme.com"])[0]
    result = asyncio.run(
        sign_in(
            stack.okta_url, "default", client_id, callback, MEMBER, client_secret=client_secret, pkce=False
        )
    )
    if not result.ok:
        assert (result.step, result.error) == ("token", "invalid_client"), result.describe()
    return result.ok


def app_secrets(okta: Okta, app_id: str) -> list[dict[str, Any]]:
    secrets = okta.state()["secrets"]
    listed = secrets.get(app_id, []) if isinstance(secrets, dict) else secrets
    return list(listed)


def secret_creates(okta: Okta) -> list[dict[str, Any]]:
    return [r for r in okta.requests() if r["method"] == "POST" and r["path"].endswith(SECRETS)]


def wait_okta(predicate: Any, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "Okta never reached the expected state"
        time.sleep(0.05)


def converge(stack: Stack, okta: Okta, **spec: Any) -> tuple[dict[str, Any], str]:
    okta.hook("users", {"login": MEMBER, "groups": ["OutSystems IT"]})
    stack.create_credentials(NAMESPACE)
    stack.start_operator()
    stack.apply(resource(stack.okta_url, environments=1, access={"groups": ["OutSystems IT"]}, **spec))
    obj = stack.wait_ready(NAMESPACE, NAME)
    return obj, str(obj["status"]["consoles"]["appId"])


def assert_never_shown(stack: Stack, *values: str) -> None:
    """Secret values (deleted ones too, which the conftest's scan cannot see) in no log, Event, status."""
    log = stack.operator_log.read_text(errors="replace")
    events = "\n".join(_collect_events(stack))
    status = json.dumps((stack.get(NAMESPACE, NAME) or {}).get("status"))
    for value in values:
        assert value not in log and value not in events and value not in status


def test_a_full_rotation_as_lifetime_sees_it(stack: Stack, okta: Okta) -> None:
    _, app_id = converge(stack, okta)
    before = lifetime(stack)
    client_id, old = before["webClientId"], before["webClientSecret"]
    assert "previousWebClientSecret" not in before
    okta.clear_requests()

    rotate(stack, "2026-12-02")
    record = wait_phase(stack, "AwaitingConfirmation", "2026-12-02")
    during = lifetime(stack)
    new = during["webClientSecret"]
    assert new != old and during["previousWebClientSecret"] == old
    assert {k: v for k, v in during.items() if k not in ("webClientSecret", "previousWebClientSecret")} == {
        k: v for k, v in before.items() if k != "webClientSecret"
    }, "nothing else LifeTime holds changes"
    assert record["trigger"] == "Annotation" and record["startedAt"]
    assert record["previousSecretId"] != record["newSecretId"]
    # The overlap: LifeTime's current provider (old) and the new one both sign in.
    assert token_request_works(stack, client_id, old)
    assert token_request_works(stack, client_id, new)
    events = "\n".join(_collect_events(stack))
    assert "Warning ClientSecretRotationPending" in events
    assert "Authentication Settings" in events and f"{ANNOTATION_CONFIRM_ROTATION}=2026-12-02" in events

    # A confirmation with another value is ignored (reported); nothing is deleted.
    confirm(stack, "2026-11-01")
    stack.wait_for(NAMESPACE, NAME, lambda o: rotation(o).get("ignoredConfirmation") == "2026-11-01")
    assert len(app_secrets(okta, app_id)) == 2 and token_request_works(stack, client_id, old)

    confirm(stack, "2026-12-02")
    done = wait_phase(stack, "Completed", "2026-12-02")
    assert done["completedAt"]
    assert "ignoredConfirmation" not in done, "a field the record no longer has leaves status"
    after = lifetime(stack)
    assert after["webClientSecret"] == new and "previousWebClientSecret" not in after
    assert [s["id"] for s in app_secrets(okta, app_id)] == [record["newSecretId"]]
    assert token_request_works(stack, client_id, new)
    assert not token_request_works(stack, client_id, old)
    assert len(secret_creates(okta)) == 1
    assert "Normal ClientSecretRotationCompleted" in "\n".join(_collect_events(stack))
    # Each step is a normal pass: no handler "failed temporarily" on the way.
    assert "failed temporarily" not in stack.operator_log.read_text(errors="replace")
    assert_never_shown(stack, old, new)


def test_sigkill_after_each_okta_write_then_restart_finishes_with_no_third_secret(
    stack: Stack, okta: Okta
) -> None:
    _, app_id = converge(stack, okta)
    old = lifetime(stack)["webClientSecret"]
    okta.clear_requests()
    base = f"/api/v1/apps/{app_id}{SECRETS}"

    # 1. Killed right after the create reached Okta, before the pass wrote the Secret and its status:
    # Okta answers slowly, so the pass that creates is surely still running (the intent is on record).
    okta.hook("latency", {"seconds": 0.3})
    rotate(stack, "r1")
    wait_okta(lambda: len(app_secrets(okta, app_id)) == 2)
    stack.stop_operator(kill=True)
    # (The Secret may or may not hold the new secret yet: status is written last, at the pass's end.)
    assert rotation(stack.get(NAMESPACE, NAME))["phase"] == "Creating", "the kill came too late"
    okta.http.delete("/__sandbox/faults").raise_for_status()  # latency back to 0 as well
    stack.start_operator()
    record = wait_phase(stack, "AwaitingConfirmation", "r1")
    ours = {s["id"] for s in app_secrets(okta, app_id)} - {record["previousSecretId"]}
    assert {record["newSecretId"]} == ours, "the secret the killed pass made is found, not made again"
    values = lifetime(stack)
    assert values["previousWebClientSecret"] == old
    new = values["webClientSecret"]

    # 2. Killed after the deactivate (every answer lost: the client retries an idempotent call).
    old_path = f"{base}/{record['previousSecretId']}"
    okta.hook("lose-responses", {"count": 100, "method": "POST", "path_prefix": f"{old_path}/lifecycle"})
    confirm(stack, "r1")
    wait_okta(lambda: any(s["status"] == "INACTIVE" for s in app_secrets(okta, app_id)))
    stack.stop_operator(kill=True)
    assert rotation(stack.get(NAMESPACE, NAME))["phase"] == "AwaitingConfirmation"
    okta.http.delete("/__sandbox/faults").raise_for_status()
    stack.start_operator()
    wait_phase(stack, "Completed", "r1")
    assert [s["id"] for s in app_secrets(okta, app_id)] == [record["newSecretId"]]
    assert "previousWebClientSecret" not in lifetime(stack) and lifetime(stack)["webClientSecret"] == new

    # 3. A second rotation, killed after the delete.
    rotate(stack, "r2")
    second = wait_phase(stack, "AwaitingConfirmation", "r2")
    assert second["previousSecretId"] == record["newSecretId"]
    newest = lifetime(stack)["webClientSecret"]
    okta.hook("lose-responses", {"count": 100, "method": "DELETE", "path_prefix": base})
    confirm(stack, "r2")
    wait_okta(lambda: len(app_secrets(okta, app_id)) == 1)
    stack.stop_operator(kill=True)
    assert "previousWebClientSecret" in lifetime(stack), "the kill came too late"
    okta.http.delete("/__sandbox/faults").raise_for_status()
    stack.start_operator()
    wait_phase(stack, "Completed", "r2")
    assert lifetime(stack)["webClientSecret"] == newest and "previousWebClientSecret" not in lifetime(stack)
    assert token_request_works(stack, lifetime(stack)["webClientId"], newest)

    # One create per rotation; no create was ever refused for the two-secret limit.
    creates = secret_creates(okta)
    assert len(creates) == 2 and all(r["status"] == 201 for r in creates)
    assert_never_shown(stack, old, new, newest)


def test_a_secret_someone_else_made_is_reported_and_never_deleted(stack: Stack, okta: Okta) -> None:
    _, app_id = converge(stack, okta)
    base = f"/api/v1/apps/{app_id}{SECRETS}"
    headers = {"Authorization": f"SSWS {stack.okta_token}"}
    foreign = okta.http.post(base, json={}, headers=headers).json()
    okta.clear_requests()

    rotate(stack, "r1")
    blocked = wait_phase(stack, "Blocked", "r1")
    assert blocked["foreignSecretIds"] == [foreign["id"]]
    assert foreign["id"] in blocked["message"]
    events = "\n".join(_collect_events(stack))
    assert "Warning ClientSecretRotationBlocked" in events
    assert not [r for r in okta.writes() if SECRETS in r["path"]], "nothing created, nothing deleted"
    assert "previousWebClientSecret" not in lifetime(stack)

    # The admin removes it; the next pass (here: a reconcile request) starts the rotation.
    okta.http.post(f"{base}/{foreign['id']}/lifecycle/deactivate", headers=headers).raise_for_status()
    okta.http.delete(f"{base}/{foreign['id']}", headers=headers).raise_for_status()
    annotate(stack, **{f"{GROUP}/reconcile-requested-at": "2026-12-02T10:00:00Z"})
    wait_phase(stack, "AwaitingConfirmation", "r1")
    assert_never_shown(stack, foreign["client_secret"])


def test_after_days_starts_a_rotation_for_an_old_secret(stack: Stack, okta: Okta) -> None:
    _, app_id = converge(stack, okta)
    (secret,) = app_secrets(okta, app_id)
    okta.hook(f"apps/{app_id}/secrets/{secret['id']}/created", {"created": "2026-01-01T00:00:00Z"})
    old = lifetime(stack)["webClientSecret"]

    stack.patch_spec(NAMESPACE, NAME, {"clientSecretRotation": {"afterDays": 30}})
    stack.wait_for(NAMESPACE, NAME, lambda o: rotation(o).get("phase") == "AwaitingConfirmation")
    record = rotation(stack.get(NAMESPACE, NAME))
    assert record["trigger"] == "AfterDays" and record["requested"].startswith("after-days-")
    assert lifetime(stack)["previousWebClientSecret"] == old

    confirm(stack, record["requested"])
    wait_phase(stack, "Completed", record["requested"])
    # The new secret is young: no other rotation starts.
    (fresh,) = app_secrets(okta, app_id)
    assert fresh["id"] == record["newSecretId"]
    annotate(stack, **{f"{GROUP}/reconcile-requested-at": "2026-12-02T11:00:00Z"})
    time.sleep(1.0)
    assert rotation(stack.get(NAMESPACE, NAME))["phase"] == "Completed"
    assert len(secret_creates(okta)) == 1
