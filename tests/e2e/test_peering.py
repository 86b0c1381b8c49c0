"""Two replicas, one actor: two real operator processes in one Kopf peering, against both emulators.

Who acted is read from what each process can only do while active: a paused Kopf operator neither
lists nor watches the integrations (its watch stream is frozen), so the emulator's count of those
lists says how many operators were active, and each process's own log says which one reconciled. The
peering object's status shows both keep-alives. Lifetimes are short (seconds) to keep the suite quick;
the shipped default is 20 s.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from outsystems_okta.api.constants import PLURAL
from outsystems_okta_sandbox.stack import OperatorProcess, Stack
from tests.e2e.conftest import NAME, NAMESPACE, Okta, free_port, resource

pytestmark = pytest.mark.e2e

PEERING = "outsystems-okta-operator"
# Kopf's lines when an operator starts or stops acting (kopf/_core/engines/peering.py).
RESUMED = "Resuming operations after the pause"
SAME_PRIORITY = "Possibly conflicting operators with the same priority"
RECONCILED = "Reconciled generation"
# A change must be converged by the standby within this many seconds of the active one's death.
TAKEOVER_TARGET = 30.0


def wait(condition: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def log(process: OperatorProcess) -> str:
    return process.log.read_text(errors="replace")


def replica(stack: Stack, tmp_path: Path, name: str, *extra: str) -> OperatorProcess:
    """One operator replica in the peering, with its own log and its own identity (as a pod name)."""
    return stack.spawn_operator(
        "--log-format", "plain", *extra, peering=PEERING, log=tmp_path / f"{name}.log", identity=name
    )


def start_pair(stack: Stack, tmp_path: Path, *extra: str) -> tuple[OperatorProcess, OperatorProcess]:
    """`active` first, acting; then `standby`, its keep-alive seen in the peering. Default priorities."""
    stack.create_credentials(NAMESPACE)
    stack.create_peering(PEERING)
    active = replica(stack, tmp_path, "operator-a", *extra)
    # Its keep-alive in the object too: a replica that reads the peering before any keep-alive is in
    # it acts until it sees one (Kopf's start-up window, not what these tests are about).
    wait(lambda: RESUMED in log(active) and "operator-a" in stack.peers(PEERING), 20, "the first to act")
    standby = replica(stack, tmp_path, "operator-b", *extra)
    wait(lambda: {"operator-a", "operator-b"} <= set(stack.peers(PEERING)), 20, "both keep-alives")
    return active, standby


def answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def integration_lists(stack: Stack, since: int = 0) -> int:
    return sum(1 for r in stack.kube.requests[since:] if r.resource == PLURAL and r.verb == "list")


def one_app_per_role(okta: Okta) -> None:
    apps = okta.apps()
    roles = sorted(a["profile"]["outsystemsOktaOperator"]["role"] for a in apps)
    assert roles == ["consoles", "developmentTools"], f"expected one app per role, got {roles}"


def test_only_the_oldest_acts_and_the_other_takes_over_a_killed_one(
    stack: Stack, okta: Okta, tmp_path: Path
) -> None:
    first = len(stack.kube.requests)
    active, standby = start_pair(stack, tmp_path, "--peering-lifetime", "4")
    peers = stack.peers(PEERING)
    assert peers["operator-a"]["priority"] > peers["operator-b"]["priority"], "earlier start, higher"
    assert peers["operator-b"]["lifetime"] == 4

    stack.apply(resource(stack.okta_url, access={"groups": ["OutSystems IT"]}))
    stack.wait_ready(NAMESPACE, NAME)
    assert RECONCILED in log(active)
    assert RECONCILED not in log(standby) and RESUMED not in log(standby)
    assert integration_lists(stack, first) == 1, "only one operator may watch the integrations"
    writes = sorted(f"{w['method']} {'/'.join(w['path'].split('/')[3::2])}" for w in okta.writes())
    assert writes == ["POST apps"] * 2 + ["PUT apps/groups"] * 2, "one convergence: 2 creates, 2 assignments"
    one_app_per_role(okta)

    active.stop(kill=True)
    killed = time.monotonic()
    stack.patch_spec(NAMESPACE, NAME, {"environments": [{"name": "prod", "hostname": "prod.acme.com"}]})
    obj = stack.wait_ready(NAMESPACE, NAME, timeout=TAKEOVER_TARGET)
    took = time.monotonic() - killed
    assert obj["metadata"]["generation"] == 2
    assert f"{RECONCILED} 2" in log(standby) and f"{RECONCILED} 2" not in log(active)
    one_app_per_role(okta)
    consoles = okta.app(obj["status"]["consoles"]["appId"])
    assert any("prod.acme.com" in uri for uri in consoles["settings"]["oauthClient"]["redirect_uris"])
    # The standby cleans the dead peer's entry out of the peering object.
    wait(lambda: set(stack.peers(PEERING)) == {"operator-b"}, 10, "the dead peer's entry to go")
    # A 4 s lifetime: taken over well within it plus the pass, far below the target.
    assert took < 4 + 5, f"took {took:.1f}s"


def test_a_graceful_exit_hands_over_at_once(stack: Stack, okta: Okta, tmp_path: Path) -> None:
    # A 20 s lifetime (the default): a killed operator would be taken over 10 to 20 s later.
    active, standby = start_pair(stack, tmp_path, "--peering-lifetime", "20")
    stack.apply(resource(stack.okta_url))
    stack.wait_ready(NAMESPACE, NAME)

    stopped = time.monotonic()
    active.stop()  # SIGTERM, as Kubernetes sends on a rollout or a drain
    assert active.process.returncode == 0
    wait(lambda: RESUMED in log(standby), 10, "the standby to resume")
    took = time.monotonic() - stopped
    assert "operator-a" not in stack.peers(PEERING), "Kopf removes its own entry on a graceful exit"
    stack.patch_spec(NAMESPACE, NAME, {"environments": [{"name": "prod", "hostname": "prod.acme.com"}]})
    assert stack.wait_ready(NAMESPACE, NAME, timeout=10)["metadata"]["generation"] == 2
    one_app_per_role(okta)
    assert took < 5, f"took {took:.1f}s"


def test_a_rolling_upgrade_hands_over_once(stack: Stack, okta: Okta, tmp_path: Path) -> None:
    # The Deployment's RollingUpdate (maxSurge 1, maxUnavailable 0) on two replicas, step by step: the
    # ReplicaSet removes the younger old pod first, so the old active pod acts until its own SIGTERM.
    old_active, old_standby = start_pair(stack, tmp_path, "--peering-lifetime", "20")
    stack.apply(resource(stack.okta_url))
    stack.wait_ready(NAMESPACE, NAME)
    new_first = replica(stack, tmp_path, "operator-c", "--peering-lifetime", "20")
    wait(lambda: "operator-c" in stack.peers(PEERING), 20, "the first new pod's keep-alive")
    old_standby.stop()
    new_second = replica(stack, tmp_path, "operator-d", "--peering-lifetime", "20")
    wait(lambda: "operator-d" in stack.peers(PEERING), 20, "the second new pod's keep-alive")
    assert not any(RESUMED in log(p) for p in (old_standby, new_first, new_second)), "no handover yet"

    stopped = time.monotonic()
    old_active.stop()
    wait(lambda: RESUMED in log(new_first), 10, "the oldest new pod to take over")
    gap = time.monotonic() - stopped
    assert gap < 5, f"nobody acted for {gap:.1f}s"
    assert RESUMED not in log(new_second), "exactly one handover: the newest pod stays the standby"
    stack.patch_spec(NAMESPACE, NAME, {"environments": [{"name": "prod", "hostname": "prod.acme.com"}]})
    assert stack.wait_ready(NAMESPACE, NAME, timeout=10)["metadata"]["generation"] == 2
    assert f"{RECONCILED} 2" in log(new_first) and RECONCILED not in log(new_second)
    one_app_per_role(okta)


def test_equal_priorities_pause_both_and_say_so(stack: Stack, okta: Okta, tmp_path: Path) -> None:
    stack.create_credentials(NAMESPACE)
    stack.create_peering(PEERING)
    a = replica(stack, tmp_path, "operator-a", "--priority", "5", "--peering-lifetime", "4")
    b = replica(stack, tmp_path, "operator-b", "--priority", "5", "--peering-lifetime", "4")
    # The first one acts until it sees the second (alone, it conflicts with nobody); then both pause.
    for process in (a, b):
        wait(lambda p=process: SAME_PRIORITY in log(p), 20, f"the warning in {process.log.name}")
    paused = len(stack.kube.requests)

    stack.apply(resource(stack.okta_url))
    time.sleep(2)  # time enough for an active operator to converge (it takes well under a second)
    assert integration_lists(stack, paused) == 0, "a paused operator never lists the integrations"
    assert okta.apps() == [] and (stack.get(NAMESPACE, NAME) or {}).get("status") is None

    b.stop()  # the conflict goes: the other acts
    stack.wait_ready(NAMESPACE, NAME, timeout=15)
    assert RECONCILED in log(a)
    one_app_per_role(okta)


def test_without_its_peering_object_the_operator_waits_paused(
    stack: Stack, okta: Okta, tmp_path: Path
) -> None:
    # --peering makes the peering mandatory: a missing object (a first `kubectl apply` that could not
    # create it yet) must not let an operator act alone beside its replicas.
    stack.create_credentials(NAMESPACE)
    healthz = f"http://127.0.0.1:{free_port()}/healthz"
    operator = replica(stack, tmp_path, "operator-a", "--peering-lifetime", "4", "--liveness", healthz)
    wait(lambda: stack.kube_watching("clusterkopfpeerings"), 20, "the operator to watch its peering")
    stack.apply(resource(stack.okta_url))
    time.sleep(2)  # time enough for an active operator to converge (it takes well under a second)
    assert integration_lists(stack) == 0 and okta.apps() == []
    # A paused replica is alive and ready for Kubernetes (the Deployment's probes): a rollout goes on.
    wait(lambda: answers(healthz), 10, "the paused operator's /healthz")
    # Kopf says nothing while it waits for the object; the operator's start line says what it waits for.
    assert f"Joining ClusterKopfPeering {PEERING!r}" in log(operator)
    assert "paused until that object exists" in log(operator)

    stack.create_peering(PEERING)
    stack.wait_ready(NAMESPACE, NAME, timeout=15)
    assert RESUMED in log(operator)
    one_app_per_role(okta)
