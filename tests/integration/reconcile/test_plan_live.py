"""`outsystems-okta plan -f FILE --live` as a process against the Okta sandbox: GET only (the sandbox's
request log says so), and the plan is what the reconcile routine then does."""

from __future__ import annotations

import asyncio
import copy
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from joserfc.jwk import ECKey
from tests.integration.reconcile.test_adoption import hand_made
from tests.integration.reconcile.test_reconcile_routine import (
    CONSOLES,
    NAME,
    NAMESPACE,
    TOOLS,
    UID,
    assert_ready,
    consoles_redirects,
    converged,
    spec_of,
)

from outsystems_okta.okta import OktaReadOnlyError, read_only_client

if TYPE_CHECKING:
    from tests.integration.reconcile.conftest import Integration, World

TOKEN = "00okta-reconcile-TOKEN-5d1f0a9c7e3b2468"  # the sandbox's token (conftest)


def manifest(
    spec: dict[str, Any], status: dict[str, Any] | None = None, uid: str | None = UID
) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": NAME, "namespace": NAMESPACE}
    if uid is not None:
        meta["uid"] = uid
    doc: dict[str, Any] = {
        "apiVersion": "okta.outsystems.dev/v1alpha1",
        "kind": "OutSystemsOktaIntegration",
        "metadata": meta,
        "spec": copy.deepcopy(spec),
    }
    if status is not None:
        # As `kubectl get -o yaml` prints it: plain JSON values.
        doc["status"] = json.loads(json.dumps(status))
    return doc


async def plan_live(
    world: World,
    tmp_path: Path,
    doc: dict[str, Any],
    *extra: str,
    token: str | None = TOKEN,
    env: dict[str, str] | None = None,
) -> tuple[int, str, str]:
    path = tmp_path / "integration.yaml"
    path.write_text(yaml.safe_dump(doc))
    environ = {k: v for k, v in os.environ.items() if k != "OKTA_API_TOKEN"} | (env or {})
    if token is not None:
        environ["OKTA_API_TOKEN"] = token
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "outsystems_okta.cli",
        "plan",
        "-f",
        str(path),
        "--live",
        "--allow-insecure-loopback",
        *extra,
        env=environ,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def assert_read_only(world: World) -> None:
    requests = world.requests()
    assert requests, "the plan read nothing"
    assert {r.method for r in requests} == {"GET"}, [
        (r.method, r.path) for r in requests if r.method != "GET"
    ]


def assert_no_secret_in(world: World, text: str) -> None:
    world.harvest()
    for value in world.secret_values:
        assert value not in text


async def test_a_new_integration_plans_two_creates_and_the_group_assignments(
    world: World, tmp_path: Path
) -> None:
    spec = spec_of(world, access={"groups": ["OutSystems IT"]})
    it_group = world.group_id("OutSystems IT")

    code, out, err = await plan_live(world, tmp_path, manifest(spec, uid=None), "--detailed-exitcode")

    assert (code, err) == (3, "")
    assert_read_only(world)
    assert world.apps() == []
    assert out.startswith(f"{NAMESPACE}/{NAME} in {world.sb.url}\n")
    assert f"+ {CONSOLES}: create\n" in out and f"+ {TOOLS}: create\n" in out
    assert f'      + "{consoles_redirects()[0]}"' in out
    assert out.count(f'    + assign group "OutSystems IT" ({it_group})') == 2
    assert out.endswith(
        "Plan: 2 to create, 0 to adopt, 0 to change; 2 group assignment(s) to add, 0 to remove.\n"
    )
    assert_no_secret_in(world, out)

    # Without --detailed-exitcode a plan with changes is a success like any other.
    world.sb.clear_requests()
    code, _, _ = await plan_live(world, tmp_path, manifest(spec, uid=None))
    assert code == 0
    assert_read_only(world)


async def test_an_adoption_plan_shows_each_field_and_writes_nothing(world: World, tmp_path: Path) -> None:
    web, native = await hand_made(world)
    before = {a["id"]: a for a in world.apps()}
    spec = spec_of(world, adopt={"consolesAppId": web["id"], "developmentToolsAppId": native["id"]})
    [secret_id] = [s.id for s in world.sb.state.apps[web["id"]].secrets]

    code, out, err = await plan_live(world, tmp_path, manifest(spec), "--detailed-exitcode")

    assert (code, err) == (3, ""), out
    assert_read_only(world)
    assert {a["id"]: a for a in world.apps()} == before, "a plan changes nothing in Okta"
    assert f"~ Acme LifeTime SSO ({web['id']}): adopt (update in place, add this resource's marker)" in out
    assert '    settings.oauthClient.grant_types:\n      + "refresh_token"\n' in out
    assert f'      + "{consoles_redirects()[1]}"' in out
    assert '    profile.outsystemsOktaOperator: (none) -> {"managedBy": "outsystems-okta-operator"' in out
    assert (
        f"    client secret: the app's existing secret {secret_id} goes to the Secret; none is created" in out
    )
    assert f"~ Acme Service Studio ({native['id']}): adopt" in out
    tools_block = out.split(f"~ Acme Service Studio ({native['id']})")[1].split("\n\n")[0]
    assert "    label:" not in tools_block, "an adopted app keeps its label"
    assert out.endswith(
        "Plan: 0 to create, 2 to adopt, 0 to change; 0 group assignment(s) to add, 0 to remove.\n"
    )
    assert_no_secret_in(world, out)

    # What the plan says is what a reconcile then does.
    it = world.integration(spec=spec)
    world.sb.clear_requests()
    assert_ready(await it.reconcile(), it)
    assert [r.method for r in world.writes()] == ["PUT", "PUT"]


async def test_a_converged_resource_plans_nothing_until_someone_edits_okta(
    world: World, tmp_path: Path
) -> None:
    it = await converged(world)
    cid = it.app_id("consoles")

    code, out, _ = await plan_live(world, tmp_path, manifest(it.spec, it.status), "--detailed-exitcode")

    assert code == 0, out
    assert_read_only(world)
    assert f"  {CONSOLES} ({cid}): no changes" in out

    app = await world.admin.get_app(cid)
    app["settings"]["oauthClient"]["redirect_uris"] = consoles_redirects()[:2]
    app["label"] = "Renamed by hand"
    await world.admin.put_app(cid, app)
    world.sb.clear_requests()

    code, out, _ = await plan_live(world, tmp_path, manifest(it.spec, it.status), "--detailed-exitcode")

    assert code == 3, out
    assert_read_only(world)
    assert f"~ {CONSOLES} ({cid}): update in place" in out
    assert f'    label: "Renamed by hand" -> "{CONSOLES}"' in out
    assert f'      + "{consoles_redirects()[2]}"' in out
    assert out.endswith(
        "Plan: 0 to create, 0 to adopt, 1 to change; 0 group assignment(s) to add, 0 to remove.\n"
    )


async def test_a_deleted_app_plans_the_stop_a_reconcile_would_make(world: World, tmp_path: Path) -> None:
    it: Integration = await converged(world)
    cid = it.app_id("consoles")
    await world.admin.delete_app(cid)
    world.sb.clear_requests()

    code, out, _ = await plan_live(world, tmp_path, manifest(it.spec, it.status))

    assert code == 1
    assert_read_only(world)
    assert f"! {CONSOLES}: OktaAppDeleted: Okta app {cid} ({CONSOLES!r}) is gone from Okta;" in out
    assert out.endswith("Plan: a reconcile would stop before its first Okta write (see ! above).\n")


async def test_a_refused_adoption_is_an_error_exit(world: World, tmp_path: Path) -> None:
    web, native = await hand_made(world)
    spec = spec_of(world, adopt={"consolesAppId": native["id"], "developmentToolsAppId": web["id"]})

    code, out, _ = await plan_live(world, tmp_path, manifest(spec))

    assert code == 1
    assert_read_only(world)
    assert out.count("AdoptionRefused") == 2


async def test_without_a_token_nothing_is_read(world: World, tmp_path: Path) -> None:
    code, out, err = await plan_live(world, tmp_path, manifest(spec_of(world)), token=None)
    assert (code, out) == (2, "")
    assert err == (
        "error: --live reads Okta with the API token in $OKTA_API_TOKEN (or a service app: "
        "$OKTA_CLIENT_ID and $OKTA_PRIVATE_KEY_FILE); set it\n"
    )
    assert world.requests() == []


async def test_a_service_app_plans_with_read_scopes_only(world: World, tmp_path: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    (tmp_path / "key.pem").write_text(pem)
    reads = ["okta.apps.read", "okta.groups.read", "okta.authorizationServers.read"]
    world.sb.add_service_app("0oaPLANNER", ECKey.import_key(pem).as_dict(private=False), reads)
    env = {"OKTA_CLIENT_ID": "0oaPLANNER", "OKTA_PRIVATE_KEY_FILE": str(tmp_path / "key.pem")}

    code, out, err = await plan_live(world, tmp_path, manifest(spec_of(world), uid=None), token=None, env=env)

    assert (code, err) == (0, "")
    assert f"+ {CONSOLES}: create\n" in out
    assert_read_only(world)
    assert [(e.path, e.status) for e in world.sb.oauth_requests] == [
        ("/oauth2/v1/token", 400),
        ("/oauth2/v1/token", 200),
    ]
    assert "BEGIN" not in out + err


async def test_a_rejected_token_is_reported_and_never_printed(world: World, tmp_path: Path) -> None:
    bad = "00wrong-token-0123456789abcdefABCDEF"
    code, out, err = await plan_live(world, tmp_path, manifest(spec_of(world)), token=bad)
    assert code == 1
    assert "! OktaAuthFailed: Okta 401" in out
    assert bad not in out + err and TOKEN not in out + err


async def test_the_read_only_client_sends_no_write_to_okta_even_when_asked(world: World) -> None:
    async with read_only_client(world.sb.url, TOKEN) as okta:
        with pytest.raises(OktaReadOnlyError):
            await okta.create_app({"name": "oidc_client", "label": "x", "signOnMode": "OPENID_CONNECT"})
        with pytest.raises(OktaReadOnlyError):
            await okta.assign_group("0oa1", world.group_id("OutSystems IT"))
        assert await okta.list_apps() == []
    assert [(r.method, r.path) for r in world.requests()] == [("GET", "/api/v1/apps")]
    assert world.apps() == []
