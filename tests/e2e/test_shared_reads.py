"""Shared reads in the operator process: what the passes of one org cost in Okta calls, and that a pass a
person asked for reads Okta afresh (the handlers' wiring of okta/shared_reads.py)."""

from __future__ import annotations

from typing import Any

import pytest

from outsystems_okta.api.constants import ANNOTATION_RECONCILE_REQUESTED_AT, GROUP, PLURAL, VERSION
from outsystems_okta_sandbox.stack import Stack
from tests.e2e.conftest import NAMESPACE, Okta, resource

pytestmark = pytest.mark.e2e

SERVER = "/api/v1/authorizationServers/default"


def named(name: str, orgurl: str) -> dict[str, Any]:
    body = resource(orgurl, environments=3, access={"groups": ["OutSystems IT"]})
    body["metadata"]["name"] = name
    return body


def reads(okta: Okta) -> list[str]:
    return [r["path"] for r in okta.requests() if r["method"] == "GET"]


def test_one_org_shares_its_reads_and_a_requested_pass_reads_afresh(stack: Stack, okta: Okta) -> None:
    stack.create_credentials(NAMESPACE)
    stack.start_operator()
    okta.clear_requests()

    stack.apply(named("first", stack.okta_url))
    stack.wait_ready(NAMESPACE, "first")
    # 7 calls (server, one app scan, group, 2 creates, 2 assignments) + the access-policy check (2).
    assert len(okta.requests()) == 9 and len(okta.writes()) == 4
    assert reads(okta).count("/api/v1/apps") == 1

    # Three more on the same org, right after: the first one's reads are newer than any pass of theirs
    # and within the TTL (120 s at the default 600 s drift interval): only their own writes go to Okta.
    okta.clear_requests()
    for name in ("second", "third", "fourth"):
        stack.apply(named(name, stack.okta_url))
    for name in ("second", "third", "fourth"):
        stack.wait_ready(NAMESPACE, name)
    assert reads(okta) == [] and len(okta.writes()) == 3 * 4

    # A pass a person asks for does not trust what others read, even what is newer than its own
    # previous pass and within the TTL (the reads of "first"'s requested pass, for "second"): the
    # server, the scan, the group and its apps, the Consoles app's secrets, the policies and their
    # rules, afresh; nothing to write.
    for name in ("first", "second"):
        okta.clear_requests()
        request_pass(stack, name)
        paths = reads(okta)
        assert okta.writes() == []
        assert paths.count(SERVER) == 1 and paths.count("/api/v1/apps") == 1, paths
        assert len(paths) == 7, paths


def request_pass(stack: Stack, name: str) -> None:
    stack.custom.patch_namespaced_custom_object(
        GROUP,
        VERSION,
        NAMESPACE,
        PLURAL,
        name,
        {"metadata": {"annotations": {ANNOTATION_RECONCILE_REQUESTED_AT: "now"}}},
    )
    stack.wait_for(
        NAMESPACE,
        name,
        lambda obj: ((obj or {}).get("status") or {}).get("lastHandledReconcileAt") == "now",
        timeout=15,
    )
