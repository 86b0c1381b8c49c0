"""React at once: Secret changes, spec fixes and reconcile requests start a pass within moments;
failures back off in steps that status shows; an unreachable org has its own reason.

The drift interval is 600 s and the retry delays are the defaults (15 s doubling; 60 s for a failure a
person must fix) unless a test says otherwise, so anything within 5 s below is the reaction, not a timer.
"""

from __future__ import annotations

import base64
import datetime
import time
from collections.abc import Callable
from typing import Any, TypeVar

import kubernetes
import pytest

from outsystems_okta.api.constants import ANNOTATION_RECONCILE_REQUESTED_AT, GROUP, PLURAL, VERSION
from outsystems_okta_sandbox.stack import Stack
from tests.e2e.conftest import NAME, NAMESPACE, Okta, free_port, resource, secret_values
from tests.unit.argocd.test_health_lua import run_health

pytestmark = pytest.mark.e2e

SECRET = f"{NAME}-lifetime"
# Every pass starts by reading the authorization server.
SERVER = "/api/v1/authorizationServers/default"
REACTION = 5.0

T = TypeVar("T")


def passes(okta: Okta) -> int:
    return sum(1 for r in okta.requests() if r["path"] == SERVER and r["method"] == "GET")


def ready(obj: dict[str, Any] | None) -> dict[str, Any]:
    conditions = ((obj or {}).get("status") or {}).get("conditions") or []
    return next((c for c in conditions if c["type"] == "Ready"), {})


def reason_is(reason: str) -> Callable[[dict[str, Any] | None], bool]:
    return lambda obj: ready(obj).get("reason") == reason


def eventually(probe: Callable[[], T | None], timeout: float, what: str) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"{what} did not happen within {timeout}s")


def core(stack: Stack) -> kubernetes.client.CoreV1Api:
    return kubernetes.client.CoreV1Api(stack.api)


def unreachable_url() -> str:
    # A loopback port nobody listens on: connection refused, as for a wrong orgUrl.
    return f"http://127.0.0.1:{free_port()}"


def converge(stack: Stack, *extra: str) -> dict[str, Any]:
    stack.create_credentials(NAMESPACE)
    stack.start_operator(*extra)
    stack.apply(resource(stack.okta_url))
    return stack.wait_ready(NAMESPACE, NAME)


# --- Secrets ---------------------------------------------------------------------------------------


def test_credentials_secret_created_after_the_integration_makes_it_ready_at_once(
    stack: Stack, okta: Okta
) -> None:
    stack.start_operator()
    stack.apply(resource(stack.okta_url))
    stack.wait_for(NAMESPACE, NAME, reason_is("CredentialsNotFound"))
    started = time.monotonic()
    stack.create_credentials(NAMESPACE)
    stack.wait_ready(NAMESPACE, NAME, timeout=REACTION)
    print(f"\ncredentials Secret created -> Ready in {time.monotonic() - started:.2f}s")


def test_a_corrected_token_makes_it_ready_at_once(stack: Stack, okta: Okta) -> None:
    stack.create_credentials(NAMESPACE, token="00wrong-token-0123456789")
    stack.start_operator()
    stack.apply(resource(stack.okta_url))
    stack.wait_for(NAMESPACE, NAME, reason_is("OktaAuthFailed"))
    started = time.monotonic()
    core(stack).patch_namespaced_secret("okta-api", NAMESPACE, {"stringData": {"apiToken": stack.okta_token}})
    stack.wait_ready(NAMESPACE, NAME, timeout=REACTION)
    print(f"\ntoken corrected -> Ready in {time.monotonic() - started:.2f}s")


def test_a_corrected_shared_token_makes_every_integration_using_it_ready_at_once(
    stack: Stack, okta: Okta
) -> None:
    # Each integration keeps its own record of what it read: one pass reading the new token first must
    # not hide the change from the other.
    stack.create_credentials(NAMESPACE, token="00wrong-token-0123456789")
    stack.start_operator()
    names = [NAME, f"{NAME}-two"]
    for name in names:
        body = resource(
            stack.okta_url, appLabels={"consoles": f"Consoles {name}", "developmentTools": f"Tools {name}"}
        )
        body["metadata"]["name"] = name
        body["spec"]["lifetime"]["hostname"] = f"lifetime-{name}.acme.com"
        stack.apply(body)
    for name in names:
        stack.wait_for(NAMESPACE, name, reason_is("OktaAuthFailed"))
    started = time.monotonic()
    core(stack).patch_namespaced_secret("okta-api", NAMESPACE, {"stringData": {"apiToken": stack.okta_token}})
    for name in names:
        stack.wait_ready(NAMESPACE, name, timeout=REACTION)
    print(f"\nshared token corrected -> both Ready in {time.monotonic() - started:.2f}s")


def test_a_deleted_output_secret_is_rewritten_at_once(stack: Stack, okta: Okta) -> None:
    converge(stack)
    before = secret_values(stack.read_secret(NAMESPACE, SECRET))
    core(stack).delete_namespaced_secret(SECRET, NAMESPACE)
    started = time.monotonic()
    rewritten = eventually(lambda: stack.read_secret(NAMESPACE, SECRET), REACTION, "the rewrite")
    print(f"\noutput Secret deleted -> rewritten in {time.monotonic() - started:.2f}s")
    assert secret_values(rewritten) == before


def test_an_edited_output_secret_is_restored_at_once(stack: Stack, okta: Okta) -> None:
    converge(stack)
    before = secret_values(stack.read_secret(NAMESPACE, SECRET))
    tampered = base64.b64encode(b"0oaTampered").decode()
    core(stack).patch_namespaced_secret(SECRET, NAMESPACE, {"data": {"webClientId": tampered}})
    started = time.monotonic()
    eventually(lambda: secret_values(stack.read_secret(NAMESPACE, SECRET)) == before, REACTION, "the restore")
    print(f"\noutput Secret edited -> restored in {time.monotonic() - started:.2f}s")


def test_the_operators_own_writes_start_no_pass(stack: Stack, okta: Okta) -> None:
    # The first pass creates the apps, writes the output Secret and the status: each write comes back
    # as a watch event, and none of them may start another pass.
    converge(stack)
    time.sleep(3.0)
    assert passes(okta) == 1, "the operator's own writes started more passes"
    # Someone labels the output Secret: its data, all a pass uses, is unchanged.
    core(stack).patch_namespaced_secret(SECRET, NAMESPACE, {"metadata": {"labels": {"team": "a"}}})
    # Another Secret in the namespace, which no integration uses.
    core(stack).create_namespaced_secret(
        NAMESPACE, {"metadata": {"name": "unrelated"}, "stringData": {"x": "y"}}
    )
    time.sleep(2.0)
    assert passes(okta) == 1


# --- back-off and OktaUnreachable -----------------------------------------------------------------


def _when(text: str) -> float:
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def test_an_unreachable_org_backs_off_and_is_degraded_after_five_attempts(stack: Stack, okta: Okta) -> None:
    stack.create_credentials(NAMESPACE)
    stack.start_operator("--retry-delay", "0.5")
    stack.apply(resource(unreachable_url()))
    seen: dict[int, tuple[float, dict[str, Any]]] = {}

    def fifth() -> bool:
        obj = stack.get(NAMESPACE, NAME) or {}
        attempts = (obj.get("status") or {}).get("failedAttempts")
        if isinstance(attempts, int) and attempts not in seen:
            seen[attempts] = (time.monotonic(), obj)
        return attempts is not None and attempts >= 5

    eventually(fifth, 30.0, "five failed attempts")
    first = seen[1][1]
    condition = ready(first)
    assert (condition["status"], condition["reason"]) == ("False", "OktaUnreachable")
    assert "ConnectError" in condition["message"]
    # Each delay is twice the one before (0.5, 1, 2, 4 s; a pass itself takes up to ~1.4 s of the
    # client's own retries): the gap before the fifth attempt is far longer than before the second.
    times = {n: at for n, (at, _) in seen.items()}
    gaps = [times[n + 1] - times[n] for n in range(1, 5) if n in times and n + 1 in times]
    print(f"\nunreachable org: gaps between attempts {[round(g, 2) for g in gaps]}s")
    assert gaps and gaps[-1] > gaps[0] + 1.5, gaps
    status = seen[max(seen)][1]["status"]
    assert _when(status["nextAttemptTime"]) > _when(ready(seen[max(seen)][1])["lastTransitionTime"])
    # Argo CD: Progressing while it may be a blip, Degraded from the fifth attempt.
    assert run_health(first)["status"] == "Progressing"
    assert run_health(seen[max(seen)][1])["status"] == "Degraded"
    assert okta.requests() == []


def test_a_spec_fix_while_backing_off_converges_at_once(stack: Stack, okta: Okta) -> None:
    stack.create_credentials(NAMESPACE)
    stack.start_operator()
    body = resource(unreachable_url())
    stack.apply(body)
    failing = stack.wait_for(NAMESPACE, NAME, reason_is("OktaUnreachable"))
    assert failing is not None and failing["status"]["failedAttempts"] == 1
    started = time.monotonic()
    stack.patch_spec(NAMESPACE, NAME, {"okta": {**body["spec"]["okta"], "orgUrl": stack.okta_url}})
    obj = stack.wait_ready(NAMESPACE, NAME, timeout=REACTION)
    print(
        f"\nspec fixed while backing off (next attempt in 15s) -> Ready in {time.monotonic() - started:.2f}s"
    )
    assert "failedAttempts" not in obj["status"] and "nextAttemptTime" not in obj["status"]


def test_an_operator_restart_keeps_the_back_off(stack: Stack, okta: Okta) -> None:
    stack.create_credentials(NAMESPACE)
    flags = ("--retry-delay", "3")
    stack.start_operator(*flags)
    stack.apply(resource(unreachable_url()))

    def attempts(obj: dict[str, Any] | None) -> int:
        return int(((obj or {}).get("status") or {}).get("failedAttempts") or 0)

    second = stack.wait_for(NAMESPACE, NAME, lambda o: attempts(o) == 2, timeout=20)
    assert second is not None
    due = _when(second["status"]["nextAttemptTime"])  # 6 s after the second attempt
    stack.stop_operator()
    stack.start_operator(*flags)
    third = stack.wait_for(NAMESPACE, NAME, lambda o: attempts(o) >= 3, timeout=20)
    # The restart neither reset the count nor tried before the back-off ran out (whole seconds).
    assert attempts(third) == 3
    assert time.time() >= due - 1.0
    assert ready(third)["reason"] == "OktaUnreachable"


# --- reconcile now ---------------------------------------------------------------------------------


def test_reconcile_requested_at_runs_a_pass_and_is_echoed(stack: Stack, okta: Okta) -> None:
    converge(stack)
    okta.clear_requests()
    value = "2026-12-02T10:00:00Z"
    stack.custom.patch_namespaced_custom_object(
        GROUP,
        VERSION,
        NAMESPACE,
        PLURAL,
        NAME,
        {"metadata": {"annotations": {ANNOTATION_RECONCILE_REQUESTED_AT: value}}},
    )
    obj = stack.wait_for(
        NAMESPACE,
        NAME,
        lambda o: ((o or {}).get("status") or {}).get("lastHandledReconcileAt") == value,
        REACTION,
    )
    assert ready(obj)["status"] == "True"
    assert passes(okta) == 1
