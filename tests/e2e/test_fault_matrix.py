"""Faults as tests: one row per fault, each on a fresh stack, each ending in the same invariants.

A row says what to break (an Okta call, a Kubernetes call, or the operator itself with SIGKILL) and
when (the first convergence of a new resource, or the change that adds an environment). Whatever
happened in between, the row ends with:
- exactly one Okta app per role carrying this resource's ownership marker,
- no app with that marker that status does not track (a duplicate or an orphan),
- the Secret's webClientSecret an ACTIVE client secret of the Consoles app in Okta, and the client IDs
  those of the tracked apps,
- Ready=True for the current generation within BOUND seconds of the fault.

Each row must also have met its fault (an injected or lost Okta call, a timeout in the operator's log,
the Kubernetes API's error exactly as often as scripted, the SIGKILL after exactly that many writes):
a row whose fault missed proves nothing. Some rows check an Event or a log line of their own.

The session's terminal summary prints the matrix (tests/e2e/conftest.py, from the rows' properties).
Retries are short (--retry-delay 1) and the drift interval is 3 s: a create Okta applies after the
pass gave up on it is only seen by a later pass, a drift pass at the latest. The status-patch rows check
in the log that their retry came after --retry-delay, not on a timer of its own.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from outsystems_okta_sandbox.stack import Stack
from tests.e2e.conftest import (
    NAME,
    NAMESPACE,
    REPO,
    Okta,
    _collect_events,
    assert_no_secret_leaks,
    resource,
    secret_values,
)

pytestmark = pytest.mark.e2e

SECRET = f"{NAME}-lifetime"
MARKER = "outsystemsOktaOperator"
ROLES = ("consoles", "developmentTools")
GROUPS = {"groups": ["OutSystems IT"]}
APPS = "/api/v1/apps"
STATUS = f"/apis/okta.outsystems.dev/v1alpha1/namespaces/{NAMESPACE}/outsystemsoktaintegrations/{NAME}/status"
SECRETS = f"/api/v1/namespaces/{NAMESPACE}/secrets"
# Seconds from the fault to Ready=True: a few retries of --retry-delay 1, far below the drift timer
# the operator runs with in production (600 s).
BOUND = 25.0
OPERATOR = ("--retry-delay", "1")
DRIFT = 3.0
TIMEOUT = (*OPERATOR, "--okta-timeout", "1")
RETRY_1S = "A pass failed before it could write status; retrying in 1s"
# Okta answers this slowly while a row waits to SIGKILL the operator between two writes.
KILL_LATENCY = 0.25


@dataclass(frozen=True)
class Scenario:
    name: str
    # "create": the first convergence of a new resource; "change": adding a third environment to a
    # resource that converged (every Okta write of it is a PUT of an app).
    when: str
    # Okta sandbox hooks to call before the phase: (hook, payload), see okta/hooks.py.
    okta: tuple[tuple[str, dict[str, Any]], ...] = ()
    # Kubernetes emulator reactions: (method and path, status, how many times).
    kube: tuple[tuple[str, int, int], ...] = ()
    # SIGKILL the operator right after this many Okta writes of the phase, then start it again.
    kill_after: int | None = None
    operator: tuple[str, ...] = field(default=OPERATOR)
    # Events ("Type Reason") the row must have produced besides the shared invariants.
    events: tuple[str, ...] = ()
    # Text the operator's log must hold.
    log: tuple[str, ...] = ()


def fault(
    status: int, method: str, path: str = APPS, count: int = 1, **more: Any
) -> tuple[str, dict[str, Any]]:
    return "faults", {"status": status, "count": count, "method": method, "path_prefix": path, **more}


def slow(method: str, path: str = APPS) -> tuple[str, dict[str, Any]]:
    return "latency", {"seconds": 2.0, "count": 1, "method": method, "path_prefix": path}


def lost(method: str, path: str = APPS, **more: Any) -> tuple[str, dict[str, Any]]:
    return "lose-responses", {"count": 1, "method": method, "path_prefix": path, **more}


# The writes of a first convergence (with one group): POST app x2, then PUT group assignment x2.
# The writes of the environment change: PUT app x2.
ASSIGN = f"{APPS}/"  # PUT /api/v1/apps/{id}/groups/{groupId} in a first convergence
SCENARIOS = [
    # Okta answers 5xx before the write is applied, or after (a gateway gave up while Okta applied it).
    Scenario("okta-503-before-create", "create", okta=(fault(503, "POST"),)),
    Scenario("okta-502-after-create-applied", "create", okta=(lost("POST", status=502),)),
    Scenario("okta-500-before-assignment", "create", okta=(fault(500, "PUT", ASSIGN),)),
    Scenario("okta-504-after-assignment-applied", "create", okta=(lost("PUT", ASSIGN, status=504),)),
    Scenario("okta-503-before-app-update", "change", okta=(fault(503, "PUT", ASSIGN, count=3),)),
    Scenario("okta-502-after-app-update-applied", "change", okta=(lost("PUT", ASSIGN, status=502),)),
    # The connection drops after Okta applied the write; or Okta applies it after the client gave up.
    Scenario("okta-lost-create-response", "create", okta=(lost("POST"),)),
    Scenario("okta-lost-assignment-response", "create", okta=(lost("PUT", ASSIGN),)),
    Scenario("okta-lost-app-update-response", "change", okta=(lost("PUT", ASSIGN),)),
    Scenario(
        "okta-create-applied-after-client-gave-up",
        "create",
        okta=(lost("POST", apply_after=2.5),),
        events=("Normal DuplicateOktaAppDeleted",),
    ),
    # Rate limits: a 429 whose X-Rate-Limit-Reset says when the bucket refills (a 2 s window here), or a
    # bare one (no reset to wait for).
    Scenario(
        "okta-429-with-reset",
        "create",
        okta=(("rate-limit", {"per_minute": 100, "window_seconds": 2, "bucket": APPS}), fault(429, "POST")),
    ),
    Scenario("okta-429-without-reset", "create", okta=(fault(429, "POST", rateLimitHeaders=False),)),
    Scenario(
        "okta-429-without-reset-on-update",
        "change",
        okta=(fault(429, "PUT", ASSIGN, rateLimitHeaders=False),),
    ),
    # Timeouts: Okta answers one call after the client's --okta-timeout (and applies it all the same).
    Scenario(
        "okta-timeout-on-read",
        "create",
        okta=(slow("GET", "/api/v1/authorizationServers"),),
        operator=TIMEOUT,
    ),
    Scenario("okta-timeout-on-create", "create", okta=(slow("POST"),), operator=TIMEOUT),
    Scenario("okta-timeout-on-app-update", "change", okta=(slow("PUT", ASSIGN),), operator=TIMEOUT),
    # SIGKILL after each Okta write.
    *(Scenario(f"sigkill-after-create-write-{n}", "create", kill_after=n) for n in (1, 2, 3, 4)),
    *(Scenario(f"sigkill-after-change-write-{n}", "change", kill_after=n) for n in (1, 2)),
    # The Kubernetes API fails the output Secret's create, or the status patch.
    Scenario("kube-500-secret-create", "create", kube=((f"post {SECRETS}", 500, 2),)),
    Scenario("kube-409-secret-create", "create", kube=((f"post {SECRETS}", 409, 1),)),
    Scenario("kube-429-secret-create", "create", kube=((f"post {SECRETS}", 429, 1),)),
    # The apps are made but not on record: the next pass (after --retry-delay, not a fixed 15 s) finds
    # them by marker.
    Scenario("kube-409-first-status-patch", "create", kube=((f"patch {STATUS}", 409, 1),), log=(RETRY_1S,)),
    Scenario("kube-429-first-status-patch", "create", kube=((f"patch {STATUS}", 429, 1),), log=(RETRY_1S,)),
    Scenario("kube-500-first-status-patch", "create", kube=((f"patch {STATUS}", 500, 2),), log=(RETRY_1S,)),
    Scenario(
        "kube-409-status-patch-on-change", "change", kube=((f"patch {STATUS}", 409, 1),), log=(RETRY_1S,)
    ),
]


@pytest.fixture
def bare_stack(tmp_path: Path) -> Iterator[Stack]:
    with Stack(tmp_path, groups=["OutSystems IT"], drift_interval=DRIFT) as running:
        running.install_crds(REPO / "crds")
        running.ensure_namespace(NAMESPACE)
        running.create_credentials(NAMESPACE)
        yield running


def environments(count: int) -> list[dict[str, str]]:
    return [{"name": f"env{i}", "hostname": f"env{i}.acme.com"} for i in range(count)]


def marked(okta: Okta, uid: str) -> list[dict[str, Any]]:
    return [
        app
        for app in okta.apps()
        if ((app.get("profile") or {}).get(MARKER) or {}).get("uid") == uid and app.get("status") != "DELETED"
    ]


def check_invariants(stack: Stack, okta: Okta, environments_wanted: int) -> None:
    """The one checker every row ends with (see the module docstring)."""
    obj = stack.get(NAMESPACE, NAME)
    assert obj is not None
    status, uid = obj.get("status") or {}, obj["metadata"]["uid"]
    tracked = {role: str((status.get(role) or {}).get("appId")) for role in ROLES}
    ours = marked(okta, uid)
    by_role = {role: [a["id"] for a in ours if a["profile"][MARKER]["role"] == role] for role in ROLES}
    assert all(len(ids) == 1 for ids in by_role.values()), f"not exactly one app per role: {by_role}"
    untracked = {a["id"] for a in ours} - set(tracked.values())
    assert not untracked, f"apps with our marker that status does not track: {untracked}"
    consoles = okta.app(tracked["consoles"])
    tools = okta.app(tracked["developmentTools"])
    values = secret_values(stack.read_secret(NAMESPACE, SECRET))
    active = {s["client_secret"] for s in okta.state()["secrets"][consoles["id"]] if s["status"] == "ACTIVE"}
    assert values["webClientSecret"] in active, "the Secret's client secret is not an active one in Okta"
    assert values["webClientId"] == consoles["credentials"]["oauthClient"]["client_id"]
    assert values["desktopClientId"] == tools["credentials"]["oauthClient"]["client_id"]
    redirects = consoles["settings"]["oauthClient"]["redirect_uris"]
    assert any(f"env{environments_wanted - 1}.acme.com" in uri for uri in redirects), "spec not applied"


def matching(stack: Stack, route: str) -> list[Any]:
    method, path = route.split(" ", 1)
    return [r for r in stack.kube.requests if r.method.lower() == method and r.path == path]


def assert_fault_hit(stack: Stack, okta: Okta, scenario: Scenario) -> None:
    """A row whose fault never happened proves nothing."""
    if any(hook in ("faults", "lose-responses") for hook, _ in scenario.okta):
        hit = [r for r in okta.requests() if r.get("injected") or r.get("lost")]
        assert hit, "no Okta call met the injected fault"
    if any(hook == "latency" for hook, _ in scenario.okta):
        assert "ReadTimeout" in stack.operator_log.read_text(), "no Okta call timed out"
    for route, status, times in scenario.kube:
        answered = [r for r in matching(stack, route) if r.status == status]
        assert len(answered) == times, (
            f"the Kubernetes API answered {status} to {route} {len(answered)} times"
        )


def wait_writes(okta: Okta, count: int, timeout: float = 20.0) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = len(okta.writes())
        if done >= count:
            return done
        time.sleep(0.01)
    pytest.fail(f"the operator never made {count} Okta writes")


def inject(stack: Stack, okta: Okta, scenario: Scenario) -> None:
    for hook, payload in scenario.okta:
        okta.hook(hook, payload)
    for route, status, times in scenario.kube:
        # kmock counts a reaction's slice over every matching request the emulator has seen, those
        # before the reaction too: start it at the next one.
        seen = len(matching(stack, route))
        stack.kube.emulator[route][seen : seen + times] << status


def run_phase(stack: Stack, okta: Okta, scenario: Scenario, start: Callable[[], None]) -> None:
    """Inject the row's fault, start the phase, SIGKILL and restart if the row says so."""
    if scenario.kill_after is None:
        inject(stack, okta, scenario)
        start()
        return
    okta.hook("latency", {"seconds": KILL_LATENCY})
    start()
    done = wait_writes(okta, scenario.kill_after)
    stack.stop_operator(kill=True)
    assert done == scenario.kill_after, f"the kill came after {done} writes, not {scenario.kill_after}"
    okta.http.delete("/__sandbox/faults").raise_for_status()  # latency back to 0
    stack.start_operator(*scenario.operator)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_fault_matrix(
    bare_stack: Stack, scenario: Scenario, record_property: Callable[[str, object], None]
) -> None:
    stack = bare_stack
    okta = Okta(stack.okta_url)
    row: dict[str, Any] = {"scenario": scenario.name, "when": scenario.when, "seconds": None, "calls": None}
    record_property("fault_matrix", row)
    try:
        wanted = 2
        if scenario.when == "change":
            stack.start_operator(*scenario.operator)
            stack.apply(resource(stack.okta_url, access=GROUPS))
            stack.wait_ready(NAMESPACE, NAME, timeout=BOUND)
            okta.clear_requests()
            wanted = 3

            def start() -> None:
                stack.patch_spec(NAMESPACE, NAME, {"environments": environments(wanted)})

        else:

            def start() -> None:
                stack.start_operator(*scenario.operator)
                stack.apply(resource(stack.okta_url, access=GROUPS))

        began = time.monotonic()
        run_phase(stack, okta, scenario, start)
        stack.wait_ready(NAMESPACE, NAME, timeout=BOUND)
        row["seconds"] = round(time.monotonic() - began, 1)
        # A create applied late lands after Ready: give it its time, then one more pass to settle it.
        settle = max((float(p.get("apply_after", 0)) for _, p in scenario.okta), default=0.0)
        if settle:
            time.sleep(settle + 2 * DRIFT)
        row["calls"] = len(okta.requests())
        row["writes"] = len(okta.writes())
        check_invariants(stack, okta, wanted)
        assert_fault_hit(stack, okta, scenario)
        seen = _collect_events(stack)
        for event in scenario.events:
            assert any(line.startswith(f"{event}:") for line in seen), f"no {event} Event in {seen}"
        log = stack.operator_log.read_text()
        for text in scenario.log:
            assert text in log, f"the operator's log does not say {text!r}"
        # SIGKILL: the log is unbuffered, so the leak scan sees every line; a graceful stop only costs time.
        stack.stop_operator(kill=True)
        assert_no_secret_leaks(stack, okta)
    finally:
        okta.close()
