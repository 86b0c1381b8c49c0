"""OktaClient's access-policy calls against the sandbox: typed models in and out, Okta's shapes on the wire.

Every request the client sends and every answer it reads is checked against Okta's OpenAPI spec
(skipped with the reason when the spec is not on this machine).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from tests.integration.sandbox.openapi_conformance import management_spec, spec_missing_reason

from outsystems_okta.blueprint import Owner
from outsystems_okta.okta import OktaClient, OktaForbiddenError, RetryPolicy
from outsystems_okta.okta.access_policies import policy_body, replaced_policy, replaced_rule, rule_body
from outsystems_okta.plan.managed_policy import desired_policy, desired_rule
from outsystems_okta_sandbox.okta import OktaSandbox

TOKEN = "00sandboxTOKEN-policies-3e5a7c9b1d"
OWNER = Owner("outsystems", "factory", "6a1e2b3c-0000-4000-8000-00000000f001")
WEB = {
    "name": "oidc_client",
    "label": "OutSystems Consoles",
    "signOnMode": "OPENID_CONNECT",
    "credentials": {"oauthClient": {"token_endpoint_auth_method": "client_secret_basic"}},
    "settings": {
        "oauthClient": {
            "application_type": "web",
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
            "redirect_uris": ["https://dev.acme.com/cb"],
        }
    },
}


@pytest.fixture
async def sandbox() -> AsyncIterator[OktaSandbox]:
    sb = OktaSandbox(token=TOKEN, groups=["OutSystems IT"])
    await sb.start("127.0.0.1", 0)
    yield sb
    await sb.stop()


@pytest.fixture
async def okta(sandbox: OktaSandbox) -> AsyncIterator[OktaClient]:
    async with OktaClient(sandbox.url, TOKEN, retry=RetryPolicy(base_delay=0.01), timeout=5.0) as client:
        yield client


async def test_policies_and_rules_round_trip(okta: OktaClient, sandbox: OktaSandbox) -> None:
    client_id = (await okta.create_app(WEB))["credentials"]["oauthClient"]["client_id"]
    group = sandbox.state.groups
    it_id = next(g.id for g in group.values() if g.name == "OutSystems IT")

    [default] = await okta.list_access_policies("default")
    assert (default.name, default.priority, default.view().clients) == ("Default Policy", 1, ("ALL_CLIENTS",))
    [default_rule] = await okta.list_access_policy_rules("default", default.id)
    assert default_rule.view().groups_include == ("EVERYONE",)
    assert "authorization_code" in default_rule.view().grant_types

    want = desired_policy(OWNER, [client_id])
    created = await okta.create_access_policy("default", policy_body(want))
    assert (created.name, created.priority, created.status) == (want.name, 1, "ACTIVE")
    assert created.view().clients == (client_id,)
    listed = await okta.list_access_policies("default")
    assert [(p.name, p.priority) for p in listed] == [(want.name, 1), ("Default Policy", 2)]

    renamed = created.model_copy(update={"name": "edited"})
    back = await okta.replace_access_policy("default", created.id, replaced_policy(renamed, want))
    assert back.name == want.name and back.priority == 1
    await okta.activate_access_policy("default", created.id)

    made = await okta.create_access_policy_rule("default", created.id, rule_body(desired_rule([it_id])))
    assert made.view().groups_include == (it_id,) and made.view().scopes == (
        "openid",
        "email",
        "profile",
        "offline_access",
    )
    everyone = await okta.replace_access_policy_rule(
        "default", created.id, made.id, replaced_rule(made, desired_rule(["EVERYONE"]))
    )
    assert everyone.view().groups_include == ("EVERYONE",)
    # Okta's default lifetimes came with the create and survive the replace.
    assert (
        everyone.model_extra is not None
        and everyone.model_extra["actions"]["token"]["refreshTokenWindowMinutes"]
    )
    await okta.activate_access_policy_rule("default", created.id, made.id)
    assert [r.id for r in await okta.list_access_policy_rules("default", created.id)] == [made.id]

    await okta.delete_access_policy("default", created.id)
    await okta.delete_access_policy("default", created.id)  # gone already: fine
    assert [p.id for p in await okta.list_access_policies("default")] == [default.id]

    reason = spec_missing_reason()
    if reason is not None:
        pytest.skip(reason)
    spec = management_spec()
    problems = [str(p) for record in sandbox.requests for p in spec.check(record)]
    assert not problems, "\n".join(problems)


async def test_a_forbidden_policy_read_is_a_typed_error(okta: OktaClient, sandbox: OktaSandbox) -> None:
    sandbox.inject_fault(
        403, path_prefix="/api/v1/authorizationServers/default/policies", error_code="E0000006"
    )
    with pytest.raises(OktaForbiddenError) as caught:
        await okta.list_access_policies("default")
    assert caught.value.error_code == "E0000006"
    assert len(sandbox.requests) == 1  # a 403 is not retried
