"""The bad-input corpus (tests/corpus), pass tier: the real reconcile routine against the Okta emulator.

Each pass-time case ends Ready=False with its reason and a clear, bounded message, one Warning Event,
no Okta write (and no Okta request at all when the case says so), no output Secret, no traceback in the
log, and a second pass that neither repeats the Warning nor retries sooner than the reason warrants.
Each apply-time case is run here too, as if the API server had let it in: the pass must refuse it with
InvalidSpec before it calls Okta.
"""

from __future__ import annotations

import base64
import logging
from typing import TYPE_CHECKING, Any

import pytest
from tests.corpus import CREDENTIALS, MIN_CASES, NAMESPACE, Case, load, of_tier, summary, token_value

from outsystems_okta.plan.conditions import TERMINAL, Reason

if TYPE_CHECKING:
    from tests.integration.reconcile.conftest import Integration, World

TOKEN = "00okta-reconcile-TOKEN-5d1f0a9c7e3b2468"  # the conftest's, the sandbox's good token
# A condition message a person reads in `kubectl get` and Argo CD: never a page of HTML.
MAX_MESSAGE = 1000
EXTERNAL_FIX_DELAY = 60.0
TRANSIENT_DELAY = 15.0
PASS_CASES = of_tier("pass")
APPLY_CASES = of_tier("apply")


def arrange(world: World, case: Case) -> Integration:
    stored = token_value(case, TOKEN)
    if stored is not None:
        key = case.credentials.get("key", "apiToken")
        world.secrets.put(
            {
                "apiVersion": "v1",
                "kind": "Secret",
                "metadata": {"name": CREDENTIALS, "namespace": NAMESPACE},
                "data": {key: base64.b64encode(stored).decode()},
            }
        )
        text = stored.decode(errors="replace").strip()
        if len(text) >= 8:
            world.secret_values.add(text)  # the leak scan looks for it everywhere
    for other in case.secrets:
        world.secrets.put(
            {
                "apiVersion": "v1",
                "kind": "Secret",
                "metadata": {
                    "name": other["name"],
                    "namespace": NAMESPACE,
                    "ownerReferences": [
                        {"apiVersion": "v1", "kind": "ConfigMap", "name": "someone", "uid": "someone-else"}
                    ],
                },
                "data": {"config": base64.b64encode(b"not the operator's").decode()},
            }
        )
    fault = case.okta.get("fault")
    if fault:
        world.sb.inject_fault(
            fault["status"],
            fault.get("count", 1),
            method=fault.get("method"),
            path_prefix=fault.get("pathPrefix"),
        )
    features = case.okta.get("features")
    if features:
        world.sb.set_features(api_access_management=features.get("apiAccessManagement"))
    it = world.integration(with_token=False, name=case.name, spec=case.spec(world.sb.url))
    if case.insecure:
        it.options = world.insecure_options()
    return it


def assert_refused_before_any_okta_write(
    world: World, it: Integration, reason: Reason, fragments: list[str], okta: str, caplog: Any
) -> None:
    outcome = it.outcomes[-1]
    assert (outcome.ready, outcome.reason) == (False, reason), outcome.message
    ready = it.ready()
    assert (ready["status"], ready["reason"], ready["message"]) == ("False", reason.value, outcome.message)
    message = outcome.message
    for fragment in fragments:
        assert fragment in message, message
    assert len(message) <= MAX_MESSAGE, f"{len(message)} characters"
    assert "<html" not in message.lower() and "Traceback" not in message
    assert it.events.items == [("Warning", reason.value, message)]
    # No Okta write; not even a request when the problem is visible without Okta.
    assert [(r.method, r.path) for r in world.writes()] == []
    if okta == "none":
        assert world.requests() == [] and world.connections == []
    assert world.apps() == []
    # Nothing written to Kubernetes either.
    assert world.secrets.writes == [] and world.secrets.deletes == []
    # No traceback in the log: an expected failure is reported, not raised.
    assert [r.getMessage() for r in caplog.records if r.exc_info] == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


async def settle(world: World, it: Integration, reason: Reason) -> None:
    """A second pass: same outcome, no second Warning, and no retry storm."""
    again = await it.reconcile()
    assert again.reason is reason
    assert it.events.reasons("Warning") == [reason.value]
    if reason in TERMINAL:
        assert again.retry_after is None or again.retry_after >= EXTERNAL_FIX_DELAY
    else:
        assert again.retry_after is not None and again.retry_after >= TRANSIENT_DELAY
    assert [(r.method, r.path) for r in world.writes()] == []


@pytest.mark.parametrize("case", PASS_CASES, ids=[case.id for case in PASS_CASES])
async def test_the_pass_refuses_it_before_any_okta_write(world: World, case: Case, caplog: Any) -> None:
    caplog.set_level(logging.DEBUG)
    it = arrange(world, case)
    reason = Reason(case.expect["reason"])

    await it.reconcile()

    assert_refused_before_any_okta_write(
        world, it, reason, case.messages(), case.expect.get("okta", "none"), caplog
    )
    await settle(world, it, reason)


@pytest.mark.parametrize("case", APPLY_CASES, ids=[case.id for case in APPLY_CASES])
async def test_what_the_crd_refuses_the_pass_refuses_too(world: World, case: Case, caplog: Any) -> None:
    caplog.set_level(logging.DEBUG)
    world.secrets.put_token(NAMESPACE, TOKEN)
    it = world.integration(name=case.name, spec=case.spec(world.sb.url))

    await it.reconcile()

    assert_refused_before_any_okta_write(world, it, Reason.INVALID_SPEC, ["Invalid spec: "], "none", caplog)
    await settle(world, it, Reason.INVALID_SPEC)


def test_the_corpus_is_large_and_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    cases = load()
    assert len(cases) >= MIN_CASES
    assert len({case.id for case in cases}) == len(cases)
    assert {case.tier for case in cases} == {"apply", "pass"}
    assert any(case.e2e for case in cases)
    with capsys.disabled():
        print(f"\n{summary()}")
